"""The one object commands call: load → check → fetch → diff, with I/O only at the edges.

A click command builds a :class:`Manager` from its options (:meth:`Manager.from_options`) and
calls one method (:meth:`Manager.plan`, …); it never reaches into the loader, client or differ
itself, so every command sees the same pipeline and the same refusals.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from waform.config import Config, Target, load_config
from waform.console import Console
from waform.diagnostics import Diagnostic, sort_diagnostics
from waform.differ import diff
from waform.errors import WaformError
from waform.model.template import DesiredTemplate
from waform.plan import Plan, UnsafePlanError

#: Fetch the edit history of at most this many approved templates per plan (one request each);
#: beyond that the ``edit-limit`` check is skipped rather than making the plan slow.
EDIT_HISTORY_MAX = 20


class InvalidDesiredStateError(WaformError):
    """The files do not load or break an error-level rule; ``diagnostics`` says where."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)


@dataclass
class DesiredState:
    """What the files say, after the loader and the rules."""

    templates: list[DesiredTemplate]
    files: list[Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class PlanOutcome:
    """A plan and everything the command prints beside it."""

    plan: Plan
    diagnostics: list[Diagnostic]
    """Warnings from the loader and the rules (errors refuse the plan before it exists)."""
    refusal: str | None = None
    """Why the safety check refuses the plan (``None``: safe, or ``--force``)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: load, fetch, diff."""


class Manager:
    """waform's pipeline for one target of one configuration."""

    def __init__(
        self,
        config: Config,
        *,
        target: str | None = None,
        console: Console | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.target: Target = config.target(target)
        self.console = console or Console(verbosity=-1, color=False)
        self.transport = transport

    @classmethod
    def from_options(
        cls,
        paths: Sequence[str | Path],
        *,
        config_path: str | Path | None = None,
        target: str | None = None,
        console: Console | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Manager:
        """``--config`` if given, else the ``waform.yaml`` nearest the first path."""
        start = Path(paths[0]) if paths else Path(".")
        config = load_config(Path(config_path) if config_path else None, start)
        return cls(config, target=target, console=console, transport=transport)

    # ------------------------------------------------------------------ steps

    def load(self, paths: Sequence[str | Path], *, strict: bool = False) -> DesiredState:
        """Load the files and run Meta's rules; :class:`InvalidDesiredStateError` on any error."""
        from waform.loader import load_paths
        from waform.rules import RuleSettings, run_rules

        loaded = load_paths(list(paths))
        diagnostics = list(loaded.diagnostics)
        if not loaded.ok or any(d.severity == "error" for d in diagnostics):
            raise InvalidDesiredStateError(_problem_count(diagnostics, "the files"), diagnostics)
        report = run_rules(loaded.files, RuleSettings(overrides=self.config.rules, strict=strict))
        diagnostics += report.diagnostics
        if not report.ok:
            raise InvalidDesiredStateError(
                _problem_count(diagnostics, "Meta's template rules"), sort_diagnostics(diagnostics)
            )
        return DesiredState(list(loaded.templates), list(loaded.files), sort_diagnostics(diagnostics))

    def open_client(self) -> Any:
        """An async context manager yielding the target's :class:`~waform.client.SinchClient`."""
        from waform.client import open_client

        return open_client(self.target, console=self.console, transport=self.transport)

    async def plan_async(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        force: bool = False,
        desired: DesiredState | None = None,
    ) -> PlanOutcome:
        """Load, check, fetch (one sweep of the list endpoint), diff, and check safety.

        Never writes. A plan over the safety thresholds is returned with ``refusal`` set (the
        command shows it, then exits 1) unless ``force``.
        """
        from waform.fetcher import fetch_remote
        from waform.rules import RuleSettings, check_plan

        timings: dict[str, float] = {}
        started = time.perf_counter()
        state = desired if desired is not None else self.load(paths, strict=strict)
        timings["load"] = time.perf_counter() - started

        started = time.perf_counter()
        async with self.open_client() as client:
            # Always a sweep (names=None): only a full view of the scope can tell which remote
            # templates are not in git (unmanaged / prune); it costs ceil(N / 1000) requests.
            fetched = await fetch_remote(client, names=None, config=self.config)
            remote = fetched.all
            timings["fetch"] = time.perf_counter() - started

            started = time.perf_counter()
            plan = diff(
                state.templates,
                remote,
                self.config,
                target=self.target.name,
                requests=fetched.requests,
            )
            history = await self._edit_history(client, plan)
            if history is not None:
                plan = diff(
                    state.templates,
                    remote,
                    self.config,
                    target=self.target.name,
                    requests=client.requests_made,
                    edit_history=history,
                )
            timings["diff"] = time.perf_counter() - started

        settings = RuleSettings(overrides=self.config.rules, strict=strict)
        removed = {a.key for a in plan.actions if a.action == "delete"}
        managed_remote = [r for r in remote if self.config.manages(r.name, r.language)]
        plan_diagnostics = check_plan(state.templates, managed_remote, settings, removed=removed)
        diagnostics = sort_diagnostics([*state.diagnostics, *plan_diagnostics])
        if any(d.severity == "error" for d in plan_diagnostics):
            raise InvalidDesiredStateError(
                _problem_count(plan_diagnostics, "the plan-time rules"), diagnostics
            )

        refusal = None
        try:
            plan = plan.check_safety(self.config.safety, force=force)
        except UnsafePlanError as exc:
            plan, refusal = exc.plan, str(exc)
        return PlanOutcome(plan=plan, diagnostics=diagnostics, refusal=refusal, timings=timings)

    def plan(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        force: bool = False,
        desired: DesiredState | None = None,
    ) -> PlanOutcome:
        """:meth:`plan_async` for synchronous callers (the CLI)."""
        return asyncio.run(self.plan_async(paths, strict=strict, force=force, desired=desired))

    async def _edit_history(self, client: Any, plan: Plan) -> dict | None:
        """EDITED times of the approved templates the plan edits, when that is cheap to learn.

        Meta allows 1 edit of an approved template per 24 h and 10 per 30 days, but the
        template itself does not say how often it was edited: only the activities endpoint
        does (one request per template). So the history is read only for a few edits and only
        when the client offers it; otherwise the limit is not checked (apply reports Meta's
        refusal instead).
        """
        lister = getattr(client, "list_activities", None)
        keys = [
            a.key
            for a in plan.actions
            if a.action == "update"
            and a.remote_state == "APPROVED"
            and (a.request.body or {}).get("status") == "SUBMIT"
        ]
        if lister is None or not keys or len(keys) > EDIT_HISTORY_MAX:
            return None
        history: dict[tuple[str, str], list[datetime]] = {}
        for name, language in keys:
            activities = await lister(name, language)
            history[(name, language)] = [
                t for t in (_activity_time(a) for a in activities if _kind(a) == "EDITED") if t
            ]
        return history


def _kind(activity: Any) -> str | None:
    return activity.get("type") if isinstance(activity, dict) else getattr(activity, "type", None)


def _activity_time(activity: Any) -> datetime | None:
    raw = activity.get("created") if isinstance(activity, dict) else getattr(activity, "created", None)
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _problem_count(diagnostics: Sequence[Diagnostic], where: str) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    noun = "error" if errors == 1 else "errors"
    return f"{errors} {noun} in {where}; nothing was planned"
