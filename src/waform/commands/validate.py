"""`waform validate PATH…`: check template files offline — no target, no credentials, no network.

Findings a template silenced (``ignore:``) are listed as ``silenced`` and fail nothing;
``--explain`` adds, for each rule that fired, its evidence and a passing and a failing example.

The pipeline is :meth:`waform.manager.Manager.validate` (the loader, then Meta's rules), the same
one ``plan`` refuses on. Exit 0 when valid, 1 on any error (with ``--strict``, on any warning).
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from waform.commands.options import no_cache_option, templates_paths
from waform.console import Console
from waform.diagnostics import DiagnosticReport
from waform.manager import Manager
from waform.render import render
from waform.rules.listing import fired_rules

log = logging.getLogger(__name__)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: file:line:col: message; json: for tools; github: Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option(
    "--explain",
    is_flag=True,
    help="After the findings, explain each rule that fired: evidence, sources, examples.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="waform.yaml with rule overrides (default: the nearest one above PATH).",
)
@no_cache_option
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    explain: bool,
    config_path: Path | None,
    no_cache: bool,
) -> None:
    """Check the template files in PATH... offline: YAML, schema, names, Meta's rules.

    Directories are read recursively (*.yaml, *.yml; hidden directories and waform.yaml
    skipped). Every problem is one line, file:line:col: message [code], on stdout; a summary
    goes to stderr. Exit 0 when valid, 1 on any error (or, with --strict, any warning).
    """
    console: Console = ctx.obj or Console()
    manager = Manager.from_options(
        paths, config_path=config_path, offline=True, use_cache=not no_cache
    )
    paths = templates_paths(paths, manager.config)
    state = manager.validate(paths, strict=strict)
    report = DiagnosticReport(
        state.diagnostics,
        files=state.files_read,
        templates=state.template_count,
        strict=strict,
        silenced=state.silenced,
    )
    output = render(report, fmt, color=console.color)
    if output or fmt == "json":
        console.out(output)
    if explain and fmt == "text":
        rules = fired_rules(state.diagnostics, state.silenced)
        console.out("\n\n".join(render(rule, "text") for rule in rules) or "no rule fired")
    log.info("%s", report.summary())
    if not report.valid:
        ctx.exit(1)
