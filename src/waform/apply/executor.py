"""Runs write steps against the API: ordered per name, parallel across names, paced, retried
safely.

The two promises, and how they are kept:

* **Never duplicate.** A write whose outcome is unknown (timeout, dropped connection, 5xx after
  the request left) is never simply re-sent: the key is read back first. If the template already
  looks the way the step wanted, the step succeeded; only if it does not is the write retried.
  ``template_exists`` on a create and ``template_not_found`` on a delete are checked the same way.
* **Never lose.** One failed step does not stop the others; every failure is reported with the
  API's errorCode and resolution. Because verification compares against the desired state,
  running apply again converges.

Throttling (429) and ``resource_locked`` mean the request was *not* processed, so those retry
directly. The client already retries them a few times (pacing every send through the shared
:class:`~waform.apply.throttle.AdaptiveThrottle`, so a 429 slows *everyone* down); when it gives up
the executor backs off and tries again, within :class:`RetryPolicy`'s bounds.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from waform.apply.results import StepResult
from waform.apply.steps import Schedule, WriteStep, schedule
from waform.client.provider import Provider
from waform.errors import ApiError, TransportError, UnknownOutcomeError
from waform.model.remote import RemoteTemplate

#: ``matches(step, remote)``: does the remote key (``None`` = absent) show the step as applied?
Matcher = Callable[[WriteStep, RemoteTemplate | None], bool]
#: Called once per finished step (progress display).
OnResult = Callable[[StepResult], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retries. Throttled attempts have their own, larger budget: they cost nothing."""

    max_attempts: int = 6
    max_throttled: int = 20
    max_verifications: int = 3
    base_delay: float = 0.2
    max_delay: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (attempt 1 → up to ``base_delay``)."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def is_unknown_outcome(exc: BaseException) -> bool:
    """A write that may or may not have been processed: lost response or server error."""
    if isinstance(exc, UnknownOutcomeError):
        return True
    return isinstance(exc, ApiError) and exc.status is not None and exc.status >= 500


def retry_after_of(exc: BaseException) -> float | None:
    """``Retry-After`` (seconds) carried by an error, when the client recorded it."""
    value = getattr(exc, "retry_after", None)
    if value is None and isinstance(exc, ApiError):
        value = exc.additional.get("retryAfter") if isinstance(exc.additional, dict) else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


_CONFIRMED = "response lost; confirmed by reading back"


class _Unverifiable(Exception):
    """The key could not be read back; the step's outcome stays unknown."""


