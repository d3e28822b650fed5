"""The faithful emulator: what Meta (behind Sinch) rewrites, row by row of round-trip.md.

Every test sends a template through the real API (in-process), lets the emulated review
approve it, and reads it back; ``literal`` mode must echo the same content unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator_helpers import API, PROJECT, client, create_body
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.model.meta_auth import AUTH_TEXTS

CDN = re.compile(r"^https://scontent\.whatsapp\.net/v/t61\.29466-34/\d+_n\.(jpg|mp4|pdf)\?.*&oh=")


def approved(
    api: httpx.Client, control: EmulatorControl, details: dict[str, Any], **body: Any
) -> dict[str, Any]:
    """Create ``details`` under ``name`` (default ``tpl``), approve it, return the read details."""
    name = body.pop("name", "tpl")
    language = body.pop("language", "EN_US")
    sent = {**create_body(name, language, **body), "details": details}
    created = api.post(API, json=sent)
    assert created.status_code == 201, created.text
    control.complete_reviews(PROJECT, name=name, outcome="APPROVED")
    read = api.get(f"{API}/{name}/languages/{language}").json()
    assert read["state"] == "APPROVED"
    return read["details"]


def components(details: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in details["components"]}


MEDIA = {
    "components": [
        {
            "type": "HEADER",
            "format": "IMAGE",
            "example": {"url": "https://example.com/a.jpg", "mimeType": "IMAGE/JPEG"},
        },
        {"type": "BODY", "text": "Hi {{1}}, your order is ready.", "examples": ["Ann"]},
    ]
}


# ------------------------------------------------------------------ row 1: media samples


def test_media_sample_becomes_a_cdn_url_signed_anew_on_every_read(
    api: httpx.Client, control: EmulatorControl
) -> None:
    first = components(approved(api, control, MEDIA))["HEADER"]["example"]
    assert set(first) == {"url"}, "mimeType is not in Sinch's response DTO"
    assert CDN.match(first["url"])
    second = api.get(f"{API}/tpl/languages/EN_US").json()["details"]["components"][0]["example"]
    listed = api.get(API).json()["templates"][0]["details"]["components"][0]["example"]
    assert len({first["url"], second["url"], listed["url"]}) == 3
    asset = re.compile(r"/(\d+)_n\.")
    assert asset.search(first["url"])[1] == asset.search(second["url"])[1]  # same asset


def test_a_draft_keeps_its_sample_url_but_loses_mime_type(api: httpx.Client) -> None:
    body = {**create_body("tpl", status="DRAFT"), "details": MEDIA}
    read = api.post(API, json=body).json()["changes"]["details"]["components"][0]["example"]
    assert read == {"url": "https://example.com/a.jpg"}


def test_carousel_card_media_is_rewritten_too(api: httpx.Client, control: EmulatorControl) -> None:
    card = {
        "components": [
            {
                "type": "HEADER",
                "format": "VIDEO",
                "example": {"url": "https://example.com/v.mp4", "mimeType": "VIDEO/MP4"},
            },
            {"type": "BODY", "text": "Card {{1}}", "examples": ["one"]},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "More"}]},
        ]
    }
    details = {
        "components": [
            {"type": "BODY", "text": "Look at {{1}} new things.", "examples": ["three"]},
            {"type": "CAROUSEL", "cards": [card, card]},
        ]
    }
    read = approved(api, control, details, category="MARKETING")
    headers = [c["components"][0] for c in components(read)["CAROUSEL"]["cards"]]
    assert all(CDN.match(h["example"]["url"]) and "mimeType" not in h["example"] for h in headers)


# ------------------------------------------------------------------ rows 2 and 4: authentication


def auth_details(security: bool = True, minutes: int | None = 10) -> dict[str, Any]:
    footer = [{"type": "FOOTER", "codeExpirationMinutes": minutes}] if minutes else []
    return {
        "components": [
            {"type": "BODY", "addSecurityRecommendation": security},
            *footer,
            {
                "type": "BUTTONS",
                "buttons": [{"type": "OTP", "otpType": "COPY_CODE", "text": "My label"}],
            },
        ]
    }


def test_authentication_texts_are_generated_in_english(
    api: httpx.Client, control: EmulatorControl
) -> None:
    read = approved(api, control, auth_details(), category="AUTHENTICATION")
    parts = components(read)
    assert parts["BODY"]["text"] == (
        "*{{1}}* is your verification code. For your security, do not share this code."
    )
    assert parts["BODY"]["examples"] == ["123456"]
    assert parts["FOOTER"] == {
        "type": "FOOTER",
        "codeExpirationMinutes": 10,
        "text": "This code expires in 10 minutes.",
    }
    assert parts["BUTTONS"]["buttons"][0]["text"] == "Copy code"  # a custom label is replaced
    assert parts["BUTTONS"]["buttons"][0]["type"] == "OTP"
    assert read["messageSendTtlSeconds"] == 600  # the server default, never sent


@pytest.mark.parametrize(
    ("language", "prefix"),
    [("PT_BR", "PT"), ("ES_MX", "ES"), ("DE", "DE"), ("ID", "ID"), ("JA", "EN")],
)
def test_authentication_texts_follow_the_language(
    api: httpx.Client, control: EmulatorControl, language: str, prefix: str
) -> None:
    read = approved(
        api,
        control,
        auth_details(security=False, minutes=5),
        category="AUTHENTICATION",
        language=language,
    )
    texts = AUTH_TEXTS[prefix]
    parts = components(read)
    assert parts["BODY"]["text"] == texts.body
    assert parts["FOOTER"]["text"] == texts.footer.format(n=5)
    assert parts["BUTTONS"]["buttons"][0]["text"] == texts.copy_code


def test_indonesian_texts_are_the_observed_ones() -> None:
    texts = AUTH_TEXTS["ID"]
    assert "adalah kode verifikasi Anda" in texts.body
    assert texts.footer.format(n=10) == "Kode ini kedaluwarsa dalam 10 menit."
    assert texts.copy_code == "Salin kode"


def test_a_ttl_that_was_sent_is_kept(api: httpx.Client, control: EmulatorControl) -> None:
    details = {**auth_details(), "messageSendTtlSeconds": 300}
    assert (
        approved(api, control, details, category="AUTHENTICATION")["messageSendTtlSeconds"] == 300
    )


# ------------------------------------------------------------------ row 3: category


class Hooks:
    """Webhook deliveries, caught by an httpx mock transport."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.events.append(json.loads(request.content))
        return httpx.Response(200)

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]


