"""`waform drift`: how the target differs from git, and how healthy it is. Never writes remotely."""

from __future__ import annotations

import logging
import math
import shlex
from datetime import timedelta
from pathlib import Path

import click

from waform.commands.options import (
    echo,
    no_cache_option,
    open_manager,
    output_format,
    run_sync,
    showing_file_problems,
    target_options,
)
from waform.drift_report import DEFAULT_FAIL_ON, FINDING_KINDS, parse_fail_on
from waform.render import render

#: 100 years: beyond this a threshold means "never" and would overflow a timedelta.
MAX_STALE_HOURS = 876_000

log = logging.getLogger(__name__)


def _not_nan(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if math.isnan(value):
        raise click.BadParameter("nan is not a number of hours", ctx=ctx, param=param)
    return value


class _FailOn(click.ParamType):
    name = "KINDS"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, frozenset):
            return value
        try:
            return parse_fail_on(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command("drift")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the report as an issue body (starts with the marker <!-- waform-drift -->).",
)
@click.option(
    "--fail-on",
    type=_FailOn(),
    default=",".join(sorted(DEFAULT_FAIL_ON)),
    show_default=True,
    help=f"Finding kinds that make drift exit 2: comma list of {', '.join(FINDING_KINDS)}, "
    "or all / none.",
)
@click.option(
    "--stale-review",
    "stale_review",
    type=click.FloatRange(min=0, max=MAX_STALE_HOURS),
    callback=_not_nan,
    default=24.0,
    show_default=True,
    metavar="HOURS",
    help="Report a review still pending after this many hours (health).",
)
@no_cache_option
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    config_path: Path | None,
    target: str | None,
    as_json: bool,
    markdown: bool,
    fail_on: frozenset[str],
    stale_review: float,
    no_cache: bool,
) -> None:
    """Compare the templates in PATH... with the target and check the target's health.

    Reports, per template language: content drift (live content or category differs from git,
    with the fields), pending changes that differ from git, templates missing from the target,
    unmanaged ones (at the target, in no file), and health problems (rejected, paused,
    disabled, quality yellow/red, stale reviews, drafts nobody submitted).

    Exit 0: clean; 2: findings of a --fail-on kind; 1: error. Only reads from the API.
    """
    fmt = output_format(as_json, markdown)
    manager, paths = open_manager(paths, config_path=config_path, target=target, no_cache=no_cache)
    with showing_file_problems():
        report = run_sync(manager.drift(paths, stale_after=timedelta(hours=stale_review)))
    log.debug("drift: %d request(s)", report.requests)
    shown = "waform drift " + " ".join(shlex.quote(str(p)) for p in paths)
    echo(render(report, fmt, fail_on=fail_on, command=shown))
    if report.failed(fail_on):
        ctx.exit(2)
