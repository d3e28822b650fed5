"""Plan-time rules: the desired templates against what the target already holds.

``check_plan`` is pure; these tests give it the pairs of desired templates from YAML and remote
templates as the Sinch API returns them (``WhatsappTemplateDto`` JSON).
"""

from __future__ import annotations

from typing import Any

from waform.diagnostics import Diagnostic
from waform.inventory import pair
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate, SourceRef, TemplateFile
from waform.rules import RuleSettings
from waform.rules import check_plan as check_pairs

BODY = "Hi {{1}}, your order {{2}} is ready for pickup at our Main Street store today."


def _desired(name: str, category: str = "UTILITY", languages: tuple[str, ...] = ("EN_US",),
             body: str = BODY, rules: dict[str, str] | None = None) -> list[DesiredTemplate]:  # fmt: skip
    data = {
        "name": name,
        "category": category,
        "rules": rules or {},
        "languages": {
            code: {
                "details": {
                    "components": [
                        {"type": "BODY", "text": body, "examples": ["Anna", "A-1042"]},
                    ]
                }
            }
            for code in languages
        },
    }
    return TemplateFile.model_validate(data).desired(SourceRef(f"templates/{name}.yaml", 2, 1))


def _remote(name: str, language: str = "EN_US", category: str = "UTILITY",
            state: str = "APPROVED", body: str = BODY, footer: str | None = None) -> RemoteTemplate:  # fmt: skip
    components: list[dict[str, Any]] = [{"type": "BODY", "text": body, "examples": ["x", "y"]}]
    if footer:
        components.append({"type": "FOOTER", "text": footer})
    return RemoteTemplate.model_validate(
        {
            "name": name,
            "language": language,
            "category": category,
            "state": state,
            "details": {"components": components},
            "analytics": [],
            "isMetaGenerated": False,
        }
    )


def check_plan(
    desired: list[DesiredTemplate],
    remote: list[RemoteTemplate],
    settings: RuleSettings | None = None,
    **options: Any,
) -> list[Diagnostic]:
    return check_pairs(pair(desired, remote), settings, **options).diagnostics


def test_approved_category_cannot_change() -> None:
    desired = _desired("order_ready", category="MARKETING")
    remote = [_remote("order_ready", category="UTILITY", state="APPROVED")]
    [diagnostic] = check_plan(desired, remote)
    assert diagnostic.code == "WA-C2" and diagnostic.severity == "error"
    assert (diagnostic.path, diagnostic.line, diagnostic.column) == (
        "templates/order_ready.yaml",
        2,
        1,
    )
    assert "set category: UTILITY" in diagnostic.message


def test_meta_s_recategorisation_is_left_to_the_plan_s_note() -> None:
    desired = _desired("order_ready", category="UTILITY")
    remote = [_remote("order_ready", category="MARKETING", state="APPROVED")]
    assert check_plan(desired, remote) == []


def test_category_change_of_a_rejected_template_is_fine() -> None:
    desired = _desired("order_ready", category="UTILITY")
    assert (
        check_plan(desired, [_remote("order_ready", category="MARKETING", state="REJECTED")]) == []
    )
    assert check_plan(desired, [_remote("order_ready", category="UTILITY")]) == []


def test_new_language_with_another_category_is_refused() -> None:
    """Sinch answers 409 template_incorrect_category: an API refusal, so an error."""
    desired = _desired("order_ready", category="UTILITY", languages=("EN_US", "DE"))
    remote = [_remote("order_ready", "EN_US", category="UTILITY", state="REJECTED"),
              _remote("order_ready", "FR", category="MARKETING")]  # fmt: skip
    codes = [(d.code, d.severity) for d in check_plan(desired, remote)]
    assert codes == [("WA-C4", "error")]
    # the per-template rules key applies to plan-time rules too
    quiet = _desired("order_ready", languages=("EN_US", "DE"), rules={"WA-C4": "off"})
    assert check_plan(quiet, remote) == []


def test_template_count_limits_warn_at_the_creation_that_crosses_them() -> None:
    remote = [_remote(f"existing_{i}", body=f"Existing template number {i} says {{{{1}}}} hi.")
              for i in range(249)]  # fmt: skip
    desired = _desired("new_one") + _desired("new_two", body=BODY.replace("today", "now"))
    diagnostics = check_plan(desired, remote)
    assert [(d.code, d.severity) for d in diagnostics] == [("WA-LC4", "warning")]
    assert "new_two" in diagnostics[0].message and "250" in diagnostics[0].message
    # deletions in the same plan make room
    assert check_plan(desired, remote, removed={("existing_0", "EN_US")}) == []


def test_creation_rate_warns_beyond_100_per_plan() -> None:
    desired = [t for i in range(101) for t in _desired(f"bulk_{i}", body=BODY + f" Ref {i}.")]
    diagnostics = check_plan(desired, [])
    assert [d.code for d in diagnostics] == ["WA-LC5"]
    # the 101st creation in plan (and apply) order: keys sorted, so bulk_99
    assert "from bulk_99 EN_US on" in diagnostics[0].message
    assert check_plan(desired[:100], []) == []


def test_same_text_as_an_unmanaged_remote_template_warns() -> None:
    desired = _desired("order_ready_v2")
    remote = [_remote("order_ready_legacy", footer=None)]
    [diagnostic] = check_plan(desired, remote)
    assert diagnostic.code == "WA-LC8" and "order_ready_legacy" in diagnostic.message
    # the same name is an update, not a duplicate; a different footer is different content
    assert check_plan(desired, [_remote("order_ready_v2")]) == []
    assert check_plan(desired, [_remote("order_ready_legacy", footer="Main Street")]) == []
    assert check_plan(desired, remote, removed={("order_ready_legacy", "EN_US")}) == []
    # whitespace does not make wording different; another language of a name git manages is
    # that name's, not a duplicate
    spaced = _remote("order_ready_legacy", body=BODY.replace(" ", " \n "))
    assert [d.code for d in check_plan(desired, [spaced])] == ["WA-LC8"]
    assert check_plan(desired, [_remote("order_ready_v2", language="DE")]) == []


def test_plan_rules_respect_overrides_and_strict() -> None:
    desired = _desired("order_ready_v2")
    remote = [_remote("order_ready_legacy")]
    assert check_plan(desired, remote, RuleSettings(overrides={"WA-LC8": "off"})) == []
    [strict] = check_plan(desired, remote, RuleSettings(strict=True))
    assert strict.severity == "error"


def test_desired_template_without_source_is_named_in_the_location() -> None:
    desired = [
        DesiredTemplate(
            name=t.name,
            language=t.language,
            category=t.category,
            status=t.status,
            allow_category_change=False,
            save_draft_on_failure=False,
            details=t.details,
        )
        for t in _desired("order_ready", category="MARKETING")
    ]
    [diagnostic] = check_plan(desired, [_remote("order_ready", category="UTILITY")])
    assert diagnostic.path == "order_ready (EN_US)"
