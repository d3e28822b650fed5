"""Canonical forms: equal content spelled differently must compare equal (and only that)."""

from __future__ import annotations

import copy
import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waform.config import Config
from waform.model.components import TemplateDetails
from waform.model.remote import RemoteTemplate
from waform.normalize import (
    ABSENT,
    canonical_details,
    canonical_json,
    desired_hash,
    remote_fingerprint,
)


def details(**kw) -> TemplateDetails:
    return TemplateDetails.model_validate(kw, strict=False)


def test_single_example_list_equals_singular_and_body_examples_stay_a_list():
    desired = details(
        components=[
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "examples": ["A-1"]},
            {"type": "BODY", "text": "Hi {{1}}", "examples": ["Anna"]},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Track", "url": "https://x.io/{{1}}", "example": "q"}
                ],
            },
        ]
    )
    remote = {
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": "A-1"},
            {"type": "BODY", "text": "Hi {{1}}", "examples": ["Anna"]},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Track", "url": "https://x.io/{{1}}", "examples": ["q"]}
                ],
            },
        ]
    }
    want = canonical_details(desired)
    assert want == canonical_details(remote)
    body = next(c for c in want["components"] if c["type"] == "BODY")
    assert body["examples"] == ["Anna"]


def test_defaults_empties_numbers_and_key_order_do_not_matter():
    a = {
        "components": [
            {"type": "BODY", "text": "Code {{1}}", "addSecurityRecommendation": False},
            {"type": "LIMITED_TIME_OFFER", "text": "Deal", "hasExpiration": False},
            {"type": "FOOTER", "text": "", "codeExpirationMinutes": 5.0},
        ],
        "optimization": None,
    }
    b = {
        "components": [
            {"codeExpirationMinutes": 5, "type": "FOOTER"},
            {"text": "Code {{1}}", "type": "BODY", "examples": []},
            {"type": "LIMITED_TIME_OFFER", "text": "Deal"},
        ]
    }
    assert canonical_details(a) == canonical_details(b)
    assert canonical_json(canonical_details(a)) == canonical_json(canonical_details(b))


def test_a_true_default_flag_is_a_difference():
    a = {"components": [{"type": "BODY", "text": "x", "addSecurityRecommendation": True}]}
    b = {"components": [{"type": "BODY", "text": "x"}]}
    assert canonical_details(a) != canonical_details(b)


def test_response_only_button_labels_are_ignored():
    desired = details(
        components=[
            {"type": "BODY", "text": "Code"},
            {"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": "WINTER27"}]},
        ]
    )
    remote = {
        "components": [
            {"type": "BODY", "text": "Code"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "COPY_CODE", "text": "Copy offer code", "example": "WINTER27"}
                ],
            },
        ]
    }
    assert canonical_details(desired) == canonical_details(remote)


def test_bid_strategy_output_spelling_and_multiplier_strings():
    desired = details(
        components=[{"type": "BODY", "text": "Sale"}],
        optimization={
            "bidAmount": 5000,
            "bidStrategy": "LOWEST_COST_WITH_BID_CAP",
            "bidCountryMultiplierOverrides": {"DE": "1.5"},
        },
    )
    remote = {
        "components": [{"type": "BODY", "text": "Sale"}],
        "optimization": {
            "bidAmount": 5000.0,
            "bidStrategy": "BID_STRATEGY_LOWEST_COST_WITH_BID_CAP",
            "bidCountryMultiplierOverrides": {"DE": "1.50"},
        },
    }
    assert canonical_details(desired, category="MARKETING") == canonical_details(
        remote, category="MARKETING"
    )


def test_ttl_equal_to_the_category_default_equals_absent():
    body = [{"type": "BODY", "text": "x"}]
    absent = {"components": body}
    for category, ttl in (
        ("UTILITY", 2_592_000),
        ("MARKETING", 2_592_000),
        ("AUTHENTICATION", 600),
        ("AUTHENTICATION", 2_592_000),  # legacy default of old auth templates
        ("UTILITY", -1),  # Meta: -1 means 30 days
    ):
        with_ttl = {"components": body, "messageSendTtlSeconds": ttl}
        assert canonical_details(with_ttl, category=category) == canonical_details(
            absent, category=category
        ), (category, ttl)
    explicit = {"components": body, "messageSendTtlSeconds": 3600}
    assert canonical_details(explicit, category="UTILITY") != canonical_details(
        absent, category="UTILITY"
    )


