"""The decision table, one test per row: a concrete remote template in each state, a file that
changes nothing, the content or the category, planned through the differ with both statuses.

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
#: What the file changes: nothing, the content, or the category.
FILE: dict[str, dict[str, Any]] = {
    "none": {"body": BODY, "category": "UTILITY"},
    "content": {"body": NEW_BODY, "category": "UTILITY"},
    "category": {"body": BODY, "category": "MARKETING"},
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
    ("approved", "none"): ("noop", "noop"),
    ("approved", "content"): ("update SUBMIT", "update DRAFT"),
    ("approved", "category"): ("blocked category-change", "blocked category-change"),
    ("live", "none"): ("noop", "noop"),
    ("live", "content"): ("update SUBMIT", "update DRAFT"),
    ("live", "category"): ("blocked category-change", "blocked category-change"),
}


def _remote(state: str) -> RemoteTemplate:
    data = {"name": "order_shipped", "language": "EN_US", "category": "UTILITY"}
    data["details"] = {"components": [BODY]}
    return RemoteTemplate.model_validate({**data, **REMOTE[state]})


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


def _outcome(state: str, change: str, status: str) -> str:
    plan = diff([_desired(change, status)], [_remote(state)])
    items = [*plan.actions, *plan.blocked]
    if not items:
        assert plan.summary.noop == 1
        return "noop"
    [item] = items
    if hasattr(item, "kind"):
        assert item.remedy and item.reason
        return f"blocked {item.kind}"
    body = item.request.body
    assert item.request.method == "PATCH"
    assert item.request.path == "/whatsapp/templates/order_shipped/languages/EN_US"
    category = " +category" if "category" in body else ""
    return f"{item.action} {body['status']}{category}"


@pytest.mark.parametrize(("state", "change"), list(EXPECTED))
def test_one_row_of_the_table(state: str, change: str) -> None:
    assert remote_state(_remote(state)) == state
    on_submit, on_draft = EXPECTED[state, change]
    assert _outcome(state, change, "submit") == on_submit
    assert _outcome(state, change, "draft") == on_draft


def test_every_row_of_the_table_is_tested() -> None:
    assert set(DECISIONS) == set(EXPECTED)
