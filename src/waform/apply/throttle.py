"""Pacing for apply: learn the API's rate limit from its first 429s, then stay just under it.

Sinch publishes no numeric limit and documents no rate-limit headers; a 429
(``whatsapp_business_api_request_limit_exceeded``) may carry ``Retry-After`` (the emulator
sends whole seconds, like a sliding one-second window would). So one
:class:`AdaptiveThrottle`, shared by every request of a run, measures the limit and paces
request *starts* to it, and bounds requests in flight (``--parallelism``):

* **Start.** Before anything is refused, sending begins at :attr:`~AdaptiveThrottle.START_RATE`
  requests/second and doubles every :attr:`~AdaptiveThrottle.DOUBLING_SECONDS`, so an unlimited
  API is used fully within a second or two.
* **Learn.** When 429s reach :attr:`~AdaptiveThrottle.LOSS_THRESHOLD` of the last second's
  requests (at least :attr:`~AdaptiveThrottle.LOSS_MIN`), the API is at its limit, and the limit
  is what it accepted in the second before the refused request was sent: those sends are
  counted (a refused send does not count, as at the API). A stray 429 (a fault, a burst) moves
  nothing; the refused request is resent after its ``Retry-After``.
* **Pace.** From then on, starts are spaced by a token bucket at the learned rate (no burst
  credit beyond half an interval, so a late timer catches up without a burst), and never more
  than the learned number start within one second plus :attr:`~AdaptiveThrottle.MARGIN` — the
  margin absorbs clock and latency jitter between our send and the API's count. Throughput is
  ``limit / (1 + MARGIN)``: 1 % under the limit, rather than the quarter that halving the
  rate on every refusal (AIMD) wastes against a sliding-window limit.
* **Probe.** Every :attr:`~AdaptiveThrottle.PROBE_EVERY` seconds without a refusal, the limit is
  raised by a step for two seconds; a probe that is refused reverts at once (one 429), one that
  passes keeps the raise and doubles the next step, so a raised limit — or one under-estimated
  while the API was merely busy — is found again.
* **Overload → fewer in flight.** Each time the limit is learned the in-flight ceiling halves,
  and grows back by one per round of answers (AIMD on concurrency, where a refusal says "too
  many at once").
* **Retry-After.** A long one (≥ :attr:`~AdaptiveThrottle.PAUSE_AFTER` seconds: "come back
  later", not "slow down") pauses every sender.

The bucket is written here rather than taken from a limiter library (``aiolimiter``): the rate
is learned while requests wait, the window guard needs the refused sends taken out again, and
the tests drive it with a fake clock.
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
            throttle._release()

    async def __aenter__(self) -> Permit:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


@dataclass
class ThrottleStats:
    throttled: int = 0  # 429 responses seen
    learned: int = 0  # times the limit was (re)learned from a burst of 429s
    probes: int = 0  # probes above the learned limit (each refused one costs one 429)
    paused_seconds: float = 0.0  # total pause imposed on all senders by long Retry-Afters


class AdaptiveThrottle:
    """Paces request starts and bounds requests in flight; learns both from 429 responses."""

    #: Sending starts here (requests/second) unless ``initial_rate`` is given.
    START_RATE = 10.0
    #: Until a limit is learned, the rate doubles this often (seconds).
    DOUBLING_SECONDS = 0.25
    #: The window the API counts requests in, and over which refusals are judged (seconds).
    WINDOW = 1.0
    #: Fraction of refused requests (and at least :attr:`LOSS_MIN` of them) within one window
    #: that marks the limit.
    LOSS_THRESHOLD = 0.25
    LOSS_MIN = 3
    #: Added to :attr:`WINDOW` when counting our own starts against the learned limit (seconds).
    MARGIN = 0.01
    #: Seconds without a refusal before the learned limit is probed.
    PROBE_EVERY = 10.0
    #: How long a probe lasts (seconds): a refusal within it reverts the raise.
    PROBE_SECONDS = 2.0
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
        self._began: float | None = None
        self._limit: float | None = None  # learned starts per WINDOW
        self._learned_at = -math.inf
        self._probe = _Probe()
        self._sent: deque[Permit] = deque()  # starts of the last two windows, oldest first
        self._ceiling = float(max_concurrency)
        self._in_flight = 0
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.stats = ThrottleStats()

    # ------------------------------------------------------------------ state

    @property
    def limit(self) -> float | None:
        """The learned limit (requests per :attr:`WINDOW`), or ``None`` before any overload."""
        return self._limit

    @property
    def rate(self) -> float:
        """Current pacing rate (requests/second)."""
        if self._limit is not None:
            return self._clamp(self._limit / self.WINDOW)
        if self._began is None:
            return self._clamp(self._start_rate)
        doublings = min((self._clock() - self._began) / self.DOUBLING_SECONDS, 30.0)
        return self._clamp(self._start_rate * 2.0**doublings)

    @property
    def concurrency(self) -> int:
        """Current in-flight ceiling (between 1 and ``max_concurrency``)."""
        return max(1, int(self._ceiling))

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
        permit = Permit(sent_at=now, _throttle=self)
        self._sent.append(permit)
        return permit

    async def _wait_for_slot(self) -> None:
        while True:
            now = self._clock()
            self._probe.advance(self, now)
            start = max(now, self._paused_until, self._next_slot, self._window_frees_at(now))
            if start <= now:
                # Reserve this slot. A timer that fires late may catch up half an interval
                # (else lateness accumulates), but idle time earns no burst credit.
                interval = 1.0 / self.rate
                self._next_slot = max(self._next_slot, now - interval / 2) + interval
                return
            await self._sleep(min(start - now, self.WINDOW))

    def _window_frees_at(self, now: float) -> float:
        """When one more start fits under the learned limit (``-inf``: now, or no limit)."""
        while self._sent and self._sent[0].sent_at <= now - 2 * self.WINDOW:
            self._sent.popleft()  # kept a window longer to learn from late answers
        if self._limit is None:
            return -math.inf
        span = self.WINDOW + self.MARGIN
        counted = 0
        for permit in reversed(self._sent):
            if permit.sent_at <= now - span:
                break
            if not permit.refused:
                counted += 1
                if counted >= self._limit:
                    self._probe.filled = True
                    return permit.sent_at + span
        return -math.inf

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
        """An answer that was not a 429: the in-flight ceiling may grow (one per round)."""
        before = self.concurrency
        self._ceiling = min(float(self.max_concurrency), self._ceiling + 1.0 / self._ceiling)
        if self.concurrency > before:
            self._wake()

    def on_throttled(self, permit: object = None, retry_after: float | None = None) -> None:
        """A 429: counted; a probe reverts, an overload teaches the limit (see the module doc)."""
        now = self._clock()
        self.stats.throttled += 1
        sent_at = now
        if isinstance(permit, Permit):
            permit.refused = True
            sent_at = permit.sent_at
        if retry_after is not None and retry_after >= self.PAUSE_AFTER:
            until = now + min(retry_after, 300.0)
            if until > self._paused_until:
                self.stats.paused_seconds += until - max(now, self._paused_until)
                self._paused_until = until
        if self._probe.refused(self, sent_at, now) or sent_at < self._learned_at:
            return  # a probe's refusal, or one sent before the limit was last learned
        accepted = sum(
            1 for p in self._sent if sent_at - self.WINDOW < p.sent_at < sent_at and not p.refused
        )
        if self._limit is not None:
            # Paced at the limit and refused all the same: the estimate is one too high (our
            # clock and the API's differ by the latency), or the API lowered its limit.
            self._learn(min(self._limit - 1.0, float(accepted)), now)
            return
        window = [p for p in self._sent if p.sent_at > now - self.WINDOW]
        refused = sum(1 for p in window if p.refused)
        if refused < self.LOSS_MIN or refused < self.LOSS_THRESHOLD * len(window):
            return  # a stray refusal: resent after Retry-After, no reason to slow down
        self._learn(float(accepted), now)
        self._ceiling = max(1.0, self._ceiling / 2.0)

    def _learn(self, limit: float, now: float) -> None:
        self._limit = max(1.0, self.min_rate * self.WINDOW, limit)
        self.stats.learned += 1
        self._learned_at = now
        self._probe.reset(now)


@dataclass
class _Probe:
    """Raises the learned limit now and then, to find a raised (or under-estimated) one again."""

    step: float = 1.0
    good: float = 0.0  # the limit before the raise under test
    started: float | None = None  # start of the probe in progress
    filled: bool = False  # the raised limit was reached: the probe tested something
    next_at: float = math.inf

    def reset(self, now: float) -> None:
        self.step, self.started = 1.0, None
        self.next_at = now + AdaptiveThrottle.PROBE_EVERY

    def advance(self, throttle: AdaptiveThrottle, now: float) -> None:
        """Start a probe when one is due; one that reached its raise unrefused keeps it."""
        if throttle._limit is None:
            return
        if self.started is not None and now >= self.started + throttle.PROBE_SECONDS:
            if self.filled:  # passed: probe again right away, twice as far
                self.started, self.step, self.next_at = None, self.step * 2.0, now
            else:  # the sender never reached the raise: nothing learned
                throttle._limit = self.good
                self.reset(now)
        if self.started is None and now >= self.next_at:
            self.good, self.started, self.filled = throttle._limit, now, False
            throttle._limit += self.step
            throttle.stats.probes += 1

    def refused(self, throttle: AdaptiveThrottle, sent_at: float, now: float) -> bool:
        """A 429 for a request sent during the probe: back to the limit before it."""
        if self.started is None or sent_at < self.started:
            return False
        throttle._limit = self.good
        self.reset(now)
        return True
