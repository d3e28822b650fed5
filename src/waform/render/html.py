"""HTML rendering of a plan: the changed templates drawn as WhatsApp messages, live beside
proposed, with the words that change highlighted (see :mod:`waform.preview`).

Unlike text and Markdown, the page needs the desired templates themselves: a plan keeps the
field-level changes, and the live side is rebuilt from the proposed content and those changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from waform.diagnostics import Diagnostic
from waform.model.template import DesiredTemplate
from waform.plan import Plan


def render_html(
    plan: Plan,
    templates: Sequence[DesiredTemplate],
    config: Any = None,
    *,
    diagnostics: Iterable[Diagnostic] = (),
    load_media: bool = False,
    warnings: Sequence[str] = (),
) -> str:
    """The page of ``plan``'s changes; ``config`` (``waform.yaml``) gives the ignored fields."""
    from waform.differ import DiffSettings
    from waform.preview.page import render_plan

    strip = DiffSettings.from_config(config).strip  # the differ's view of ignore.fields
    return render_plan(
        plan, templates, diagnostics, strip=strip, load_media=load_media, warnings=warnings
    )
