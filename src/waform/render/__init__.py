"""Every output waform prints, one format per module, all through :func:`render`.

``render(subject, "text" | "json" | "markdown" | "github" | "html", **options)`` shows a plan, a drift
report, an apply report, a :class:`~waform.diagnostics.DiagnosticReport` or the rules. Each
format is a :class:`~waform.render.base.Renderer` in its own module (:mod:`.text`,
:mod:`.json`, :mod:`.markdown`, :mod:`.github`, :mod:`.html`) with one method per kind of
subject; a new format is a new module with a registered renderer, imported below.
"""

from __future__ import annotations

from typing import Any

from waform.errors import WaformError
from waform.render import github, html, json, markdown, text  # noqa: F401 - each registers its format
from waform.render.base import FORMATS, Options, Renderer, register
from waform.render.markdown import PLAN_LIMIT, PLAN_MARKER
from waform.render.markdown_drift import DRIFT_LIMIT, DRIFT_MARKER

__all__ = [
    "DRIFT_LIMIT",
    "DRIFT_MARKER",
    "FORMATS",
    "PLAN_LIMIT",
    "PLAN_MARKER",
    "Options",
    "Renderer",
    "register",
    "render",
]


def render(subject: Any, fmt: str = "text", **options: Any) -> str:
    """``subject`` in the format named ``fmt``; ``options`` are :class:`Options` fields."""
    renderer = FORMATS.get(fmt)
    if renderer is None:
        raise WaformError(f"unknown output format {fmt!r} (one of {', '.join(sorted(FORMATS))})")
    return renderer(Options(**options)).render(subject)
