"""The README's input examples are real: its template file and its ``waform.yaml`` validate and
plan together, its ``rules:`` and ``ignore:`` snippets do what the text around them says, and
each component and button of the YAML-format reference is one waform accepts.

Each example is found by its README section's marker and its first line, so an edit that moves
or renames one fails here instead of leaving it unchecked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from pydantic import TypeAdapter
from ruamel.yaml import YAML

from apply_support import template_yaml
from one_template_project import local_project, run
from readme_support import FENCED, README, section
from waform.model.components import Button, Component


def yaml_example(marker: str, first_line: str) -> str:
    """The ``yaml`` block of the README section holding ``marker`` that starts with
    ``first_line``."""
    text = README.read_text(encoding="utf-8")
    found = [
        block.group(3)
        for block in FENCED.finditer(text, *section(text, marker))
        if block.group(2) == "yaml" and block.group(3).startswith(first_line)
    ]
    assert len(found) == 1, f"{marker}: {len(found)} yaml blocks start with {first_line!r}"
    return found[0]


TEMPLATE = yaml_example("<!-- yaml-format -->", "# yaml-language-server:")
CONFIG = yaml_example("<!-- configuration -->", "templates: templates")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return local_project(tmp_path, monkeypatch, template=False)


def test_the_template_and_configuration_examples_validate_and_plan(project: Path) -> None:
    (project / "waform.yaml").write_text(CONFIG, encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates" / "order_shipped.yaml").write_text(TEMPLATE, encoding="utf-8")
    assert run("validate") == (0, "", "2 template-languages in 1 file: valid\n")
    code, out, err = run("plan")
    assert code == 0, err
    assert out.splitlines()[2:] == [
        "  + order_shipped/DE  create-draft (new: save as draft)",
        "  + order_shipped/EN_US  create (new: create and submit for review)",
        "",
        "Plan: 1 to create, 1 to create as draft.",
    ]


def test_the_rules_snippet_sets_the_severities_it_names(project: Path) -> None:
    snippet = yaml_example("<!-- rules -->", "rules:")
    (project / "waform.yaml").write_text(snippet, encoding="utf-8")
    code, out, err = run("rules", "--format", "json")
    assert code == 0, err
    severity = {rule["id"]: rule["severity"] for rule in json.loads(out)["rules"]}
    assert severity["WA-V9"] == "off"
    assert severity["WA-F2"] == "error"
    assert severity["WA-BT13"] == "warning"


#: A body Meta approved although it breaks WA-V11 ({{1}} {{2}}) and WA-V14 (ends in {{2}}).
APPROVED_ANYWAY = template_yaml(
    "pickup", text="Hi Anna, your parcel from our shop will be delivered to you on {{1}} {{2}}"
)


def test_the_ignore_snippet_silences_with_its_reasons(project: Path) -> None:
    snippet = yaml_example("<!-- rules -->", "ignore:")
    (project / "templates").mkdir()
    (project / "templates" / "pickup.yaml").write_text(APPROVED_ANYWAY + snippet, "utf-8")
    code, out, err = run("validate", "templates")
    assert code == 0, out + err
    path = "templates/pickup.yaml:8:17"
    assert out.splitlines() == [
        f"{path}: silenced: end the body with words after the last variable [WA-V14] (reason: "
        "approved by Meta on 2025-11-04 ending in the amount)",
        f"{path}: silenced: put a word or punctuation between the variables in '{{{{1}}}} "
        "{{2}}', not only spaces [WA-V11] (reason: approved by Meta on 2026-03-02 with the "
        "space kept)",
    ]
    assert err == "1 template-language in 1 file: valid, 2 silenced\n"


def fragment(first_line: str) -> list[object]:
    """A component or button list of the YAML-format reference, as data."""
    items = YAML(typ="safe").load(yaml_example("<!-- yaml-format -->", first_line))
    return items["components"] if isinstance(items, dict) else items


@pytest.mark.parametrize("first_line", ["- type: HEADER", "components:"])
def test_each_component_of_the_reference_is_valid(first_line: str) -> None:
    components = fragment(first_line)
    for item in components:
        if isinstance(item, dict) and item.get("type") == "CAROUSEL":
            # "- components: …" stands for more cards like the first one
            item["cards"] = [card for card in item["cards"] if card["components"] != "…"]
    assert len(TypeAdapter(list[Component]).validate_python(components)) == len(components)


def test_each_button_of_the_reference_is_valid() -> None:
    """… and every button type waform knows is among them."""
    buttons = fragment("- type: QUICK_REPLY")
    union = get_args(get_args(Button)[0])
    assert {b["type"] for b in buttons} == {get_args(kind)[1].tag for kind in union}
    assert len(TypeAdapter(list[Button]).validate_python(buttons)) == len(buttons)
