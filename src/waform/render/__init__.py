"""Every output waform prints, one format per module, all through :func:`render`.

``render(subject, "text" | "json" | "markdown" | "github" | "html", **options)`` shows a plan, a drift
report, an apply report, a :class:`~waform.diagnostics.DiagnosticReport` or the rules. Each
format is a :class:`~waform.render.base.Renderer` in its own module (:mod:`.text`,
:mod:`.json`, :mod:`.markdown`, :mod:`.github`, :mod:`.html`) with one method per kind of
subject; a new format is a new module with a registered renderer, named below. A format's
module is imported when it is first asked for: ``validate`` prints text and needs none of what
a plan's or an apply's formats import.
"""

from __future__ import annotations

import importlib
from typing import Any

from waform.errors import WaformError
from waform.render.base import FORMATS, Options, Renderer, register

#: Each format's module, which registers its renderer when imported.
FORMAT_NAMES = ("github", "html", "json", "markdown", "text")

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "Options",
    "Renderer",
    "register",
    "render",
]


def render(subject: Any, fmt: str = "text", **options: Any) -> str:
    """``subject`` in the format named ``fmt``; ``options`` are :class:`Options` fields."""
    if fmt not in FORMAT_NAMES:
        raise WaformError(f"unknown output format {fmt!r} (one of {', '.join(FORMAT_NAMES)})")
    renderer = FORMATS.get(fmt)
    if renderer is None:
        importlib.import_module(f"waform.render.{fmt}")  # which registers it
        renderer = FORMATS[fmt]
    return renderer(Options(**options)).render(subject)
