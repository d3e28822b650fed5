"""Template values in the Markdown of `drift` and `plan` read as written once rendered.

Rendered with markdown-it-py (CommonMark + GFM tables, as GitHub renders comments and issues):
HTML entities are not decoded inside backtick code spans, so an escaped ``&`` there shows as
``&amp;`` to the reader. Values must show exactly, and template content must never become HTML.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from waform.differ import diff
from waform.drift_report import DriftReport, FieldDifference, Finding
from waform.model.remote import RemoteTemplate
from waform.model.template import TemplateFile
from waform.render import render

TRICKY = "Save 10% & more <b>now</b> | use `CODE` *today*"


class _Visible(HTMLParser):
    """Visible text per element kind, and every tag used."""

    def __init__(self) -> None:
        super().__init__()
        self.code: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)
        self._in_code += tag == "code"
        if tag == "code":
            self.code.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_code -= tag == "code"

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.code[-1] += data


def rendered(markdown: str) -> _Visible:
    parser = _Visible()
    parser.feed(MarkdownIt("commonmark").enable("table").render(markdown))
    return parser


def test_drift_values_and_command_show_exactly() -> None:
    finding = Finding(
        "content",
        "promo",
        "EN_US",
        "live-content",
        "the live template differs from git",
        (FieldDifference("components[BODY].text", TRICKY, "plain"),),
        "templates/promo.yaml:6:5",
    )
    report = DriftReport(
        target="production",
        findings=(finding,),
        managed=1,
        remote=1,
        generated_at=datetime(2025, 3, 14, tzinfo=UTC),
    )
    page = rendered(render(report, "markdown", command="waform drift 'templates/a&b'"))
    assert json.dumps(TRICKY, ensure_ascii=False) in page.code
    assert "waform drift 'templates/a&b'" in page.code
    assert not page.tags & {"b", "em"}  # content never becomes markup


def test_plan_source_paths_show_exactly() -> None:
    file = TemplateFile.model_validate(
        {
            "name": "promo",
            "category": "MARKETING",
            "languages": {
                "EN_US": {
                    "details": {
                        "components": [
                            {"type": "BODY", "text": TRICKY.replace("`", "") + " {{1}} ok"}
                        ]
                    }
                }
            },
        }
    )
    [desired] = file.desired("templates/a&b <x>.yaml")
    remote = RemoteTemplate.model_validate(
        {
            "name": "promo",
            "language": "EN_US",
            "category": "MARKETING",
            "state": "APPROVED",
            "details": {"components": [{"type": "BODY", "text": "old"}]},
        }
    )
    markdown = render(diff([desired], [remote], target="local"), "markdown")
    page = rendered(markdown)
    assert any(code.startswith("templates/a&b <x>.yaml") for code in page.code)
    assert not page.tags & {"em", "x"}
    # The body changed as a whole: old struck, new in bold, both shown exactly as written.
    html = MarkdownIt("commonmark").render(markdown)
    assert [unescape(b) for b in re.findall(r"<b>(.*?)</b>", html)] == [
        TRICKY.replace("`", "") + " {{1}} ok"
    ]
    assert re.findall(r"<del>(.*?)</del>", html) == ["old"]
