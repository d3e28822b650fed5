"""apply's pipeline: refuse a plan that no longer fits, execute it, wait for review, report.

Refusals come first and write nothing:

1. **Wrong target** — a plan made for another target is refused outright.
2. **Safety** — the thresholds of ``waform.yaml`` are checked again (a saved plan may have been
   edited by hand); a plan saved with ``--force`` keeps its exemption.
3. **Stale** — the desired files are re-loaded from the paths the plan recorded and must hash
   to the plan's ``desiredHash``; every key the plan touches is re-fetched (the same fetch
   strategy as ``plan``: one sweep per 1,000 templates, or a few by-name reads) and must still
   have the fingerprint the plan saw. Anything else is named in one line, and nothing is written.

Then the writes (:class:`~waform.apply.executor.Executor`, paced by one
:class:`~waform.apply.throttle.AdaptiveThrottle` that every request of the run shares), an
optional wait for Meta's review (:mod:`waform.apply.waiter`), and an :class:`ApplyReport`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from waform.apply.executor import Executor
from waform.apply.matcher import make_matcher, steps_from_actions
from waform.apply.progress import NullProgress, Progress
from waform.apply.results import ApplyReport, StepResult
from waform.apply.steps import WriteStep, dry_run_json, dry_run_lines
from waform.apply.throttle import AdaptiveThrottle
from waform.apply.waiter import wait_for_review
from waform.client import MAX_PAGE_SIZE, Provider
from waform.config import Config, Target
from waform.config.trust import HostTrust
from waform.errors import PlanError, WaformError
from waform.inventory import pair
from waform.model.remote import RemoteTemplate
from waform.normalize import canonical_details, remote_fingerprint
from waform.plan import Plan

log = logging.getLogger(__name__)

#: Loads the desired state of some paths (``.templates``); the files' errors raise
#: :class:`~waform.desired_state.InvalidDesiredStateError`.
LoadFiles = Callable[[Sequence[str]], Any]
#: Items named in a "plan is stale" message before "and N more".
STALE_SHOWN = 5


@dataclass(frozen=True)
class ApplyOptions:
    """How to apply (the command's options)."""

    parallelism: int = 8
    dry_run: bool = False
    wait: bool = False
    wait_timeout: float = 1800.0
    poll_interval: float = 2.0
    comment: str | None = None
    #: Hard ceiling on requests/second (the throttle adapts below it).
    max_rate: float | None = None
    #: Accept a plan over the safety thresholds.
    force: bool = False
    #: Re-load the plan's files and compare ``desiredHash`` (off right after planning them).
    check_files: bool = True


@dataclass
class DryRun:
    """The requests an apply would send; nothing was written."""

    steps: list[WriteStep]
    base_path: str = ""
    secrets: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return dry_run_lines(self.steps, base_path=self.base_path, secrets=self.secrets)

    def to_json(self) -> dict[str, Any]:
        return {
            "dryRun": True,
            "requests": dry_run_json(self.steps, base_path=self.base_path, secrets=self.secrets),
        }


@dataclass
class StaleFindings:
    """What changed since the plan was made."""

    remote: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.remote or self.files)

    def message(self) -> str:
        items = [*self.files, *self.remote]
        shown = ", ".join(items[:STALE_SHOWN])
        if len(items) > STALE_SHOWN:
            shown += f" and {len(items) - STALE_SHOWN} more"
        return f"plan is stale: {shown}; run `waform plan` again"


# ---------------------------------------------------------------------------- checks


def check_target(plan: Plan, target: Target) -> None:
    """The plan was made for this target, and the target still reaches what it reached then
    (a changed ``baseUrl``/``projectId`` would apply one project's plan to another)."""
    if plan.target != target.name:
        raise PlanError(
            f"plan was made for target {plan.target!r}, not {target.name!r}; "
            f"run `waform plan --target {target.name}` instead"
        )
    if plan.target_address is not None and plan.target_address != target.address:
        raise PlanError(
            f"plan was made for target {plan.target!r} at {plan.target_address}, but "
            f"{target.name!r} now reaches {target.address}; run `waform plan` again"
        )


