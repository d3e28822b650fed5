"""Adaptive pacing for apply: one AIMD controller shared by every request of a run.

Sinch publishes no numeric rate limit, so the applier *discovers* it: it starts unpaced, and the
first 429 sets the send rate to the throughput that was actually being served. Each later
throttling event halves the rate and the concurrency (multiplicative decrease); successes win it
back, quickly up to just under the rate that last triggered a 429 and then slowly beyond it
(additive probing), like TCP CUBIC's fast recovery. ``Retry-After`` pauses every sender, because
the server has said nothing will succeed before then.

Throttling responses to requests sent *before* the last decrease are part of the same event (they
were already on the wire) and do not decrease again: one overload, one halving.
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
    decreases: int = 0  # distinct overload events (each halved the rate)
    paused_seconds: float = 0.0  # total Retry-After pause imposed on all senders


class AdaptiveThrottle:
    """Bounds in-flight requests and paces their start times; adapts both to 429 responses.

    ``max_concurrency`` is the ``--parallelism`` ceiling. ``initial_rate`` (requests/second) may be
    given when the limit is known; ``None`` means "unpaced until the server pushes back".
    """

    #: Multiplicative decrease factor on an overload event.
    BETA = 0.5
    #: Fast recovery ends at this fraction of the rate that last overloaded the server.
    RECOVERY_CEILING = 0.95
    #: Fast recovery speed: the rate grows by this fraction of itself per second.
    RECOVERY_GROWTH = 2.5
    #: Window over which served throughput is measured to estimate the server's limit.
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
        self._rate: float | None = initial_rate
        self._w_max: float | None = initial_rate
        self._limit = float(max_concurrency)
        self._in_flight = 0
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._last_decrease = -math.inf
        self._last_growth: float | None = None
        self._last_paced_wait = -math.inf
        self._served: deque[float] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.stats = ThrottleStats()

    # ------------------------------------------------------------------ state

    @property
    def rate(self) -> float | None:
        """Current allowed request rate (requests/second); ``None`` while unpaced."""
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
        return Permit(sent_at=self._clock(), _throttle=self)

    async def _wait_for_slot(self) -> None:
        while True:
            now = self._clock()
            start = max(now, self._paused_until)
            if self._rate is not None:
                start = max(start, self._next_slot)
            if start <= now:
                if self._rate is not None:
                    # Reserve this slot; a small credit (one slot) absorbs timer jitter.
                    self._next_slot = (
                        max(self._next_slot, now - 1.0 / self._rate) + 1.0 / self._rate
                    )
                return
            if self._rate is not None and start == self._next_slot:
                self._last_paced_wait = now
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

    def on_success(self, permit: Permit | None = None) -> None:
        """A request was served (any non-throttled answer counts: the server had capacity)."""
        now = self._clock()
        self._served.append(now)
        while self._served and self._served[0] < now - self.MEASURE_WINDOW:
            self._served.popleft()
        if permit is not None and permit.sent_at < self._last_decrease:
            return
        # Concurrency: +1 per window of successes (one "round trip"), up to the ceiling.
        before = self.concurrency
        self._limit = min(float(self.max_concurrency), self._limit + 1.0 / max(self._limit, 1.0))
        if self.concurrency > before:
            self._wake()
        if self._rate is None:
            return
        last, self._last_growth = self._last_growth, now
        if last is None:
            return
        dt = min(max(now - last, 0.0), 1.0)
        if now - self._last_paced_wait > 1.0:
            return  # pacing was not the bottleneck: a higher rate would be untested
        ceiling = (self._w_max or self._rate) * self.RECOVERY_CEILING
        if self._rate < ceiling:
            self._rate = min(ceiling, self._rate * (1.0 + self.RECOVERY_GROWTH * dt))
        else:
            slope = max(0.25, 0.05 * (self._w_max or self._rate))
            self._rate += slope * dt
        if self.max_rate is not None:
            self._rate = min(self._rate, self.max_rate)

    def on_throttled(self, permit: Permit | None = None, retry_after: float | None = None) -> None:
        """A 429: slow everyone down (once per overload event) and honour ``Retry-After``."""
        now = self._clock()
        self.stats.throttled += 1
        if retry_after is not None and retry_after > 0:
            until = now + min(retry_after, 60.0)
            if until > self._paused_until:
                self.stats.paused_seconds += until - max(now, self._paused_until)
                self._paused_until = until
        if permit is not None and permit.sent_at < self._last_decrease:
            return  # already on the wire when we slowed down: same event
        self._last_decrease = now
        self._last_growth = None
        self.stats.decreases += 1
        self._limit = max(1.0, self._limit * self.BETA)
        served = self._served_rate(now)
        if self._rate is None:
            # First pushback: what was actually served is the best estimate of the limit.
            self._rate = max(self.min_rate, served)
            self._w_max = self._rate
        else:
            self._w_max = max(self._rate, self.min_rate)
            self._rate = max(self.min_rate, self._rate * self.BETA)
        self._next_slot = max(self._next_slot, now)

    def _served_rate(self, now: float) -> float:
        while self._served and self._served[0] < now - self.MEASURE_WINDOW:
            self._served.popleft()
        return len(self._served) / self.MEASURE_WINDOW
