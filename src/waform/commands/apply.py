"""`waform apply`: execute a saved plan, or plan PATH and apply it after confirmation."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import click

from waform.apply.progress import make_progress
from waform.apply.runner import ApplyOptions, DryRun
from waform.commands.options import (
    discard_draft_option,
    echo,
    no_cache_option,
    open_manager,
    output_format,
    plan_showing_diagnostics,
    read_plan_file,
    refuse_with_saved_plan,
    replace_option,
    run_sync,
)
from waform.console import Console
from waform.differ import NamedKeys
from waform.errors import PlanError, WaformError
from waform.manager import Manager
from waform.plan import Plan
from waform.render import render

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


class Duration(click.ParamType):
    """``90``, ``90s``, ``15m``, ``2h`` → seconds."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int | float):
            return float(value)
        match = _DURATION.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a duration (examples: 90s, 15m, 2h)", param, ctx)
        return float(match.group(1)) * _UNITS[match.group(2)]


def _is_saved_plan(paths: tuple[Path, ...]) -> bool:
    """One argument that is a JSON file (not a template directory or YAML file)."""
    if len(paths) != 1 or not paths[0].is_file():
        return False
    path = paths[0]
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")


@click.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="waform.yaml to use (default: the nearest one above PATH).",
)
@click.option(
    "--target",
    help="Target from waform.yaml (default: a saved plan's own target, else defaultTarget).",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required without a terminal)."
)
@click.option("--dry-run", is_flag=True, help="Print the requests apply would send; send no write.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Most requests in flight (fewer while the API throttles).",
)
@click.option(
    "--max-rate",
    type=click.FloatRange(0.1, None),
    help="Never more than this many requests per second (default: adapt to the API's 429s).",
)
@click.option("--wait", is_flag=True, help="After submitting, wait until Meta's review ends.")
@click.option(
    "--wait-timeout",
    type=Duration(),
    default="30m",
    show_default=True,
    help="Give up waiting after this long (e.g. 90s, 15m, 2h).",
)
@click.option(
    "--poll-interval",
    type=Duration(),
    default="2s",
    show_default=True,
    help="First delay between review polls (grows while nothing changes).",
)
@click.option(
    "--comment",
    help="Post this comment (e.g. the commit SHA) on every template apply changes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--markdown", is_flag=True, help="Print a summary for a merge-request comment.")
@click.option("--force", is_flag=True, help="Accept a plan over the safety thresholds.")
@click.option("--strict", is_flag=True, help="Treat rule warnings as errors (when planning).")
@replace_option()
@discard_draft_option()
@no_cache_option
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    config_path: Path | None,
    target: str | None,
    auto_approve: bool,
    dry_run: bool,
    parallelism: int,
    max_rate: float | None,
    wait: bool,
    wait_timeout: float,
    poll_interval: float,
    comment: str | None,
    as_json: bool,
    markdown: bool,
    force: bool,
    strict: bool,
    replace_keys: tuple[str, ...],
    discard_keys: tuple[str, ...],
    no_cache: bool,
) -> None:
    """Make the target match the templates: apply PLAN.json, or plan PATH... and apply it.

    A saved plan (`waform plan --out plan.json`) is applied as is, after checking that neither
    the files nor the templates it touches changed since (else: "plan is stale", nothing
    written). With PATH, the plan is made now and shown, and apply asks before writing
    (`--auto-approve` skips the question; without a terminal it is required).

    Creates, updates and submits run per template name in order (the first language fixes the
    category), names in parallel, deletes last. A write whose response is lost is checked with
    a GET before any retry, so nothing is created twice; a failed action does not stop the
    others. Exit 1 if any action failed (or, with --wait, was rejected).
    """
    console: Console = ctx.obj or Console()
    fmt = output_format(as_json, markdown)
    if comment is not None and not 1 <= len(comment) <= 65535:
        raise click.BadParameter("must be 1 to 65535 characters", param_hint="--comment")

    saved = _is_saved_plan(paths)
    options = ApplyOptions(
        parallelism=parallelism,
        dry_run=dry_run,
        wait=wait,
        wait_timeout=wait_timeout,
        poll_interval=poll_interval,
        comment=comment,
        max_rate=max_rate,
        force=force,
    )
    named = NamedKeys(replace=replace_keys, discard_draft=discard_keys)
    refuse_with_saved_plan(saved, named)
    if saved:
        manager, plan = _saved_plan(
            paths[0], config_path=config_path, target=target, no_cache=no_cache
        )
    else:
        manager, paths = open_manager(
            paths, config_path=config_path, target=target, no_cache=no_cache
        )
        plan = _plan_now(manager, paths, strict=strict, force=force, show=not dry_run, named=named)
        prompted = bool(plan.actions) and not dry_run and not auto_approve
        if prompted:
            _confirm(plan, manager.target.name)
        # Just loaded: re-read the files only if a person had time to edit them meanwhile.
        options = replace(options, check_files=prompted)

    quiet = console.verbosity < 0
    outcome = run_sync(
        manager.apply(
            plan,
            options,
            progress=make_progress(quiet=quiet),
            wait_progress=make_progress(quiet=quiet),
        )
    )
    if isinstance(outcome, DryRun):
        echo(render(outcome, "json" if as_json else "text"))  # no Markdown for a dry run
        return
    echo(render(outcome, fmt, verbose=console.verbosity > 0))
    if not outcome.ok:
        ctx.exit(1)


def _saved_plan(
    path: Path, *, config_path: Path | None, target: str | None, no_cache: bool
) -> tuple[Manager, Plan]:
    """A saved plan and the manager of its target (the plan's own unless ``target`` names one),
    configured from the ``waform.yaml`` nearest the plan's paths."""
    plan = read_plan_file(path)
    manager, _ = open_manager(
        [Path(p) for p in plan.paths] or [path.parent],
        config_path=config_path,
        target=target or plan.target,
        no_cache=no_cache,
    )
    return manager, plan


def _plan_now(
    manager: Manager,
    paths: tuple[Path, ...],
    *,
    strict: bool,
    force: bool,
    show: bool,
    named: NamedKeys,
) -> Plan:
    """Plan PATH now and show it (on stderr: stdout is for the results)."""
    outcome = plan_showing_diagnostics(manager, paths, strict=strict, force=force, named=named)
    plan = outcome.plan
    if show or outcome.refusal is not None:
        echo(render(plan, "text"), err=True)
    if outcome.refusal is not None:
        raise PlanError(outcome.refusal)
    return plan


def _confirm(plan: Plan, target: str) -> None:
    if not sys.stdin.isatty():
        raise WaformError(
            "apply needs confirmation but stdin is not a terminal; re-run with --auto-approve, "
            "or apply a reviewed plan: `waform plan --out plan.json` then `waform apply plan.json`"
        )
    count = len(plan.actions)
    if not click.confirm(
        f"Apply {count} change{'s' * (count != 1)} to target {target}?", default=False, err=True
    ):
        raise WaformError("apply cancelled; nothing was written")
