"""The emulator's Sinch API over HTTP: every operation but the list (``test_emulator_listing.py``),
errors, credentials and projects.

Every response below passes through a hook that validates it against Sinch's OpenAPI file
(``tests/openapi_contract.py``; skipped when ``../shared`` is absent).
"""

from __future__ import annotations

import base64

import httpx
import pytest

from emulator_helpers import API, PROJECT, client, create_body, details, error_code
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.model.enums import LANGUAGE_CODES


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
