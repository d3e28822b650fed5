"""`waform preview`: the templates as a customer's phone shows them, in one HTML file."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from waform.atomicfile import write_text_atomic
from waform.commands.options import echo, read_plan_file, showing_file_problems
from waform.diagnostics import DiagnosticReport
from waform.errors import WaformError
from waform.manager import Manager
from waform.preview import Preview, preview_files, preview_plan
from waform.render import render

log = logging.getLogger(__name__)


def write_html(path: Path, html: str) -> None:
    """Write the page atomically; a one-line error when the file cannot be written."""
    try:
        write_text_atomic(path, html)
    except OSError as exc:
        raise WaformError(f"cannot write {path}: {exc.strerror or exc}") from None


@click.command("preview")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page to FILE (default: standard output).",
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Only the templates this saved plan changes, live beside proposed "
    "(PATH defaults to the plan's paths).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="waform.yaml with rule overrides (default: the nearest one above PATH).",
)
@click.option(
    "--load-media",
    is_flag=True,
    help="Show media samples from their URLs (the page then fetches them when opened).",
)
def command(
    paths: tuple[Path, ...],
    output: Path | None,
    plan_path: Path | None,
    config_path: Path | None,
    load_media: bool,
) -> None:
    """Draw each template-language in PATH... as a WhatsApp chat in one HTML page.

    Variables show their examples, formatting and buttons look as on the phone, authentication
    templates show the text Meta writes for their language, and each message has its character
    counts and rule findings beside it. The page runs no script and loads nothing from the
    network (media samples are named, not loaded, unless --load-media).
    """
    if not paths and plan_path is None:
        raise click.UsageError("give template PATHs, or --plan FILE")
    preview: Preview
    with showing_file_problems():
        plan = read_plan_file(plan_path) if plan_path is not None else None
        # waform.yaml is looked up from the first path (a plan's own paths when none is given).
        start = list(paths) or [Path(p) for p in (plan.paths if plan else [])]
        manager = Manager.from_options(start, config_path=config_path, offline=True)
        if plan is not None:
            preview = preview_plan(manager, plan, paths, load_media=load_media)
        else:
            preview = preview_files(manager, paths, load_media=load_media)
    if preview.diagnostics:
        echo(render(DiagnosticReport(preview.diagnostics), "text"), err=True)
    for warning in preview.warnings:
        log.warning("%s", warning)
    if output is None:
        click.echo(preview.html, nl=False)
        return
    write_html(output, preview.html)
    what = "change(s)" if plan_path is not None else "template-language(s)"
    log.info("wrote %s: %d %s; open it in a browser", output, preview.shown, what)
