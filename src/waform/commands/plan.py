"""`waform plan`: what `apply` would change, as text, JSON or a PR comment. Never writes remotely."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from waform.atomicfile import write_text_atomic
from waform.commands.options import (
    echo,
    open_manager,
    output_format,
    output_options,
    plan_showing_diagnostics,
    planning_options,
    target_options,
)
from waform.console import Console, end
from waform.differ import NamedKeys
from waform.errors import PlanError, WaformError
from waform.render import render

log = logging.getLogger(__name__)


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@target_options()
@output_options(
    json_help="Print the plan as JSON (plan.schema.json).",
    markdown_help="Print the plan as a pull-request comment.",
)
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
@planning_options(strict_help="Treat rule warnings as errors.")
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
    named = NamedKeys(replace=replace_keys, discard_draft=discard_keys)
    outcome = plan_showing_diagnostics(manager, paths, strict=strict, force=force, named=named)
    plan = outcome.plan
    log.debug(
        "plan: %s, %d request(s)",
        ", ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in outcome.timings.items()),
        plan.requests,
    )

    echo(render(plan, fmt, color=console.color))
    if html_path is not None and outcome.sides is not None:
        from waform.commands.preview import write_html  # with Jinja2: only for --html
        from waform.render.html import PreviewInputs

        # The page draws the proposed side from the templates the plan was made from.
        page = PreviewInputs(outcome.sides.desired, outcome.diagnostics, config=manager.config)
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
    # What the plan was made from is still held here: the process ends without freeing it.
    end(ctx, 2 if detailed_exitcode and plan.has_changes else 0)