@pytest.fixture
def hooked() -> Iterator[tuple[httpx.Client, EmulatorControl, Hooks]]:
    hooks = Hooks()
    settings = EmulatorSettings(
        state_path=":memory:", background=False, webhook_transport=httpx.MockTransport(hooks)
    )
    with client(settings=settings) as api:
        hook = {"target": "https://hooks.example/x", "secret": "s" * 16, "triggers": ["ALL"]}
        assert api.post(f"/v1/projects/{PROJECT}/webhooks", json=hook).status_code == 201
        yield api, EmulatorControl(api), hooks


def test_promotional_utility_is_approved_as_marketing_for_good(
    hooked: tuple[httpx.Client, EmulatorControl, Hooks],
) -> None:
    api, control, hooks = hooked
    body = create_body("offer", text="Hi {{1}}, enjoy a discount on your next order.")
    assert body.get("allowCategoryChange") is None  # Meta moves it whatever Sinch's flag says
    api.post(API, json=body)
    [done] = control.complete_reviews(PROJECT)
    assert (done["state"], done["category"]) == ("APPROVED", "MARKETING")
    back = api.patch(f"{API}/offer/languages/EN_US", json={"category": "UTILITY"})
    assert back.status_code == 409
    assert back.json()["errorCode"] == "template_category_not_updatable"
    control.flush_webhooks()
    assert hooks.types() == ["WHATSAPP_TEMPLATE_CATEGORY_UPDATED", "WHATSAPP_TEMPLATE_APPROVED"]
    assert hooks.events[0]["payload"]["category"] == "MARKETING"


def test_plain_utility_stays_utility(api: httpx.Client, control: EmulatorControl) -> None:
    api.post(API, json=create_body("plain", text="Hi {{1}}, your order has shipped."))
    [done] = control.complete_reviews(PROJECT)
    assert done["category"] == "UTILITY"


def test_later_recategorisation_sends_notice_then_change(
    hooked: tuple[httpx.Client, EmulatorControl, Hooks],
) -> None:
    api, control, hooks = hooked
    api.post(API, json=create_body("later"))
    control.complete_reviews(PROJECT)
    control.set_category(PROJECT, "later", "EN_US", "MARKETING", future=True)
    assert api.get(f"{API}/later/languages/EN_US").json()["category"] == "UTILITY"
    control.set_category(PROJECT, "later", "EN_US", "MARKETING")
    read = api.get(f"{API}/later/languages/EN_US").json()
    assert (read["state"], read["category"]) == ("APPROVED", "MARKETING")
    control.flush_webhooks()
    assert hooks.types()[-2:] == [
        "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
        "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
    ]
    assert hooks.events[-2]["futureCategory"] == "MARKETING"


# ------------------------------------------------------------------ rows 5, 8, 9, 11, 12


def test_lower_case_enums_are_accepted_and_read_upper_case(
    api: httpx.Client, control: EmulatorControl
) -> None:
    details = {
        "components": [
            {"type": "header", "format": "text", "text": "Hello"},
            {"type": "body", "text": "Hi {{1}}, see you soon.", "examples": ["Ann"]},
            {"type": "buttons", "buttons": [{"type": "quick_reply", "text": "OK"}]},
        ]
    }
    read = approved(api, control, details, category="utility", language="en_us")
    assert [c["type"] for c in read["components"]] == ["HEADER", "BODY", "BUTTONS"]
    assert read["components"][0]["format"] == "TEXT"
    assert read["components"][2]["buttons"][0]["type"] == "QUICK_REPLY"
    listed = api.get(API).json()["templates"][0]
    assert (listed["category"], listed["language"]) == ("UTILITY", "EN_US")


