"""Runs write steps against the API: ordered per name, parallel across names, never duplicated.

The two promises, and how they are kept:

* **Never duplicate.** A write whose outcome is unknown (timeout, dropped connection, 5xx after
  the request left) is never simply re-sent: the key is read back first. If the template already
  looks the way the step wanted, the step succeeded; only if it does not is the write sent
  again. ``template_exists`` on a create and ``template_not_found`` on a delete are checked the
  same way.
* **Never lose.** One failed step does not stop the others; every failure is reported with the
  API's errorCode and resolution. Because verification compares against the desired state,
  running apply again converges.

Retrying is not done here: the provider retries what certainly was not processed (429,
``resource_locked``, a connection that never opened), paced by the run's shared
:class:`~waform.apply.throttle.AdaptiveThrottle`. The executor only decides "verify before
writing again", and a step's re-sends share one :class:`~waform.client.retry.RetryBudget`, so a
write is sent at most :attr:`RetryPolicy.max_attempts <waform.client.retry.RetryPolicy>` times.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from waform import submissions
from waform.apply.results import StepResult
from waform.apply.steps import Schedule, WriteStep, schedule
from waform.client.provider import Provider
from waform.client.retry import RetryBudget
from waform.errors import ApiError, TransportError, UnknownOutcomeError
from waform.model.remote import RemoteTemplate

#: ``matches(step, remote)``: does the remote key (``None`` = absent) show the step as applied?
Matcher = Callable[[WriteStep, RemoteTemplate | None], bool]
#: Called once per finished step (progress display).
OnResult = Callable[[StepResult], None]


_CONFIRMED = "response lost; confirmed by reading back"
#: Refusals that may mean another apply made the change first (checked by reading back): a
#: create of a key that exists, a delete of one that is gone, a discard of a draft that is
#: gone (Sinch: nothing left to delete without ``deleteSubmitted``).
_GONE_ALREADY: dict[str, tuple[str, ...]] = {
    "create": ("template_exists",),
    "create-draft": ("template_exists",),
    "delete": ("template_not_found",),
    "discard-draft": ("template_not_deletable_due_to_input_config", "template_changes_not_found"),
}
_ALREADY_NOTE = {"delete": "already deleted", "discard-draft": "draft already gone"}


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
        comment: str | None = None,
        on_result: OnResult | None = None,
    ) -> None:
        self.client = client
        self.matches = matches
        self.parallelism = max(1, parallelism)
        self.comment = comment
        self.on_result = on_result

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
        written = submissions.of((step.body or {}).get("details"), step.category)
        if result.ok and written and not result.already:
            # What the read will never show (media samples…), for the next plan to compare.
            warning = await self._post_comment(step, submissions.comment(written))
            if warning:
                result.warnings.append(warning)
        return result

    async def _execute(self, step: WriteStep) -> StepResult:
        budget = self.client.retry.start()
        #: An earlier send may have been processed: any refusal is checked by reading back.
        uncertain = False
        while True:
            try:
                await self._send(step, budget)
            except UnknownOutcomeError as exc:
                uncertain = True
                if await self._verify_or_none(step) is True:
                    return self._ok(step, budget.sends, verified=True, note=_CONFIRMED)
                if budget.exhausted:
                    return self._failed(step, budget.sends, exc, uncertain=True)
                # Verifiably not applied, or unreadable: sending again is safe because Sinch
                # refuses a second create of a key, and every refusal is read back.
                continue
            except ApiError as exc:
                expected_refusal = exc.error_code in _GONE_ALREADY.get(step.kind, ())
                if (uncertain or expected_refusal) and await self._verify_or_none(step) is True:
                    if uncertain:  # our own earlier send did it
                        return self._ok(step, budget.sends, verified=True, note=_CONFIRMED)
                    note = _ALREADY_NOTE.get(step.kind, "already existed with the desired content")
                    result = self._ok(step, budget.sends, verified=True, note=note)
                    result.already = True  # another apply made it: this one changed nothing
                    return result
                return self._failed(step, budget.sends, exc, uncertain=uncertain)
            except TransportError as exc:  # never sent, and the provider's retries ran out
                return self._failed(step, budget.sends, exc, uncertain=uncertain)
            else:
                return self._ok(step, budget.sends)

    async def _send(self, step: WriteStep, budget: RetryBudget) -> Any:
        """The plan's write for the step's key: its body as recorded, through the provider."""
        if step.kind == "delete":
            return await self.client.delete_language(
                step.name, step.language, delete_submitted=step.delete_submitted, budget=budget
            )
        if step.kind == "discard-draft":
            return await self.client.discard_draft(step.name, step.language, budget=budget)
        if step.kind in ("create", "create-draft"):
            return await self.client.create(step.body or {}, budget=budget)
        return await self.client.update(step.name, step.language, step.body or {}, budget=budget)

    # ------------------------------------------------------------------ verification

    async def _verify_or_none(self, step: WriteStep) -> bool | None:
        """Read the key back: True = applied, False = not applied, None = could not tell."""
        try:
            return await self.verify(step)
        except (ApiError, TransportError):
            return None

    async def verify(self, step: WriteStep) -> bool:
        """GET the key (a read: the provider retries it) and ask the matcher whether the step
        took effect."""
        return self.matches(step, await self.client.get(step.name, step.language))

    # ------------------------------------------------------------------ comments

    async def _post_comment(self, step: WriteStep, text: str) -> str | None:
        """Post the audit comment once. A lost response is *not* retried (it would duplicate)."""
        try:
            await self.client.comment(step.name, step.language, text)
        except (ApiError, TransportError) as exc:
            if isinstance(exc, UnknownOutcomeError):
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
        """What went wrong, each part once: the step names the template and operation, so the
        message is the error's ``detail`` (the API's words), not its whole one-line text."""
        answer = exc.answer if isinstance(exc, UnknownOutcomeError) else exc
        api = answer if isinstance(answer, ApiError) else None
        if exc is None:
            message = "gave up after retries"
        else:
            message = getattr(exc, "detail", None) or str(exc)
        advice = [api.resolution] if api is not None and api.resolution else []
        if uncertain:
            # A send may have been processed: re-running apply (which looks first) is what to
            # do; a 5xx's "wait and try again" says the same, so it is left out.
            advice = advice if answer is exc else []
            advice.append("outcome unknown: run `waform apply` again to converge")
        return StepResult(
            step=step,
            ok=False,
            attempts=attempts,
            status=api.status if api is not None else None,
            error_code=api.error_code if api is not None else None,
            message=message,
            resolution="; ".join(advice),
        )
