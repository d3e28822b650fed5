"""What a check declares it needs (``@check(..., needs=)``) must be true: it never fires on a
template that lacks it, or the engine, which skips the check there, would miss a finding.

Every check runs over every template-language of the repository's templates (the examples, the
rules' own pass/fail examples, the fixtures and the corpus) and over hypothesis-generated
templates of every component and button type, in every category, including the combinations
the rules refuse; wherever a check yields a finding, the template's shape must meet its needs.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from waform.loader import LoadedFile, load_bytes
from waform.model.components import TemplateDetails
from waform.rules import RuleSettings, run_rules
from waform.rules import examples as rule_examples
from waform.rules.context import TemplateContext
from waform.rules.registry import TEMPLATE_CHECKS, TEMPLATE_NEEDS
from waform.rules.shape import ChecksByShape, describe, meets

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIRS = (
    ROOT / "examples" / "templates",
    rule_examples.CHECKS,
    ROOT / "tests" / "fixtures" / "rules",
    ROOT / "tests" / "corpus",
)


@cache
def corpus_files() -> list[LoadedFile]:
    """Every template file of the repository that loads."""
    return [
        loaded
        for folder in CORPUS_DIRS
        for path in sorted(folder.rglob("*.yaml"))
        if (loaded := load_bytes(str(path), path.read_bytes())[0]) is not None
    ]


def contexts_of(file: LoadedFile) -> list[TemplateContext]:
    template = file.template
    return [
        TemplateContext(template.name, template.category, code, entry.details)
        for code, entry in template.languages.items()
    ]


@cache
def corpus() -> list[tuple[str, TemplateContext]]:
    """``(where, context)`` of every template-language of :func:`corpus_files`."""
    return [
        (f"{file.path} {ctx.language}", ctx) for file in corpus_files() for ctx in contexts_of(file)
    ]


def _unmet_findings(ctx: TemplateContext) -> list[str]:
    """The checks that fire on ``ctx`` although its shape lacks what they declare."""
    return [
        f"{rule_id} fired ({hits[0][1]!r}) without one of "
        f"{[describe(need) for need in TEMPLATE_NEEDS[rule_id]]}; shape {describe(ctx.shape)}"
        for rule_id, check in TEMPLATE_CHECKS.items()
        if (hits := list(check(ctx))) and not meets(TEMPLATE_NEEDS.get(rule_id, ()), ctx.shape)
    ]


def test_the_repository_s_templates_are_many_and_of_many_shapes() -> None:
    assert len(corpus()) > 200
    assert len({ctx.shape for _, ctx in corpus()}) > 50


def test_no_check_fires_on_a_template_without_what_it_needs() -> None:
    wrong = [f"{where}: {problem}" for where, ctx in corpus() for problem in _unmet_findings(ctx)]
    assert wrong == []


def test_every_declaration_is_put_to_the_test_by_a_template_where_the_check_fires() -> None:
    """Each declared check fires somewhere in the corpus, so its declaration was checked."""
    fired = {
        rule_id
        for _, ctx in corpus()
        for rule_id in TEMPLATE_NEEDS
        if list(TEMPLATE_CHECKS[rule_id](ctx))
    }
    assert set(TEMPLATE_NEEDS) - fired == set()


def test_most_checks_declare_what_they_need() -> None:
    assert len(TEMPLATE_NEEDS) >= len(TEMPLATE_CHECKS) - 3


def test_only_checks_a_template_can_trip_are_chosen_for_its_shape() -> None:
    enabled = [(rule_id, check, "error") for rule_id, check in TEMPLATE_CHECKS.items()]
    by_shape = ChecksByShape(enabled, TEMPLATE_NEEDS)
    utility = next(ctx for _, ctx in corpus() if ctx.category == "UTILITY" and ctx.buttons)
    chosen = [rule_id for rule_id, _, _ in by_shape.for_shape(utility.shape)]
    assert {"WA-A4", "WA-A5", "WA-T1", "WA-K1", "WA-O1"}.isdisjoint(chosen)
    assert {"WA-N7", "WA-L2", "WA-B2", "WA-BT8"} <= set(chosen)
    assert chosen == [rule_id for rule_id in TEMPLATE_CHECKS if rule_id in chosen]  # in order
    assert by_shape.for_shape(utility.shape) is by_shape.for_shape(utility.shape)


def _every_check_s_findings(files: list[LoadedFile], rule_settings: RuleSettings) -> Counter:
    """(path, rule id, message) of every enabled check on every template-language: what the
    engine must report (or silence) when it skips nothing."""
    found: Counter = Counter()
    for file in files:
        for ctx in contexts_of(file):
            for rule_id, check in TEMPLATE_CHECKS.items():
                if rule_settings.setting(rule_id, file.template.rules) != "off":
                    found.update((file.path, rule_id, message) for _, message in check(ctx))
    return found


@pytest.mark.parametrize("overrides", [{}, {"WA-BT13": "warning", "WA-V9": "off"}])
def test_the_engine_reports_what_every_check_finds(overrides: dict[str, str]) -> None:
    files = corpus_files()
    rule_settings = RuleSettings(overrides=overrides)
    report = run_rules(files, rule_settings)
    reported = Counter(
        (d.path, d.code, d.message)
        for d in [*report.diagnostics, *(s.diagnostic for s in report.silenced)]
        if d.code in TEMPLATE_CHECKS
    )
    assert reported == _every_check_s_findings(files, rule_settings)
    assert len(reported) > 100


# ---------------------------------------------------------------- generated templates

#: Pieces of text that trip the text rules: variables well and badly written, markup, emoji,
#: line breaks, runs of spaces, links.
PIECES = ("Hi", "your order", "{{1}}", "{{2}}", "{{3}}", "{{name}}", "{1}", "{{ 1 }}", "}}", "{{",
          "*", "_x_", "😀", "🇩🇪", "\n", "\n\n\n", "     ", ".", "!", "https://wa.me/1", "bit.ly/x",
          "ok", "ready", "today")  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map(" ".join)
short = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join)
labels = st.one_of(st.sampled_from(["Track", "Track", "Call", "Stop", "Copy code"]), short)
examples = st.lists(st.sampled_from(["Anna", "A-1", "a\tb", "x     y"]), min_size=1, max_size=3)
urls = st.sampled_from([
    "https://example.com/t/{{1}}", "https://example.com/", "https://{{1}}.example.com",
    "https://example.com/{{1}}/{{2}}", "https://wa.me/{{1}}", "https://bit.ly/x",
    "https://example.com/{{2}}", "https://example.com/{{1}}/x", "https://example.com/" + "a" * 1990,
])  # fmt: skip
apps = st.lists(
    st.fixed_dictionaries(
        {"packageName": st.sampled_from(["com.example.app", "bad"]),
         "signatureHash": st.sampled_from(["K8a/3Hq+Zt0", "short"])}
    ),
    max_size=6,
)  # fmt: skip


@st.composite
def url_button(draw: st.DrawFn) -> dict[str, Any]:
    button = {"type": "URL", "text": draw(labels), "url": draw(urls)}
    if draw(st.booleans()):
        button["example"] = draw(st.sampled_from(["https://example.com/t/1", "1", "x" * 2001]))
    return button


@st.composite
def otp_button(draw: st.DrawFn) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "OTP", "otpType": draw(st.sampled_from(OTP_TYPES))}
    for key, values in (("text", labels), ("autofillText", labels), ("supportedApps", apps),
                        ("zeroTapTermsAccepted", st.booleans())):  # fmt: skip
        if draw(st.booleans()):
            button[key] = draw(values)
    return button


OTP_TYPES = ("COPY_CODE", "ONE_TAP", "ZERO_TAP")
quick_reply = st.builds(lambda t: {"type": "QUICK_REPLY", "text": t}, labels)
phone = st.builds(
    lambda t, p: {"type": "PHONE_NUMBER", "text": t, "phoneNumber": p},
    labels,
    st.sampled_from(["+49 30 1234567", "12"]),
)
card_buttons = st.one_of(url_button(), quick_reply, phone)
#: Each button type about as likely as any other, so each check meets templates without it.
buttons = st.one_of(
    url_button(),
    quick_reply,
    phone,
    otp_button(),
    st.builds(
        lambda c: {"type": "COPY_CODE", "example": c}, st.sampled_from(["SAVE10", "SAVE-10"])
    ),
    st.just({"type": "FLOW", "text": "Book", "flowId": "1", "flowAction": "DATA_EXCHANGE"}),
)


@st.composite
def header(draw: st.DrawFn) -> dict[str, Any]:
    fmt = draw(st.sampled_from(["TEXT", "IMAGE", "LOCATION"]))
    if fmt == "TEXT":
        found: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": draw(short)}
        if draw(st.booleans()):
            found["example"] = draw(st.sampled_from(["Anna", "a\nb"]))
        return found
    if fmt == "LOCATION":
        return {"type": "HEADER", "format": "LOCATION"}
    return {"type": "HEADER", "format": "IMAGE", "example": {"url": "https://example.com/a.png"}}


@st.composite
def body(draw: st.DrawFn) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "BODY"}
    for key, values in (("text", texts), ("examples", examples),
                        ("addSecurityRecommendation", st.booleans())):  # fmt: skip
        if draw(st.booleans()):
            found[key] = draw(values)
    return found


@st.composite
def card(draw: st.DrawFn) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if draw(st.booleans()):
        parts.append({"type": "HEADER", "format": draw(st.sampled_from(["IMAGE", "VIDEO"])),
                      "example": {"url": "https://example.com/a.png"}})  # fmt: skip
    if draw(st.booleans()) or not parts:
        card_body: dict[str, Any] = {"type": "BODY", "text": draw(short)}
        if draw(st.booleans()):
            card_body["examples"] = draw(examples)
        parts.append(card_body)
    if draw(st.booleans()):
        parts.append(
            {"type": "BUTTONS", "buttons": draw(st.lists(card_buttons, min_size=1, max_size=2))}
        )
    return {"components": parts}


@st.composite
def details(draw: st.DrawFn) -> TemplateDetails:
    optional = {
        "header": header(),
        "footer": st.one_of(st.builds(lambda t: {"type": "FOOTER", "text": t}, short),
                            st.builds(lambda m: {"type": "FOOTER", "codeExpirationMinutes": m},
                                      st.sampled_from([10, 95]))),
        "buttons": st.builds(lambda b: {"type": "BUTTONS", "buttons": b},
                             st.lists(buttons, min_size=1, max_size=11)),
        "carousel": st.builds(lambda c: {"type": "CAROUSEL", "cards": c},
                              st.lists(card(), min_size=1, max_size=3)),
        "offer": st.just({"type": "LIMITED_TIME_OFFER", "text": "Sale"}),
    }  # fmt: skip
    components = [draw(body())]
    for strategy in optional.values():
        if draw(st.booleans()):
            components.append(draw(strategy))
    raw: dict[str, Any] = {"components": draw(st.permutations(components))}
    if draw(st.booleans()):
        raw["messageSendTtlSeconds"] = draw(st.sampled_from([-1, 20, 600, 100_000]))
    try:
        return TemplateDetails.model_validate(raw)
    except ValidationError:
        assume(False)
        raise


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    details(),
    st.sampled_from(["AUTHENTICATION", "MARKETING", "UTILITY"]),
    st.sampled_from(["test", "order_update"]),
    st.sampled_from(["EN_US", "XX"]),
)
def test_no_check_fires_on_a_generated_template_without_what_it_needs(
    generated: TemplateDetails, category: str, name: str, language: str
) -> None:
    assert _unmet_findings(TemplateContext(name, category, language, generated)) == []