BUTTONS = {
    "components": [
        {"type": "BODY", "text": "Hi  {{1}} 🎉 \nsee you.\n\nBye", "examples": ["Ann"]},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "PHONE_NUMBER", "text": "Call", "phoneNumber": "+44 07700 900123"},
                {"type": "URL", "text": "Site", "url": "https://example.com"},
                {
                    "type": "URL",
                    "text": "Track",
                    "url": "https://example.com/t/{{1}}",
                    "example": "https://example.com/t/A1",
                },
            ],
        },
    ]
}


def test_phone_zero_and_bare_host_slash_are_rewritten_and_text_is_kept(
    api: httpx.Client, control: EmulatorControl
) -> None:
    read = components(approved(api, control, BUTTONS))
    phone, site, track = read["BUTTONS"]["buttons"]
    assert phone["phoneNumber"] == "+447700900123"
    assert site["url"] == "https://example.com/"
    assert track["url"] == "https://example.com/t/{{1}}"  # a path: unchanged
    assert read["BODY"]["text"] == BUTTONS["components"][0]["text"]  # spaces, emoji, blank lines


def test_flow_id_reads_back_as_a_number(api: httpx.Client, control: EmulatorControl) -> None:
    flow = {"type": "FLOW", "text": "Rate us", "flowId": "123456", "flowAction": "NAVIGATE"}
    details = {
        "components": [
            {"type": "BODY", "text": "Hi {{1}}, how did we do?", "examples": ["Ann"]},
            {"type": "BUTTONS", "buttons": [{**flow, "navigateScreen": "RATE"}]},
        ]
    }
    with client(contract=False) as loose:  # the OpenAPI types flowId as a string
        loose.post(API, json={**create_body("rate"), "details": details})
        EmulatorControl(loose).complete_reviews(PROJECT)
        read = loose.get(f"{API}/rate/languages/EN_US").json()["details"]
    assert components(read)["BUTTONS"]["buttons"][0]["flowId"] == 123456


# ------------------------------------------------------------------ row 7: scenario switches


def test_missing_examples_scenario_drops_variable_samples_of_matching_templates(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.set_rewrites(missing_examples=["vanish_*"])
    gone = components(approved(api, control, BUTTONS, name="vanish_one"))
    assert "examples" not in gone["BODY"]
    assert "example" not in gone["BUTTONS"]["buttons"][2]
    kept = components(approved(api, control, BUTTONS, name="stays"))
    assert kept["BODY"]["examples"] == ["Ann"]


def test_percent_encoded_urls_scenario(api: httpx.Client, control: EmulatorControl) -> None:
    control.set_rewrites(percent_encoded_urls=["enc"])
    read = components(approved(api, control, BUTTONS, name="enc"))
    assert read["BUTTONS"]["buttons"][2]["url"] == "https://example.com/t/%7B%7B1%7D%7D"


# ------------------------------------------------------------------ literal mode


@pytest.mark.parametrize("switch", ["setting", "control"])
def test_literal_mode_echoes_what_was_sent(switch: str) -> None:
    settings = EmulatorSettings(state_path=":memory:", literal=switch == "setting")
    # An echo includes mimeType, which Sinch's response DTO has not: no contract check here.
    with client(settings=settings, contract=False) as api:
        control = EmulatorControl(api)
        if switch == "control":
            assert control.set_rewrites(literal=True)["literal"] is True
        for name, details, category in (
            ("media", MEDIA, "UTILITY"),
            ("buttons", BUTTONS, "UTILITY"),
            ("otp", auth_details(), "AUTHENTICATION"),
        ):
            assert approved(api, control, details, name=name, category=category) == details
        first = api.get(f"{API}/media/languages/EN_US").text
        assert api.get(f"{API}/media/languages/EN_US").text == first


# ------------------------------------------------------------------ row 13


def test_an_edit_replaces_every_component_and_omitted_samples_vanish(
    api: httpx.Client, control: EmulatorControl
) -> None:
    approved(api, control, BUTTONS, name="edited")
    edit = {"components": [{"type": "BODY", "text": "Hi {{1}}, see you."}]}
    patched = api.patch(f"{API}/edited/languages/EN_US", json={"status": "SUBMIT", "details": edit})
    assert patched.status_code == 200, patched.text
    control.complete_reviews(PROJECT, name="edited", outcome="APPROVED")
    read = api.get(f"{API}/edited/languages/EN_US").json()["details"]
    assert read["components"] == edit["components"]  # no BUTTONS, no examples any more
