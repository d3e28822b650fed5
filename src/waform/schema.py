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
from waform.model import wire
from waform.model.enums import LANGUAGE_CODES, META_ONLY_LANGUAGE_CODES, TTL_RANGES
from waform.model.template import TemplateFile
from waform.plan import plan_json_schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

Schema = dict[str, Any]


def schema_id(filename: str) -> str:
    """A stable ``$id`` for a schema file (a URN: the project has no canonical web address)."""
    return f"urn:waform:schema:{filename}"


# ---------------------------------------------------------------- descriptions

_TEMPLATE_DESCRIPTION = (
    "One WhatsApp message template name as waform desired state: the category shared by all "
    "languages and, per language, Sinch's `details` (camelCase, as in Sinch's API docs)."
)

#: Hover texts per definition (``""`` = the definition itself) and property.
_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "TemplateFile": {
        "name": "Template name: lowercase letters, digits and `_`; may not start or end with `_`. "
        "The file should be called `<name>.yaml`.",
        "category": "Shared by every language of the name (Sinch enforces it).",
        "status": "`submit` sends the content to Meta for review; `draft` only stores it at "
        "Sinch. Can be overridden per language.",
        "allowCategoryChange": "Let Meta re-categorise the template instead of rejecting it. "
        "Can be overridden per language.",
        "saveDraftOnFailure": "Keep the content as a Sinch draft when the submission fails. "
        "Can be overridden per language.",
        "rules": "Per-template overrides of waform's Meta-rule checks: rule id (e.g. WA-V9) "
        '→ off | warning | error. Quote "off" for YAML 1.1 tools.',
        "languages": "Content per language. Keys: Sinch (EN_US, DE, PT_BR) or Meta (en_US, de, "
        "pt_BR) spelling, also with '-'; waform normalises them to Sinch's.",
    },
    "LanguageEntry": {
        "": "One language of the template: its content plus optional overrides of the "
        "file-level status, allowCategoryChange and saveDraftOnFailure.",
        "status": "Overrides the file-level status for this language.",
        "allowCategoryChange": "Overrides the file-level allowCategoryChange for this language.",
        "saveDraftOnFailure": "Overrides the file-level saveDraftOnFailure for this language.",
        "details": "Exactly Sinch's `details`: the content Meta reviews.",
    },
    "TemplateDetails": {
        "": "The content Meta reviews (Sinch's `details`).",
        "components": "A BODY is required; every component type may appear at most once.",
        "messageSendTtlSeconds": "How long WhatsApp keeps trying to deliver: AUTHENTICATION "
        "10..900, UTILITY 30..43200, MARKETING 43200..2592000 seconds.",
        "optimization": "Dynamic pricing (MARKETING, accounts enabled for maximum-price "
        "templates only).",
    },
    "Optimization": {
        "": "Dynamic pricing: a cap on the price per 1,000 deliveries.",
        "bidAmount": "Maximum price per 1,000 deliveries in the smallest unit of the WABA "
        "currency (5000 = USD 0.05 per delivery).",
        "bidStrategy": "The only input value is LOWEST_COST_WITH_BID_CAP.",
        "bidCountryMultiplierOverrides": "ISO 3166 alpha-2 country → multiplier as a decimal "
        'string, 0.0..10.0 (e.g. DE: "1.2").',
    },
    "TextHeader": {
        "": "A text header (≤ 60 characters, at most one variable {{1}}).",
        "text": "Header text; no newlines, emoji or markdown characters.",
        wire.SINGLE_EXAMPLE: "Sample value of the header variable; required when the text "
        "has {{1}}.",
    },
    "MediaHeader": {
        "": "An IMAGE, VIDEO or DOCUMENT header; the sample file is reviewed by Meta.",
        wire.SINGLE_EXAMPLE: "Sample media that Sinch downloads: JPEG/PNG ≤ 5 MB, MP4/3GP ≤ 16 MB, "
        "PDF ≤ 100 MB.",
    },
    "LocationHeader": {
        "": "A location header: the location is given when sending (UTILITY or MARKETING).",
    },
    "MediaExample": {
        "url": "Public https URL of the sample file.",
        "mimeType": "Only needed when the type cannot be told from the file contents.",
    },
    "CardMediaExample": {
        "url": "Public https URL of the sample image or video.",
        "mimeType": "Only needed when the type cannot be told from the file contents.",
    },
    "Body": {
        "": "The message text (required in every template).",
        "text": "Up to 1024 characters (600 with a limited-time offer); variables {{1}}..{{n}} "
        "in order, not at the very start or end, not next to each other. Leave out for "
        "AUTHENTICATION templates (Meta supplies the text).",
        wire.BODY_EXAMPLES: "One sample value per variable, in order.",
        "addSecurityRecommendation": "AUTHENTICATION only: add Meta's 'do not share this code' "
        "line.",
    },
    "Footer": {
        "": "A footer line (no variables, no emoji).",
        "text": "Footer text, up to 60 characters.",
        "codeExpirationMinutes": "AUTHENTICATION only: adds 'This code expires in N minutes' "
        "(1..90).",
    },
    "Buttons": {
        "": "Up to 10 buttons; quick replies must be next to each other.",
    },
    "Carousel": {
        "": "A media card carousel (MARKETING): 2..10 cards with the same components.",
    },
    "Card": {
        "": "One carousel card: a media HEADER, an optional BODY (≤ 160) and 1..2 buttons.",
    },
    "CardHeader": {
        "": "The card's IMAGE or VIDEO (cropped to a wide ratio).",
        wire.SINGLE_EXAMPLE: "Sample media that Sinch downloads.",
    },
    "CardBody": {
        "text": "Card text, up to 160 characters.",
        wire.BODY_EXAMPLES: "One sample value per variable, in order.",
    },
    "CardButtons": {
        "": "One or two buttons: URL, QUICK_REPLY or PHONE_NUMBER.",
    },
    "LimitedTimeOffer": {
        "": "Limited-time offer banner (MARKETING; no footer allowed).",
        "text": "Offer title, up to 16 characters.",
        "hasExpiration": "Show a countdown to the expiry time given when sending.",
    },
    "PhoneNumberButton": {
        "text": "Button label (≤ 25 characters).",
        "phoneNumber": "International number, e.g. +14155550123.",
    },
    "UrlButton": {
        "text": "Button label (≤ 25 characters).",
        "url": "https URL; may end with one variable {{1}}. No wa.me links or URL shorteners.",
        wire.SINGLE_EXAMPLE: "The full URL with the variable filled in; required when the URL "
        "ends with {{1}}.",
    },
    "QuickReplyButton": {
        "text": "Button label (≤ 25 characters).",
    },
    "OtpButton": {
        "": "The one-time-password button of an AUTHENTICATION template (exactly one).",
        "otpType": "COPY_CODE, ONE_TAP (Android autofill) or ZERO_TAP (Android, no tap).",
        "text": "Copy-code button label (≤ 25 characters).",
        "autofillText": "ONE_TAP/ZERO_TAP autofill button label (≤ 25 characters).",
        "packageName": "Deprecated: use supportedApps.",
        "signatureHash": "Deprecated: use supportedApps.",
        "supportedApps": "ONE_TAP/ZERO_TAP: the Android apps (1..5) that receive the code.",
        "zeroTapTermsAccepted": "ZERO_TAP: must be true (you accept Meta's zero-tap terms).",
    },
    "SupportedApp": {
        "packageName": "Android package name, e.g. com.example.shop.",
        "signatureHash": "The app's 11-character signing key hash.",
    },
    "FlowButton": {
        "text": "Button label (≤ 25 characters).",
        "flowId": "Id of a published WhatsApp Flow (digits).",
        "flowAction": "NAVIGATE opens navigateScreen; DATA_EXCHANGE asks your endpoint.",
        "navigateScreen": "First screen of the flow; required for NAVIGATE.",
    },
    "RequestContactInfoButton": {
        "": "Asks the user to share their contact details.",
    },
    "OrderDetailsButton": {
        "": "'Review and pay' button of an order-details (payments) template.",
    },
    "CopyCodeButton": {
        "": "Copies a coupon code (MARKETING); the label is set by WhatsApp.",
        wire.SINGLE_EXAMPLE: "Sample code, up to 15 characters to be safe (Meta documents 15 "
        "and 20).",
    },
}

