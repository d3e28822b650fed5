"""LoadedFile.locate / locate_key, template sources, lazily derived data, YAML 1.2 reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from waform.loader import LoadedFile, load_paths
from waform.yamlsafe import read_yaml

TEMPLATE = """\
# a comment first, so lines are not trivially 1-based
name: order_ready
category: MARKETING
languages:
  en_US:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "Order {{1}}"
          examples: ["A-1042"]
        - type: BODY
          text: "Hi {{1}}, your order {{2}} is ready for pickup at our Main Street store today."
          examples: ["Anna", "A-1042"]
        - type: BUTTONS
          buttons:
            - type: URL
              text: "Track it"
              url: "https://example.com/t/{{1}}"
              example: "https://example.com/t/A-1042"
  de: {status: draft, details: {components: [{type: BODY, text: "Hallo {{1}}, Bestellung {{2}} liegt bereit.", examples: [Anna, A-1042]}]}}
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedFile:
    path = tmp_path / "order_ready.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    result = load_paths([path])
    assert result.ok, [d.render() for d in result.diagnostics]
    [file] = result.files
    return file


def test_locate_follows_pydantic_locs_with_union_tags_and_normalised_codes(loaded) -> None:
    details = ("languages", "EN_US", "details")
    assert loaded.locate((*details, "components", 1, "BODY", "text")) == (13, 17)
    assert loaded.locate((*details, "components", 0, "HEADER_TEXT", "text")) == (10, 17)
    button = (*details, "components", 2, "BUTTONS", "buttons", 0, "URL")
    assert loaded.locate((*button, "url")) == (19, 20)
    assert loaded.locate((*details, "components", 1, "examples", 1)) == (14, 30)


def test_locate_key_points_at_the_key(loaded) -> None:
    assert loaded.locate_key(("languages", "EN_US")) == (5, 3)
    assert loaded.locate_key(("languages", "en_us")) == (5, 3)
    assert loaded.locate_key(("languages", "DE")) == (21, 3)
    assert loaded.locate_key(("category",)) == (3, 1)
    assert loaded.locate(("category",)) == (3, 11)


def test_locate_reads_flow_style(loaded) -> None:
    de = ("languages", "DE", "details", "components", 0)
    assert loaded.locate((*de, "text")) == (21, 65)
    assert loaded.locate((*de, "BODY", "examples", 1)) == (21, 129)
    assert loaded.locate(("languages", "DE", "status")) == (21, 16)


def test_example_and_examples_are_the_same_field(loaded) -> None:
    header = ("languages", "EN_US", "details", "components", 0, "HEADER_TEXT")
    assert loaded.locate((*header, "example")) == (11, 21)
    assert loaded.template.languages["EN_US"].details.components[0].example == "A-1042"


def test_locate_falls_back_to_the_nearest_ancestor(loaded) -> None:
    body = ("languages", "EN_US", "details", "components", 1)
    assert loaded.locate((*body, "addSecurityRecommendation")) == (12, 11)
    assert loaded.locate((*body, "examples", 9)) == (14, 21)
    assert loaded.locate(("languages", "FR", "details")) == (5, 3)
    assert loaded.locate(()) == (2, 1)


def test_each_language_is_sourced_at_its_key(loaded) -> None:
    sources = {t.language: str(t.source) for t in loaded.desired}
    assert sources == {"EN_US": f"{loaded.path}:5:3", "DE": f"{loaded.path}:21:3"}
    assert {t.language: t.status for t in loaded.desired} == {"EN_US": "submit", "DE": "draft"}


def test_data_is_the_plain_yaml_value(loaded) -> None:
    data = loaded.data
    assert data["languages"]["en_US"]["details"]["components"][0]["examples"] == ["A-1042"]
    assert data["languages"]["de"]["status"] == "draft"
    assert loaded.data is data  # derived once


def test_yaml_1_2_core_schema(tmp_path: Path) -> None:
    """``yes``/dates/``0o17`` read as YAML 1.2 says; a date-looking example stays a string."""
    path = tmp_path / "dates.yaml"
    path.write_text(
        TEMPLATE.replace("name: order_ready", "name: dates")
        .replace('["Anna", "A-1042"]', "[2025-01-31, yes]")
        .replace("  de: {status: draft", "  de: {allowCategoryChange: true, status: draft")
        .replace("  de: {", "      messageSendTtlSeconds: 0xA8C0\n  de: {"),
        encoding="utf-8",
    )
    result = load_paths([path])
    assert result.ok, [d.render() for d in result.diagnostics]
    [file] = result.files
    body = file.template.languages["EN_US"].details.components[1]
    assert body.examples == ["2025-01-31", "yes"]
    assert file.template.languages["EN_US"].details.messageSendTtlSeconds == 43200
    assert file.template.languages["DE"].allowCategoryChange is True


def test_flow_plain_scalars_hold_colons_and_question_marks_as_yaml_1_2_allows() -> None:
    """``[a?b, c:d]``: a ``?`` or ``:`` not followed by a space is part of a plain scalar in flow
    context too (YAML 1.2, and libyaml from 0.2.5 on; the older libyaml of ruamel.yaml.clib
    refused both), as in a block scalar."""
    doc = read_yaml("a: [a?b, c:d, x?]\nb: {k:v: 1, q?: 2}\nc: a?b\n")
    assert doc.problems == []
    assert doc.data == {"a": ["a?b", "c:d", "x?"], "b": {"k:v": 1, "q?": 2}, "c": "a?b"}


def test_merge_keys_are_read_and_located(tmp_path: Path) -> None:
    path = tmp_path / "merged.yaml"
    path.write_text(
        """\
name: merged
category: UTILITY
languages:
  en_US:
    details: &details
      components:
        - &body
          type: BODY
          text: "Hi {{1}}, your order {{2}} is ready for pickup at our Main Street store today."
          examples: ["Anna", "A-1042"]
  DE:
    details:
      components:
        - <<: *body
          text: "Hallo {{1}}, deine Bestellung {{2}} liegt heute zur Abholung bereit."
""",
        encoding="utf-8",
    )
    result = load_paths([path])
    assert result.ok, [d.render() for d in result.diagnostics]
    [file] = result.files
    de = file.template.languages["DE"].details.components[0]
    assert de.type == "BODY" and de.text.startswith("Hallo") and de.examples == ["Anna", "A-1042"]
    components = ("languages", "DE", "details", "components", 0)
    assert file.locate((*components, "text")) == (15, 17)
    assert file.locate((*components, "examples")) == (10, 21)  # from the merged anchor
