"""``waform preview``: templates drawn the way a customer's phone shows them, as one HTML page.

:func:`preview_files` draws every template-language of the files; :func:`preview_plan` only those
a saved plan changes, live beside proposed. Both load the files with the offline checks of
``validate`` and put each rule finding next to the message it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from waform.config import load_config
from waform.diagnostics import Diagnostic
from waform.differ import hash_desired
from waform.manager import InvalidDesiredStateError
from waform.model.template import DesiredTemplate
from waform.plan import Plan
from waform.preview.page import render_plan, render_templates
from waform.render.html import render_html

__all__ = ["Preview", "preview_files", "preview_plan", "render_plan", "render_templates"]


@dataclass(frozen=True)
class Preview:
    html: str
    shown: int
    """Template-languages drawn (for a plan: changes drawn)."""
    diagnostics: list[Diagnostic]
    """Rule findings (shown on the page; the command repeats them on stderr)."""
    warnings: list[str]


def _load(
    paths: Sequence[str | Path], config_path: Path | None
) -> tuple[list[DesiredTemplate], list[Diagnostic]]:
    """Load and check like ``validate``; a file that does not load stops the preview."""
    from waform.commands.validate import validate_paths

    report = validate_paths(paths, config_path=config_path)
    if not report.loaded.ok:
        errors = report.loaded.error_count
        raise InvalidDesiredStateError(
            f"cannot preview: {errors} problem{'s' if errors != 1 else ''} in the files",
            report.loaded.diagnostics,
        )
    rule_findings = [d for d in report.diagnostics if d not in report.loaded.diagnostics]
    return list(report.loaded.templates), rule_findings


def preview_files(
    paths: Sequence[str | Path], *, config_path: Path | None = None, load_media: bool = False
) -> Preview:
    """Every template-language under ``paths``."""
    templates, findings = _load(paths, config_path)
    html = render_templates(templates, findings, load_media=load_media)
    return Preview(html, len(templates), findings, [])


def preview_plan(
    plan: Plan,
    paths: Sequence[str | Path] = (),
    *,
    config_path: Path | None = None,
    load_media: bool = False,
) -> Preview:
    """The changes of ``plan``; the proposed side is read from ``paths`` (default: the plan's)."""
    paths = list(paths) or list(plan.paths)
    if not paths:
        raise InvalidDesiredStateError(
            "the plan does not name its template paths; give them: waform preview PATH --plan FILE",
            [],
        )
    templates, findings = _load(paths, config_path)
    config = load_config(config_path, Path(paths[0]))
    warnings = []
    if plan.desired_hash and hash_desired(templates) != plan.desired_hash:
        warnings.append(
            "The files changed since this plan was made: the proposed side shows the files as "
            "they are now. Run `waform plan` again for a current plan."
        )
    html = render_html(
        plan, templates, config, diagnostics=findings, load_media=load_media, warnings=warnings
    )
    return Preview(html, len(plan.actions) + len(plan.blocked), findings, warnings)
