"""Adaptive pacing for apply: one controller shared by every request of a run.

Sinch publishes no numeric rate limit, so the applier *discovers* it, the way TCP discovers a
path's capacity:

* **Slow start.** Sending starts at :attr:`AdaptiveThrottle.START_RATE` requests/second and doubles
  every :attr:`~AdaptiveThrottle.DOUBLING_SECONDS` while the server keeps up, so an unlimited
  server is at full speed within a second or two.
* **Multiplicative decrease.** A 429 is an overload event: the send rate drops to ``β`` times the
  rate that caused it (``β`` = :attr:`~AdaptiveThrottle.BETA`) and the in-flight ceiling halves.
  A 429 answering a request sent *before* the last decrease, or arriving within one window
  (:attr:`~AdaptiveThrottle.MEASURE_WINDOW`) of it, belongs to the same event — it was already on
  the wire, or the limiter's window still counts traffic from before the cut: one overload, one
  decrease.
* **CUBIC growth.** Successes win the rate back along TCP CUBIC's curve: quickly to the rate that
  last overloaded the server, flat around it, then accelerating beyond it — a steady limit is
  approached with few 429s, and a raised one is found within seconds.
* **Retry-After.** The refused request itself waits ``Retry-After`` before it is sent again (the
  client's retry does that). A long ``Retry-After`` (≥ :attr:`~AdaptiveThrottle.PAUSE_AFTER`
  seconds: "come back later", not "slow down") pauses every sender.

The rate never grows past twice the throughput actually served, so a run limited by latency or
by ``--parallelism`` does not build up a rate it has never tested.
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
    """One request's right to be on the wire; ``sent_at`` ties its outcome to a rate epoch."""

    sent_at: float
    _throttle: AdaptiveThrottle | None = field(default=None, repr=False)

    def release(self) -> None:
        throttle, self._throttle = self._throttle, None
        if throttle is not None:
            throttle._release()

    async def __aenter__(self) -> Permit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


@dataclass
class ThrottleStats:
    throttled: int = 0  # 429 responses seen
    decreases: int = 0  # distinct overload events (each cut the rate)
    paused_seconds: float = 0.0  # total pause imposed on all senders by long Retry-Afters


