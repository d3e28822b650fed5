"""When to send a request again, and how long to wait: the one retry policy of waform.

Pure policy, no I/O. :class:`RetryPolicy` classifies each failed send (:meth:`~RetryPolicy.verdict`)
and bounds the sends and seconds of one operation; a :class:`RetryBudget` counts them. Reads are
retried on anything transient. A write is retried only when it certainly was not processed
(429, ``resource_locked``, a connection that never opened); after a timeout, a dropped
connection or a 5xx its outcome is *unknown*: the client raises
:class:`~waform.errors.UnknownOutcomeError` and the applier reads the key back before sending
again — on the same budget, so one write is sent at most :attr:`RetryPolicy.max_attempts` times
whatever happens.

:class:`ThrottleHook` is the interface of an optional pacer shared by concurrent requests (the
applier's :class:`~waform.apply.throttle.AdaptiveThrottle`): pacing, not retrying.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import httpx

#: What to do after a failed send: send again, stop because the write may have been processed
#: (read it back first), or stop with the error.
Verdict = Literal["retry", "unknown", "fail"]

#: Failures that prove the request never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries: at most ``max_attempts`` sends and ``budget`` seconds per operation.

    An operation is one read, or one write together with its re-sends after a read-back showed
    it had not taken effect. Delays grow as ``base_delay * 2**n`` up to ``max_delay``, each
    multiplied by a random factor in ``[1 - jitter, 1]`` so that clients throttled together do
    not retry together. A ``Retry-After`` from the server replaces the computed delay.
    """

    max_attempts: int = 8
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

    def verdict(
        self,
        *,
        write: bool,
        status: int | None = None,
        error_code: str = "",
        failure: httpx.TransportError | None = None,
    ) -> Verdict:
        """Classify one failed send: an error ``status`` (with its ``errorCode``) or a
        transport ``failure``."""
        if failure is not None:
            if not write or isinstance(failure, _NOT_SENT):
                return "retry"
            return "unknown"
        assert status is not None
        if status == 429 or (status == 409 and error_code == "resource_locked"):
            return "retry"  # refused before processing: safe for writes too
        if status >= 500:
            return "unknown" if write else "retry"
        return "fail"

    def start(self) -> RetryBudget:
        """A fresh budget for one operation (the applier holds one per write step)."""
        return RetryBudget(self)


@dataclass(slots=True)
class RetryBudget:
    """What one operation has used: sends so far, and when the first one started."""

    policy: RetryPolicy
    sends: int = 0
    started: float | None = None

    @property
    def exhausted(self) -> bool:
        """No send left (the time budget is checked by the client before each wait)."""
        return self.sends >= self.policy.max_attempts


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
