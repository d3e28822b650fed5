"""The emulator's Sinch API over HTTP: every operation, pagination, filters, fieldMask, errors.

Every response below passes through a hook that validates it against Sinch's OpenAPI file
(``tests/openapi_contract.py``; skipped when ``../shared`` is absent).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from emulator_helpers import API, PROJECT, client, create_body, details, error_code
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.model.enums import LANGUAGE_CODES


@pytest.fixture
def api() -> Iterator[httpx.Client]:
    with client() as http:
        yield http


@pytest.fixture
def control(api: httpx.Client) -> EmulatorControl:
    return EmulatorControl(api)


def test_create_submit_answers_201_with_the_change_in_progress(api: httpx.Client) -> None:
    response = api.post(API, json=create_body("order_shipped"))
    assert response.status_code == 201
    dto = response.json()
    assert dto["name"] == "order_shipped" and dto["language"] == "EN_US"
    assert dto["category"] == "UTILITY"
    assert dto["state"] == "PENDING"
    assert dto["changes"]["status"] == "IN_PROGRESS"
    assert dto["changes"]["details"] == details()
    assert "details" not in dto and "whatsappId" not in dto
    assert dto["isMetaGenerated"] is False
    assert dto["analytics"][0]["sent"] == 0


def test_create_draft_has_no_state_and_get_returns_it(api: httpx.Client) -> None:
    assert api.post(API, json=create_body("welcome", status="DRAFT")).status_code == 201
    got = api.get(f"{API}/welcome/languages/EN_US")
    assert got.status_code == 200
    assert got.json()["changes"]["status"] == "DRAFT"
    assert "state" not in got.json()


def test_create_without_status_submits_as_the_schema_default_says(api: httpx.Client) -> None:
    body = create_body("no_status")
    del body["status"]
    assert api.post(API, json=body).json()["changes"]["status"] == "IN_PROGRESS"


def test_response_shape_keeps_single_example_and_adds_meta_fields(api: httpx.Client) -> None:
    body = create_body("rich_template")
    body["details"] = {
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "examples": ["A-1"]},
            {"type": "BODY", "text": "Hi {{1}}, your code is ready now.", "examples": ["Anna"]},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Track",
                        "url": "https://example.com/t/{{1}}",
                        "example": "https://example.com/t/A-1",
                    },
                    {"type": "COPY_CODE", "example": "WINTER27"},
                ],
            },
        ],
        "messageSendTtlSeconds": 3600,
        "optimization": {"bidAmount": 5000, "bidStrategy": "LOWEST_COST_WITH_BID_CAP"},
    }
    dto = api.post(API, json=body).json()
    header, _, buttons = dto["changes"]["details"]["components"]
    assert header["example"] == "A-1"  # request spelling `examples: [x]` is read as `example`
    assert buttons["buttons"][1] == {
        "type": "COPY_CODE",
        "example": "WINTER27",
        "text": "Copy offer code",
    }
    optimization = dto["changes"]["details"]["optimization"]
    assert optimization["bidStrategy"] == "BID_STRATEGY_LOWEST_COST_WITH_BID_CAP"


# ---------------------------------------------------------------- listing


def _seed(control: EmulatorControl, count: int) -> list[str]:
    names = [f"tpl_{i:04d}" for i in range(count)]
    for name in names:
        control.add_template(PROJECT, name, "EN_US", "UTILITY", details())
    return names


def test_1001_templates_with_page_size_1000_make_two_pages(
    api: httpx.Client, control: EmulatorControl
) -> None:
    names = _seed(control, 1001)
    first = api.get(API, params={"pageSize": 1000}).json()
    assert first["totalSize"] == 1001 and first["pageSize"] == 1000
    assert [t["name"] for t in first["templates"]] == names[:1000]
    assert "previousPageToken" not in first
    second = api.get(API, params={"pageSize": 1000, "pageToken": first["nextPageToken"]}).json()
    assert [t["name"] for t in second["templates"]] == names[1000:]
    assert "nextPageToken" not in second
    back = api.get(API, params={"pageSize": 1000, "pageToken": second["previousPageToken"]})
    assert [t["name"] for t in back.json()["templates"]] == names[:1000]

    default = api.get(API).json()
    assert default["pageSize"] == 50 and len(default["templates"]) == 50
    assert default["templates"][0]["name"] == "tpl_0000"


def test_pages_are_alphabetical_by_name_then_language_and_walk_completely(
    api: httpx.Client, control: EmulatorControl
) -> None:
    for name in ("zeta", "alpha", "mid_one"):
        for language in ("PT_BR", "DE", "EN"):
            control.add_template(PROJECT, name, language, "MARKETING", details())
    seen, token = [], None
    while True:
        params = {"pageSize": 4, **({"pageToken": token} if token else {})}
        page = api.get(API, params=params).json()
        assert page["totalSize"] == 9
        seen += [(t["name"], t["language"]) for t in page["templates"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == sorted(seen) and len(seen) == 9


def test_a_deletion_between_pages_neither_skips_nor_repeats(
    api: httpx.Client, control: EmulatorControl
) -> None:
    names = _seed(control, 6)
    first = api.get(API, params={"pageSize": 3}).json()
    assert api.delete(f"{API}/{names[0]}").status_code == 204
    second = api.get(API, params={"pageSize": 3, "pageToken": first["nextPageToken"]}).json()
    assert [t["name"] for t in second["templates"]] == names[3:]


@pytest.mark.parametrize("size", ["0", "1001", "abc", "2.5", "-1", "NaN"])
def test_bad_page_sizes_are_invalid_page_size(api: httpx.Client, size: str) -> None:
    response = api.get(API, params={"pageSize": size})
    assert response.status_code == 400 and error_code(response) == "invalid_page_size"


def test_page_size_bounds_are_accepted(api: httpx.Client) -> None:
    for size in ("1", "1000", "10.0"):
        assert api.get(API, params={"pageSize": size}).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        base64.urlsafe_b64encode(b"[1,2]").decode(),
        base64.urlsafe_b64encode(json.dumps({"x": ["a", "b"]}).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps({"a": [1]}).encode()).decode(),
    ],
)
def test_bad_page_tokens_are_invalid_page_token(api: httpx.Client, token: str) -> None:
    response = api.get(API, params={"pageToken": token})
    assert response.status_code == 400 and error_code(response) == "invalid_page_token"


def _states_fixture(control: EmulatorControl) -> None:
    control.add_template(PROJECT, "live_one", "EN", "UTILITY", details())
    control.add_template(PROJECT, "paused_one", "EN", "UTILITY", details(), state="PAUSED")
    control.add_template(PROJECT, "rejected_one", "EN", "UTILITY", details(), state="REJECTED")


def test_filter_states_and_statuses(api: httpx.Client, control: EmulatorControl) -> None:
    _states_fixture(control)
    api.post(API, json=create_body("draft_one", status="DRAFT"))
    api.post(API, json=create_body("submitted_one"))

    def names(**params: object) -> list[str]:
        response = api.get(API, params=params)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        return [t["name"] for t in response.json()["templates"]]

    assert names(filterStates="APPROVED") == ["live_one"]
    assert names(filterStates=["PAUSED", "REJECTED"]) == ["paused_one", "rejected_one"]
    assert names(filterStates="PAUSED,REJECTED") == ["paused_one", "rejected_one"]
    assert names(filterStates="PENDING") == ["submitted_one"]
    assert names(filterStatuses="DRAFT") == ["draft_one"]
    assert names(filterStatuses="IN_PROGRESS") == ["submitted_one"]
    assert names(filterStates="APPROVED", filterStatuses="DRAFT") == []
    assert api.get(API, params={"filterStates": "APPROVED"}).json()["totalSize"] == 1


def test_invalid_filters_list_the_supported_codes(api: httpx.Client) -> None:
    response = api.get(API, params={"filterStates": "ACTIVE"})
    assert response.status_code == 400 and error_code(response) == "invalid_filter_states"
    assert response.json()["additionalInformation"]["supportedCodes"] == [
        "APPROVED",
        "DISABLED",
        "PAUSED",
        "PENDING",
        "REJECTED",
    ]
    response = api.get(API, params={"filterStatuses": ["DRAFT", "DONE"]})
    assert response.status_code == 400 and error_code(response) == "invalid_filter_statuses"
    assert "IN_PROGRESS" in response.json()["additionalInformation"]["supportedCodes"]


def test_template_name_is_a_prefix_match(api: httpx.Client, control: EmulatorControl) -> None:
    for name in ("order_shipped", "order_paid", "orders_summary", "welcome"):
        control.add_template(PROJECT, name, "EN", "UTILITY", details())
    page = api.get(API, params={"templateName": "order_"}).json()
    assert [t["name"] for t in page["templates"]] == ["order_paid", "order_shipped"]
    assert page["totalSize"] == 2
    assert api.get(API, params={"templateName": "ORDER"}).json()["totalSize"] == 0
    # Page by page, the token continues the filtered list ("orders_summary" comes next unfiltered).
    query = {"templateName": "order_", "pageSize": 1}
    first = api.get(API, params=query).json()
    second = api.get(API, params={**query, "pageToken": first["nextPageToken"]}).json()
    assert [t["name"] for t in first["templates"] + second["templates"]] == [
        "order_paid",
        "order_shipped",
    ]
    assert "nextPageToken" not in second and second["totalSize"] == 2


def test_field_mask_returns_partial_dtos(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "masked", "EN", "UTILITY", details())
    page = api.get(API, params={"fieldMask": ["name", "state", "details.components.0.text"]})
    assert page.status_code == 200
    assert page.json()["templates"] == [
        {
            "name": "masked",
            "state": "APPROVED",
            "details": {"components": [{"text": details()["components"][0]["text"]}]},
        }
    ]
    one = api.get(f"{API}/masked/languages/EN", params={"fieldMask": "whatsappId,analytics.0.sent"})
    assert set(one.json()) == {"whatsappId", "analytics"}
    assert one.json()["analytics"] == [{"sent": 0}]


def test_unknown_field_mask_is_invalid_fields(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "masked", "EN", "UTILITY", details())
    for url in (API, f"{API}/masked", f"{API}/masked/languages/EN"):
        response = api.get(url, params={"fieldMask": "name,details.cards"})
        assert response.status_code == 400 and error_code(response) == "invalid_fields"
        assert "isMetaGenerated" in response.json()["additionalInformation"]["supportedCodes"]


def test_analytics_follow_the_date_range(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "stats", "EN", "UTILITY", details())

    def window(value: str | None) -> int:
        params = {"templateAnalyticsDateRange": value} if value else {}
        entry = api.get(f"{API}/stats/languages/EN", params=params).json()["analytics"][0]
        from datetime import datetime

        start = datetime.fromisoformat(entry["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(entry["end"].replace("Z", "+00:00"))
        return (end - start).days

    assert [window(v) for v in (None, "DAY", "WEEK", "MONTH", "QUARTER", "YEAR")] == [
        1,
        1,
        7,
        30,
        90,
        1,
    ]


# ---------------------------------------------------------------- by name / language


def test_list_by_name_returns_every_language(api: httpx.Client) -> None:
    for language in ("EN", "DE", "FR"):
        assert api.post(API, json=create_body("greeting", language)).status_code == 201
    page = api.get(f"{API}/greeting").json()
    assert [t["language"] for t in page["templates"]] == ["DE", "EN", "FR"]
    assert page["totalSize"] == 3
    paged = api.get(f"{API}/greeting", params={"pageSize": 2}).json()
    rest = api.get(f"{API}/greeting", params={"pageSize": 2, "pageToken": paged["nextPageToken"]})
    assert [t["language"] for t in rest.json()["templates"]] == ["FR"]
    missing = api.get(f"{API}/nothing_here")
    assert missing.status_code == 404 and error_code(missing) == "template_not_found"


def test_language_codes_are_checked(api: httpx.Client) -> None:
    api.post(API, json=create_body("greeting"))
    for method in ("GET", "PATCH", "DELETE"):
        response = api.request(method, f"{API}/greeting/languages/en%20US!", json={})
        assert response.status_code == 400
        assert error_code(response) == "template_invalid_language_code"
        assert response.json()["additionalInformation"]["supportedCodes"] == list(LANGUAGE_CODES)
    missing = api.get(f"{API}/greeting/languages/DE")
    assert missing.status_code == 404 and error_code(missing) == "template_not_found"


def test_language_outside_sinch_enum_is_accepted_and_spelled_upper_case(api: httpx.Client) -> None:
    """Sinch's client takes any language string: the enum may not cover Meta's whole list."""
    created = api.post(API, json=create_body("greeting", language="fil"))
    assert created.status_code == 201 and created.json()["language"] == "FIL"
    assert api.get(f"{API}/greeting/languages/Fil").json()["language"] == "FIL"
    assert api.get(f"{API}/greeting/languages/en_US").status_code == 404
    # Outside Sinch's enum: the OpenAPI's response enum would not allow it, so no contract here.
    with client(contract=False) as loose:
        other = loose.post(API, json=create_body("greeting", language="fil-PH"))
        assert other.status_code == 201 and other.json()["language"] == "FIL_PH"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (
            {"category": "PROMO"},
            "category must be one of the following values: AUTHENTICATION, MARKETING, UTILITY",
        ),
        ({"name": "_bad"}, "name must match ^[a-z0-9][a-z0-9_]*[a-z0-9]$ regular expression"),
        ({"name": "x" * 513}, "name must be shorter than or equal to 512 characters"),
        ({"language": "english!"}, "language must be a language code such as AF, AR"),
        ({"surprise": 1}, "property surprise should not exist"),
        ({"status": "PUBLISH"}, "status must be one of the following values: DRAFT, SUBMIT"),
        (
            {"details": {"components": [{"type": "FOOTER", "text": "x"}]}},
            "details.components: a BODY component is required",
        ),
        (
            {"details": {"components": [{"type": "BODY", "text": "x" * 1025}]}},
            "details.components.0.text must be shorter than or equal to 1024 characters",
        ),
        (
            {
                "details": {
                    "components": [
                        {"type": "BODY", "text": "ok"},
                        {"type": "HEADER", "format": "IMAGE"},
                    ]
                }
            },
            "details.components.1.example should not be empty",
        ),
        (
            {
                "details": {
                    "components": [{"type": "BODY", "text": "ok"}],
                    "messageSendTtlSeconds": 5,
                }
            },
            "details.messageSendTtlSeconds must be between 30 and 43200 seconds for UTILITY templates",
        ),
        ({"details": None}, "details should not be empty"),
    ],
)
def test_invalid_bodies_are_invalid_input_with_validation_errors(
    api: httpx.Client, patch: dict, expected: str
) -> None:
    body = {**create_body("valid_name"), **patch}
    response = api.post(API, json=body)
    assert response.status_code == 400, response.text
    assert error_code(response) == "invalid_input"
    messages = response.json()["additionalInformation"]["validationErrors"]
    assert any(m.startswith(expected) for m in messages), messages


@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2", '{"name": "\xff"}'.encode("latin-1")])
def test_unparsable_bodies_are_invalid_payload(api: httpx.Client, raw: bytes) -> None:
    response = api.post(API, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "invalid_payload"


def test_non_object_body_is_invalid_input(api: httpx.Client) -> None:
    response = api.post(API, json=[1, 2])
    assert response.status_code == 400 and error_code(response) == "invalid_input"


def test_conflicts_on_create(api: httpx.Client) -> None:
    assert api.post(API, json=create_body("order_shipped")).status_code == 201
    again = api.post(API, json=create_body("order_shipped"))
    assert again.status_code == 409 and error_code(again) == "template_exists"
    other = api.post(API, json=create_body("order_shipped", "DE", category="MARKETING"))
    assert other.status_code == 409 and error_code(other) == "template_incorrect_category"
    assert '"UTILITY"' in other.json()["resolution"]
    assert api.post(API, json=create_body("order_shipped", "DE")).status_code == 201


def test_whatsapp_com_button_urls_are_refused(api: httpx.Client) -> None:
    body = create_body("click_here")
    body["details"]["components"].append(
        {
            "type": "BUTTONS",
            "buttons": [{"type": "URL", "text": "Chat", "url": "https://api.whatsapp.com/send"}],
        }
    )
    response = api.post(API, json=body)
    assert response.status_code == 409
    assert error_code(response) == "template_restricted_Domain_for_button_url"
    assert api.get(f"{API}/click_here").status_code == 404  # nothing stored


# ---------------------------------------------------------------- delete, activities, comments


def test_delete_by_name_removes_every_language(api: httpx.Client) -> None:
    for language in ("EN", "DE"):
        api.post(API, json=create_body("bye", language, status="DRAFT"))
    assert api.delete(f"{API}/bye").status_code == 204
    assert api.get(f"{API}/bye").status_code == 404
    again = api.delete(f"{API}/bye")
    assert again.status_code == 404 and error_code(again) == "template_not_found"


def test_delete_language_of_a_draft(api: httpx.Client) -> None:
    api.post(API, json=create_body("drafty", status="DRAFT"))
    response = api.delete(f"{API}/drafty/languages/EN_US")
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"{API}/drafty/languages/EN_US").status_code == 404
    bad = api.delete(f"{API}/drafty/languages/EN_US", params={"deleteSubmitted": "maybe"})
    assert bad.status_code == 400 and error_code(bad) == "invalid_input"


def test_activities_are_newest_first_and_paginated(api: httpx.Client) -> None:
    api.post(API, json=create_body("chatty", status="DRAFT"))
    for i in range(3):
        created = api.post(f"{API}/chatty/languages/EN_US/comments", json={"comment": f"c{i}"})
        assert created.status_code == 201
        assert created.json()["type"] == "CREATED" and created.json()["comment"] == f"c{i}"
    page = api.get(f"{API}/chatty/languages/EN_US/activities", params={"pageSize": 2}).json()
    assert page["totalSize"] == 5
    assert [(n["type"], n.get("comment")) for n in page["notifications"]] == [
        ("COMMENT_ADDED", "c2"),
        ("COMMENT_ADDED", "c1"),
    ]
    rest = api.get(
        f"{API}/chatty/languages/EN_US/activities",
        params={"pageSize": 2, "pageToken": page["nextPageToken"]},
    ).json()
    assert [n["type"] for n in rest["notifications"]] == ["COMMENT_ADDED", "DRAFT"]
    too_big = api.get(f"{API}/chatty/languages/EN_US/activities", params={"pageSize": 101})
    assert too_big.status_code == 400 and error_code(too_big) == "invalid_page_size"
    missing = api.get(f"{API}/nobody/languages/EN_US/activities")
    assert missing.status_code == 404


def test_comment_validation(api: httpx.Client) -> None:
    api.post(API, json=create_body("chatty", status="DRAFT"))
    empty = api.post(f"{API}/chatty/languages/EN_US/comments", json={"comment": ""})
    assert empty.status_code == 400 and error_code(empty) == "invalid_input"
    missing = api.post(f"{API}/nobody/languages/EN_US/comments", json={"comment": "x"})
    assert missing.status_code == 404 and error_code(missing) == "template_not_found"


def test_compare_and_sync(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "left", "EN", "MARKETING", details())
    control.add_template(PROJECT, "right", "EN", "MARKETING", details())
    url = f"{API}/left/languages/EN/compare"

    def compare(name: str, language: str = "EN") -> httpx.Response:
        return api.post(
            url, json={"templates": [{"templateName": name, "templateLanguage": language}]}
        )

    assert error_code(compare("left")) == "templates_compare_not_unique"
    assert error_code(compare("ghost")) == "templates_compare_not_found"
    not_eligible = compare("right")
    assert not_eligible.status_code == 409
    assert error_code(not_eligible) == "templates_not_eligible_for_comparison"
    assert error_code(api.post(url, json={"templates": []})) == "invalid_input"
    assert api.post(f"{API}/sync").status_code == 200


# ---------------------------------------------------------------- auth, projects, routing


def test_credentials_are_required() -> None:
    with client(auth=None) as anonymous:
        for headers in (
            {},
            {"Authorization": "Basic " + base64.b64encode(b"local:wrong").decode()},
            {"Authorization": "Basic !!!"},
            {"Authorization": "Bearer emu1.forged.token"},
            {"Authorization": "Token local"},
        ):
            response = anonymous.get(API, headers=headers)
            assert response.status_code == 401, headers
            assert error_code(response) == "unauthorized_error"


def test_oauth2_client_credentials_tokens() -> None:
    settings = EmulatorSettings(key_id="key-1", key_secret="s3cret", token_ttl=120)
    with client(settings=settings, auth=None) as http:
        token = http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("key-1", "s3cret")
        )
        assert token.status_code == 200
        body = token.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 120
        bearer = {"Authorization": f"Bearer {body['access_token']}"}
        assert http.get(API, headers=bearer).status_code == 200
        tampered = {"Authorization": f"Bearer {body['access_token'][:-2]}xx"}
        assert http.get(API, headers=tampered).status_code == 401
        form = http.post(
            "/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "key-1",
                "client_secret": "s3cret",
            },
        )
        assert form.status_code == 200
        wrong = http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("key-1", "x")
        )
        assert wrong.status_code == 401 and wrong.json() == {"error": "invalid_client"}
        grant = http.post(
            "/oauth2/token", data={"grant_type": "password"}, auth=("key-1", "s3cret")
        )
        assert grant.status_code == 400 and grant.json() == {"error": "unsupported_grant_type"}
        assert http.get(API, auth=("key-1", "s3cret")).status_code == 200
        assert http.get(API, auth=("local", "local")).status_code == 401


def test_expired_tokens_are_refused() -> None:
    with client(settings=EmulatorSettings(token_ttl=-1), auth=None) as http:
        token = http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("local", "local")
        )
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert http.get(API, headers=bearer).status_code == 401


def test_auth_can_be_disabled() -> None:
    with client(settings=EmulatorSettings(auth=False), auth=None) as http:
        assert http.get(API).status_code == 200


def test_strict_projects() -> None:
    with client(settings=EmulatorSettings(strict_projects=True, projects=("known",))) as http:
        unknown = http.get(API)
        assert unknown.status_code == 400 and error_code(unknown) == "project_not_initialized"
        assert http.get("/v1/projects/known/whatsapp/templates").status_code == 200
        EmulatorControl(http).init_project(PROJECT)
        assert http.get(API).status_code == 200


def test_any_project_is_usable_by_default_and_projects_are_isolated(api: httpx.Client) -> None:
    api.post(API, json=create_body("mine"))
    other = api.get("/v1/projects/someone-else/whatsapp/templates").json()
    assert other["totalSize"] == 0


def test_unknown_routes_and_methods_answer_papi_errors(api: httpx.Client) -> None:
    missing = api.get("/v2/whatever")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    wrong = api.put(API, json={})
    assert wrong.status_code == 405 and error_code(wrong) == "method_not_allowed"
    assert wrong.headers["content-type"] == "application/json"
