"""``waform preview``: templates drawn the way a customer's phone shows them, as one HTML page.

:func:`preview_files` draws every template-language of the files; :func:`preview_plan` only those
a saved plan changes, live beside proposed. Both load the files through
:meth:`~waform.manager.Manager.validate` (the pipeline ``validate`` and ``plan`` use) and put
each rule finding next to the message it concerns; a file that does not load stops the preview.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from waform.desired_forms import hash_desired
from waform.desired_state import DesiredState, InvalidDesiredStateError
from waform.diagnostics import Diagnostic
from waform.manager import Manager
from waform.plan import Plan
from waform.preview.page import render_plan, render_templates
from waform.render import render
from waform.render.html import PreviewInputs

__all__ = ["Preview", "preview_files", "preview_plan", "render_plan", "render_templates"]


@dataclass(frozen=True)
class Preview:
    html: str
    shown: int
    """Template-languages drawn (for a plan: changes drawn)."""
    diagnostics: list[Diagnostic]
    """Findings shown on the page (the command repeats them on stderr)."""
    warnings: list[str]


def _load(manager: Manager, paths: Sequence[str | Path]) -> DesiredState:
    """The files and their findings; rule errors are drawn, a file that does not load is not."""
    from waform.rules import RULES

    state = manager.validate(paths)
    unloadable = [d for d in state.diagnostics if d.severity == "error" and d.code not in RULES]
    if unloadable:
        count = len(unloadable)
        raise InvalidDesiredStateError(
            f"cannot preview: {count} problem{'s' if count != 1 else ''} in the files",
            state.diagnostics,
        )
    return state


def preview_files(
    manager: Manager, paths: Sequence[str | Path], *, load_media: bool = False
) -> Preview:
    """Every template-language under ``paths``."""
    state = _load(manager, paths)
    html = render_templates(state.templates, state.diagnostics, load_media=load_media)
    return Preview(html, len(state.templates), state.diagnostics, [])


def preview_plan(
    manager: Manager, plan: Plan, paths: Sequence[str | Path] = (), *, load_media: bool = False
) -> Preview:
    """The changes of ``plan``; the proposed side is read from ``paths`` (default: the plan's)."""
    paths = list(paths) or list(plan.paths)
    if not paths:
        raise InvalidDesiredStateError(
            "the plan does not name its template paths; give them: waform preview PATH --plan FILE",
            [],
        )
    state = _load(manager, paths)
    warnings = []
    if plan.desired_hash and hash_desired(state.templates) != plan.desired_hash:
        warnings.append(
            "The files changed since this plan was made: the proposed side shows the files as "
            "they are now. Run `waform plan` again for a current plan."
        )
    inputs = PreviewInputs(state.templates, state.diagnostics, manager.config, load_media, warnings)
    html = render(plan, "html", preview=inputs)
    return Preview(html, len(plan.actions) + len(plan.blocked), state.diagnostics, warnings)
