"""Adaptive pacing for apply: one controller shared by every request of a run.

Sinch publishes no numeric rate limit, so the applier measures it. The controller paces request
*starts* at a rate derived from the throughput the API actually delivered, and bounds requests
in flight (``--parallelism``):

* **Delivered rate.** Every request that was not refused with 429 counts as delivered (an
  answer, an error, even a dropped connection: the server took it). The estimate of what the API
  sustains is the best delivered rate of the last few seconds
  (:attr:`~AdaptiveThrottle.HORIZON`), each sample taken over one second.
* **Start.** Sending begins at :attr:`~AdaptiveThrottle.START_RATE` requests/second and doubles
  every :attr:`~AdaptiveThrottle.DOUBLING_SECONDS` (never beyond twice the delivered rate), so an
  unlimited server is used fully within a second or two.
* **Overload → slow down, for everyone.** When 429s reach
  :attr:`~AdaptiveThrottle.LOSS_THRESHOLD` of the last second's requests, the API is at its
  limit: the estimate is reset to what it delivered in that second, the send rate drops below it
  for a second (draining the limiter's window), and the in-flight ceiling halves (AIMD: it grows
  back by one per round of successes). A stray 429 (fault, burst) does not move the rate: the
  refused request is simply sent again after its ``Retry-After``.
* **Probing.** Every :attr:`~AdaptiveThrottle.CYCLE` the rate rises to
  :attr:`~AdaptiveThrottle.PROBE_GAIN` × the estimate for a second, so a limit that was raised —
  or a server that was merely busy — is found again; if the probe is refused, the estimate stays.
* **Retry-After.** The refused request waits ``Retry-After`` before it is resent (the client's
  retry does that). A long one (≥ :attr:`~AdaptiveThrottle.PAUSE_AFTER` seconds: "come back
  later", not "slow down") pauses every sender.

This is the shape of TCP BBR (pace at the measured bottleneck rate, probe periodically) rather
than loss-driven AIMD on the rate: with a one-second sliding-window limit, halving the rate on
every refusal wastes a quarter of the capacity, and random refusals would ratchet it down to
nothing. Concurrency, where a refusal says "too many at once", stays AIMD.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Permit:
    """One request's right to be on the wire."""

    sent_at: float
    refused: bool = False
    _throttle: AdaptiveThrottle | None = field(default=None, repr=False)

    def release(self) -> None:
        throttle, self._throttle = self._throttle, None
        if throttle is not None:
            throttle._release(self)

    async def __aenter__(self) -> Permit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


@dataclass
class ThrottleStats:
    throttled: int = 0  # 429 responses seen
    decreases: int = 0  # overload events (each reset the estimate and slowed everyone down)
    paused_seconds: float = 0.0  # total pause imposed on all senders by long Retry-Afters


