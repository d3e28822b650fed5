"""Renderings of a :class:`~waform.plan.Plan`: text (terminal), Markdown (PR comment), HTML.

JSON lives on the plan itself (:meth:`~waform.plan.Plan.to_json`), because it is also the file
format ``apply`` reads back.
"""

from waform.render.html import render_html
from waform.render.markdown import MARKDOWN_LIMIT, MARKER, render_markdown
from waform.render.text import render_text

__all__ = ["MARKDOWN_LIMIT", "MARKER", "render_html", "render_markdown", "render_text"]
