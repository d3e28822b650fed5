"""`waform validate PATH…`: check template files offline — no target, no credentials, no network.

Pipeline: :func:`waform.loader.load_paths` (YAML safety, schema, file names, duplicates across
files) → Meta's content rules (:func:`waform.rules.check_files`, when that package is present) →
one line per problem. Exit 0 when valid, 1 on any error (with ``--strict``, on any warning too).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click

from waform.console import Console
from waform.diagnostics import (
    Diagnostic,
    has_errors,
    render_github,
    render_json,
    sort_diagnostics,
)
from waform.errors import ConfigError
from waform.loader import LoadedFile, LoadResult, load_paths

log = logging.getLogger(__name__)


@dataclass
class ValidationReport:
    """What ``validate`` found: the load, and every diagnostic (loader + rules), sorted."""

    loaded: LoadResult
    diagnostics: list[Diagnostic]
    strict: bool = False

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics, strict=self.strict)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def summary(self) -> str:
        """``35 template-languages in 15 files: 2 errors, 1 warning`` (or ``: valid``)."""
        head = (
            f"{len(self.loaded.templates)} template-language"
            f"{'' if len(self.loaded.templates) == 1 else 's'} in {self.loaded.files_read} "
            f"file{'' if self.loaded.files_read == 1 else 's'}"
        )
        if not self.diagnostics:
            return f"{head}: valid"
        parts = [
            f"{count} {noun}{'' if count == 1 else 's'}"
            for count, noun in ((self.errors, "error"), (self.warnings, "warning"))
            if count
        ]
        return f"{head}: {', '.join(parts)}"


def validate_paths(
    paths: Sequence[str | Path], *, strict: bool = False, config_path: Path | None = None
) -> ValidationReport:
    """Load ``paths`` and run every offline check; raises only for unusable arguments/config."""
    loaded = load_paths(paths)
    diagnostics = list(loaded.diagnostics)
    if strict:  # warnings fail the run: report them as what they now are
        diagnostics = [replace(d, severity="error") for d in diagnostics]
    diagnostics += meta_rules(loaded.files, _rule_overrides(config_path, paths), strict=strict)
    return ValidationReport(loaded, sort_diagnostics(diagnostics), strict)


def meta_rules(
    files: Sequence[LoadedFile], overrides: dict[str, str], *, strict: bool
) -> list[Diagnostic]:
    """THE SEAM for Meta's content rules (:mod:`waform.rules`, a later issue).

    Guarded so validate works with or without that package; once it is there, every loaded file
    goes through ``check_files`` with ``waform.yaml``'s overrides and ``--strict``.
    """
    if importlib.util.find_spec("waform.rules") is None:
        return []
    from waform.rules import RuleSettings, check_files

    return check_files(files, RuleSettings(overrides=overrides, strict=strict))


def _rule_overrides(config_path: Path | None, paths: Sequence[str | Path]) -> dict[str, str]:
    """``rules:`` of ``--config`` or of the ``waform.yaml`` nearest the first path (if any)."""
    from waform.config import load_config

    config = load_config(config_path, Path(paths[0]) if paths else Path("."))
    overrides = dict(getattr(config, "rules", None) or {})
    if overrides and importlib.util.find_spec("waform.rules") is not None:
        from waform.rules import RuleSettings

        try:
            RuleSettings(overrides=overrides)
        except ConfigError as exc:
            raise ConfigError(f"{config.display_path}: {exc}") from None
    return overrides


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
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
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="waform.yaml with rule overrides (default: the nearest one above PATH).",
)
@click.pass_context
def command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    config_path: Path | None,
) -> None:
    """Check the template files in PATH... offline: YAML, schema, names, Meta's rules.

    Directories are read recursively (*.yaml, *.yml; hidden directories and waform.yaml
    skipped). Every problem is one line, file:line:col: message [code], on stdout; a summary
    goes to stderr. Exit 0 when valid, 1 on any error (or, with --strict, any warning).
    """
    console: Console = ctx.obj or Console()
    report = validate_paths(paths, strict=strict, config_path=config_path)
    if fmt == "json":
        click.echo(
            render_json(
                report.diagnostics,
                files=report.loaded.files_read,
                templates=len(report.loaded.templates),
                valid=not report.failed,
                strict=strict,
            )
        )
    elif fmt == "github":
        if report.diagnostics:
            click.echo(render_github(report.diagnostics))
    else:
        for diagnostic in report.diagnostics:
            console.out(
                diagnostic.render(), fg="red" if diagnostic.severity == "error" else "yellow"
            )
    log.info("%s", report.summary())
    if report.failed:
        ctx.exit(1)