#: Unions pydantic renders as ``oneOf`` → (definition name to create, its description).
_UNION_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("TemplateDetails", "components"): (
        "Component",
        "A template component; `type` (and `format` for HEADER) selects the kind.",
    ),
    ("Buttons", "buttons"): ("Button", "A button; `type` selects the kind."),
    ("Card", "components"): ("CardComponent", "A carousel card component."),
    ("CardButtons", "buttons"): ("CardButton", "A carousel card button."),
}

#: Property names pydantic emits that are not JSON Schema keywords → their JSON Schema names.
_CONSTRAINT_KEYWORDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}

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
        "description": _TEMPLATE_DESCRIPTION,
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
    for key in [k for k in node if k in _CONSTRAINT_KEYWORDS]:
        # ``Annotated[int | float, Field(ge=0)]`` leaks ``ge`` verbatim; push it into the branches.
        keyword, value = _CONSTRAINT_KEYWORDS[key], node.pop(key)
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
    for def_name, texts in _DESCRIPTIONS.items():
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
    for (owner, prop), (union_name, description) in _UNION_NAMES.items():
        items = defs[owner]["properties"][prop]["items"]
        members = [ref["$ref"].rsplit("/", 1)[1] for ref in items.pop("oneOf")]
        defs[union_name] = _tagged_union(defs, members, description)
        items["$ref"] = f"#/$defs/{union_name}"
    leftover = [name for name, schema in defs.items() if _has_key(schema, "oneOf")]
    if leftover:  # a new union in the models: name it in _UNION_NAMES
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
