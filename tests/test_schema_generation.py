"""`waform schema` and the generated JSON Schema: up to date, valid, and as strict as the models."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from waform.cli import cli
from waform.model import wire
from waform.model.enums import LANGUAGE_CODES
from waform.model.template import TemplateFile
from waform.schema import SCHEMAS, render_schema, template_json_schema

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "schemas"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads((COMMITTED / "template.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


# ---------------------------------------------------------------- committed files are current


@pytest.mark.parametrize("filename", sorted(SCHEMAS))
def test_committed_schema_matches_the_models(filename: str) -> None:
    path = COMMITTED / filename
    assert path.is_file(), f"schemas/{filename} is missing: run `waform schema`"
    assert path.read_text(encoding="utf-8") == render_schema(SCHEMAS[filename]()), (
        f"schemas/{filename} is out of date: run `waform schema`"
    )


def test_schema_check_passes_on_the_committed_files() -> None:
    result = CliRunner().invoke(cli, ["schema", "--check", "--output", str(COMMITTED)])
    assert result.exit_code == 0, result.output


def test_schema_writes_every_registered_file_then_leaves_them_alone(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "nested" / "schemas"
    first = runner.invoke(cli, ["schema", "--output", str(out)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMAS)
    for filename in SCHEMAS:
        text = (out / filename).read_text(encoding="utf-8")
        assert text == render_schema(SCHEMAS[filename]())
        assert text.endswith("}\n")
        assert f"wrote {out / filename}" in first.stderr
    second = runner.invoke(cli, ["schema", "--output", str(out)])
    assert second.exit_code == 0
    assert f"unchanged {out / 'template.schema.json'}" in second.stderr


def test_schema_defaults_to_schemas_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "schemas" / "template.schema.json").is_file()


def test_schema_check_reports_stale_and_missing_files_and_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["schema", "-o", str(tmp_path)]).exit_code == 0
    stale = tmp_path / "template.schema.json"
    stale.write_text('{"title": "old"}\n', encoding="utf-8")

    result = runner.invoke(cli, ["schema", "--check", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{stale}: out of date" in result.stderr
    assert "error: 1 schema file is not up to date; run `waform schema" in result.stderr
    assert "Traceback" not in result.output
    assert stale.read_text(encoding="utf-8") == '{"title": "old"}\n'

    empty = tmp_path / "empty"
    result = runner.invoke(cli, ["schema", "--check", "-o", str(empty)])
    assert result.exit_code == 1
    assert f"{empty / 'template.schema.json'}: missing" in result.stderr
    assert not empty.exists()


def test_schema_into_an_unwritable_place_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["schema", "-o", str(blocker / "sub")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write schemas to ")
    assert len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- shape of the schema


def test_schema_is_valid_2020_12_with_identity(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("template.schema.json")
    assert schema["title"] and schema["description"]
    assert set(schema["required"]) == {"name", "category", "languages"}


def _walk(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    found = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _walk(value, (*path, index))
    return found


def test_every_ref_resolves_and_no_pydantic_only_keywords_leak(schema: dict[str, Any]) -> None:
    for path, node in _walk(schema):
        if not isinstance(node, dict) or (path and path[-1] == "properties"):
            continue
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/$defs/")
            assert name in schema["$defs"], path
        # `ge` once leaked from Optimization.bidAmount; validators ignore unknown keywords.
        assert not {"ge", "le", "gt", "lt", "discriminator"} & set(node), path
        assert "oneOf" not in node, path


@pytest.mark.parametrize(
    "definition", ["TextHeader", "MediaHeader", "CardHeader", "UrlButton", "CopyCodeButton"]
)
def test_single_example_appears_under_its_wire_name(
    schema: dict[str, Any], definition: str
) -> None:
    properties = schema["$defs"][definition]["properties"]
    assert wire.SINGLE_EXAMPLE in properties
    assert set(wire.SINGLE_EXAMPLE_ALIASES).isdisjoint(properties)


def test_properties_have_descriptions_not_auto_titles(schema: dict[str, Any]) -> None:
    for name, definition in schema["$defs"].items():
        for prop, subschema in definition.get("properties", {}).items():
            assert "title" not in subschema, (name, prop)
            assert subschema.get("default", "unset") is not None, (name, prop)
    assert "description" in schema["$defs"]["UrlButton"]["properties"]["url"]
    assert schema["$defs"]["OtpButton"]["properties"]["packageName"]["deprecated"] is True


# ---------------------------------------------------------------- schema ≡ models


def _doc() -> dict[str, Any]:
    """A valid file exercising most shapes; each bad case below breaks one thing in it."""
    return {
        "name": "order_update",
        "category": "UTILITY",
        "status": "submit",
        "rules": {"WA-V9": "off"},
        "languages": {
            "en_US": {
                "status": "draft",
                "details": {
                    "components": [
                        {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": "7"},
                        {
                            "type": "BODY",
                            "text": "Hi {{1}}, your order is on its way to you today.",
                            "examples": ["Anna"],
                        },
                        {"type": "FOOTER", "text": "Example Shop"},
                        {
                            "type": "BUTTONS",
                            "buttons": [
                                {
                                    "type": "URL",
                                    "text": "Track",
                                    "url": "https://example.com/t/{{1}}",
                                    "example": "https://example.com/t/7",
                                },
                                {
                                    "type": "FLOW",
                                    "text": "Rate it",
                                    "flowId": "123",
                                    "flowAction": "NAVIGATE",
                                    "navigateScreen": "RATING",
                                },
                            ],
                        },
                    ],
                    "messageSendTtlSeconds": 3600,
                },
            },
            "DE": {
                "details": {
                    "components": [
                        {"type": "HEADER", "format": "LOCATION"},
                        {"type": "BODY", "text": "Ihre Bestellung ist da."},
                    ]
                }
            },
        },
    }


def _marketing_doc() -> dict[str, Any]:
    card = {
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"url": "https://example.com/a.jpg"}},
            {"type": "BODY", "text": "A card"},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "More"}]},
        ]
    }
    return {
        "name": "promo",
        "category": "MARKETING",
        "languages": {
            "pt-br": {
                "details": {
                    "components": [
                        {"type": "BODY", "text": "Veja as ofertas da semana."},
                        {"type": "CAROUSEL", "cards": [card, copy.deepcopy(card)]},
                    ],
                    "optimization": {
                        "bidAmount": 5000,
                        "bidStrategy": "LOWEST_COST_WITH_BID_CAP",
                        "bidCountryMultiplierOverrides": {"BR": "1.5"},
                    },
                }
            }
        },
    }


def _model_rejects(doc: dict[str, Any]) -> bool:
    try:
        template = TemplateFile.model_validate(doc)
    except ValidationError:
        return True
    return bool(template.cross_field_errors())


@pytest.mark.parametrize("make", [_doc, _marketing_doc])
def test_valid_documents_pass_both_schema_and_model(validator, make) -> None:
    doc = make()
    assert list(validator.iter_errors(doc)) == []
    assert not _model_rejects(doc)


def _en(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["languages"]["en_US"]["details"]


def _buttons(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return _en(doc)["components"][3]["buttons"]


def _set(path: tuple, value: Any):
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


_EN = ("languages", "en_US", "details")
_COMPONENTS = (*_EN, "components")

BAD_DOCUMENTS: dict[str, Any] = {
    "unknown top-level key": _set(("lables",), ["x"]),
    "misspelt per-language key": _set(("languages", "en_US", "statsu"), "draft"),
    "unknown key in a component": _set((*_COMPONENTS, 2, "txt"), "x"),
    "unknown component type": _set((*_COMPONENTS, 2, "type"), "SIGNATURE"),
    "header without format": lambda d: _en(d)["components"][0].pop("format"),
    "header with an unknown format": _set((*_COMPONENTS, 0, "format"), "GIF"),
    "media header without its sample": _set(
        (*_COMPONENTS, 0), {"type": "HEADER", "format": "IMAGE"}
    ),
    "TEXT header with a media sample": _set((*_COMPONENTS, 0, "example"), {"url": "https://x"}),
    "header text over 60": _set((*_COMPONENTS, 0, "text"), "x" * 61),
    "no BODY": lambda d: _en(d)["components"].pop(1),
    "two FOOTERs": lambda d: _en(d)["components"].append({"type": "FOOTER", "text": "again"}),
    "wrong button type": lambda d: _buttons(d).append({"type": "CALL", "text": "Call us"}),
    "URL button without url": lambda d: _buttons(d)[0].pop("url"),
    "button label over 25": lambda d: _buttons(d)[0].update(text="x" * 26),
    "quick reply with a stray key": lambda d: _buttons(d).append(
        {"type": "QUICK_REPLY", "text": "Yes", "payload": "Y"}
    ),
    "NAVIGATE flow without a screen": lambda d: _buttons(d)[1].pop("navigateScreen"),
    "flow id not digits": lambda d: _buttons(d)[1].update(flowId="abc"),
    "OTP with an unknown otpType": lambda d: _buttons(d).append(
        {"type": "OTP", "otpType": "TWO_TAP", "text": "Copy"}
    ),
    "COPY_CODE without its sample": lambda d: _buttons(d).append({"type": "COPY_CODE"}),
    "number as a string": _set((*_EN, "messageSendTtlSeconds"), "3600"),
    "boolean as a string": _set(("allowCategoryChange",), "yes"),
    "TTL outside the UTILITY range": _set((*_EN, "messageSendTtlSeconds"), 86400),
    "unknown language": lambda d: d["languages"].update(xx_YY=d["languages"].pop("DE")),
    "no languages": _set(("languages",), {}),
    "bad template name": _set(("name",), "Order-Update"),
    "unknown category": _set(("category",), "SERVICE"),
    "bad status": _set(("status",), "publish"),
    "rule override with a bad id": _set(("rules",), {"v9": "off"}),
    "rule override with a bad level": _set(("rules",), {"WA-V9": False}),
    "BODY examples not a list": _set((*_COMPONENTS, 1, "examples"), "Anna"),
}

BAD_MARKETING: dict[str, Any] = {
    "eleven cards": lambda d: _cards(d).extend(copy.deepcopy(_cards(d)[0]) for _ in range(9)),
    "card with a DOCUMENT header": lambda d: _cards(d)[0]["components"][0].update(
        format="DOCUMENT"
    ),
    "card with two BODY": lambda d: _cards(d)[0]["components"].append(
        {"type": "BODY", "text": "x"}
    ),
    "card with a FLOW button": lambda d: _cards(d)[0]["components"][2]["buttons"].append(
        {"type": "FLOW", "text": "Go", "flowId": "1", "flowAction": "DATA_EXCHANGE"}
    ),
    "negative bid": lambda d: _opt(d).update(bidAmount=-1),
    "response spelling of bidStrategy": lambda d: _opt(d).update(
        bidStrategy="BID_STRATEGY_LOWEST_COST_WITH_BID_CAP"
    ),
    "lowercase country override": lambda d: _opt(d).update(
        bidCountryMultiplierOverrides={"br": "1"}
    ),
    "multiplier as a number": lambda d: _opt(d).update(bidCountryMultiplierOverrides={"BR": 1.5}),
    "offer text over 16": lambda d: _pt(d)["components"].append(
        {"type": "LIMITED_TIME_OFFER", "text": "x" * 17}
    ),
}


def _pt(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["languages"]["pt-br"]["details"]


def _cards(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return _pt(doc)["components"][1]["cards"]


def _opt(doc: dict[str, Any]) -> dict[str, Any]:
    return _pt(doc)["optimization"]


@pytest.mark.parametrize(
    ("make", "mutate"),
    [pytest.param(_doc, m, id=k) for k, m in BAD_DOCUMENTS.items()]
    + [pytest.param(_marketing_doc, m, id=k) for k, m in BAD_MARKETING.items()],
)
def test_bad_documents_are_rejected_by_schema_and_model_alike(validator, make, mutate) -> None:
    doc = make()
    mutate(doc)
    assert list(validator.iter_errors(doc)), "the schema accepted it"
    assert _model_rejects(doc), "the model accepted it (the test case is wrong)"


def test_schema_errors_name_the_problem(validator) -> None:
    doc = _doc()
    _buttons(doc).append({"type": "CALL", "text": "Call us"})
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    assert "'CALL' is not one of" in error.message and "'PHONE_NUMBER'" in error.message

    doc = _doc()
    _buttons(doc)[0].pop("url")
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    assert error.message == "'url' is a required property"


def _spellings(code: str) -> list[str]:
    language, _, region = code.partition("_")
    meta = language.lower() + (f"_{region}" if region else "")
    return [code, code.lower(), meta, meta.replace("_", "-")]


def test_language_keys_accept_every_spelling_of_every_code(schema: dict[str, Any]) -> None:
    names = jsonschema.Draft202012Validator(schema["properties"]["languages"]["propertyNames"])
    for code in LANGUAGE_CODES:
        for spelling in _spellings(code):
            assert names.is_valid(spelling), spelling
    for bad in ["xx", "en_XX", "EN_US_X", "en__US", "ENUS", "", "pt_br "]:
        assert not names.is_valid(bad), bad


def test_schema_is_regenerated_identically() -> None:
    assert render_schema(template_json_schema()) == render_schema(template_json_schema())