class AdaptiveThrottle:
    """Bounds in-flight requests and paces their start times; adapts both to 429 responses.

    ``max_concurrency`` is the ``--parallelism`` ceiling. ``initial_rate`` (requests/second) is
    where slow start begins; ``max_rate`` is an optional hard ceiling.
    """

    #: Slow start begins here (requests/second) unless ``initial_rate`` is given.
    START_RATE = 10.0
    #: Slow start doubles the rate this often (seconds).
    DOUBLING_SECONDS = 0.25
    #: Multiplicative decrease on an overload event (CUBIC's β; classic AIMD uses 0.5).
    BETA = 0.7
    #: Beyond the last overload point, the curve rises this many times more slowly.
    PROBE_SLOWDOWN = 27.0
    #: The curve levels off this far below the overload point: a rate exactly at a sliding-window
    #: limit is refused on the first jittered timer.
    HEADROOM = 0.97
    #: Seconds CUBIC takes to climb back from ``β × w_max`` to ``w_max``.
    RECOVERY_SECONDS = 1.5
    #: A Retry-After at least this long pauses every sender, not just the refused request.
    PAUSE_AFTER = 2.0
    #: Fraction of one interval a late timer may catch up.
    CATCH_UP = 0.5
    #: Window over which served throughput is measured.
    MEASURE_WINDOW = 1.0

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
        start = initial_rate if initial_rate is not None else self.START_RATE
        if max_rate is not None:
            start = min(start, max_rate)
        self._rate = max(min_rate, start)
        self._start_rate = self._rate
        self._w_max: float | None = None
        self._exploring = True
        self._epoch_start: float | None = None
        self._last_decrease = -math.inf
        self._limit = float(max_concurrency)
        self._in_flight = 0
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        self._served: deque[float] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.stats = ThrottleStats()

    # ------------------------------------------------------------------ state

    @property
    def rate(self) -> float:
        """Current allowed request rate (requests/second)."""
        return self._rate

    @property
    def concurrency(self) -> int:
        """Current in-flight ceiling (between 1 and ``max_concurrency``)."""
        return max(1, int(self._limit))

    @property
    def in_flight(self) -> int:
        return self._in_flight

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
            self._release()
            raise
        sent_at = self._clock()
        if self._epoch_start is None:
            self._epoch_start = sent_at
        return Permit(sent_at=sent_at, _throttle=self)

    async def _wait_for_slot(self) -> None:
        while True:
            now = self._clock()
            start = max(now, self._paused_until, self._next_slot)
            if start <= now:
                # Reserve this slot. A timer that fires late may catch up a fraction of one
                # interval (else lateness accumulates), but idle time earns no burst credit:
                # a burst after a pause is exactly what a strict limiter refuses.
                interval = 1.0 / self._rate
                self._next_slot = max(self._next_slot, now - interval * self.CATCH_UP) + interval
                return
            await self._sleep(start - now)

    def _release(self) -> None:
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        free = self.concurrency - self._in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1

    # ------------------------------------------------------------------ feedback

    def on_success(self, permit: object = None) -> None:
        """A request was answered without throttling: the server had capacity for it."""
        now = self._clock()
        self._served.append(now)
        if isinstance(permit, Permit) and permit.sent_at < self._last_decrease:
            return
        # Concurrency: +1 per window of successes (one "round trip"), up to the ceiling.
        before = self.concurrency
        self._limit = min(float(self.max_concurrency), self._limit + 1.0 / max(self._limit, 1.0))
        if self.concurrency > before:
            self._wake()
        epoch = self._epoch_start if self._epoch_start is not None else now
        t = max(0.0, now - epoch)
        if self._exploring:
            target = self._start_rate * 2.0 ** min(t / self.DOUBLING_SECONDS, 60.0)
        else:
            target = self._cubic(t)
        self._rate = max(self._rate, min(target, self._cap(now)))

    def _cubic(self, t: float) -> float:
        """CUBIC's curve ``w_max + C (t - K)³``, ``K`` = :attr:`RECOVERY_SECONDS`; beyond
        ``w_max`` it probes :attr:`PROBE_SLOWDOWN` times more gently (a limit that held a moment
        ago most likely still holds)."""
        w_max = (self._w_max or self._rate) * self.HEADROOM
        k = self.RECOVERY_SECONDS
        c = w_max * (1.0 - self.BETA) / k**3
        if t > k:
            c /= self.PROBE_SLOWDOWN
        return w_max + c * (t - k) ** 3

    def _cap(self, now: float) -> float:
        """Never more than twice what is being served (or the last overload point)."""
        cap = max(self._w_max or 0.0, 2.0 * self._served_rate(now), self._start_rate)
        return min(cap, self.max_rate) if self.max_rate is not None else cap

    def on_throttled(self, permit: object = None, retry_after: float | None = None) -> None:
        """A 429: slow everyone down (once per overload event)."""
        now = self._clock()
        self.stats.throttled += 1
        if retry_after is not None and retry_after >= self.PAUSE_AFTER:
            until = now + min(retry_after, 300.0)
            if until > self._paused_until:
                self.stats.paused_seconds += until - max(now, self._paused_until)
                self._paused_until = until
        if isinstance(permit, Permit) and permit.sent_at < self._last_decrease:
            return  # already on the wire when we slowed down: same event
        if now - self._last_decrease < self.MEASURE_WINDOW:
            return  # a limiter's window still holds traffic from before the cut: same event
        self.stats.decreases += 1
        self._last_decrease = now
        self._exploring = False
        # The overload point: what was being sent, or — if less — what the server was serving
        # (a sliding-window limiter serves exactly its limit just before it refuses).
        served = self._served_rate(now)
        sending = self._rate
        self._w_max = min(sending, served) if served >= self.min_rate else sending
        self._rate = max(self.min_rate, self._w_max * self.BETA)
        self._limit = max(1.0, self._limit * 0.5)
        self._epoch_start = max(now, self._paused_until)
        # The next send waits one interval at the new rate: the server has just said "full".
        self._next_slot = max(self._next_slot, self._epoch_start + 1.0 / self._rate)

    def _served_rate(self, now: float) -> float:
        while self._served and self._served[0] < now - self.MEASURE_WINDOW:
            self._served.popleft()
        return len(self._served) / self.MEASURE_WINDOW
