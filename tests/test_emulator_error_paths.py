"""One row per documented error path of the Provisioning API (OpenAPI + error catalogue).

Each row is the request that triggers the error in the documented situation, the documented
status and ``errorCode``; the body is checked for the PAPI error shape and, when the reference
OpenAPI file is present, against the operation's documented response. Paths the emulator
cannot produce are listed in docs/round-trip.md ("Error paths not emulated").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from emulator_helpers import API, PROJECT, client, create_body, details, error_code
from openapi_contract import _contract, spec_available
from waform.emulator import EmulatorControl, EmulatorSettings

T = f"{API}/shipped/languages/EN_US"
Setup = Callable[[EmulatorControl], Any]


def _approved(control: EmulatorControl) -> None:
    control.add_template(PROJECT, "shipped", "EN_US", "UTILITY", details())


def _in_review(control: EmulatorControl) -> None:
    control.client.post(API, json=create_body("shipped")).raise_for_status()


def _pending(control: EmulatorControl) -> None:
    _approved(control)
    control.set_state(PROJECT, "shipped", "EN_US", "PENDING")


def _meta_generated(control: EmulatorControl) -> None:
    control.add_template(PROJECT, "shipped", "EN_US", "UTILITY", details(), meta_generated=True)


def _deleted(control: EmulatorControl) -> None:
    _in_review(control)
    control.client.delete(f"{API}/shipped").raise_for_status()


def _deleted_submitted(control: EmulatorControl) -> None:
    _approved(control)
    control.client.delete(T, params={"deleteSubmitted": "true"}).raise_for_status()


def _two_to_compare(control: EmulatorControl) -> None:
    _approved(control)
    control.add_template(PROJECT, "other", "EN_US", "UTILITY", details())


def _fault(kind: str) -> Setup:
    return lambda control: control.set_faults(script=[kind])


def _compare(name: str) -> dict[str, Any]:
    return {"json": {"templates": [{"templateName": name, "templateLanguage": "EN_US"}]}}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    status: int
    code: str
    setup: Setup | None = None
    request: dict[str, Any] = field(default_factory=dict)
    settings: EmulatorSettings | None = None


STRICT = EmulatorSettings(strict_projects=True, projects=("known",))
ONE_TEMPLATE = EmulatorSettings(template_limit=1)
BAD_URL = {"type": "URL", "text": "Open", "url": "https://www.whatsapp.com/x"}

ROWS: dict[str, Row] = {
    # listTemplates
    "list/project_not_initialized": Row(
        "GET", API, 400, "project_not_initialized", settings=STRICT
    ),
    "list/invalid_page_size": Row(
        "GET", API, 400, "invalid_page_size", request={"params": {"pageSize": 0}}
    ),
    "list/invalid_page_token": Row(
        "GET", API, 400, "invalid_page_token", request={"params": {"pageToken": "x"}}
    ),
    "list/invalid_filter_states": Row(
        "GET", API, 400, "invalid_filter_states", request={"params": {"filterStates": "ACTIVE"}}
    ),
    "list/invalid_filter_statuses": Row(
        "GET", API, 400, "invalid_filter_statuses", request={"params": {"filterStatuses": "DONE"}}
    ),
    "list/invalid_fields": Row(
        "GET", API, 400, "invalid_fields", request={"params": {"fieldMask": "name,nope"}}
    ),
    "list/internal_error-fault": Row("GET", API, 500, "internal_error", _fault("error")),
    # createTemplate
    "create/invalid_input": Row(
        "POST",
        API,
        400,
        "invalid_input",
        request={"json": create_body("shipped", category="PROMO")},
    ),
    "create/project_not_initialized": Row(
        "POST",
        API,
        400,
        "project_not_initialized",
        request={"json": create_body("shipped")},
        settings=STRICT,
    ),
    "create/template_exists": Row(
        "POST", API, 409, "template_exists", _in_review, {"json": create_body("shipped")}
    ),
    "create/template_name_recently_used": Row(
        "POST", API, 409, "template_name_recently_used", _deleted, {"json": create_body("shipped")}
    ),
    "create/template_language_recently_deleted": Row(
        "POST",
        API,
        409,
        "template_language_recently_deleted",
        _deleted_submitted,
        {"json": create_body("shipped")},
    ),
    "create/template_incorrect_category": Row(
        "POST",
        API,
        409,
        "template_incorrect_category",
        _in_review,
        {"json": create_body("shipped", "DE", category="MARKETING")},
    ),
    "create/template_restricted_Domain_for_button_url": Row(
        "POST",
        API,
        409,
        "template_restricted_Domain_for_button_url",
        request={
            "json": create_body(
                "shipped",
                details={
                    "components": [
                        {"type": "BODY", "text": "Hi there."},
                        {"type": "BUTTONS", "buttons": [BAD_URL]},
                    ]
                },
            )
        },
    ),
    "create/template_limit_reached": Row(
        "POST",
        API,
        424,
        "template_limit_reached",
        _in_review,
        {"json": create_body("second")},
        ONE_TEMPLATE,
    ),
    "create/resource_locked-fault": Row(
        "POST", API, 409, "resource_locked", _fault("locked"), {"json": create_body("shipped")}
    ),
    "create/request_limit-fault": Row(
        "POST",
        API,
        429,
        "whatsapp_business_api_request_limit_exceeded",
        _fault("throttle"),
        {"json": create_body("shipped")},
    ),
    # listTemplatesByName / deleteTemplatesByName
    "by-name/template_not_found": Row("GET", f"{API}/ghost", 404, "template_not_found"),
    "by-name/invalid_fields": Row(
        "GET", f"{API}/shipped", 400, "invalid_fields", _approved, {"params": {"fieldMask": "nope"}}
    ),
    "delete-name/template_not_found": Row("DELETE", f"{API}/ghost", 404, "template_not_found"),
    # getTemplate
    "get/template_invalid_language_code": Row(
        "GET", f"{API}/shipped/languages/en%20US!", 400, "template_invalid_language_code"
    ),
    "get/template_not_found": Row("GET", T, 404, "template_not_found"),
    "get/invalid_fields": Row(
        "GET", T, 400, "invalid_fields", _approved, {"params": {"fieldMask": "nope"}}
    ),
    # deleteTemplateByNameAndLanguage
    "delete/template_not_found": Row("DELETE", T, 404, "template_not_found"),
    "delete/template_not_deletable_due_to_input_config": Row(
        "DELETE", T, 409, "template_not_deletable_due_to_input_config", _approved
    ),
    # updateTemplate
    "update/template_not_found": Row(
        "PATCH", T, 404, "template_not_found", request={"json": {"details": details()}}
    ),
    "update/template_not_updatable": Row(
        "PATCH",
        T,
        409,
        "template_not_updatable",
        _pending,
        {"json": {"details": details("Hi {{1}}, edited.")}},
    ),
    "update/template_changes_not_updatable": Row(
        "PATCH",
        T,
        409,
        "template_changes_not_updatable",
        _in_review,
        {"json": {"details": details("Hi {{1}}, edited.")}},
    ),
    "update/template_category_not_updatable": Row(
        "PATCH",
        T,
        409,
        "template_category_not_updatable",
        _approved,
        {"json": {"category": "MARKETING"}},
    ),
    "update/template_source_not_updatable": Row(
        "PATCH",
        T,
        409,
        "template_source_not_updatable",
        _meta_generated,
        {"json": {"details": details("Hi {{1}}, edited.")}},
    ),
    # listActivities / createComment
    "activities/template_not_found": Row("GET", f"{T}/activities", 404, "template_not_found"),
    "activities/invalid_page_size": Row(
        "GET", f"{T}/activities", 400, "invalid_page_size", _approved, {"params": {"pageSize": 101}}
    ),
    "comment/invalid_input": Row(
        "POST", f"{T}/comments", 400, "invalid_input", _approved, {"json": {"comment": ""}}
    ),
    "comment/template_not_found": Row(
        "POST", f"{T}/comments", 404, "template_not_found", request={"json": {"comment": "x"}}
    ),
    # compareTemplates
    "compare/invalid_input": Row(
        "POST", f"{T}/compare", 400, "invalid_input", _approved, {"json": {"templates": []}}
    ),
    "compare/template_not_found": Row(
        "POST", f"{T}/compare", 404, "template_not_found", request=_compare("other")
    ),
    "compare/templates_compare_not_found": Row(
        "POST", f"{T}/compare", 404, "templates_compare_not_found", _approved, _compare("ghost")
    ),
    "compare/templates_compare_not_unique": Row(
        "POST", f"{T}/compare", 409, "templates_compare_not_unique", _approved, _compare("shipped")
    ),
    "compare/templates_not_eligible_for_comparison": Row(
        "POST",
        f"{T}/compare",
        409,
        "templates_not_eligible_for_comparison",
        _two_to_compare,
        _compare("other"),
    ),
    # syncTemplates
    "sync/project_not_initialized": Row(
        "POST", f"{API}/sync", 400, "project_not_initialized", settings=STRICT
    ),
    "sync/unauthorized_error": Row(
        "POST", f"{API}/sync", 401, "unauthorized_error", request={"auth": ("local", "wrong")}
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_documented_error_path(row: Row) -> None:
    with client(settings=row.settings, contract=False) as http:
        if row.setup is not None:
            row.setup(EmulatorControl(http))
        response = http.request(row.method, row.path, **row.request)
    assert (response.status_code, error_code(response)) == (row.status, row.code), response.text
    body = response.json()
    assert {"errorCode", "message", "resolution"} <= set(body)
    assert body["message"] and body["resolution"]
    if spec_available():
        _contract(True).check_response(row.method, row.path, response.status_code, body)
