"""The example templates: valid everywhere, and together they show every component and button."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import BaseModel
from ruamel.yaml import YAML

from waform.cli import cli
from waform.model.components import Button, Component, OtpButton
from waform.model.enums import CATEGORIES, OtpType, normalize_language
from waform.model.template import TemplateFile

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "templates"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/template.schema.json"
FILES = sorted(EXAMPLES.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    # Another reader than the loader's: ruamel's own YAML 1.2 loader.
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed() -> dict[str, TemplateFile]:
    return {path.name: TemplateFile.model_validate(_load(path)) for path in FILES}


def test_there_are_enough_examples() -> None:
    assert len(FILES) >= 10
    assert not list(EXAMPLES.glob("*.yml")), "use the .yaml extension"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_starts_with_the_schema_line(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert (path.parent / "../../schemas/template.schema.json").resolve().is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_is_valid_for_the_models(path: Path) -> None:
    template = TemplateFile.model_validate(_load(path))
    assert template.cross_field_errors() == []
    assert path.name == f"{template.name}.yaml"
    for desired in template.desired():
        assert desired.create_body()["details"]["components"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_is_valid_for_the_committed_json_schema(path: Path) -> None:
    schema = json.loads((REPO / "schemas" / "template.schema.json").read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(schema).iter_errors(_load(path))
    ]
    assert errors == []


def test_examples_pass_waform_validate() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLES)])
    if "not implemented yet" in result.output:
        pytest.skip("`waform validate` is not implemented yet")
    assert result.exit_code == 0, result.output
    diagnostics = re.findall(r"^.+:\d+:\d+: .*$", result.output, flags=re.MULTILINE)
    assert diagnostics == [], "Meta's rules must have nothing to say about the examples"


# ---------------------------------------------------------------- coverage of the format


def _union_members(union: Any) -> list[type[BaseModel]]:
    """The model classes of a tagged union such as ``Component`` (so new kinds need examples)."""
    members, _discriminator = get_args(union)
    return [get_args(member)[0] for member in get_args(members)]


def _literal_values(model: type[BaseModel], field: str) -> set[str]:
    return set(get_args(model.model_fields[field].annotation))


def _kinds(union: Any) -> set[str]:
    """``type`` values of the union's models; HEADER split by format: ``HEADER_IMAGE``, …"""
    kinds: set[str] = set()
    for model in _union_members(union):
        for kind in _literal_values(model, "type"):
            if "format" in model.model_fields:
                kinds |= {f"{kind}_{fmt}" for fmt in _literal_values(model, "format")}
            else:
                kinds.add(kind)
    return kinds


def _models(node: Any) -> Iterator[BaseModel]:
    """Every model nested in ``node`` (components, buttons, cards, …), depth first."""
    if isinstance(node, BaseModel):
        yield node
        for name in type(node).model_fields:
            yield from _models(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _models(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _models(item)


def _all_models(parsed: dict[str, TemplateFile]) -> list[BaseModel]:
    return [model for template in parsed.values() for model in _models(template)]


def _component_tag(model: BaseModel) -> str | None:
    kind = getattr(model, "type", None)
    if kind == "HEADER":
        return f"HEADER_{model.format}"
    return kind


def test_examples_use_every_component_type_and_header_format(parsed) -> None:
    used = {_component_tag(m) for m in _all_models(parsed) if hasattr(m, "type")}
    expected = _kinds(Component)
    assert {"HEADER_TEXT", "HEADER_LOCATION", "HEADER_DOCUMENT", "CAROUSEL"} <= expected
    assert expected - used == set()


def test_examples_use_every_button_type_and_otp_type(parsed) -> None:
    models = _all_models(parsed)
    buttons = {m.type for m in models if type(m).__name__.endswith("Button")}
    assert _kinds(Button) - buttons == set()
    assert len(_kinds(Button)) == 8
    otp = [m for m in models if isinstance(m, OtpButton)]
    assert set(get_args(OtpType)) - {b.otpType for b in otp} == set()
    assert any(b.supportedApps for b in otp)
    assert all(b.zeroTapTermsAccepted is True for b in otp if b.otpType == "ZERO_TAP")
    urls = [m for m in models if type(m).__name__ == "UrlButton"]
    assert any("{{1}}" in b.url for b in urls), "a dynamic URL button"
    assert any("{{" not in b.url for b in urls), "a static URL button"
    flows = {m.flowAction for m in models if type(m).__name__ == "FlowButton"}
    assert flows == {"NAVIGATE", "DATA_EXCHANGE"}


def test_examples_cover_categories_ttl_optimization_and_drafts(parsed) -> None:
    templates = list(parsed.values())
    assert {t.category for t in templates} == set(CATEGORIES)
    details = [e.details for t in templates for e in t.languages.values()]
    assert any(d.messageSendTtlSeconds is not None for d in details)
    assert any(d.optimization is not None for d in details)
    assert any(t.status == "draft" for t in templates), "a whole file kept as draft"
    assert any(e.status == "draft" for t in templates for e in t.languages.values()), (
        "a per-language status override"
    )
    assert any(e.saveDraftOnFailure is not None for t in templates for e in t.languages.values()), (
        "a per-language saveDraftOnFailure override"
    )
    carousels = [t for t in templates if any(_component_tag(m) == "CAROUSEL" for m in _models(t))]
    assert carousels and all(t.category == "MARKETING" for t in carousels)


def test_examples_mix_language_spellings() -> None:
    keys = [key for path in FILES for key in _load(path)["languages"]]
    codes = {normalize_language(key) for key in keys}
    assert len(codes) >= 3
    assert any(key == normalize_language(key) for key in keys), "Sinch spelling (EN_US)"
    assert any(re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", key) for key in keys), "Meta spelling (en_US)"
    multi = [path for path in FILES if len(_load(path)["languages"]) >= 2]
    assert len(multi) >= 5


def test_example_media_and_links_use_example_dot_com(parsed) -> None:
    for name, template in parsed.items():
        for model in _models(template):
            for field in ("url", "example"):
                value = getattr(model, field, None)
                if isinstance(value, str) and "://" in value:
                    assert value.startswith("https://example.com/"), (name, value)
