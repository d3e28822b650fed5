"""Meta's lifecycle in the emulator: review, approve/reject, edits, limits, deletes, blocks.

Driven over HTTP (in-process transport, contract-checked responses) with the control API for
what Meta and time do.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from emulator_helpers import API, PROJECT, body_component, client, create_body, details, error_code
from waform.emulator import EmulatorControl, EmulatorSettings

T = f"{API}/order_shipped/languages/EN_US"
DAY = 86_400


def get(api: httpx.Client, url: str = T) -> dict:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def patch(api: httpx.Client, body: dict, url: str = T) -> httpx.Response:
    return api.patch(url, json=body)


def test_full_lifecycle(api: httpx.Client, control: EmulatorControl) -> None:
    # create → in review
    created = api.post(API, json=create_body("order_shipped")).json()
    assert created["changes"]["status"] == "IN_PROGRESS" and created["state"] == "PENDING"
    # no edit while in review
    busy = patch(api, {"status": "SUBMIT", "details": details("Hello {{1}}, it shipped today.")})
    assert busy.status_code == 409 and error_code(busy) == "template_changes_not_updatable"

    # the review is decided by the emulator clock, on the next read
    control.set_review_delay(60)
    assert get(api)["changes"]["status"] == "IN_PROGRESS"
    control.advance(2)  # the default delay (2 s) has passed
    approved = get(api)
    assert approved["state"] == "APPROVED" and "changes" not in approved
    assert approved["details"] == details()
    assert approved["whatsappId"].isdigit() and approved["qualityScore"] == "QUALITY_SCORE_UNKNOWN"

    # edit → live content stays, the change is reviewed
    edited = patch(api, {"status": "SUBMIT", "details": details("Hello {{1}}, it shipped today.")})
    assert edited.status_code == 200
    body = edited.json()
    assert body["state"] == "APPROVED" and body["details"] == details()
    assert body["changes"]["status"] == "IN_PROGRESS"
    assert body["changes"]["details"] == details("Hello {{1}}, it shipped today.")
    control.advance(61)
    re_approved = get(api)
    assert re_approved["details"] == details("Hello {{1}}, it shipped today.")
    assert re_approved["whatsappId"] == approved["whatsappId"]

    # a rejected edit keeps the live content
    assert (
        patch(api, {"status": "SUBMIT", "details": details("{{1}} is the bad start.")}).status_code
        == 424
    )
    control.advance(DAY)
    patch(
        api, {"status": "SUBMIT", "details": details("{{1}} is the bad start.")}
    ).raise_for_status()
    control.advance(61)
    rejected = get(api)
    assert rejected["state"] == "APPROVED" and rejected["changes"]["status"] == "REJECTED"
    assert rejected["rejectionCode"] == "INVALID_FORMAT"
    assert rejected["details"] == details("Hello {{1}}, it shipped today.")

    # delete → the name+language is blocked for 30 days
    assert api.delete(f"{API}/order_shipped").status_code == 204
    blocked = api.post(API, json=create_body("order_shipped"))
    assert blocked.status_code == 409 and error_code(blocked) == "template_name_recently_used"
    control.advance(days=29)
    assert (
        error_code(api.post(API, json=create_body("order_shipped")))
        == "template_name_recently_used"
    )
    control.advance(days=1.01)
    assert api.post(API, json=create_body("order_shipped")).status_code == 201


def test_rejections_follow_the_documented_rules(
    api: httpx.Client, control: EmulatorControl
) -> None:
    cases = {
        "leading_var": create_body("leading_var", text="{{1}}, your order has shipped."),
        "trailing_var": create_body("trailing_var", text="Your order has shipped, {{1}}"),
        "wa_me_link": create_body("wa_me_link"),
        "promo_utility": create_body("promo_utility", text="Hi {{1}}, get a 20% off discount now."),
        "fine_one": create_body("fine_one", text="Hi {{1}}, thanks for your order."),
    }
    cases["wa_me_link"]["details"]["components"].append(
        {
            "type": "BUTTONS",
            "buttons": [{"type": "URL", "text": "Chat", "url": "https://wa.me/123"}],
        }
    )
    for body in cases.values():
        assert api.post(API, json=body).status_code == 201
    decided = {t["name"]: t for t in control.complete_reviews(PROJECT)}
    for name in ("leading_var", "trailing_var", "wa_me_link"):
        assert decided[name]["state"] == "REJECTED"
        assert decided[name]["rejectionCode"] == "INVALID_FORMAT"
        assert decided[name]["changes"]["status"] == "REJECTED"
    # Meta's rule since 2025-04-09: promotional UTILITY content is approved as MARKETING
    assert decided["promo_utility"]["state"] == "APPROVED"
    assert decided["promo_utility"]["category"] == "MARKETING"
    assert decided["fine_one"]["state"] == "APPROVED"
    activity = api.get(f"{API}/leading_var/languages/EN_US/activities").json()["notifications"][0]
    assert activity["type"] == "REJECTED" and "variable" in activity["comment"]


def test_a_rejected_template_is_fixed_and_resubmitted(
    api: httpx.Client, control: EmulatorControl
) -> None:
    api.post(API, json=create_body("order_shipped", text="{{1}} shipped it."))
    control.complete_reviews(PROJECT)
    fixed = patch(api, {"status": "SUBMIT", "details": details("Hi {{1}}, we shipped it.")})
    assert fixed.status_code == 200
    assert fixed.json()["state"] == "PENDING" and "rejectionCode" not in fixed.json()
    [done] = control.complete_reviews(PROJECT)
    assert done["state"] == "APPROVED" and done["details"] == details("Hi {{1}}, we shipped it.")


def test_category_rules(api: httpx.Client, control: EmulatorControl) -> None:
    # never submitted: category may change
    api.post(API, json=create_body("order_shipped", status="DRAFT"))
    changed = patch(api, {"category": "MARKETING", "allowCategoryChange": True})
    assert changed.status_code == 200 and changed.json()["category"] == "MARKETING"
    assert changed.json()["changes"] == {
        "status": "DRAFT",
        "allowCategoryChange": True,
        "details": details(),
    }
    patch(api, {"category": "UTILITY", "allowCategoryChange": False}).raise_for_status()
    # approved: category and allowCategoryChange are frozen (same value is fine)
    patch(api, {"status": "SUBMIT"}).raise_for_status()
    control.complete_reviews(PROJECT)
    frozen = patch(api, {"category": "MARKETING"})
    assert frozen.status_code == 409 and error_code(frozen) == "template_category_not_updatable"
    allow = patch(api, {"allowCategoryChange": True})
    assert allow.status_code == 409
    assert error_code(allow) == "template_allow_category_change_not_updatable"
    assert patch(api, {"category": "UTILITY"}).status_code == 200


def test_incorrect_category_rejection_unlocks_the_category(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.set_rewrites(literal=True)  # the rule before 2025-04-09: rejected, not moved
    promo = "Hi {{1}}, use coupon SPRING for your next order."
    api.post(API, json=create_body("order_shipped", text=promo))
    [rejected] = control.complete_reviews(PROJECT)
    assert rejected["rejectionCode"] == "INCORRECT_CATEGORY"
    moved = patch(api, {"status": "SUBMIT", "category": "MARKETING"})
    assert moved.status_code == 200, moved.text
    [approved] = control.complete_reviews(PROJECT)
    assert approved["state"] == "APPROVED" and approved["category"] == "MARKETING"


def test_allow_category_change_lets_meta_recategorise(
    api: httpx.Client, control: EmulatorControl
) -> None:
    body = create_body(
        "order_shipped", text="Hi {{1}}, here is your discount code.", allowCategoryChange=True
    )
    api.post(API, json=body)
    [approved] = control.complete_reviews(PROJECT)
    assert approved["state"] == "APPROVED" and approved["category"] == "MARKETING"


def test_new_language_must_reuse_the_category_on_patch(api: httpx.Client) -> None:
    api.post(API, json=create_body("order_shipped", "EN_US", status="DRAFT"))
    api.post(API, json=create_body("order_shipped", "DE", status="DRAFT"))
    clash = patch(api, {"category": "MARKETING"})
    assert clash.status_code == 409 and error_code(clash) == "template_incorrect_category"


def test_patch_defaults_to_draft_and_submits_a_draft(
    api: httpx.Client, control: EmulatorControl
) -> None:
    api.post(API, json=create_body("order_shipped"))
    control.complete_reviews(PROJECT)
    draft = patch(api, {"details": details("Hi {{1}}, a draft edit here.")}).json()
    assert draft["changes"]["status"] == "DRAFT" and draft["state"] == "APPROVED"
    redraft = patch(api, {"details": details("Hi {{1}}, another draft edit.")}).json()
    assert redraft["changes"]["details"] == details("Hi {{1}}, another draft edit.")
    submitted = patch(api, {"status": "SUBMIT"}).json()  # submits the stored draft
    assert submitted["changes"]["status"] == "IN_PROGRESS"
    assert submitted["changes"]["details"] == details("Hi {{1}}, another draft edit.")


def test_submitting_a_draft_without_content_is_invalid(api: httpx.Client) -> None:
    body = create_body("empty_draft", status="DRAFT")
    del body["details"]
    created = api.post(API, json=body)
    assert created.status_code == 201 and "details" not in created.json()["changes"]
    response = patch(api, {"status": "SUBMIT"}, f"{API}/empty_draft/languages/EN_US")
    assert response.status_code == 400 and error_code(response) == "invalid_input"


def test_approved_templates_allow_one_edit_per_day_and_ten_per_month(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.add_template(PROJECT, "order_shipped", "EN_US", "UTILITY", details())
    for i in range(10):
        edit = patch(
            api, {"status": "SUBMIT", "details": details(f"Hi {{{{1}}}}, edit number {i}.")}
        )
        assert edit.status_code == 200, (i, edit.text)
        control.complete_reviews(PROJECT)
        second = patch(api, {"status": "SUBMIT", "details": details("Hi {{1}}, one more edit.")})
        assert second.status_code == 424 and error_code(second) == "template_submit_error"
        assert second.json()["additionalInformation"]["metaError"]["subcode"] == "2388039"
        control.advance(days=1.01)
    eleventh = patch(api, {"status": "SUBMIT", "details": details("Hi {{1}}, the eleventh edit.")})
    assert error_code(eleventh) == "template_submit_error"
    control.advance(days=20)
    assert (
        patch(api, {"status": "SUBMIT", "details": details("Hi {{1}}, later on.")}).status_code
        == 200
    )


def test_paused_and_rejected_templates_have_no_edit_limit(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.add_template(PROJECT, "order_shipped", "EN_US", "UTILITY", details(), state="PAUSED")
    for i in range(3):
        patch(
            api, {"status": "SUBMIT", "details": details(f"Hi {{{{1}}}}, paused edit {i}.")}
        ).raise_for_status()
        control.complete_reviews(PROJECT, outcome="REJECTED", rejection_code="SCAM")
    assert get(api)["rejectionCode"] == "SCAM"


def test_state_gates_for_updates(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "order_shipped", "EN_US", "UTILITY", details())
    for state in ("DISABLED", "PAUSED", "REJECTED", "APPROVED"):
        control.set_state(PROJECT, "order_shipped", "EN_US", state)
        assert patch(api, {"details": details("Hi {{1}}, draft under state.")}).status_code == 200
    control.set_state(PROJECT, "order_shipped", "EN_US", "PENDING")
    pending = patch(api, {"details": details("Hi {{1}}, not allowed now.")})
    assert pending.status_code == 409 and error_code(pending) == "template_not_updatable"


def test_meta_generated_templates_are_read_only(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.add_template(
        PROJECT, "order_shipped", "EN_US", "UTILITY", details(), meta_generated=True
    )
    assert get(api)["isMetaGenerated"] is True
    refused = patch(api, {"details": details("Hi {{1}}, can I edit this?")})
    assert refused.status_code == 409 and error_code(refused) == "template_source_not_updatable"


def test_delete_language_rules(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "order_shipped", "EN_US", "UTILITY", details())
    # submitted without pending changes: refused unless deleteSubmitted (OpenAPI's description)
    none = api.delete(T)
    assert none.status_code == 409
    assert error_code(none) == "template_not_deletable_due_to_input_config"
    # a draft change is dropped, the live template stays
    patch(api, {"details": details("Hi {{1}}, just a draft.")}).raise_for_status()
    assert api.delete(T).status_code == 204
    kept = get(api)
    assert kept["state"] == "APPROVED" and "changes" not in kept
    # an edit in review cannot be deleted that way
    patch(
        api, {"status": "SUBMIT", "details": details("Hi {{1}}, in review now.")}
    ).raise_for_status()
    locked = api.delete(T)
    assert locked.status_code == 409
    assert error_code(locked) == "template_not_deletable_due_to_input_config"
    # deleteSubmitted removes it and blocks the language for 30 days
    assert api.delete(T, params={"deleteSubmitted": "true"}).status_code == 204
    again = api.post(API, json=create_body("order_shipped"))
    assert again.status_code == 409 and error_code(again) == "template_language_recently_deleted"
    assert api.post(API, json=create_body("order_shipped", "DE")).status_code == 201
    control.advance(days=30.01)
    assert api.post(API, json=create_body("order_shipped")).status_code == 201


def test_never_submitted_drafts_leave_no_block(api: httpx.Client) -> None:
    api.post(API, json=create_body("order_shipped", status="DRAFT"))
    assert api.delete(f"{API}/order_shipped").status_code == 204
    assert api.post(API, json=create_body("order_shipped", status="DRAFT")).status_code == 201
    assert api.delete(T).status_code == 204
    assert api.post(API, json=create_body("order_shipped")).status_code == 201


def test_optimization_patch_semantics(api: httpx.Client, control: EmulatorControl) -> None:
    optimization = {
        "bidAmount": 5000,
        "bidStrategy": "LOWEST_COST_WITH_BID_CAP",
        "bidCountryMultiplierOverrides": {"DE": "1.5"},
    }
    body = create_body("promo", category="MARKETING", text="Hi {{1}}, new arrivals are here.")
    body["details"]["optimization"] = optimization
    body["details"]["messageSendTtlSeconds"] = 86_400
    api.post(API, json=body)
    control.complete_reviews(PROJECT)
    url = f"{API}/promo/languages/EN_US"
    kept = patch(api, {"details": {"messageSendTtlSeconds": 43_200}}, url).json()["changes"][
        "details"
    ]
    assert kept["optimization"]["bidStrategy"] == "BID_STRATEGY_LOWEST_COST_WITH_BID_CAP"
    assert (
        kept["messageSendTtlSeconds"] == 43_200
        and kept["components"] == body["details"]["components"]
    )
    cleared = patch(api, {"details": {"optimization": None}}, url).json()["changes"]["details"]
    assert "optimization" not in cleared
    short = patch(api, {"details": {"messageSendTtlSeconds": 60}}, url)
    assert (
        short.status_code == 400
        and "43200" in short.json()["additionalInformation"]["validationErrors"][0]
    )


def test_reviews_move_on_between_in_process_runs(tmp_path: Path) -> None:
    """Each CLI command has its own short-lived in-process emulator on the same file."""
    state = tmp_path / "state.sqlite3"
    settings = EmulatorSettings(state_path=state, review_delay=0.3)
    with client(state, settings=settings) as first:
        assert first.post(API, json=create_body("order_shipped")).status_code == 201
    import time

    time.sleep(0.4)
    with client(state, settings=settings) as second:
        assert get(second)["state"] == "APPROVED"


def test_template_limit_and_save_draft_on_failure() -> None:
    with client(settings=EmulatorSettings(template_limit=1)) as api:
        assert api.post(API, json=create_body("first_one")).status_code == 201
        refused = api.post(API, json=create_body("second_one"))
        assert refused.status_code == 424 and error_code(refused) == "template_limit_reached"
        assert api.get(f"{API}/second_one").status_code == 404
        kept = api.post(API, json=create_body("third_one", saveDraftOnFailure=True))
        assert kept.status_code == 424
        assert get(api, f"{API}/third_one/languages/EN_US")["changes"]["status"] == "DRAFT"


def test_out_of_band_template_and_meta_events(api: httpx.Client, control: EmulatorControl) -> None:
    dto = control.add_template(
        PROJECT, "order_shipped", "EN_US", "UTILITY", {"components": [body_component()]}
    )
    assert dto["state"] == "APPROVED" and dto["whatsappId"]
    control.set_quality(PROJECT, "order_shipped", "EN_US", "QUALITY_SCORE_RED")
    control.set_category(PROJECT, "order_shipped", "EN_US", "MARKETING")
    live = get(api)
    assert live["qualityScore"] == "QUALITY_SCORE_RED" and live["category"] == "MARKETING"
    control.set_state(PROJECT, "order_shipped", "EN_US", "REJECTED", rejection_code="SCAM")
    assert get(api)["rejectionCode"] == "SCAM"