class AdaptiveThrottle:
    """Paces request starts and bounds requests in flight; adapts both to 429 responses."""

    #: Sending starts here (requests/second) unless ``initial_rate`` is given.
    START_RATE = 10.0
    #: During the start, the rate doubles this often (seconds).
    DOUBLING_SECONDS = 0.25
    #: Length of one measurement (seconds): delivered rate and refusal fraction.
    WINDOW = 1.0
    #: The estimate is the best delivered rate over this many seconds.
    HORIZON = 6.0
    #: Fraction of refused requests (and at least :attr:`LOSS_MIN` of them) within one window
    #: that marks an overload.
    LOSS_THRESHOLD = 0.25
    LOSS_MIN = 3
    #: After an overload, send at this fraction of the delivered rate for one window.
    DRAIN_GAIN = 0.85
    #: Probe at this multiple of the estimate for one window, once per :attr:`CYCLE` seconds.
    PROBE_GAIN = 1.25
    CYCLE = 6.0
    #: A Retry-After at least this long pauses every sender, not just the refused request.
    PAUSE_AFTER = 2.0

    def __init__(
        self,
        *,
        max_concurrency: int = 8,
        initial_rate: float | None = None,
        min_rate: float = 0.2,
        max_rate: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self.min_rate = min_rate
        self.max_rate = max_rate
        self._clock = clock
        self._sleep = sleep
        self._start_rate = max(min_rate, initial_rate or self.START_RATE)
        self._rate = self._clamp(self._start_rate)
        self._starting = True
        self._began: float | None = None
        self._phase_start = 0.0  # drain/cruise/probe cycle reference (after the start)
        self._drain_until = -math.inf
        self._last_overload = -math.inf
        self._samples: deque[tuple[float, float]] = deque()  # (time, delivered rate), max-queue
        self._delivered: deque[float] = deque()
        self._refused: deque[float] = deque()
        self._limit = float(max_concurrency)
        self._in_flight = 0
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.stats = ThrottleStats()

    # ------------------------------------------------------------------ state

    @property
    def rate(self) -> float:
        """Current allowed request rate (requests/second)."""
        return self._rate

    @property
    def estimate(self) -> float:
        """Best delivered rate over the horizon (0 before anything was delivered)."""
        self._expire_samples(self._clock())
        return self._samples[0][1] if self._samples else 0.0

    @property
    def concurrency(self) -> int:
        """Current in-flight ceiling (between 1 and ``max_concurrency``)."""
        return max(1, int(self._limit))

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _clamp(self, rate: float) -> float:
        rate = max(self.min_rate, rate)
        return min(rate, self.max_rate) if self.max_rate is not None else rate

    # ------------------------------------------------------------------ sending

    async def acquire(self) -> Permit:
        """Wait for a concurrency slot and the next paced start time; returns a :class:`Permit`."""
        while self._in_flight >= self.concurrency:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if not waiter.cancelled() and waiter.done():
                    self._wake()  # pass the wake-up on rather than lose it
                raise
        self._in_flight += 1
        try:
            await self._wait_for_slot()
        except BaseException:
            self._in_flight -= 1
            self._wake()
            raise
        now = self._clock()
        if self._began is None:
            self._began = now
        return Permit(sent_at=now, _throttle=self)

    async def _wait_for_slot(self) -> None:
        while True:
            now = self._clock()
            self._update_rate(now)
            start = max(now, self._paused_until, self._next_slot)
            if start <= now:
                # Reserve this slot. A timer that fires late may catch up half an interval
                # (else lateness accumulates), but idle time earns no burst credit.
                interval = 1.0 / self._rate
                self._next_slot = max(self._next_slot, now - interval / 2) + interval
                return
            await self._sleep(min(start - now, self.WINDOW))

    def _release(self, permit: Permit) -> None:
        self._in_flight -= 1
        if not permit.refused:
            now = self._clock()
            self._delivered.append(now)
            self._sample(now)
        self._wake()

    def _wake(self) -> None:
        free = self.concurrency - self._in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1

    # ------------------------------------------------------------------ measurement

    def _count(self, events: deque[float], now: float) -> int:
        while events and events[0] <= now - self.WINDOW:
            events.popleft()
        return len(events)

    def _delivered_rate(self, now: float) -> float:
        """Deliveries per second over the last window (or since the first send, if shorter)."""
        span = self.WINDOW
        if self._began is not None:
            span = min(span, max(now - self._began, 0.1))
        return self._count(self._delivered, now) / span

    def _sample(self, now: float) -> None:
        value = self._delivered_rate(now)
        while self._samples and self._samples[-1][1] <= value:
            self._samples.pop()  # a max-queue: older, smaller samples can never be the max
        self._samples.append((now, value))
        self._expire_samples(now)

    def _expire_samples(self, now: float) -> None:
        while len(self._samples) > 1 and self._samples[0][0] < now - self.HORIZON:
            self._samples.popleft()

    def _update_rate(self, now: float) -> None:
        """The send rate for this moment: start ramp, drain, probe or cruise."""
        estimate = self.estimate
        if self._starting:
            began = self._began if self._began is not None else now
            ramp = self._start_rate * 2.0 ** min((now - began) / self.DOUBLING_SECONDS, 30.0)
            self._rate = self._clamp(min(ramp, max(2.0 * estimate, self._start_rate)))
            return
        if now < self._drain_until:
            gain = self.DRAIN_GAIN
        elif (now - self._phase_start) % self.CYCLE >= self.CYCLE - self.WINDOW:
            gain = self.PROBE_GAIN
        else:
            gain = 1.0
        self._rate = self._clamp(max(estimate, self.min_rate) * gain)

    # ------------------------------------------------------------------ feedback

    def on_success(self, permit: object = None) -> None:
        """An answer that was not a 429: the in-flight ceiling may grow (one per round)."""
        before = self.concurrency
        self._limit = min(float(self.max_concurrency), self._limit + 1.0 / max(self._limit, 1.0))
        if self.concurrency > before:
            self._wake()

    def on_throttled(self, permit: object = None, retry_after: float | None = None) -> None:
        """A 429. Counted; an overload (see the module doc) slows everyone down."""
        now = self._clock()
        self.stats.throttled += 1
        if isinstance(permit, Permit):
            permit.refused = True
        self._refused.append(now)
        if retry_after is not None and retry_after >= self.PAUSE_AFTER:
            until = now + min(retry_after, 300.0)
            if until > self._paused_until:
                self.stats.paused_seconds += until - max(now, self._paused_until)
                self._paused_until = until
        if now - self._last_overload < self.WINDOW:
            return  # the limiter's window still counts traffic from before the slow-down
        refused = self._count(self._refused, now)
        delivered = self._count(self._delivered, now)
        if refused < self.LOSS_MIN or refused < self.LOSS_THRESHOLD * (refused + delivered):
            return  # a stray refusal: resent after Retry-After, no reason to slow down
        self.stats.decreases += 1
        self._last_overload = now
        self._starting = False
        # What the API delivered while refusing is its limit: the estimate starts over there.
        self._samples.clear()
        self._samples.append((now, max(self._delivered_rate(now), self.min_rate)))
        self._drain_until = max(now, self._paused_until) + self.WINDOW
        self._phase_start = self._drain_until
        self._limit = max(1.0, self._limit / 2.0)
        self._update_rate(now)
        # The next send waits one interval at the new rate: the server has just said "full".
        self._next_slot = max(self._next_slot, now + 1.0 / self._rate)
