"""JSON Schemas of waform's files, generated from the pydantic models (never edited by hand).

The models are the single source of truth; the schema exists for *editors* (autocomplete and
inline errors through a ``# yaml-language-server: $schema=…`` line) and for tools outside Python
(``jsonschema`` in CI). Pydantic's raw output is correct for validation but awkward in an editor,
so :func:`template_json_schema` post-processes it, keeping it equivalent to the models:

* discriminated unions (``Component``, ``Button``, …) become an enum on ``type`` plus
  ``if``/``then`` branches, so an editor offers the allowed ``type`` values and reports
  "``url`` is required" instead of "matches none of oneOf";
* checks the models make in validators are restated where JSON Schema can say them (one BODY,
  each component type once, ``navigateScreen`` for NAVIGATE flows, TTL range per category,
  known language codes in any spelling);
* pydantic's auto titles ("Addsecurityrecommendation") and ``default: null`` are dropped and
  user-facing descriptions are added, so hovering a key explains it.

Other file kinds register their generator in :data:`SCHEMAS` (one line each);
``waform schema`` writes every registered schema and ``--check`` compares them with the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from waform.atomicfile import write_text_atomic
from waform.config import Config
from waform.model.enums import LANGUAGE_CODES, META_ONLY_LANGUAGE_CODES, TTL_RANGES
from waform.model.template import TemplateFile
from waform.plan import plan_json_schema
from waform.schema_descriptions import (
    CONSTRAINT_KEYWORDS,
    DESCRIPTIONS,
    TEMPLATE_DESCRIPTION,
    UNION_NAMES,
)

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]


def schema_id(filename: str) -> str:
    """A stable ``$id`` for a schema file (a URN: the project has no canonical web address)."""
    return f"urn:waform:schema:{filename}"


# ---------------------------------------------------------------- generation


def template_json_schema() -> Schema:
    """The JSON Schema (2020-12) of one desired-state template file (``TemplateFile``)."""
    raw = TemplateFile.model_json_schema(by_alias=True, mode="validation")
    defs: dict[str, Schema] = raw.pop("$defs")
    defs["TemplateFile"] = raw

    for schema in [*defs.values()]:
        _tidy(schema)
    _describe(defs)
    _rewrite_unions(defs)
    _restate_validators(defs)

    root = defs.pop("TemplateFile")
    root.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id("template.schema.json"),
        "title": "waform template file",
        "description": TEMPLATE_DESCRIPTION,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def config_json_schema() -> Schema:
    """The JSON Schema (2020-12) of ``waform.yaml`` (:class:`~waform.config.Config`).

    Tidied like the template schema, and its tagged unions (target and auth ``type``) written
    as ``if``/``then``, so an editor names the missing key of the chosen kind.
    """
    raw = Config.model_json_schema(mode="validation")
    defs: dict[str, Schema] = raw.pop("$defs")
    raw.pop("title", None)
    raw.pop("$id", None)
    for schema in [raw, *defs.values()]:
        schema.pop("title", None)
        _tidy(schema)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id("config.schema.json"),
        "title": "waform configuration (waform.yaml)",
        **raw,
        "$defs": dict(sorted(defs.items())),
    }


def _type_is(tag: str, then: Schema) -> Schema:
    """The ``if``/``then`` branch of a tagged union for one ``type`` value."""
    return {"if": {"properties": {"type": {"const": tag}}, "required": ["type"]}, "then": then}


def _tidy(node: Any) -> None:
    """Remove pydantic noise and repair non-standard keywords, recursively and in place."""
    if isinstance(node, list):
        for item in node:
            _tidy(item)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("description"), str):
        node["description"] = node["description"].replace("``", "`")  # docstrings' RST
    if "oneOf" in node and "discriminator" in node:  # ``Field(discriminator="type")``
        mapping = node.pop("discriminator")["mapping"]
        node.pop("oneOf")
        node.update(type="object", required=["type"], properties={"type": {"enum": list(mapping)}})
        node["allOf"] = [_type_is(tag, {"$ref": ref}) for tag, ref in mapping.items()]
    for key in [k for k in node if k in CONSTRAINT_KEYWORDS]:
        # ``Annotated[int | float, Field(ge=0)]`` leaks ``ge`` verbatim; push it into the branches.
        keyword, value = CONSTRAINT_KEYWORDS[key], node.pop(key)
        for branch in node.get("anyOf", [node]):
            branch[keyword] = value
    if "patternProperties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False  # dict keys constrained by a pattern: others refused
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs"):  # name → schema mappings
            for prop in value.values():
                if key == "properties":
                    prop.pop("title", None)  # "Addsecurityrecommendation": auto, unhelpful
                    if "default" in prop and prop["default"] is None:
                        del prop["default"]  # an editor would insert `null` when completing
                _tidy(prop)
        else:
            _tidy(value)


def _describe(defs: dict[str, Schema]) -> None:
    for def_name, texts in DESCRIPTIONS.items():
        schema = defs[def_name]
        for prop, text in texts.items():
            if prop == "":
                schema["description"] = text
                continue
            target = schema["properties"][prop]
            target["description"] = text
            if text.startswith("Deprecated"):
                target["deprecated"] = True


def _rewrite_unions(defs: dict[str, Schema]) -> None:
    """``oneOf`` of tagged models → a named definition: ``type`` enum plus ``if``/``then``.

    ``oneOf`` validates the same set of documents, but editors and ``jsonschema`` then report
    "not valid under any of the given schemas"; with ``if``/``then`` they name the bad ``type``
    or the missing key of the chosen kind.
    """
    for (owner, prop), (union_name, description) in UNION_NAMES.items():
        items = defs[owner]["properties"][prop]["items"]
        members = [ref["$ref"].rsplit("/", 1)[1] for ref in items.pop("oneOf")]
        defs[union_name] = _tagged_union(defs, members, description)
        items["$ref"] = f"#/$defs/{union_name}"
    leftover = [name for name, schema in defs.items() if _has_key(schema, "oneOf")]
    if leftover:  # a new union in the models: name it in UNION_NAMES
        raise RuntimeError(f"unhandled oneOf in schema definitions: {leftover}")


def _has_key(node: Any, key: str) -> bool:
    if isinstance(node, dict):
        return key in node or any(_has_key(value, key) for value in node.values())
    if isinstance(node, list):
        return any(_has_key(item, key) for item in node)
    return False


def _tag_values(schema: Schema, key: str) -> list[str]:
    prop = schema["properties"].get(key, {})
    if "const" in prop:
        return [prop["const"]]
    return list(prop.get("enum", []))


def _tagged_union(defs: dict[str, Schema], members: list[str], description: str) -> Schema:
    types: dict[str, list[str]] = {}
    for member in members:
        (type_value,) = _tag_values(defs[member], "type")
        types.setdefault(type_value, []).append(member)

    branches: list[Schema] = []
    for type_value, same_type in types.items():
        type_is = {"type": {"const": type_value}}
        if len(same_type) == 1:
            branches.append(_type_is(type_value, {"$ref": f"#/$defs/{same_type[0]}"}))
            continue
        # Several models share the type (HEADER): `format` tells them apart.
        formats = [fmt for member in same_type for fmt in _tag_values(defs[member], "format")]
        branches.append(
            _type_is(
                type_value, {"required": ["format"], "properties": {"format": {"enum": formats}}}
            )
        )
        for member in same_type:
            branches.append(
                {
                    "if": {
                        "properties": {
                            **type_is,
                            "format": {"enum": _tag_values(defs[member], "format")},
                        },
                        "required": ["type", "format"],
                    },
                    "then": {"$ref": f"#/$defs/{member}"},
                }
            )
    return {
        "description": description,
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(types)}},
        "allOf": branches,
    }


def _at_most_one_of_each(union: Schema) -> list[Schema]:
    return [
        {"contains": {"properties": {"type": {"const": t}}}, "minContains": 0, "maxContains": 1}
        for t in union["properties"]["type"]["enum"]
    ]


def _restate_validators(defs: dict[str, Schema]) -> None:
    """What the models check in Python validators, said in JSON Schema where it can be."""
    components = defs["TemplateDetails"]["properties"]["components"]
    components["allOf"] = [
        {"contains": {"properties": {"type": {"const": "BODY"}}, "required": ["type"]}},
        *_at_most_one_of_each(defs["Component"]),
    ]
    defs["Card"]["properties"]["components"]["allOf"] = _at_most_one_of_each(defs["CardComponent"])

    defs["FlowButton"]["if"] = {
        "properties": {"flowAction": {"const": "NAVIGATE"}},
        "required": ["flowAction"],
    }
    defs["FlowButton"]["then"] = {"required": ["navigateScreen"]}

    root = defs["TemplateFile"]
    root["properties"]["languages"]["propertyNames"] = {
        "pattern": _language_key_pattern(),
        "description": "A Sinch language code in any case, '_' or '-' (EN_US, en_US, en-us).",
    }
    # TemplateFile.cross_field_errors(): messageSendTtlSeconds must fit the category's range.
    root["allOf"] = [
        {
            "if": {"properties": {"category": {"const": category}}, "required": ["category"]},
            "then": {
                "properties": {
                    "languages": {
                        "additionalProperties": {
                            "properties": {
                                "details": {
                                    "properties": {
                                        "messageSendTtlSeconds": {"minimum": low, "maximum": high}
                                    }
                                }
                            }
                        }
                    }
                }
            },
        }
        for category, (low, high) in TTL_RANGES.items()
    ]


def _language_key_pattern() -> str:
    """A regex matching every spelling :func:`normalize_language` maps to a code files may use.

    ECMA-262 regexes (JSON Schema's dialect) have no inline case-insensitive flag, hence the
    character classes: ``EN_US`` → ``[Ee][Nn][_-][Uu][Ss]``.
    """

    def spell(code: str) -> str:
        return "".join("[_-]" if c == "_" else f"[{c}{c.lower()}]" for c in code)

    codes = (*LANGUAGE_CODES, *META_ONLY_LANGUAGE_CODES)
    return "^(?:" + "|".join(spell(code) for code in codes) + ")$"


# ---------------------------------------------------------------- registry and files

#: Every schema file waform publishes: file name → generator. Register a new one with one line.
SCHEMAS: dict[str, Callable[[], Schema]] = {
    "template.schema.json": template_json_schema,
    "plan.schema.json": plan_json_schema,
    "config.schema.json": config_json_schema,
}


def render_schema(schema: Schema) -> str:
    """The committed text of a schema: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def rendered_schemas() -> dict[str, str]:
    """Every registered schema, rendered. Generated in full before anything is written."""
    return {filename: render_schema(build()) for filename, build in SCHEMAS.items()}


def stale_schemas(directory: Path) -> dict[Path, str]:
    """Registered schema files in ``directory`` that are missing or differ: path → reason."""
    stale: dict[Path, str] = {}
    for filename, text in rendered_schemas().items():
        path = directory / filename
        try:
            current = _current_text(path)
        except OSError as exc:
            stale[path] = f"cannot read it ({exc.strerror or type(exc).__name__})"
            continue
        if current is None:
            stale[path] = "missing"
        elif current != text:
            stale[path] = "out of date"
    return stale


def _current_text(path: Path) -> str | None:
    """An existing schema file's text (``None`` if there is none). Bytes that are not UTF-8
    become U+FFFD, so a damaged file compares as out of date instead of failing."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


def write_schemas(directory: Path) -> dict[Path, bool]:
    """Write every registered schema into ``directory``: path → whether its content changed.

    Each file is replaced atomically (temporary file + rename), and unchanged files are left
    alone, so a failed or interrupted run never leaves a half-written schema behind.
    """
    texts = rendered_schemas()
    directory.mkdir(parents=True, exist_ok=True)
    changed: dict[Path, bool] = {}
    for filename, text in texts.items():
        path = directory / filename
        if _current_text(path) == text:
            changed[path] = False
            continue
        write_text_atomic(path, text)
        changed[path] = True
    return changed
