"""The pure parts of apply: ordering, redaction, review classification, progress lines and the
three renderings. (The throttle's control law: ``test_apply_throttle.py``.)"""

from __future__ import annotations

import io
import json

import pytest

from apply_support import FakeTime
from waform.apply.progress import PlainProgress
from waform.apply.results import (
    ApplyReport,
    ReviewResult,
    StepResult,
)
from waform.apply.steps import WriteStep, dry_run_lines, is_secret_name, redact, schedule
from waform.apply.waiter import review_outcome
from waform.model.remote import RemoteTemplate
from waform.render import render

# ---------------------------------------------------------------- ordering


def step(kind: str, name: str, language: str = "EN_US", index: int = 0) -> WriteStep:
    method = {"create": "POST", "update": "PATCH", "delete": "DELETE"}[kind]
    return WriteStep(kind, name, language, method, f"/x/{name}/{language}", index=index)  # type: ignore[arg-type]


def labels(groups) -> list[list[str]]:
    return [[f"{s.kind} {s.label}" for s in group] for group in groups]


def test_schedule_groups_names_keeps_plan_order_and_runs_deletes_last():
    steps = [
        step("delete", "gone", index=0),
        step("create", "multi", "DE", index=1),
        step("create", "multi", "EN_US", index=2),
        step("update", "other", index=3),
        step("delete", "multi", "FR", index=4),
    ]
    plan = schedule(reversed(steps))
    assert len(plan.phases) == 2
    assert labels(plan.phases[0]) == [
        ["create multi/DE", "create multi/EN_US"],
        ["update other/EN_US"],
    ]
    assert labels(plan.phases[1]) == [["delete gone/EN_US"], ["delete multi/FR"]]


def test_a_delete_followed_by_a_create_of_the_same_key_stays_in_place():
    steps = [step("delete", "again", index=0), step("create", "again", index=1)]
    plan = schedule(steps)
    assert labels(plan.phases[0]) == [["delete again/EN_US", "create again/EN_US"]]
    assert len(plan.phases) == 1


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    "name,secret",
    [
        ("access_token", True),
        ("X-Amz-Signature", True),
        ("apiKey", True),
        ("keySecret", True),
        ("password", True),
        ("sig", True),
        ("design", False),
        ("key", False),
        ("text", False),
        ("passThrough", False),
        ("examples", False),
    ],
)
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_redact_hides_signed_urls_credentials_and_known_secrets():
    value = {
        "url": "https://user:pw@cdn.example.com/a.png?X-Amz-Signature=abc&w=1",
        "text": "see https://x.example/i?token=zz and hunter22 here",
        "apiKey": "k-123",
        "examples": ["keep me"],
    }
    out = redact(value, ["hunter22"])
    assert out["url"] == "https://***@cdn.example.com/a.png?X-Amz-Signature=***&w=1"
    assert out["text"] == "see https://x.example/i?token=*** and *** here"
    assert out["apiKey"] == "***"
    assert out["examples"] == ["keep me"]
    assert value["apiKey"] == "k-123", "the input is not modified"


def test_dry_run_lines_show_method_path_query_and_body_in_execution_order():
    create = WriteStep("create", "a", "EN_US", "POST", "/t", {"name": "a"}, index=1)
    delete = WriteStep("delete", "b", "EN_US", "DELETE", "/t/b", query={"deleteSubmitted": "true"})
    lines = dry_run_lines([delete, create], base_path="/v1/projects/p")
    assert lines == [
        "POST /v1/projects/p/t",
        "  {",
        '    "name": "a"',
        "  }",
        "DELETE /v1/projects/p/t/b?deleteSubmitted=true",
    ]


# ---------------------------------------------------------------- review


def remote(**fields) -> RemoteTemplate:
    return RemoteTemplate.model_validate(
        {"name": "t", "language": "EN_US", "category": "UTILITY", **fields}
    )


@pytest.mark.parametrize(
    "fields,outcome,code",
    [
        ({"state": "PENDING", "changes": {"status": "IN_PROGRESS"}}, "in_review", None),
        ({"state": "APPROVED", "changes": {"status": "IN_PROGRESS"}}, "in_review", None),
        ({"state": "APPROVED"}, "approved", None),
        ({"state": "REJECTED", "rejectionCode": "SCAM"}, "rejected", "SCAM"),
        (
            {"state": "APPROVED", "changes": {"status": "REJECTED"}, "rejectionCode": "NONE"},
            "rejected",
            "NONE",
        ),
        ({"changes": {"status": "DRAFT"}}, "other", None),
        ({"state": "PAUSED"}, "other", None),
    ],
)
def test_review_outcome(fields, outcome, code):
    result = review_outcome("t", "EN_US", remote(**fields))
    assert (result.outcome, result.rejection_code) == (outcome, code)


