"""The stored forms flag each template with write-only fields (a warm plan looks up their records
by it), though only the templates whose hash line names a kind that has them are walked for
them (:func:`waform.fields.may_hold_write_only_in`): wherever such a field is, the flag is set."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_fields_rewrites_property import template
from waform import stored_forms, submissions
from waform.fields import FIELDS, Rule, Treatment, _kind_markers, may_hold_write_only_in
from waform.loader import load_bytes
from waform.model.components import TemplateDetails
from waform.model.template import DesiredTemplate
from waform.normalize import canonical_json

BODY = '{type: BODY, text: "Hi {{1}}, your order has arrived at the shop.", examples: [Ann]}'
CARD_BODY = "{type: BODY, text: Sunglasses}"


def _media(fmt: str, mime: str | None = None) -> str:
    sample = f"url: 'https://example.com/a.{fmt.lower()}'" + (f", mimeType: {mime}" if mime else "")
    return f"{{type: HEADER, format: {fmt}, example: {{{sample}}}}}"


def _yaml(category: str, *components: str) -> bytes:
    lines = ["name: sample", f"category: {category}", "languages:", "  en_US:", "    details:"]
    lines.append("      components:")
    lines += [f"        - {component}" for component in components]
    return ("\n".join(lines) + "\n").encode()


def _carousel(header: str) -> str:
    card = f"{{components: [{header}, {CARD_BODY}]}}"
    return f"{{type: CAROUSEL, cards: [{card}, {card}]}}"


OTP = "{type: BUTTONS, buttons: [{type: OTP, otpType: COPY_CODE, text: Copy code}]}"
OTP_UNLABELLED = "{type: BUTTONS, buttons: [{type: OTP, otpType: COPY_CODE}]}"
AUTH_BODY = "{type: BODY, addSecurityRecommendation: true}"
TEXT_HEADER = "{type: HEADER, format: TEXT, text: Your order, example: x}"

CASES = {
    "media header, image": (_yaml("MARKETING", _media("IMAGE"), BODY), True),
    "media header, video": (_yaml("MARKETING", _media("VIDEO"), BODY), True),
    "media header, document": (
        _yaml("UTILITY", _media("DOCUMENT", "APPLICATION/PDF"), BODY),
        True,
    ),
    "carousel card, image": (_yaml("MARKETING", BODY, _carousel(_media("IMAGE"))), True),
    "carousel card, video": (_yaml("MARKETING", BODY, _carousel(_media("VIDEO"))), True),
    "OTP button with its label": (_yaml("AUTHENTICATION", AUTH_BODY, OTP), True),
    "OTP button without one": (_yaml("AUTHENTICATION", AUTH_BODY, OTP_UNLABELLED), False),
    "text header": (_yaml("UTILITY", TEXT_HEADER, BODY), False),
}


def _templates(raw: bytes) -> list[DesiredTemplate]:
    loaded, diagnostics = load_bytes("templates/sample.yaml", raw)
    assert loaded is not None and not diagnostics, diagnostics
    return loaded.desired


@pytest.mark.parametrize(("raw", "flagged"), list(CASES.values()), ids=list(CASES))
def test_a_template_is_flagged_wherever_its_write_only_fields_are(
    raw: bytes, flagged: bool
) -> None:
    [template] = _templates(raw)
    assert bool(submissions.of(template.details, template.category)) == flagged
    stored = stored_forms.decode(stored_forms.encode([template]))
    assert stored is not None
    assert stored.write_only == ({template.key} if flagged else set())


@pytest.mark.parametrize(
    "component",
    [
        "{type: HEADER, format: image, example: {url: 'https://example.com/a.jpg'}}",
        "{type: header, format: IMAGE, example: {url: 'https://example.com/a.jpg'}}",
        "{type: BUTTONS, buttons: [{type: otp, otpType: COPY_CODE, text: Copy code}]}",
    ],
)
def test_a_kind_spelt_in_lower_case_is_refused_so_never_looked_for(component: str) -> None:
    """The look at the hash line reads kinds as the models spell them (upper case): a file
    that spells one otherwise never loads, so never reaches it."""
    loaded, diagnostics = load_bytes("templates/sample.yaml", _yaml("MARKETING", component, BODY))
    assert loaded is None or not loaded.desired
    assert diagnostics and diagnostics[0].severity == "error"


def _line_holds_write_only(category: str, details: dict[str, Any]) -> tuple[bool, bool]:
    model = TemplateDetails.model_validate(details)
    line = canonical_json([["sample", "EN_US"], {"details": model.to_wire()}]).encode()
    return may_hold_write_only_in(line), bool(submissions.of(model, category))


@settings(max_examples=200, deadline=None)
@given(template(), st.booleans())
def test_a_template_with_write_only_fields_always_may_hold_some(
    sent: tuple[str, dict[str, Any]], in_a_card: bool
) -> None:
    category, details = sent
    header = next((c for c in details["components"] if c["type"] == "HEADER"), None)
    if in_a_card and header is not None and header["format"] in ("IMAGE", "VIDEO"):
        body = {"type": "BODY", "text": "Sunglasses"}
        card = {"components": [header, body]}
        rest = [c for c in details["components"] if c["type"] in ("BODY",)]
        details = {"components": [*rest, {"type": "CAROUSEL", "cards": [card, card]}]}
    may, has = _line_holds_write_only(category, details)
    assert may or not has


def _looked_for(table: dict[tuple[str, str], Rule]) -> set[bytes] | None:
    found = _kind_markers(table)
    return None if found is None else set(found.pattern.split(b"|"))


def test_the_kinds_looked_for_are_those_the_table_gives_write_only_fields() -> None:
    assert _looked_for(FIELDS) == {b'"DOCUMENT"', b'"IMAGE"', b'"OTP"', b'"VIDEO"'}
    write_only = Rule(Treatment.WRITE_ONLY, "test")
    body = _looked_for({**FIELDS, ("AUTHENTICATION/BODY", "text"): write_only})
    assert body is not None and b'"BODY"' in body
    url = _looked_for({**FIELDS, ("button:URL", "url"): write_only})
    assert url is not None and b'"URL"' in url
    card = _looked_for({("card/HEADER:TEXT", "text"): write_only})
    assert card == {b'"TEXT"'}
    # A field write-only on every kind: every template is walked.
    assert _looked_for({**FIELDS, ("*", "text"): write_only}) is None
    # None at all: none is.
    nothing = _kind_markers({})
    assert nothing is not None and nothing.search(b'"IMAGE"') is None
