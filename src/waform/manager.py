"""The one object commands call: load → check → fetch → diff, with I/O only at the edges.

A click command builds a :class:`Manager` from its options (:meth:`Manager.from_options`) and
calls one method (:meth:`Manager.plan`, …); it never reaches into the loader, client or differ
itself, so every command sees the same pipeline and the same refusals.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from waform.activities import edit_history, review_started, submission_records
from waform.config import Config, Target, load_config
from waform.config.trust import HostTrust
from waform.desired import Beside, load_desired, load_in_thread
from waform.desired_state import DesiredState, InvalidDesiredStateError
from waform.diagnostics import is_rule_finding, refusal_count, sort_diagnostics
from waform.gcpause import collector_paused
from waform.inventory import Inventory, pair, processors
from waform.model.enums import normalize_language
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate

if TYPE_CHECKING:
    import httpx

    from waform.apply.results import ApplyReport
    from waform.apply.runner import ApplyOptions, DryRun
    from waform.client import Provider
    from waform.differ import NamedKeys
    from waform.drift_report import DriftReport
    from waform.importer import ImportResult
    from waform.loadcache import LoadCache
    from waform.plan import Plan
    from waform.plan_outcome import PlanOutcome
    from waform.sides import Sides

T = TypeVar("T")


class Manager:
    """waform's pipeline for one target of one configuration."""

    def __init__(
        self,
        config: Config,
        *,
        target: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        offline: bool = False,
        use_cache: bool = True,
        trust: HostTrust | None = None,
    ) -> None:
        """``offline``: for the files alone (``validate``); the target is then not resolved, so a
        configuration with several targets and no default needs no ``--target``. ``trust``: the
        hosts credentials may go to (default: Sinch's and ``WAFORM_TRUSTED_HOSTS``)."""
        self.config = config
        self.target_name = target
        self.transport = transport
        self.use_cache = use_cache
        self.trust = trust
        if not offline:
            _ = self.target  # resolved now, so a wrong --target is the first error

    @functools.cached_property
    def target(self) -> Target:
        """The target this manager plans for and applies to."""
        return self.config.target(self.target_name)

    @classmethod
    def from_options(
        cls,
        paths: Sequence[str | Path],
        *,
        config_path: str | Path | None = None,
        target: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        offline: bool = False,
        use_cache: bool = True,
        trust: HostTrust | None = None,
    ) -> Manager:
        """``--config`` if given, else the ``waform.yaml`` nearest the first path."""
        start = Path(paths[0]) if paths else Path(".")
        config = load_config(Path(config_path) if config_path else None, start)
        return cls(
            config,
            target=target,
            transport=transport,
            offline=offline,
            use_cache=use_cache,
            trust=trust,
        )

    # ------------------------------------------------------------------ steps

    def validate(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        write_later: bool = False,
        beside: Beside | None = None,
    ) -> DesiredState:
        """Load the files and run Meta's rules over every file that loaded; never raises for
        what the files say (``validate`` reports it all). ``strict``: warnings are errors.

        Through the load cache unless ``use_cache`` is off (:mod:`waform.desired`; with
        ``write_later``, the caller calls ``DesiredState.written`` before it ends; ``beside``:
        see :func:`waform.desired.load_desired`)."""
        from waform.rules import RuleSettings

        settings = RuleSettings(overrides=self.config.rules, strict=strict)
        cache = self.load_cache()
        try:
            return load_desired(
                paths, settings, cache=cache, write_later=write_later, beside=beside
            )
        finally:
            if cache is not None:
                cache.close()

    def load_cache(self) -> LoadCache | None:
        """The load cache of this configuration (``None`` with ``use_cache`` off)."""
        from waform.loadcache import LoadCache, cache_dir

        return LoadCache(cache_dir(self.config.root)) if self.use_cache else None

    def load(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        write_later: bool = False,
        beside: Beside | None = None,
    ) -> DesiredState:
        """:meth:`validate`, refusing files with any error (:class:`InvalidDesiredStateError`)."""
        state = self.validate(paths, strict=strict, write_later=write_later, beside=beside)
        if not state.ok:
            state.written()  # no fetch to overlap
            in_files = any(
                d.severity == "error" and not is_rule_finding(d) for d in state.diagnostics
            )
            where = "the files" if in_files else "Meta's template rules"
            raise InvalidDesiredStateError(
                refusal_count(state.diagnostics, where), state.diagnostics, state.silenced
            )
        return state

    def loaded_files(
        self, paths: Sequence[str | Path], *, refusal: str = "drift was not checked"
    ) -> DesiredState:
        """The files as :meth:`validate` loads them (the same cache), refused only for the
        loader's errors (:class:`InvalidDesiredStateError`, ``refusal`` ending its message);
        the findings of Meta's rules are dropped."""
        state = self.validate(paths)
        state.diagnostics = [d for d in state.diagnostics if not is_rule_finding(d)]
        if any(d.severity == "error" for d in state.diagnostics):
            message = refusal_count(state.diagnostics, "the files", refusal)
            raise InvalidDesiredStateError(message, state.diagnostics)
        return state

    def pair(
        self, desired: Sequence[DesiredTemplate], remote: Sequence[RemoteTemplate]
    ) -> Inventory[DesiredTemplate]:
        """Both sides paired by key, with this configuration's scope and ignore applied."""
        return pair(desired, remote, processors(self.config))

    def open_client(self) -> Any:
        """An async context manager yielding the target's :class:`~waform.client.Provider`."""
        from waform.connect import open_provider

        return open_provider(self.target, transport=self.transport, trust=self.trust)

    async def plan(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        force: bool = False,
        named: NamedKeys | None = None,
    ) -> PlanOutcome:
        """Load, check, fetch (one sweep of the list endpoint), diff, and check safety.

        ``named``: the templates ``--replace`` and ``--discard-draft`` name.

        Never writes. A plan over the safety thresholds is returned with ``refusal`` set (the
        command shows it, then exits 1) unless ``force``.
        """
        from waform.differ import NamedKeys

        with collector_paused():  # see waform.gcpause: allocation-heavy, acyclic work
            return await self._plan(paths, strict=strict, force=force, named=named or NamedKeys())

    async def _plan(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool,
        force: bool,
        named: NamedKeys,
    ) -> PlanOutcome:
        from waform.plan import UnsafePlanError
        from waform.plan_outcome import PlanOutcome
        from waform.rules import RuleSettings
        from waform.rules.engine import check_planned
        from waform.sides import compared_sides
        from waform.stored_forms import store

        timings: dict[str, float] = {}
        # The files first: invalid files stop the plan before a single request is sent (no
        # token, no list page). When no file changed, the load cache's run entry proves them
        # valid at once, and decoding the templates it holds runs beside the fetch.
        started = time.perf_counter()
        # What the next plan needs of the templates is stored with the load's new entries.
        load = functools.partial(self.load, paths, strict=strict, write_later=True, beside=store)
        state = await load_in_thread(load)
        timings["load"] = time.perf_counter() - started
        try:
            async with self.open_client() as client:
                sides = await compared_sides(client, self.config, state, timings, forms=True)
                inventory = sides.inventory
                started = time.perf_counter()
                plan = await self._diffed(client, sides, named)
                timings["diff"] = time.perf_counter() - started
        finally:
            # The new load-cache entries were stored beside the fetch and the diff (a warm
            # plan's missing forms are forked after the fetch: see waform.sides); waited for
            # however the fetch ended, so no process forked to store them is left behind.
            state.written()

        settings = RuleSettings(overrides=self.config.rules, strict=strict)
        # The files' `ignore:` / `# waform: ignore` silence plan-time findings as well.
        found = check_planned(plan, inventory, settings, files=lambda: state.files)
        diagnostics = sort_diagnostics([*state.diagnostics, *found.diagnostics])
        silenced = [*state.silenced, *found.silenced]
        if not found.ok:
            raise InvalidDesiredStateError(
                refusal_count(found.diagnostics, "the plan-time rules"), diagnostics, silenced
            )

        refusal = None
        try:
            plan = plan.check_safety(self.config.safety, force=force)
        except UnsafePlanError as exc:
            plan, refusal = exc.plan, str(exc)
        # The paths, so `apply` can re-load them and tell whether the files changed since.
        plan = plan.model_copy(
            update={"paths": [str(p) for p in paths], "target_address": self.target.address}
        )
        return PlanOutcome(
            plan,
            diagnostics,
            silenced,
            refusal=refusal,
            timings=timings,
            desired=state,
            sides=sides,
        )

    async def _diffed(self, client: Provider, sides: Sides, named: NamedKeys) -> Plan:
        """The plan of the paired sides, with Meta's edit history where an update needs it."""
        from waform.differ import plan_changes

        diff = functools.partial(
            plan_changes,
            sides.inventory,
            self.config,
            target=self.target.name,
            submitted=sides.submitted,
            desired_forms=sides.desired_forms,
            replace_keys=named.replacing(),
            discard_keys=named.discarding(),
        )
        plan = diff(requests=client.requests_made)
        history = await edit_history(client, plan)
        if history is not None:
            plan = diff(requests=client.requests_made, edit_history=history, now=client.server_time)
        return plan

    # ------------------------------------------------------------------ apply

    async def apply(
        self, plan: Plan, options: ApplyOptions | None = None, **progress: Any
    ) -> ApplyReport | DryRun:
        """Execute ``plan`` on this target after the target, safety and staleness checks
        (:mod:`waform.apply.runner`); ``progress``: ``progress=`` / ``wait_progress=`` displays."""
        from waform.apply.runner import ApplyOptions, apply_plan

        return await apply_plan(
            plan,
            config=self.config,
            target=self.target,
            options=options or ApplyOptions(),
            transport=self.transport,
            trust=self.trust,
            load=functools.partial(self.loaded_files, refusal="the plan is stale"),
            **progress,
        )

    # ------------------------------------------------------------------ drift, import

    async def drift(
        self,
        paths: Sequence[str | Path],
        *,
        stale_after: timedelta | None = timedelta(hours=24),
        now: datetime | None = None,
    ) -> DriftReport:
        """Compare the files with the target and check its health. Only reads from the API.

        Meta's rules do not count: drift is about where git and the target differ, and a file
        that breaks a rule is still what git says. Files that do not load are an error.
        """
        from waform.drift import find_drift
        from waform.sides import compared_sides

        loaded = self.loaded_files(paths)
        async with self.open_client() as client:
            sides = await compared_sides(client, self.config, loaded, {})
            inventory, submitted = sides.inventory, sides.submitted
            started, notes = await review_started(client, inventory)
            requests = client.requests_made
        return find_drift(
            inventory,
            self.config,
            submitted=submitted,
            target=self.target.name,
            now=now,
            review_started=started,
            stale_after=stale_after,
            requests=requests,
            paths=[str(p) for p in paths],
            notes=notes,
        )

    async def import_(
        self,
        directory: Path,
        *,
        patterns: Sequence[str] = (),
        languages: Sequence[str] = (),
        force: bool = False,
        schema: str | None = None,
        dry_run: bool = False,
    ) -> ImportResult:
        """Write the target's templates (in scope, not ignored) as files under ``directory``.

        Everything is rendered and checked in memory first; then files are written atomically,
        none of them if any destination exists and ``force`` is not set.
        """
        from waform.fetcher import fetch_remote
        from waform.import_yaml import schema_reference
        from waform.importer import build_import, write_files
        from waform.loader import load_paths

        existing = (
            {f.template.name: Path(f.path) for f in load_paths([directory], required=False).files}
            if directory.is_dir()
            else {}
        )
        async with self.open_client() as client:
            fetched = await fetch_remote(client, names=None, config=self.config)
            inventory = self.pair([], fetched.templates)
            remote = [p.remote for p in inventory.remote_only if p.remote is not None]
            submitted = await submission_records(
                client, [(r.key, r.effective_details(), r.category) for r in remote]
            )
        result = build_import(
            remote,
            directory,
            patterns=patterns,
            languages=[normalize_language(code) for code in languages],
            schema_ref=schema_reference(directory, schema, self.config.root),
            existing=existing,
            submitted=submitted,
        )
        if not dry_run:
            result.written = write_files(result.files, force=force)
        return result