def test_a_template_deleted_while_waiting_is_reported_as_such():
    assert review_outcome("t", "EN_US", None).state == "deleted"


# ---------------------------------------------------------------- progress


def test_plain_progress_prints_periodic_lines_and_a_final_one():
    t = FakeTime()
    stream = io.StringIO()
    progress = PlainProgress(stream, every=10.0, clock=t.clock)
    progress.start("applying", 100)
    for done in range(1, 101):
        t.now += 0.5
        progress.update(done, detail="1 failed" if done > 50 else "")
    progress.stop()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "applying: 20/100 (20%)"
    assert lines[-1] == "applying: 100/100 (100%) 1 failed"
    assert len(lines) == len(set(lines)) == 5  # 20, 40, 60, 80, 100: the last not repeated


def test_plain_progress_never_prints_the_same_line_twice():
    t = FakeTime()
    stream = io.StringIO()
    progress = PlainProgress(stream, every=10.0, clock=t.clock)
    progress.start("applying", 1)
    t.now += 11  # the one action took long: its line is printed when it ends…
    progress.update(1, detail="1 failed")
    progress.stop()  # …and the closing line would say the same
    assert stream.getvalue() == "applying: 1/1 (100%) 1 failed\n"


def test_plain_progress_stays_silent_for_short_runs():
    t = FakeTime()
    stream = io.StringIO()
    progress = PlainProgress(stream, every=10.0, clock=t.clock)
    progress.start("applying", 3)
    progress.update(3)
    progress.stop()
    assert stream.getvalue() == ""


# ---------------------------------------------------------------- renderings


def sample_report() -> ApplyReport:
    ok = StepResult(WriteStep("create", "a", "EN_US", "POST", "/t"), ok=True, attempts=1)
    lost = StepResult(
        WriteStep("update", "b", "DE", "PATCH", "/t/b"),
        ok=True,
        attempts=2,
        verified=True,
        note="response lost; confirmed by reading back",
    )
    failed = StepResult(
        WriteStep("create", "c", "EN_US", "POST", "/t"),
        ok=False,
        attempts=1,
        status=424,
        error_code="template_content_already_exists",
        message="identical content exists in another template",
        resolution="change the content",
    )
    review = [
        ReviewResult("a", "EN_US", "approved", state="APPROVED"),
        ReviewResult("b", "DE", "rejected", rejection_code="INVALID_FORMAT"),
    ]
    return ApplyReport([ok, lost, failed], seconds=1.25, requests=9, review=review)


def test_text_summary_lists_actions_failures_and_review():
    text = render(sample_report(), "text")
    assert text.splitlines() == [
        "  + a/EN_US created",
        "  ~ b/DE updated (response lost; confirmed by reading back)",
        "Apply finished with errors: 1 created, 1 updated; 1 failed (3 actions, 9 requests, 1.2 s).",
        "Failed:",
        "  ✗ c/EN_US: create failed: 424 template_content_already_exists: identical content "
        "exists in another template — change the content",
        "Review (0 s): 1 approved, 1 rejected.",
        "  ✗ b/DE rejected: INVALID_FORMAT",
    ]


def test_json_and_markdown_renderings():
    report = sample_report()
    data = json.loads(render(report, "json"))
    assert data["ok"] is False
    assert data["summary"] == {
        "create": 1,
        "create-draft": 0,
        "submit": 0,
        "update": 1,
        "delete": 0,
        "discard-draft": 0,
        "already": 0,
        "failed": 1,
    }
    assert data["actions"][2]["error"]["errorCode"] == "template_content_already_exists"
    assert data["review"]["summary"]["rejected"] == 1

    md = render(report, "markdown")
    assert md.startswith("### ❌ waform apply\n")
    assert "| `a` | EN_US | create | ok |" in md
    assert "| `c` | EN_US | create | **failed**: `template_content_already_exists` |" in md
    assert (
        "- ✗ c/EN_US: create failed: 424 template_content_already_exists: identical content "
        "exists in another template — change the content\n"
    ) in md
    assert "**Review (0 s): 1 approved, 1 rejected.**" in md


def test_an_empty_apply_says_so():
    report = ApplyReport([])
    assert (
        render(report, "text") == "Nothing to apply: the remote already matches the desired state."
    )
    assert report.ok