def check_safety(plan: Plan, config: Config, *, force: bool) -> Plan:
    forced = force or bool(plan.safety is not None and plan.safety.forced)
    return plan.check_safety(config.safety, force=forced)


def changed_remote(plan: Plan, remote: Sequence[RemoteTemplate]) -> list[str]:
    """Keys whose remote fingerprint differs from the one the plan was made against."""
    inventory = pair(plan.actions, remote)
    out = []
    for key, expected in plan.fingerprints.items():
        name, _, language = key.rpartition("/")
        now = inventory.get((name, language)).remote
        actual = remote_fingerprint(now)
        if actual == expected:
            continue
        if expected == "absent":
            out.append(f"{key} now exists on the remote")
        elif now is None:
            out.append(f"{key} was deleted on the remote")
        else:
            out.append(f"{key} changed on the remote")
    return out


def changed_files(plan: Plan, load: LoadFiles) -> list[str]:
    """What differs between the plan's desired state and a fresh load of the same paths."""
    from waform.desired_forms import hash_desired
    from waform.desired_state import InvalidDesiredStateError

    if not plan.paths:
        return ["the plan records no desired-state paths (made by an older waform)"]
    try:
        loaded = load(plan.paths)
    except InvalidDesiredStateError as exc:
        first = next((d for d in exc.diagnostics if d.severity == "error"), None)
        where = f" ({first.path}:{first.line}: {first.message})" if first else ""
        return [f"its files no longer load{where}"]
    except WaformError as exc:
        return [f"its files cannot be read again ({exc})"]
    if hash_desired(loaded.templates) == plan.desired_hash:
        return []
    by_key = {d.key: d for d in loaded.templates}
    out: list[str] = []
    unsure: list[str] = []  # discards: the plan keeps no content to compare the file with
    for action in plan.actions:
        label = f"{action.name}/{action.language}"
        d = by_key.get(action.key)
        where = f" in {d.source.path}" if d is not None and d.source else ""
        if action.action == "delete":
            if d is not None:
                out.append(f"{label} was added{where}")
            continue
        if d is None:
            out.append(f"{label} is no longer in the files")
            continue
        if action.action == "discard-draft":  # no body to compare: named as a maybe, below
            unsure.append(f"{label}{where}")
            continue
        body = action.request.body or {}
        status = "SUBMIT" if d.status == "submit" else "DRAFT"
        same = (
            d.category == action.category
            and body.get("status") == status
            and canonical_details(d.details, category=d.category)
            == canonical_details(body.get("details"), category=action.category)
        )
        if not same:
            out.append(f"{label} changed{where}")
    if not out and unsure:
        out.append(f"templates changed under {', '.join(plan.paths)} (maybe {', '.join(unsure)})")
    elif not out:
        out.append(f"templates outside this plan's actions changed under {', '.join(plan.paths)}")
    return out


# ---------------------------------------------------------------------------- running


def by_name_threshold(plan: Plan) -> int:
    """Read names one by one only while that costs fewer requests than a sweep of the list
    endpoint (1,000 templates a page; the plan knows how many templates the target holds)."""
    known = plan.summary.managed + plan.summary.ignored + plan.summary.unmanaged
    return max(1, math.ceil(known / MAX_PAGE_SIZE)) - 1


