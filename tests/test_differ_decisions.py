"""The differ's decision table, row by row, from DesiredTemplate and RemoteTemplate values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from waform.config import Config
from waform.differ import DiffSettings, diff
from waform.model.remote import RemoteTemplate
from waform.model.template import SourceRef, TemplateFile
from waform.normalize import ABSENT, remote_fingerprint

BODY = {"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped.", "examples": ["Anna", "A-1"]}
NEW_BODY = {
    "type": "BODY",
    "text": "Hello {{1}}, order {{2}} is on its way.",
    "examples": ["Anna", "A-1"],
}


def desired(name="order_shipped", lang="EN_US", *, body=BODY, category="UTILITY", **entry):
    tf = TemplateFile.model_validate(
        {
            "name": name,
            "category": category,
            "languages": {lang: {"details": {"components": [body]}, **entry}},
        },
        strict=False,
    )
    return tf.desired(SourceRef(f"templates/{name}.yaml", 4, 3))[0]


def remote(name="order_shipped", lang="EN_US", *, category="UTILITY", body=BODY, **kw):
    data = {"name": name, "language": lang, "category": category, **kw}
    if "details" not in kw and body is not None:
        data["details"] = {"components": [body]}
    return RemoteTemplate.model_validate(data)


def pending(status, body=BODY):
    return {"status": status, "details": {"components": [body]}}


def only(plan):
    """The single action or blocked item of a plan (asserts there is exactly one)."""
    items = [*plan.actions, *plan.blocked]
    assert len(items) == 1, items
    return items[0]


def test_absent_remote_is_created_and_submitted():
    plan = diff([desired()], [])
    action = only(plan)
    assert action.action == "create"
    assert action.request.method == "POST" and action.request.path == "/whatsapp/templates"
    assert action.request.body["status"] == "SUBMIT"
    assert action.request.body["language"] == "EN_US"
    assert action.source == "templates/order_shipped.yaml:4:3"
    assert plan.fingerprints == {"order_shipped/EN_US": ABSENT}
    assert plan.summary.create == 1 and plan.has_changes


def test_absent_remote_with_draft_status_is_created_as_draft():
    action = only(diff([desired(status="draft")], []))
    assert action.action == "create-draft"
    assert action.request.body["status"] == "DRAFT"


def test_equal_templates_plan_to_nothing_whatever_the_spelling():
    r = remote(
        state="APPROVED",
        details={
            "components": [{**BODY, "addSecurityRecommendation": False}],
            "messageSendTtlSeconds": 2_592_000.0,
        },
        language="en_US",
    )
    plan = diff([desired()], [r])
    assert plan.actions == [] and plan.blocked == []
    assert plan.summary.noop == 1 and not plan.has_changes


def test_never_submitted_draft_matching_the_file_is_submitted():
    r = remote(details=None, changes=pending("DRAFT"))
    action = only(diff([desired()], [r]))
    assert action.action == "submit"
    assert action.request.method == "PATCH"
    assert action.request.path == "/whatsapp/templates/order_shipped/languages/EN_US"
    assert action.request.body["status"] == "SUBMIT"
    assert action.remote_state == "DRAFT (never submitted)"


def test_never_submitted_draft_matching_a_draft_file_is_left_alone():
    plan = diff([desired(status="draft")], [remote(details=None, changes=pending("DRAFT"))])
    assert not plan.has_changes and plan.summary.noop == 1


@pytest.mark.parametrize("status,sent", [("submit", "SUBMIT"), ("draft", "DRAFT")])
def test_changed_draft_is_patched_with_the_files_status(status, sent):
    r = remote(details=None, changes=pending("DRAFT"))
    action = only(diff([desired(body=NEW_BODY, status=status)], [r]))
    assert action.action == "update"
    assert action.request.body["status"] == sent
    assert action.request.body["details"]["components"][0]["text"] == NEW_BODY["text"]
    assert "category" not in action.request.body
    assert [c.path for c in action.changes] == ["components[BODY].text"]
    change = action.changes[0]
    assert (change.old, change.new) == (BODY["text"], NEW_BODY["text"])


def test_category_of_a_never_submitted_draft_can_change():
    r = remote(details=None, changes=pending("DRAFT"), category="MARKETING")
    action = only(diff([desired()], [r]))
    assert action.action == "update"
    assert action.request.body["category"] == "UTILITY"
    assert action.changes[0].path == "category"


def test_change_under_review_blocks_an_edit_but_not_an_equal_file():
    r = remote(state="APPROVED", changes=pending("IN_PROGRESS", NEW_BODY))
    blocked = only(diff([desired()], [r]))
    assert blocked.kind == "review-in-progress"
    assert "re-run plan after the review" in blocked.remedy
    assert blocked.remote_state == "APPROVED, change IN_PROGRESS"
    # The desired content is what is under review: nothing to do.
    assert not diff([desired(body=NEW_BODY)], [r]).has_changes


def test_first_submission_pending_review_blocks_an_edit():
    r = remote(state="PENDING")
    assert only(diff([desired(body=NEW_BODY)], [r])).kind == "review-in-progress"


def test_rejected_template_resubmitted_unchanged_is_blocked():
    r = remote(state="REJECTED", rejectionCode="INVALID_FORMAT")
    blocked = only(diff([desired()], [r]))
    assert blocked.kind == "rejected-unchanged"
    assert "INVALID_FORMAT" in blocked.reason
    assert "change the content" in blocked.remedy
    # A file that only wants a draft asks for nothing.
    assert not diff([desired(status="draft")], [r]).has_changes


def test_rejected_change_of_a_live_template_compares_with_the_rejected_content():
    r = remote(state="APPROVED", changes=pending("REJECTED", NEW_BODY), rejectionCode="SCAM")
    assert only(diff([desired(body=NEW_BODY)], [r])).kind == "rejected-unchanged"
    action = only(diff([desired()], [r]))
    assert action.action == "update" and action.request.body["status"] == "SUBMIT"


def test_rejected_template_with_new_content_is_resubmitted():
    r = remote(state="REJECTED", rejectionCode="ABUSIVE_CONTENT")
    action = only(diff([desired(body=NEW_BODY)], [r]))
    assert action.action == "update"
    assert action.request.body["status"] == "SUBMIT"


def test_category_fix_of_a_template_rejected_for_its_category():
    r = remote(state="REJECTED", rejectionCode="INCORRECT_CATEGORY", category="MARKETING")
    action = only(diff([desired()], [r]))
    assert action.action == "update"
    assert action.request.body["category"] == "UTILITY"
    assert action.request.body["allowCategoryChange"] is False
    other = remote(state="REJECTED", rejectionCode="SCAM", category="MARKETING")
    assert only(diff([desired()], [other])).kind == "category-change"


@pytest.mark.parametrize("state", ["APPROVED", "PAUSED", "DISABLED"])
def test_live_template_with_new_content_is_edited_and_resubmitted(state):
    action = only(diff([desired(body=NEW_BODY)], [remote(state=state)]))
    assert action.action == "update"
    assert action.request.body["status"] == "SUBMIT"
    assert action.remote_state == state


def test_live_template_edited_by_a_draft_file_saves_a_draft_change():
    action = only(diff([desired(body=NEW_BODY, status="draft")], [remote(state="APPROVED")]))
    assert action.action == "update" and action.request.body["status"] == "DRAFT"
    # Once the draft change exists, the same file asks for nothing more...
    r = remote(state="APPROVED", changes=pending("DRAFT", NEW_BODY))
    assert not diff([desired(body=NEW_BODY, status="draft")], [r]).has_changes
    # ...and switching the file to submit submits it.
    assert only(diff([desired(body=NEW_BODY)], [r])).action == "submit"


def test_category_change_of_an_approved_template_is_blocked():
    r = remote(state="APPROVED", category="UTILITY")
    blocked = only(diff([desired(category="MARKETING")], [r]))
    assert blocked.kind == "category-change"
    assert "UTILITY → MARKETING" in blocked.reason
    assert "new name" in blocked.remedy
    assert blocked.changes[0].path == "category"


@pytest.mark.parametrize("state", ["APPROVED", "PAUSED", "DISABLED"])
def test_meta_recategorisation_is_a_note_not_a_change(state):
    r = remote(state=state, category="MARKETING")
    plan = diff([desired()], [r])
    assert not plan.has_changes and plan.summary.noop == 1
    [note] = plan.notes
    assert note.kind == "recategorised" and "UTILITY → MARKETING" in note.message
    # a real edit of the recategorised template is an update that leaves the category alone
    action = only(diff([desired(body=NEW_BODY)], [r]))
    assert action.action == "update" and "category" not in action.request.body


def test_meta_generated_templates_are_read_only():
    r = remote(state="APPROVED", isMetaGenerated=True)
    blocked = only(diff([desired(body=NEW_BODY)], [r]))
    assert blocked.kind == "meta-generated" and "read-only" in blocked.reason
    assert not diff([desired()], [r]).has_changes


def test_edit_limit_blocks_a_second_edit_within_24_hours_when_history_is_known():
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    r = remote(state="APPROVED")
    history = {("order_shipped", "EN_US"): [now - timedelta(hours=3)]}
    blocked = only(diff([desired(body=NEW_BODY)], [r], edit_history=history, now=now))
    assert blocked.kind == "edit-limit"
    assert "2026-05-02 09:00 UTC" in blocked.remedy
    ten = {("order_shipped", "EN_US"): [now - timedelta(days=d + 2) for d in range(10)]}
    blocked = only(diff([desired(body=NEW_BODY)], [r], edit_history=ten, now=now))
    assert blocked.kind == "edit-limit" and "30 days" in blocked.reason
    old = {("order_shipped", "EN_US"): [now - timedelta(days=2)]}
    assert only(diff([desired(body=NEW_BODY)], [r], edit_history=old, now=now)).action == "update"


def test_remote_only_template_is_unmanaged_without_prune_and_deleted_with_it():
    r = remote(name="old_promo", state="APPROVED")
    plan = diff([], [r])
    assert plan.actions == [] and [u.name for u in plan.unmanaged] == ["old_promo"]
    assert "prune" in plan.unmanaged[0].note
    assert not plan.has_changes and plan.summary.unmanaged == 1

    plan = diff([], [r], DiffSettings(prune=True))
    delete = only(plan)
    assert delete.action == "delete"
    assert delete.request.method == "DELETE"
    assert delete.request.path == "/whatsapp/templates/old_promo/languages/EN_US"
    assert delete.request.query == {"deleteSubmitted": "true"}
    assert plan.fingerprints["old_promo/EN_US"] == remote_fingerprint(r)


def test_prune_deletes_a_draft_without_delete_submitted_and_never_meta_generated():
    draft = remote(name="d", details=None, changes=pending("DRAFT"))
    assert only(diff([], [draft], DiffSettings(prune=True))).request.query == {}
    meta = remote(name="m", state="APPROVED", isMetaGenerated=True)
    plan = diff([], [meta], DiffSettings(prune=True))
    assert plan.actions == [] and "Meta-generated" in plan.unmanaged[0].note


def test_scope_and_ignore_from_the_config():
    config = Config.model_validate(
        {"scope": {"include": ["shop_*"]}, "prune": True, "ignore": {"names": ["shop_legacy*"]}}
    )
    remotes = [
        remote(name="other_team", state="APPROVED"),
        remote(name="shop_legacy_1", state="APPROVED"),
        remote(name="shop_gone", state="APPROVED"),
    ]
    wanted = [desired(name="not_shop"), desired(name="shop_legacy_2")]
    plan = diff(wanted, remotes, config)
    assert [(a.action, a.name) for a in plan.actions] == [("delete", "shop_gone")]
    assert [(b.kind, b.name) for b in plan.blocked] == [("out-of-scope", "not_shop")]
    assert plan.summary.ignored == 3  # other_team (out of scope), shop_legacy_1, shop_legacy_2
    assert plan.summary.managed == 1


def test_new_language_must_share_the_names_category():
    existing = remote(lang="DE", state="APPROVED", category="MARKETING")
    plan = diff([desired(lang="EN_US")], [existing])
    assert [b.kind for b in plan.blocked] == ["category-conflict"]
    assert "MARKETING" in plan.blocked[0].remedy


def test_new_language_after_a_category_fix_of_a_draft_sibling_is_ordered_after_it():
    sibling = remote(lang="DE", details=None, changes=pending("DRAFT"), category="MARKETING")
    plan = diff([desired(lang="EN_US"), desired(lang="DE")], [sibling])
    assert [(a.action, a.language) for a in plan.actions] == [("update", "DE"), ("create", "EN_US")]


def test_removing_optimization_sends_null_so_the_patch_clears_it():
    opt = {"bidAmount": 5000, "bidStrategy": "BID_STRATEGY_LOWEST_COST_WITH_BID_CAP"}
    r = remote(
        state="APPROVED", category="MARKETING", details={"components": [BODY], "optimization": opt}
    )
    action = only(diff([desired(category="MARKETING")], [r]))
    assert action.action == "update"
    assert action.request.body["details"]["optimization"] is None
    assert [(c.path, c.op) for c in action.changes] == [("optimization", "remove")]


def test_field_changes_name_components_by_type():
    footer = {"type": "FOOTER", "text": "Thanks"}
    tf = TemplateFile.model_validate(
        {
            "name": "tt",
            "category": "UTILITY",
            "languages": {"EN_US": {"details": {"components": [NEW_BODY, footer]}}},
        },
        strict=False,
    )
    r = remote(
        name="tt", state="APPROVED", details={"components": [BODY], "messageSendTtlSeconds": 60}
    )
    action = only(diff(tf.desired(), [r]))
    got = {(c.path, c.op) for c in action.changes}
    assert got == {
        ("components[BODY].text", "change"),
        ("components[FOOTER]", "add"),
        ("messageSendTtlSeconds", "remove"),
    }


def test_ordering_within_a_name_and_deletes_last():
    remotes = [
        remote(name="a_old", state="APPROVED"),
        remote(name="bb", lang="DE", state="APPROVED"),
        remote(name="bb", lang="EN_US", state="APPROVED"),
    ]
    wanted = [
        desired(name="bb", lang="FR"),
        desired(name="bb", lang="EN_US", body=NEW_BODY),
        desired(name="bb", lang="DE", body=NEW_BODY),
        desired(name="bb", lang="ES"),
        desired(name="a_new"),
    ]
    plan = diff(wanted, remotes, DiffSettings(prune=True))
    got = [(a.action, a.name, a.language) for a in plan.actions]
    assert got == [
        ("create", "a_new", "EN_US"),
        ("create", "bb", "ES"),
        ("create", "bb", "FR"),
        ("update", "bb", "DE"),
        ("update", "bb", "EN_US"),
        ("delete", "a_old", "EN_US"),
    ]
    assert set(plan.fingerprints) == {f"{n}/{lang}" for _, n, lang in got}


def test_submitted_edits_are_read_from_activities_newest_first():
    from waform.activities import submitted_edits

    activities = [
        {"type": "DRAFT", "created": "2026-05-05T10:00:00Z"},
        {"type": "EDITED", "created": "2026-05-05T10:00:00Z"},  # saved as a draft: not counted
        {"type": "IN_PROGRESS", "created": "2026-05-04T10:00:00Z"},
        {"type": "EDITED", "created": "2026-05-04T10:00:00Z"},  # submitted edit: counted
        {"type": "IN_PROGRESS", "created": "2026-05-03T10:00:00Z"},
        {"type": "EDITED", "created": "2026-05-03T10:00:00Z"},  # edit of a rejected template
        {"type": "REJECTED", "created": "2026-05-02T10:00:00Z"},
        {"type": "IN_PROGRESS", "created": "2026-05-01T10:00:00Z"},
        {"type": "CREATED", "created": "2026-05-01T10:00:00Z"},
    ]
    assert submitted_edits(activities) == [datetime(2026, 5, 4, 10, tzinfo=UTC)]
