"""The field classification table: one test per rewrite of docs/round-trip.md (DOC/OBS rows).

Each case pairs what a file says with what a read returns after Meta's rewrite: the differ must
see them equal; and a real edit of the same field must still be seen.
"""

from __future__ import annotations

from typing import Any

import pytest

from waform.fields import FIELDS, Treatment, compared, file_form, recategorised, rule
from waform.model.remote import RemoteTemplate
from waform.normalize import canonical_details, remote_fingerprint


def same(file: dict[str, Any], read: dict[str, Any], category: str = "UTILITY") -> bool:
    want = canonical_details(file, category=category)
    have = canonical_details(read, category=category)
    a, b = compared(want, have, category)
    return a == b


def body(text: str = "Hi {{1}}, thanks.", **extra: Any) -> dict[str, Any]:
    return {"type": "BODY", "text": text, "examples": ["Ann"], **extra}


def buttons(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": list(items)}


def details(*components: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"components": list(components), **extra}


MEDIA_SENT = {"type": "HEADER", "format": "IMAGE", "example": {"url": "https://e.com/a.jpg"}}
MEDIA_SENT["example"]["mimeType"] = "IMAGE/JPEG"
MEDIA_READ = {
    "type": "HEADER",
    "format": "IMAGE",
    "example": {"url": "https://scontent.whatsapp.net/v/t61.29466-34/1_n.jpg?oh=x&oe=y"},
}
AUTH_SENT = details(
    {"type": "BODY", "addSecurityRecommendation": True},
    {"type": "FOOTER", "codeExpirationMinutes": 10},
    buttons({"type": "OTP", "otpType": "COPY_CODE", "text": "My code"}),
)
AUTH_READ = details(
    {
        "type": "BODY",
        "addSecurityRecommendation": True,
        "text": "*{{1}}* is your verification code. For your security, do not share this code.",
        "examples": ["123456"],
    },
    {"type": "FOOTER", "codeExpirationMinutes": 10, "text": "This code expires in 10 minutes."},
    buttons({"type": "OTP", "otpType": "COPY_CODE", "text": "Copy code"}),
    messageSendTtlSeconds=600,
)


def flow(flow_id: str | int) -> dict[str, Any]:
    return {
        "type": "FLOW",
        "text": "Go",
        "flowId": flow_id,
        "flowAction": "NAVIGATE",
        "navigateScreen": "A",
    }


URL_DYNAMIC = {"type": "URL", "text": "Track", "url": "https://e.com/t/{{1}}", "example": "x"}


@pytest.mark.parametrize(
    ("row", "file", "read", "category"),
    [
        ("1 media sample", details(MEDIA_SENT, body()), details(MEDIA_READ, body()), "UTILITY"),
        ("2+4 authentication", AUTH_SENT, AUTH_READ, "AUTHENTICATION"),
        (
            "5 enum case",
            details(
                {"type": "BODY", "text": "Hi."}, buttons({"type": "QUICK_REPLY", "text": "OK"})
            ),
            details(
                {"type": "body", "text": "Hi."},
                {"type": "buttons", "buttons": [{"type": "quick_reply", "text": "OK"}]},
            ),
            "UTILITY",
        ),
        (
            "6 example shapes",
            details(
                {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "example": "A"}, body()
            ),
            details(
                {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "examples": ["A"]}, body()
            ),
            "UTILITY",
        ),
        (
            "7 missing examples",
            details(body(), buttons(URL_DYNAMIC)),
            details(
                {"type": "BODY", "text": "Hi {{1}}, thanks."},
                buttons({k: v for k, v in URL_DYNAMIC.items() if k != "example"}),
            ),
            "UTILITY",
        ),
        (
            "7 percent-encoded URL",
            details(body(), buttons(URL_DYNAMIC)),
            details(body(), buttons({**URL_DYNAMIC, "url": "https://e.com/t/%7B%7B1%7D%7D"})),
            "UTILITY",
        ),
        (
            "8 phone trunk zero",
            details(
                body(),
                buttons(
                    {"type": "PHONE_NUMBER", "text": "Call", "phoneNumber": "+44 07700 900123"}
                ),
            ),
            details(
                body(),
                buttons({"type": "PHONE_NUMBER", "text": "Call", "phoneNumber": "+447700900123"}),
            ),
            "UTILITY",
        ),
        (
            "9 bare host slash",
            details(body(), buttons({"type": "URL", "text": "Go", "url": "https://e.com"})),
            details(body(), buttons({"type": "URL", "text": "Go", "url": "https://e.com/"})),
            "UTILITY",
        ),
        (
            "10+14 generated labels",
            details(
                body(),
                buttons(
                    {"type": "COPY_CODE", "example": "SAVE10"}, {"type": "REQUEST_CONTACT_INFO"}
                ),
            ),
            details(
                body(),
                buttons(
                    {"type": "COPY_CODE", "example": "SAVE10", "text": "Copy offer code"},
                    {"type": "REQUEST_CONTACT_INFO", "text": "Share Contact Info"},
                ),
            ),
            "MARKETING",
        ),
        (
            "11 flow id number",
            details(body(), buttons(flow("123"))),
            details(body(), buttons(flow(123))),
            "UTILITY",
        ),
    ],
)
def test_a_rewrite_is_not_a_change(row: str, file: dict, read: dict, category: str) -> None:
    assert same(file, read, category), row


@pytest.mark.parametrize(
    ("row", "file", "read"),
    [
        (
            "8 a different phone",
            details(
                body(),
                buttons({"type": "PHONE_NUMBER", "text": "C", "phoneNumber": "+44 07700 900123"}),
            ),
            details(
                body(),
                buttons({"type": "PHONE_NUMBER", "text": "C", "phoneNumber": "+447700900124"}),
            ),
        ),
        (
            "9 a different path",
            details(body(), buttons({"type": "URL", "text": "Go", "url": "https://e.com"})),
            details(body(), buttons({"type": "URL", "text": "Go", "url": "https://e.com/x"})),
        ),
        (
            "12 text is exact",
            details(body("Hi {{1}},  thanks.")),
            details(body("Hi {{1}}, thanks.")),
        ),
        ("7 a different sample", details(body()), details({**body(), "examples": ["Bob"]})),
        (
            "11 a different flow",
            details(body(), buttons(flow("123"))),
            details(body(), buttons(flow(124))),
        ),
    ],
)
def test_a_real_difference_is_still_seen(row: str, file: dict, read: dict) -> None:
    assert not same(file, read), row


def test_authentication_texts_are_compared_when_the_file_sets_them() -> None:
    file = details({"type": "BODY", "text": "Your code is {{1}}"})
    assert not same(file, AUTH_READ, "AUTHENTICATION")


def test_every_treatment_is_in_the_table_and_unnamed_fields_are_as_is() -> None:
    assert {r.treatment for r in FIELDS.values()} == set(Treatment) - {Treatment.AS_IS}
    assert rule("BODY", "text").treatment is Treatment.AS_IS
    assert rule("BODY", "text", "AUTHENTICATION").treatment is Treatment.SERVER_GENERATED
    assert rule("HEADER:MEDIA", "example").treatment is Treatment.WRITE_ONLY


def test_recategorisation_is_only_meta_s_utility_to_marketing_of_live_content() -> None:
    assert recategorised("UTILITY", "MARKETING", "APPROVED")
    assert recategorised("UTILITY", "MARKETING", "PAUSED")
    assert not recategorised("UTILITY", "MARKETING", "REJECTED")
    assert not recategorised("MARKETING", "UTILITY", "APPROVED")


def test_file_form_drops_generated_texts_and_keeps_write_only_fields() -> None:
    form = file_form(canonical_details(AUTH_READ, category="AUTHENTICATION"), "AUTHENTICATION")
    parts = {c["type"]: c for c in form["components"]}
    assert "text" not in parts["BODY"] and "examples" not in parts["BODY"]
    assert "text" not in parts["FOOTER"]
    assert parts["BUTTONS"]["buttons"][0]["text"] == "Copy code"  # write-only: kept for the file
    media = file_form(canonical_details(details(MEDIA_READ, body())), "UTILITY")
    assert media["components"][0]["example"] == MEDIA_READ["example"]


def test_a_re_signed_url_does_not_change_the_remote_fingerprint() -> None:
    def read(url: str) -> RemoteTemplate:
        header = {**MEDIA_READ, "example": {"url": url}}
        return RemoteTemplate.model_validate(
            {
                "name": "a",
                "language": "EN",
                "category": "UTILITY",
                "state": "APPROVED",
                "details": details(header, body()),
            }
        )

    first = remote_fingerprint(read("https://scontent.whatsapp.net/v/1_n.jpg?oh=1&oe=2"))
    assert first == remote_fingerprint(read("https://scontent.whatsapp.net/v/1_n.jpg?oh=3&oe=4"))
