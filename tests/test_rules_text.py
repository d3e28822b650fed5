"""The text analysis the rules rely on: variables, emoji, words, URLs, phone numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waform.rules.text import (
    _tokens,
    adjacent_variables,
    bad_param_whitespace,
    blocked_host,
    emoji_count,
    has_emoji,
    numbering_gap,
    numbering_order,
    scan,
    space_separated_variables,
    too_few_words,
    valid_phone,
    variable_at_edge,
    variable_behind_punctuation,
    variable_in_host,
    word_count,
)


def test_scan_sorts_tokens_into_positional_named_and_malformed() -> None:
    found = scan("Hi {{1}}, {{name}} and {{#2}} then {{2}} and {{1}} again")
    assert found.numbers == (1, 2, 1)
    assert found.distinct == (1, 2)
    assert found.named == ("{{name}}",)
    assert found.malformed == ("{{#2}}",)
    assert not scan("no braces here").any


@pytest.mark.parametrize(
    "text",
    [
        "Hi {{1}",
        "Hi {1}} there",
        "Hi {{{1}}}",
        "x {{ 1 }} y",
        "{{01}} x",
        "a {{}} b",
        "Hi {1}, your order",
        "Hi { name }, welcome",
    ],
)
def test_scan_flags_malformed_braces(text: str) -> None:
    assert scan(text).malformed, text


@given(
    st.lists(
        st.sampled_from(
            ["Hi", " ", "{{1}}", "{{2}}", "{{10}}", "{{0}}", "{", "}", "{{", "}}", "x"]
        ),
        max_size=10,
    ).map("".join)
)
def test_scan_s_fast_path_finds_what_the_token_walk_finds(text: str) -> None:
    """Texts whose braces are all well-written ``{{n}}`` skip the token walk: same result."""
    found = scan.__wrapped__(text)
    numbers, named, malformed = _tokens(text) if text else ([], [], [])
    assert (found.numbers, found.named, found.malformed) == (
        tuple(numbers),
        tuple(named),
        tuple(malformed),
    )


@given(st.text(st.characters(max_codepoint=127)))
def test_an_ascii_text_s_words_are_its_runs_of_word_characters(text: str) -> None:
    assert word_count(text) == len(re.findall(r"\w+", text))


def test_numbering_gaps_and_order_are_separate_claims() -> None:
    assert numbering_gap((1, 2, 3, 1)) is None and numbering_order((1, 2, 3, 1)) is None
    gap = numbering_gap((1, 3))
    assert gap == "number the variables {{1}}..{{2}} without gaps ({{2}} is missing)"
    assert numbering_order((1, 3)) is None  # a gap is WA-V2's, not also an order problem
    order = numbering_order((2, 1))
    assert order == "number the variables in order of first use ({{2}} comes before {{1}})"
    assert numbering_gap((2, 1)) is None


@pytest.mark.parametrize(
    ("text", "edge", "behind_punctuation"),
    [
        ("{{1}}, your order is ready.", "start", None),
        ("  {{1}} your order is ready.", "start", None),
        ("*{{1}}* your order is ready.", None, "start"),
        ("Your order is ready, {{1}}", "end", None),
        ("Your order is ready, {{1}}.", None, "end"),
        ("Your order is ready, {{1}} !!", None, "end"),
        ("Your order {{1}} is ready.", None, None),
        ("Hello", None, None),
    ],
)
def test_variable_at_the_edge_or_only_behind_punctuation(
    text: str, edge: str | None, behind_punctuation: str | None
) -> None:
    assert variable_at_edge(text) == edge
    assert variable_behind_punctuation(text) == behind_punctuation


def test_adjacent_variables_and_variables_with_only_spaces_between() -> None:
    assert adjacent_variables("a {{1}}{{2}} b") == "{{1}}{{2}}"
    assert adjacent_variables("a {{1}}  \n {{2}} b") is None
    assert space_separated_variables("a {{1}}  \n {{2}} b") == "{{1}}  \n {{2}}"
    assert space_separated_variables("a {{1}}{{2}} b") is None
    for text in ("a {{1}}, {{2}} b", "a {{1}} and {{2}} b"):
        assert adjacent_variables(text) is None and space_separated_variables(text) is None


def test_emoji_are_counted_as_a_reader_sees_them() -> None:
    assert emoji_count("plain text © 2025 ™") == 0
    assert emoji_count("ok 👍🏽 and 🇩🇪 and 👨‍👩‍👧 and ☀️") == 4
    assert emoji_count("1️⃣ ✅ ❤️") == 3
    assert has_emoji("Order 📦") and not has_emoji("Straße → Café")


def test_word_count_counts_variables_and_scripts_without_spaces() -> None:
    assert word_count("Hi {{1}}, your order {{2}} has shipped.") == 7
    assert word_count("สวัสดีครับ") == 2  # 10 Thai characters → ceil(10 / 7)
    assert word_count("ご注文ありがとうございます") == 7  # 13 characters → ceil(13 / 2)
    assert too_few_words("Hi {{1}} {{2}}", 2) == 3
    assert too_few_words("Hi {{1}}, your order {{2}} has shipped.", 2) is None


def test_param_whitespace() -> None:
    assert bad_param_whitespace("a\nb") and bad_param_whitespace("a\tb")
    assert bad_param_whitespace("a     b") and not bad_param_whitespace("a    b")


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://wa.me/15550001234", "WhatsApp link"),
        ("https://api.whatsapp.com/send?phone=1", "WhatsApp link"),
        ("https://www.bit.ly/abc", "URL shortener"),
        ("https://tinyurl.com/{{1}}", "URL shortener"),
        ("https://example.com/wa.me", None),
        ("https://shop.example/track/{{1}}", None),
    ],
)
def test_blocked_hosts(url: str, verdict: str | None) -> None:
    assert blocked_host(url) == verdict


def test_variable_in_host() -> None:
    assert variable_in_host("https://{{1}}")
    assert variable_in_host("https://shop.{{1}}")
    assert not variable_in_host("https://shop.example/{{1}}")
    assert not variable_in_host("https://shop.example?id={{1}}")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("+48 777 777777", True),
        ("15550051310", True),
        ("+1 (555) 005-1310", True),
        ("0800 PLUMBER", False),
        ("+49", False),
        ("call-us-now", False),
        ("+1234567890123456", False),
    ],
)
def test_phone_numbers(number: str, ok: bool) -> None:
    assert valid_phone(number) is ok