def test_component_order_is_canonical_but_button_order_matters():
    a = {"components": [{"type": "FOOTER", "text": "f"}, {"type": "BODY", "text": "b"}]}
    b = {"components": [{"type": "BODY", "text": "b"}, {"type": "FOOTER", "text": "f"}]}
    assert canonical_details(a) == canonical_details(b)
    qr1 = {"type": "QUICK_REPLY", "text": "Yes"}
    qr2 = {"type": "QUICK_REPLY", "text": "No"}
    c = {"components": [{"type": "BODY", "text": "b"}, {"type": "BUTTONS", "buttons": [qr1, qr2]}]}
    d = {"components": [{"type": "BODY", "text": "b"}, {"type": "BUTTONS", "buttons": [qr2, qr1]}]}
    assert canonical_details(c) != canonical_details(d)


def test_ignore_fields_from_config_apply_after_canonicalisation():
    config = Config.model_validate({"ignore": {"fields": ["components[*].example"]}})
    a = {
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "T {{1}}", "examples": ["one"]},
            {"type": "BODY", "text": "b"},
        ]
    }
    b = {
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "T {{1}}", "example": "two"},
            {"type": "BODY", "text": "b"},
        ]
    }
    assert canonical_details(a) != canonical_details(b)
    strip = config.ignore.strip
    assert canonical_details(a, strip=strip) == canonical_details(b, strip=strip)


def test_canonicalisation_does_not_modify_its_input():
    raw = {"components": [{"type": "FOOTER", "text": "f"}, {"type": "BODY", "text": "b"}]}
    before = copy.deepcopy(raw)
    canonical_details(raw, category="UTILITY")
    assert raw == before


_leaf = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.booleans(), st.none())
_value = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abcd"), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["x", "y", "z", "messageSendTtlSeconds"]), _value))
def test_canonical_form_is_idempotent_and_key_order_free(raw):
    once = canonical_details(raw, category="UTILITY")
    assert canonical_details(once, category="UTILITY") == once
    items = list(raw.items())
    random.Random(0).shuffle(items)
    assert canonical_details(dict(items), category="UTILITY") == once


def _remote(**kw) -> RemoteTemplate:
    base = {"name": "t", "language": "EN_US", "category": "UTILITY"}
    return RemoteTemplate.model_validate({**base, **kw})


def test_remote_fingerprint_ignores_traffic_but_sees_state_and_content():
    body = {"components": [{"type": "BODY", "text": "x"}]}
    a = _remote(state="APPROVED", details=body, qualityScore="QUALITY_SCORE_GREEN")
    b = _remote(
        state="APPROVED",
        details=body,
        qualityScore="QUALITY_SCORE_RED",
        analytics=[{"sent": 5, "delivered": 4, "read": 1, "start": "s", "end": "e", "buttons": []}],
    )
    assert remote_fingerprint(a) == remote_fingerprint(b)
    assert remote_fingerprint(a) != remote_fingerprint(_remote(state="PAUSED", details=body))
    other = {"components": [{"type": "BODY", "text": "y"}]}
    assert remote_fingerprint(a) != remote_fingerprint(_remote(state="APPROVED", details=other))
    assert remote_fingerprint(None) == ABSENT
    assert remote_fingerprint(a).startswith("sha256:")


def test_desired_hash_is_order_free_and_content_sensitive():
    one = (("a", "EN_US"), {"details": {"x": 1}})
    two = (("b", "DE"), {"details": {"x": 2}})
    assert desired_hash([one, two]) == desired_hash([two, one])
    assert desired_hash([one, two]) != desired_hash([one, (("b", "DE"), {"details": {"x": 3}})])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_canonical_json_is_json_dumps_with_sorted_keys_and_no_whitespace(value):
    """One encoder, made once, writes every hash line and fingerprint: what it writes is what
    ``json.dumps`` writes with the same options (text of any script, control characters, NaN,
    big integers, floats)."""
    dumped = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == dumped
