"""Renderings of a :class:`~waform.plan.Plan`: text (terminal) and Markdown (PR comment).

JSON lives on the plan itself (:meth:`~waform.plan.Plan.to_json`), because it is also the file
format ``apply`` reads back.
"""

from waform.render.markdown import MARKDOWN_LIMIT, MARKER, render_markdown
from waform.render.text import render_text

__all__ = ["MARKDOWN_LIMIT", "MARKER", "render_markdown", "render_text"]