class Executor:
    """Executes a :class:`Schedule`; returns one result per step, in plan order.

    ``parallelism`` is the number of template operations in progress at once; requests in
    flight are bounded by the client's throttle (an operation waiting out a ``Retry-After`` or a
    backoff holds no request slot).
    """

    def __init__(
        self,
        client: Provider,
        matches: Matcher,
        *,
        parallelism: int = 8,
        retry: RetryPolicy | None = None,
        comment: str | None = None,
        on_result: OnResult | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.matches = matches
        self.parallelism = max(1, parallelism)
        self.retry = retry or RetryPolicy()
        self.comment = comment
        self.on_result = on_result
        self._sleep = sleep

    # ------------------------------------------------------------------ public

    async def run(self, steps: Sequence[WriteStep] | Schedule) -> list[StepResult]:
        plan = steps if isinstance(steps, Schedule) else schedule(steps)
        results: dict[int, StepResult] = {}
        for phase in plan.phases:
            queue: asyncio.Queue[tuple[WriteStep, ...]] = asyncio.Queue()
            for group in phase:
                queue.put_nowait(group)
            workers = [
                asyncio.create_task(self._worker(queue, results))
                for _ in range(min(self.parallelism, len(phase)))
            ]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for worker in workers:
                    worker.cancel()
                raise
        return [results[id(step)] for step in sorted(plan.steps, key=lambda s: s.index)]

    async def _worker(
        self, queue: asyncio.Queue[tuple[WriteStep, ...]], results: dict[int, StepResult]
    ) -> None:
        while True:
            try:
                group = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            for step in group:
                result = await self.execute(step)
                results[id(step)] = result
                if self.on_result is not None:
                    self.on_result(result)

    # ------------------------------------------------------------------ one step

    async def execute(self, step: WriteStep) -> StepResult:
        """Run one step to a definite outcome (success or a reported failure)."""
        started = time.monotonic()
        result = await self._execute(step)
        result.seconds = time.monotonic() - started
        if result.ok and self.comment and step.kind != "delete":
            warning = await self._post_comment(step, self.comment)
            if warning:
                result.warnings.append(warning)
        return result

    async def _execute(self, step: WriteStep) -> StepResult:
        attempts = throttled = failures = 0
        #: An earlier attempt may have been processed: any refusal is checked by reading back.
        uncertain = False
        last_error: BaseException | None = None
        while True:
            if failures >= self.retry.max_attempts or throttled >= self.retry.max_throttled:
                return self._failed(step, attempts, last_error, uncertain=uncertain)
            attempts += 1
            try:
                await self._send(step)
            except ApiError as exc:
                last_error = exc
                if exc.status == 429:
                    throttled += 1  # not processed; the client's throttle slowed everyone down
                    await self._sleep(retry_after_of(exc) or self.retry.backoff(throttled))
                    continue
                if exc.error_code == "resource_locked":
                    failures += 1
                    await self._sleep(self.retry.backoff(failures))
                    continue
                if is_unknown_outcome(exc):
                    uncertain = True
                    failures += 1
                    if await self._verify_or_none(step) is True:
                        return self._ok(step, attempts, verified=True, note=_CONFIRMED)
                    await self._sleep(self.retry.backoff(failures))
                    continue
                creates = step.kind in ("create", "create-draft")
                expected_refusal = (creates and exc.error_code == "template_exists") or (
                    step.kind == "delete" and exc.error_code == "template_not_found"
                )
                if (uncertain or expected_refusal) and await self._verify_or_none(step) is True:
                    if step.kind == "delete":
                        note = "already deleted"
                    elif uncertain:
                        note = _CONFIRMED
                    else:
                        note = "already existed with the desired content"
                    return self._ok(step, attempts, verified=True, note=note)
                return self._failed(step, attempts, exc)
            except TransportError as exc:
                last_error = exc
                failures += 1
                if is_unknown_outcome(exc):
                    uncertain = True
                    if await self._verify_or_none(step) is True:
                        return self._ok(step, attempts, verified=True, note=_CONFIRMED)
                # Not sent, verifiably not applied, or unreadable: sending again is safe because
                # Sinch refuses a second create of a key, and every refusal is read back.
                await self._sleep(self.retry.backoff(failures))
                continue
            else:
                return self._ok(step, attempts)

    async def _send(self, step: WriteStep) -> Any:
        """The plan's write for the step's key: its body as recorded, through the provider."""
        if step.kind == "delete":
            return await self.client.delete_language(
                step.name, step.language, delete_submitted=step.delete_submitted
            )
        if step.kind in ("create", "create-draft"):
            return await self.client.create(step.body or {})
        return await self.client.update(step.name, step.language, step.body or {})

    # ------------------------------------------------------------------ verification

    async def _verify_or_none(self, step: WriteStep) -> bool | None:
        """Read the key back: True = applied, False = not applied, None = could not tell."""
        try:
            return await self.verify(step)
        except _Unverifiable:
            return None

    async def verify(self, step: WriteStep) -> bool:
        """GET the key and ask the matcher whether the step took effect.

        The client already retries reads; a read that still fails is tried again a few times
        (the API may be briefly unreachable), then the outcome stays unknown.
        """
        last: BaseException | None = None
        for attempt in range(1, self.retry.max_verifications + 1):
            try:
                remote = await self.client.get(step.name, step.language)
            except (ApiError, TransportError) as exc:
                last = exc
                await self._sleep(self.retry.backoff(attempt))
                continue
            return self.matches(step, remote)
        raise _Unverifiable(str(last))

    # ------------------------------------------------------------------ comments

    async def _post_comment(self, step: WriteStep, text: str) -> str | None:
        """Post the audit comment once. A lost response is *not* retried (it would duplicate)."""
        try:
            await self.client.comment(step.name, step.language, text)
        except (ApiError, TransportError) as exc:
            if is_unknown_outcome(exc):
                return "comment may not have been posted (response lost; not retried)"
            code = getattr(exc, "error_code", None)
            return f"comment not posted ({code})" if code else f"comment not posted: {exc}"
        return None

    # ------------------------------------------------------------------ results

    @staticmethod
    def _ok(
        step: WriteStep, attempts: int, *, verified: bool = False, note: str = ""
    ) -> StepResult:
        return StepResult(step=step, ok=True, attempts=attempts, verified=verified, note=note)

    @staticmethod
    def _failed(
        step: WriteStep, attempts: int, exc: BaseException | None, *, uncertain: bool = False
    ) -> StepResult:
        message = str(exc) if exc is not None else "gave up after retries"
        if uncertain:
            message += " (outcome unknown; run `waform apply` again to converge)"
        if isinstance(exc, ApiError):
            return StepResult(
                step=step,
                ok=False,
                attempts=attempts,
                status=exc.status,
                error_code=exc.error_code,
                message=message,
                resolution=exc.resolution or "",
            )
        return StepResult(step=step, ok=False, attempts=attempts, message=message)