async def apply_plan(
    plan: Plan,
    *,
    config: Config,
    target: Target,
    options: ApplyOptions,
    transport: httpx.AsyncBaseTransport | None = None,
    trust: HostTrust | None = None,
    progress: Progress | None = None,
    wait_progress: Progress | None = None,
    load: LoadFiles,
) -> ApplyReport | DryRun:
    """Check the plan, then execute it (or describe it, with ``dry_run``); see the module doc.

    ``load``: the desired state of the plan's paths, as ``plan`` loads it (the same cache)."""
    from waform.connect import open_provider

    check_target(plan, target)
    plan = check_safety(plan, config, force=options.force)
    steps = steps_from_actions(plan.actions)
    started = time.monotonic()
    throttle = AdaptiveThrottle(max_concurrency=options.parallelism, max_rate=options.max_rate)
    async with open_provider(target, transport=transport, throttle=throttle, trust=trust) as client:
        await _refuse_stale(plan, steps, client, config, load if options.check_files else None)
        if options.dry_run:
            return DryRun(steps, base_path=client.project_path, secrets=tuple(client.secrets))
        if not steps:
            return ApplyReport(
                results=[], seconds=time.monotonic() - started, blocked=len(plan.blocked)
            )
        results = await _execute(steps, client, config, options, progress or NullProgress())
        report = ApplyReport(
            results=results,
            seconds=time.monotonic() - started,
            requests=client.requests_made,
            throttled=throttle.stats.throttled,
            blocked=len(plan.blocked),
        )
        if options.wait:
            await _wait_for_reviews(report, plan, client, config, options, wait_progress)
            report.throttled = throttle.stats.throttled
        return report


async def _refuse_stale(
    plan: Plan, steps: list[WriteStep], client: Provider, config: Config, load: LoadFiles | None
) -> None:
    """:class:`PlanError` when a template the plan touches changed on the remote, or (``load``
    given) in the files, since the plan was made; nothing to check without steps."""
    from waform.fetcher import fetch_remote

    if not steps:
        return
    stale = StaleFindings()
    # The files are read again in a worker thread while the stale check's fetch runs.
    checking_files = (
        asyncio.ensure_future(asyncio.to_thread(changed_files, plan, load)) if load else None
    )
    try:
        count = len(plan.fingerprints)
        log.info("checking that the plan is current (%d template%s)…", count, "s" * (count != 1))
        fetched = await fetch_remote(
            client,
            names={step.name for step in steps},
            config=config,
            threshold=by_name_threshold(plan),
        )
        stale.remote = changed_remote(plan, fetched.templates)
    finally:
        if checking_files is not None:
            stale.files = await checking_files
    if stale:
        raise PlanError(stale.message())


async def _execute(
    steps: list[WriteStep],
    client: Provider,
    config: Config,
    options: ApplyOptions,
    progress: Progress,
) -> list[StepResult]:
    """Run the steps through the :class:`Executor`, counting results on ``progress``."""
    done: list[StepResult] = []

    def on_result(result: StepResult) -> None:
        done.append(result)
        failed = sum(1 for r in done if not r.ok)
        progress.update(len(done), detail=f"{failed} failed" if failed else "")

    executor = Executor(
        client,
        make_matcher(config.ignore.strip if config.ignore.fields else None),
        # Operations in progress: more than requests in flight (the throttle bounds those to
        # --parallelism), because a refused request waits out its Retry-After off the wire.
        parallelism=options.parallelism * 4,
        comment=options.comment,
        on_result=on_result,
    )
    progress.start("applying", len(steps))
    try:
        return await executor.run(steps)
    finally:
        progress.stop()


async def _wait_for_reviews(
    report: ApplyReport,
    plan: Plan,
    client: Provider,
    config: Config,
    options: ApplyOptions,
    wait_progress: Progress | None,
) -> None:
    """``--wait``: poll the submitted templates until Meta's review ends; into ``report``."""
    from waform.fetcher import fetch_remote

    submitted = [r.step for r in report.results if r.ok and r.step.submits]
    if not submitted:
        report.review = []
        return

    async def fetch(names: set[str]) -> list[RemoteTemplate]:
        threshold = by_name_threshold(plan)
        return (
            await fetch_remote(client, names=names, config=config, threshold=threshold)
        ).templates

    waited = await wait_for_review(
        submitted,
        fetch,
        timeout=options.wait_timeout,
        interval=options.poll_interval,
        progress=wait_progress,
    )
    report.review = waited.results
    report.review_seconds = waited.seconds
    report.review_timed_out = waited.timed_out
    report.requests = client.requests_made
