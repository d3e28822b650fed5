"""The decision table, one test per row: a concrete remote template in each state, a file that
changes nothing, the content or the category, planned through the differ with both statuses.
Two more kinds of change exist only for a draft of a live template: ``draft`` (a draft made
outside git differs, git matches the live content) and ``discard`` (the same, with
``--discard-draft`` naming the key).

The expectations are written out here, not read from :data:`waform.decisions.DECISIONS`; the
last test makes sure every row of the table has one.
"""

from __future__ import annotations

from typing import Any

import pytest

from waform.decisions import DECISIONS, remote_state
from waform.differ import diff
from waform.model.remote import RemoteTemplate
from waform.model.template import SourceRef, TemplateFile

BODY = {"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped.", "examples": ["Anna", "A-1"]}
NEW_BODY = {"type": "BODY", "text": "Hello {{1}}, order {{2}} is here.", "examples": ["A", "1"]}


def _pending(status: str) -> dict[str, Any]:
    return {"status": status, "details": {"components": [BODY]}}


#: One concrete remote template per state (all UTILITY, content BODY).
REMOTE: dict[str, dict[str, Any]] = {
    "meta-generated": {"state": "APPROVED", "isMetaGenerated": True},
    "in-review": {"state": "APPROVED", "changes": _pending("IN_PROGRESS")},
    "rejected": {"state": "REJECTED", "rejectionCode": "SCAM"},
    "rejected-for-category": {"state": "REJECTED", "rejectionCode": "INCORRECT_CATEGORY"},
    "new-draft": {"details": None, "changes": _pending("DRAFT")},
    "live-draft": {"state": "APPROVED", "changes": _pending("DRAFT")},
    "approved": {"state": "APPROVED"},
    "live": {"state": "PAUSED"},
}
#: What the file changes: nothing, the content, or the category; for ``draft`` and ``discard``
#: the file keeps the live content and the remote's pending change holds another one.
FILE: dict[str, dict[str, Any]] = {
    "none": {"body": BODY, "category": "UTILITY"},
    "content": {"body": NEW_BODY, "category": "UTILITY"},
    "category": {"body": BODY, "category": "MARKETING"},
    "draft": {"body": BODY, "category": "UTILITY", "pending": NEW_BODY},
    "discard": {"body": BODY, "category": "UTILITY", "pending": NEW_BODY, "discard": True},
}
#: (state, change) → (expected with status: submit, with status: draft).
EXPECTED: dict[tuple[str, str], tuple[str, str]] = {
    ("meta-generated", "none"): ("noop", "noop"),
    ("meta-generated", "content"): ("blocked meta-generated", "blocked meta-generated"),
    ("meta-generated", "category"): ("blocked meta-generated", "blocked meta-generated"),
    ("in-review", "none"): ("noop", "noop"),
    ("in-review", "content"): ("blocked review-in-progress", "blocked review-in-progress"),
    ("in-review", "category"): ("blocked review-in-progress", "blocked review-in-progress"),
    ("rejected", "none"): ("blocked rejected-unchanged", "noop"),
    ("rejected", "content"): ("update SUBMIT", "update DRAFT"),
    ("rejected", "category"): ("blocked category-change", "blocked category-change"),
    ("rejected-for-category", "none"): ("blocked rejected-unchanged", "noop"),
    ("rejected-for-category", "content"): ("update SUBMIT", "update DRAFT"),
    ("rejected-for-category", "category"): ("update SUBMIT +category", "update DRAFT +category"),
    ("new-draft", "none"): ("submit SUBMIT", "noop"),
    ("new-draft", "content"): ("update SUBMIT", "update DRAFT"),
    ("new-draft", "category"): ("update SUBMIT +category", "update DRAFT +category"),
    ("live-draft", "none"): ("submit SUBMIT", "noop"),
    ("live-draft", "content"): ("update SUBMIT", "update DRAFT"),
    ("live-draft", "category"): ("blocked category-change", "blocked category-change"),
    ("live-draft", "draft"): ("blocked pending-draft", "blocked pending-draft"),
    ("live-draft", "discard"): ("discard-draft DELETE", "discard-draft DELETE"),
    ("approved", "none"): ("noop", "noop"),
    ("approved", "content"): ("update SUBMIT", "update DRAFT"),
    ("approved", "category"): ("blocked category-change", "blocked category-change"),
    ("live", "none"): ("noop", "noop"),
    ("live", "content"): ("update SUBMIT", "update DRAFT"),
    ("live", "category"): ("blocked category-change", "blocked category-change"),
}


def _remote(state: str, change: str = "none") -> RemoteTemplate:
    data: dict[str, Any] = {"name": "order_shipped", "language": "EN_US", "category": "UTILITY"}
    data["details"] = {"components": [BODY]}
    data.update(REMOTE[state])
    if "pending" in FILE[change]:
        data["changes"] = {**data["changes"], "details": {"components": [FILE[change]["pending"]]}}
    return RemoteTemplate.model_validate(data)


def _desired(change: str, status: str):  # -> DesiredTemplate
    entry = {"details": {"components": [FILE[change]["body"]]}, "status": status}
    tf = TemplateFile.model_validate(
        {
            "name": "order_shipped",
            "category": FILE[change]["category"],
            "languages": {"EN_US": entry},
        },
        strict=False,
    )
    return tf.desired(SourceRef("templates/order_shipped.yaml", 1, 1))[0]


def _outcome(state: str, change: str, status: str, discard: bool = False) -> str:
    discard = discard or FILE[change].get("discard", False)
    plan = diff(
        [_desired(change, status)],
        [_remote(state, change)],
        discard_keys=lambda name, language: discard,
    )
    items = [*plan.actions, *plan.blocked]
    if not items:
        assert plan.summary.noop == 1
        return "noop"
    [item] = items
    if hasattr(item, "kind"):
        assert item.remedy and item.reason
        return f"blocked {item.kind}"
    body = item.request.body
    assert item.request.path == "/whatsapp/templates/order_shipped/languages/EN_US"
    if item.action == "discard-draft":  # never deleteSubmitted: that would delete the template
        assert (item.request.method, item.request.query, body) == ("DELETE", {}, None)
        assert plan.fingerprints and plan.summary.discard_draft == 1
        return "discard-draft DELETE"
    assert item.request.method == "PATCH"
    category = " +category" if "category" in body else ""
    return f"{item.action} {body['status']}{category}"


@pytest.mark.parametrize(("state", "change"), list(EXPECTED))
def test_one_row_of_the_table(state: str, change: str) -> None:
    assert remote_state(_remote(state)) == state
    on_submit, on_draft = EXPECTED[state, change]
    assert _outcome(state, change, "submit") == on_submit
    assert _outcome(state, change, "draft") == on_draft


@pytest.mark.parametrize(("state", "change"), [k for k in EXPECTED if k[1] in ("none", "content")])
def test_discard_draft_on_the_other_rows(state: str, change: str) -> None:
    """``--discard-draft`` discards only a draft of a live template that differs from git (here:
    git changed the content too; the next plan then offers the ordinary update). Anywhere else
    it is the ordinary row, so a rerun of the same command after the discard converges."""
    for status in ("submit", "draft"):
        expected = _outcome(state, change, status)
        if (state, change) == ("live-draft", "content"):
            expected = "discard-draft DELETE"
        assert _outcome(state, change, status, discard=True) == expected


def test_every_row_of_the_table_is_tested() -> None:
    assert set(DECISIONS) == set(EXPECTED)
