"""`waform plan`: what `apply` would change, as text, JSON or a PR comment. Never writes remotely."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from waform.atomicfile import write_text_atomic
from waform.commands.options import (
    discard_draft_option,
    echo,
    no_cache_option,
    open_manager,
    output_format,
    plan_showing_diagnostics,
    replace_option,
    showing_file_problems,
    target_options,
)
from waform.commands.preview import write_html
from waform.console import Console
from waform.differ import NamedKeys
from waform.errors import PlanError, WaformError
from waform.render import render
from waform.render.html import PreviewInputs

log = logging.getLogger(__name__)


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (plan.schema.json).")
@click.option("--markdown", is_flag=True, help="Print the plan as a pull-request comment.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan (JSON) for `waform apply FILE`.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to change, 2 when there is, 1 on error.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a preview page: each changed template live beside proposed.",
)
@click.option("--force", is_flag=True, help="Accept a plan over the safety thresholds.")
@click.option("--strict", is_flag=True, help="Treat rule warnings as errors.")
@replace_option()
@discard_draft_option()
@no_cache_option
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    config_path: Path | None,
    target: str | None,
    as_json: bool,
    markdown: bool,
    out: Path | None,
    detailed_exitcode: bool,
    html_path: Path | None,
    force: bool,
    strict: bool,
    replace_keys: tuple[str, ...],
    discard_keys: tuple[str, ...],
    no_cache: bool,
) -> None:
    """Compare the templates in PATH... with the target and show what apply would do.

    Reads the files (any error stops here, with file:line:col), checks Meta's rules, reads the
    target's templates (one request per 1,000), and prints the plan: `+` create, `~` update,
    `>` submit a draft, `-` delete, `x` discard a draft made outside git (--discard-draft), `!`
    cannot be applied (with what to do). Logs go to stderr.
    """
    console: Console = ctx.obj or Console()
    fmt = output_format(as_json, markdown)
    manager, paths = open_manager(paths, config_path=config_path, target=target, no_cache=no_cache)
    desired = None
    if html_path is not None:  # the page draws the proposed side from the loaded files
        with showing_file_problems():
            desired = manager.load(paths, strict=strict)
    named = NamedKeys(replace=replace_keys, discard_draft=discard_keys)
    outcome = plan_showing_diagnostics(
        manager, paths, strict=strict, force=force, named=named, desired=desired
    )
    plan = outcome.plan
    log.debug(
        "plan: %s, %d request(s)",
        ", ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in outcome.timings.items()),
        plan.requests,
    )

    echo(render(plan, fmt, color=console.color))
    if html_path is not None and desired is not None:
        page = PreviewInputs(desired.templates, outcome.diagnostics, config=manager.config)
        write_html(html_path, render(plan, "html", preview=page))
        log.info("wrote %s: open it in a browser to see the changed templates", html_path)

    if outcome.refusal is not None:
        raise PlanError(outcome.refusal)
    if out is not None:
        try:
            write_text_atomic(out, plan.to_json() + "\n")
        except OSError as exc:
            raise WaformError(f"cannot write {out}: {exc.strerror or exc}") from None
        log.info("saved the plan to %s; run `waform apply %s` to apply it", out, out)
    if detailed_exitcode and plan.has_changes:
        ctx.exit(2)
