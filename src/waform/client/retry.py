"""When to try a request again, and how long to wait: backoff, ``Retry-After``, global slow-down.

Pure policy, no I/O: :class:`RetryPolicy` says how many attempts and how much time a request may
take. :class:`ThrottleHook` is the interface of an optional pacer shared by concurrent requests
(the applier's workers) that slows everybody down after a 429 and speeds up again as requests
succeed — the polite answer to a rate limit whose numbers Sinch does not publish.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries: at most ``max_attempts`` sends and ``budget`` seconds per request.

    Delays grow as ``base_delay * 2**n`` up to ``max_delay``, each multiplied by a random factor
    in ``[1 - jitter, 1]`` so that clients throttled together do not retry together. A
    ``Retry-After`` from the server replaces the computed delay.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 10.0
    budget: float = 60.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before send number ``attempt + 1`` (``attempt`` ≥ 1 failed sends)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return ceiling * (1.0 - self.jitter * self.rng.random())


#: Fails fast: one send, no waiting. For tests of error paths and for ``--no-retry`` style uses.
NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds (fractions tolerated) or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Permit(Protocol):
    def release(self) -> None: ...


class ThrottleHook(Protocol):
    """Shared pacing the client consults around every send (e.g. the applier's AIMD throttle,
    :class:`waform.apply.throttle.AdaptiveThrottle`): ``acquire`` before sending, then report
    the outcome — ``on_throttled`` for a 429, ``on_success`` for any other answer."""

    async def acquire(self) -> Any: ...

    def on_success(self, permit: Any = None) -> None: ...

    def on_throttled(self, permit: Any = None, retry_after: float | None = None) -> None: ...
