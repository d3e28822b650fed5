"""Property: whatever template is sent, the differ sees Meta's rewrite of it as no change.

The emulator's rewrites (:mod:`waform.emulator.meta`) and the differ's classification
(:mod:`waform.fields`) are written independently; hypothesis generates templates of every
component and button type, runs them through the emulator's rewrite (with and without the
missing-samples scenario, signed twice) and checks the differ's view of both sides is equal,
and that two reads fingerprint the same.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from waform.emulator.meta import Rewrites, sign
from waform.emulator.records import output_details
from waform.fields import compared, stable_remote
from waform.model.components import TemplateDetails
from waform.normalize import canonical_details

words = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(lambda s: s.strip() or "x")
phones = st.sampled_from(["+44 07700 900123", "+1 555 0100", "+49 030 1234567", "+5511999990000"])
hosts = st.sampled_from(["https://example.com", "https://shop.example.org/", "https://a.example"])


@st.composite
def url_button(draw: st.DrawFn) -> dict[str, Any]:
    host = draw(hosts)
    if draw(st.booleans()):
        return {"type": "URL", "text": draw(words), "url": host}
    return {
        "type": "URL",
        "text": draw(words),
        "url": host.rstrip("/") + "/t/{{1}}",
        "example": host.rstrip("/") + "/t/" + draw(words).replace(" ", ""),
    }


buttons = st.one_of(
    url_button(),
    st.builds(lambda t, p: {"type": "PHONE_NUMBER", "text": t, "phoneNumber": p}, words, phones),
    st.builds(lambda t: {"type": "QUICK_REPLY", "text": t}, words),
    st.builds(
        lambda t, f: {
            "type": "FLOW",
            "text": t,
            "flowId": str(f),
            "flowAction": "NAVIGATE",
            "navigateScreen": "A",
        },
        words,
        st.integers(1, 10**9),
    ),
    st.just({"type": "COPY_CODE", "example": "SAVE10"}),
)


@st.composite
def header(draw: st.DrawFn) -> dict[str, Any]:
    fmt = draw(st.sampled_from(["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"]))
    if fmt == "TEXT":
        return {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "example": draw(words)}
    if fmt == "LOCATION":
        return {"type": "HEADER", "format": "LOCATION"}
    mime = {"IMAGE": "IMAGE/JPEG", "VIDEO": "VIDEO/MP4", "DOCUMENT": "APPLICATION/PDF"}[fmt]
    url = f"https://example.com/{draw(words).replace(' ', '')}"
    return {"type": "HEADER", "format": fmt, "example": {"url": url, "mimeType": mime}}


@st.composite
def template(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    if draw(st.integers(0, 4)) == 0:
        otp: dict[str, Any] = {"type": "OTP", "otpType": "COPY_CODE"}
        if draw(st.booleans()):
            otp["text"] = draw(words)
        parts = [{"type": "BODY", "addSecurityRecommendation": draw(st.booleans())}]
        if draw(st.booleans()):
            parts.append({"type": "FOOTER", "codeExpirationMinutes": draw(st.integers(1, 90))})
        parts.append({"type": "BUTTONS", "buttons": [otp]})
        return "AUTHENTICATION", {"components": parts}
    variables = draw(st.integers(0, 3))
    text = "Hello " + " and ".join(f"{{{{{i}}}}}" for i in range(1, variables + 1)) + " today."
    body: dict[str, Any] = {"type": "BODY", "text": text}
    if variables:
        body["examples"] = [draw(words) for _ in range(variables)]
    parts = [body]
    if draw(st.booleans()):
        parts.insert(0, draw(header()))
    if draw(st.booleans()):
        parts.append({"type": "FOOTER", "text": draw(words)})
    if draw(st.booleans()):
        parts.append(
            {"type": "BUTTONS", "buttons": draw(st.lists(buttons, min_size=1, max_size=3))}
        )
    return draw(st.sampled_from(["UTILITY", "MARKETING"])), {"components": parts}


@settings(max_examples=150, deadline=None)
@given(template(), st.booleans(), st.sampled_from(["EN_US", "PT_BR", "DE", "ID", "JA"]))
def test_meta_s_rewrite_of_any_template_is_no_change(
    sent: tuple[str, dict[str, Any]], lose_samples: bool, language: str
) -> None:
    category, details = sent
    TemplateDetails.model_validate(details)  # a template the API would take
    rewrites = Rewrites(missing_examples=("*",) if lose_samples else ())
    stored = rewrites.meta(
        rewrites.sinch(output_details(details)), key=("p", "t", language), category=category
    )
    reads = [json.loads(sign(json.dumps(stored))) for _ in range(2)]
    want = canonical_details(details, category=category)
    for read in reads:
        have = canonical_details(read, category=category)
        mine, theirs = compared(want, have, category)
        assert mine == theirs
    first, second = (
        stable_remote(canonical_details(r, category=category), category) for r in reads
    )
    assert first == second
