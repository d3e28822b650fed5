"""HTML output of a plan: the changed templates drawn as WhatsApp messages, live beside
proposed, with the words that change highlighted (the page itself is :mod:`waform.preview`).

Unlike the other formats, the page needs the desired templates themselves: a plan keeps only
the field-level changes, and the live side is rebuilt from the proposed content and those
changes. The caller passes them as the ``preview`` option (:class:`PreviewInputs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from waform.diagnostics import Diagnostic
from waform.errors import WaformError
from waform.model.template import DesiredTemplate
from waform.plan import Plan
from waform.render.base import Renderer, register


@dataclass(frozen=True)
class PreviewInputs:
    """What the page draws beside a plan: the desired templates the plan was made from, their
    rule findings, and ``config`` (``waform.yaml``, for the fields the differ ignores)."""

    templates: Sequence[DesiredTemplate]
    diagnostics: Sequence[Diagnostic] = ()
    config: Any = None
    load_media: bool = False
    warnings: Sequence[str] = ()


@register
class HtmlRenderer(Renderer):
    name = "html"

    def plan(self, plan: Plan) -> str:
        from waform.differ import DiffSettings
        from waform.preview.page import render_plan

        inputs = self.options.preview
        if not isinstance(inputs, PreviewInputs):
            raise WaformError("the HTML page of a plan needs the templates it was made from")
        return render_plan(
            plan,
            inputs.templates,
            inputs.diagnostics,
            strip=DiffSettings.from_config(inputs.config).strip,  # the differ's ignore.fields
            load_media=inputs.load_media,
            warnings=inputs.warnings,
        )
