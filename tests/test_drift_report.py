"""Drift report value object: exit decision (--fail-on) and the text/JSON/Markdown renderers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from waform.drift_report import (
    DEFAULT_FAIL_ON,
    DriftReport,
    FieldDifference,
    Finding,
    parse_fail_on,
)
from waform.render import render
from waform.render.markdown_drift import DRIFT_MARKER

NOW = datetime(2025, 3, 14, 5, 17, tzinfo=UTC)


def _report(*findings: Finding) -> DriftReport:
    return DriftReport(
        target="production", findings=findings, managed=3, remote=4, generated_at=NOW
    )


CONTENT = Finding(
    "content",
    "order_shipped",
    "EN_US",
    "live-content",
    "the live template differs from git",
    (FieldDifference("components[BODY].text", "Hi {{1}} | ok", "Hello <b>{{1}}</b>"),),
    "templates/order_shipped.yaml:6:5",
)
REVIEW = Finding("review", "promo", "DE", "in-review", "git's content is in review at Meta")


def test_parse_fail_on() -> None:
    assert parse_fail_on("content, health") == {"content", "health"}
    assert parse_fail_on("all") >= DEFAULT_FAIL_ON | {"review"}
    assert parse_fail_on("none") == frozenset()
    with pytest.raises(ValueError, match="unknown finding kind 'contnet'"):
        parse_fail_on("contnet")


def test_review_alone_does_not_fail_by_default() -> None:
    report = _report(REVIEW)
    assert not report.failed()
    assert report.failed({"review"})
    assert _report(CONTENT).failed() and not _report(CONTENT).failed({"health"})


def test_text_lists_findings_with_field_differences() -> None:
    text = render(_report(CONTENT, REVIEW), "text")
    assert text.splitlines()[0].startswith("drift found on target 'production': 2 findings")
    assert "order_shipped/EN_US  content" in text
    # A text shows what changed at the target word by word, as plan does; other fields whole.
    assert (
        '~ components[BODY].text: git → target: "[-Hi -]{+Hello <b>+}{{1}}[- | ok-]{+</b>+}"'
        in text
    )
    other = Finding(
        "content",
        "promo",
        "DE",
        "live-content",
        "the live template differs from git",
        (FieldDifference("category", "UTILITY", "MARKETING"),),
    )
    assert '~ category: git "UTILITY" → target "MARKETING"' in render(_report(other), "text")
    assert "(templates/order_shipped.yaml:6:5)" in text
    assert render(_report(), "text").startswith("No drift on target 'production'")


def test_json_is_complete_and_machine_readable() -> None:
    data = json.loads(render(_report(CONTENT, REVIEW), "json", fail_on=frozenset({"content"})))
    assert data["clean"] is False and data["failOn"] == ["content"]
    assert data["counts"]["content"] == 1 and data["counts"]["review"] == 1
    assert data["findings"][0]["differences"][0] == {
        "path": "components[BODY].text",
        "git": "Hi {{1}} | ok",
        "remote": "Hello <b>{{1}}</b>",
    }
    assert json.loads(render(_report(REVIEW), "json"))["clean"] is True


def test_markdown_has_marker_and_escapes_cells() -> None:
    md = render(_report(CONTENT), "markdown", command="waform drift templates")
    assert md.startswith(DRIFT_MARKER + "\n")
    assert "| `order_shipped` | EN_US | content | the live template differs from git |" in md
    assert "Hi {{1}} \\| ok" in md  # a pipe in a value cannot break the table
    # Template content is shown as code, exactly as written: never raw HTML, never &lt;b&gt;.
    assert '| `"Hello <b>{{1}}</b>"` |' in md and md.count("<b>") == 1
    assert "<details>" in md and "`waform drift templates`" in md
    clean = render(_report(), "markdown")
    assert clean.startswith(DRIFT_MARKER) and "matches git" in clean


def test_markdown_stays_under_githubs_body_limit() -> None:
    many = [
        Finding(
            "content",
            f"template_{i:04d}",
            "EN_US",
            "live-content",
            "the live template differs from git",
            (FieldDifference("components[BODY].text", "x" * 150, "y" * 150),),
        )
        for i in range(2000)
    ]
    md = render(_report(*many), "markdown")
    assert len(md) <= 60_000
    assert md.startswith(DRIFT_MARKER)
    assert "more findings (too long for an issue" in md
    small = render(_report(*many[:3]), "markdown")
    assert small.count("<details>") == 3 and "left out" not in small
    medium = render(_report(*many[:200]), "markdown")
    assert "| `template_0199` |" in medium and "left out to keep this issue" in medium
