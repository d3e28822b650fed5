"""The wording of a template file's validation errors, as an author reads them.

Pydantic says ``languages.EN_US.details.components.0.HEADER_TEXT.text: String should have at
most 60 characters``; an author wants ``text is longer than 60 characters (72)`` at the line of
that text. :func:`explain` turns each error into a :class:`SchemaProblem`: a *document path* (union
tags such as ``HEADER_TEXT`` dropped, ``EN_US`` mapped back to the ``en_US`` the author typed),
what to point at (the value, its key, or the mapping that lacks a field), and a message.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pydantic import ValidationError

from waform.model.enums import LANGUAGE_SET, normalize_language
from waform.model.template import NAME_PATTERN, TemplateFile
from waform.validation_errors.document import SchemaProblem, Target, document_path, value_at
from waform.validation_errors.model_walk import closest, field_names, model_at, union_tags


def _label(path: tuple[str | int, ...]) -> str:
    """``(…, 'examples', 0)`` → ``examples[0]``: the field name an author recognises."""
    suffix = ""
    for part in reversed(path):
        if isinstance(part, int):
            suffix = f"[{part}]" + suffix
        else:
            return f"{part}{suffix}"
    return suffix or "the document"


def _yaml_scalar(value: Any) -> str:
    """A plain value as YAML spells it: ``true``, ``null``, ``1``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _short(value)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "…" + text[-3:]


def _kind(value: Any) -> str:
    """How an author would describe a YAML value: ``an integer (42)``, ``a list``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({_short(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

_PATTERNS = {
    NAME_PATTERN: "must use lowercase letters, digits and underscores, and start and end with a "
    "letter or digit",
    r"^WA-[A-Z]+[0-9]+$": "is not a rule id (they look like WA-V9; `waform rules` lists them)",
    r"^[A-Z]{2}$": "is not a two-letter country code in capitals (e.g. DE)",
    r"^\d+(\.\d+)?$": 'must be a decimal number written as a string (e.g. "1.5")',
    r"^[0-9]+$": "must contain digits only",
}


def _type_hint(kind: str, value: Any) -> str:
    if kind == "string_type" and isinstance(value, int | float | bool):
        return "; put it in quotes"
    if (
        kind == "bool_type"
        and isinstance(value, str)
        and value.lower() in ("yes", "no", "on", "off")
    ):
        return "; YAML 1.2 reads yes/no/on/off as strings, write true or false"
    if kind in ("int_type", "float_type") and isinstance(value, str):
        if re.fullmatch(r"[-+]?[0-9]+(\.[0-9]*)?", value.strip()):
            return "; remove the quotes"
    if kind == "string_type" and isinstance(value, list) and len(value) > 1:
        return "; this field takes one value"
    return ""


def _tagged(value: Any) -> str:
    if not isinstance(value, dict):
        return f"got {_kind(value)}"
    kind = value.get("type")
    if kind is None:
        return "it has no type"
    if kind == "HEADER":
        return f"got type HEADER with format {value.get('format')!r}"
    return f"got type {kind!r}"


def _message(err: Any, path: tuple[str | int, ...], loc: tuple[Any, ...], value: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    label = _label(path)
    if kind in _EXPECTED:
        return f"{label}: expected {_EXPECTED[kind]}, got {_kind(value)}{_type_hint(kind, value)}"
    if kind == "missing":
        return f"missing required field {str(path[-1])!r}"
    if kind == "extra_forbidden":
        name = str(path[-1])
        model = model_at(TemplateFile, loc[:-1])
        allowed = field_names(model) if model is not None else []
        close = closest(name, allowed)
        if close:
            return f"unknown field {name!r}; did you mean {close!r}?"
        if allowed:
            return f"unknown field {name!r} (allowed here: {', '.join(allowed)})"
        return f"unknown field {name!r}"
    if kind == "string_too_long":
        return f"{label} is longer than {ctx['max_length']} characters ({len(value)})"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{label} must not be empty"
        return f"{label} is shorter than {ctx['min_length']} characters ({len(value)})"
    if kind == "too_short":
        noun = "entry" if isinstance(value, dict) else "item"
        need = ctx.get("min_length", 1)
        return f"{label} needs at least {need} {noun}{'s' if need != 1 else ''}"
    if kind == "too_long":
        return (
            f"{label} has {ctx.get('actual_length', len(value))} items; "
            f"at most {ctx['max_length']} are allowed"
        )
    if kind == "string_pattern_mismatch":
        explanation = _PATTERNS.get(ctx.get("pattern", ""))
        if explanation is None:
            explanation = f"does not match the pattern {ctx.get('pattern')}"
        return f"{label} {_short(value)} {explanation}"
    if kind == "literal_error":
        return f"{label} must be {ctx['expected']}, got {_short(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than": "<"}.get(kind, "<=")
        bound = next(iter(ctx.values()), "?")
        return f"{label} must be {sign} {bound}, got {_short(value)}"
    if kind in ("invalid_component_type", "invalid_button_type", "union_tag_invalid"):
        return f"{err['msg']}; {_tagged(value)}"
    message = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind in ("value_error", "assertion_error"):
        return message
    return f"{label}: {message[:1].lower()}{message[1:]}"


def _key_message(err: Any, path: tuple[str | int, ...]) -> str:
    key = path[-1]
    parent = _label(path[:-1])
    ctx = err.get("ctx") or {}
    if err["type"] == "string_pattern_mismatch":
        explanation = _PATTERNS.get(ctx.get("pattern", ""), f"does not match {ctx.get('pattern')}")
        return f"{parent}: key {_short(key)} {explanation}"
    if err["type"] == "string_type":
        return f"{parent}: key {_short(key)} must be a string"
    return f"{parent}: key {_short(key)}: {err['msg']}"


def _language_key_problem(languages: Any) -> tuple[str | int, ...] | None:
    """Which key of ``languages`` the model's language-code check refused (the model only
    says ``languages``): a non-string key, an unknown code, or the second spelling of a code."""
    if not isinstance(languages, dict):
        return None
    seen: set[str] = set()
    for key in languages:
        if not isinstance(key, str):
            return ("languages", key)
        code = normalize_language(key)
        if code not in LANGUAGE_SET or code in seen:
            return ("languages", key)
        seen.add(code)
    return None


def _repeated_type(components: Any) -> int | None:
    """Index of the first component whose ``type`` repeats an earlier one."""
    if not isinstance(components, list):
        return None
    seen: set[Any] = set()
    for index, component in enumerate(components):
        kind = component.get("type") if isinstance(component, dict) else None
        if kind is not None and kind in seen:
            return index
        seen.add(kind)
    return None


def explain(exc: ValidationError, data: Any) -> list[SchemaProblem]:
    """Every error of ``exc`` (raised validating ``data``) as a located, friendly problem."""
    problems: list[SchemaProblem] = []
    by_place: dict[tuple[Any, ...], int] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        key_error = bool(loc) and loc[-1] == "[key]"
        if key_error:
            loc = loc[:-1]
        path = document_path(data, loc, union_tags(TemplateFile))
        value = err.get("input")
        target: Target = "value"
        if key_error:
            target, message = "key", _key_message(err, path)
        elif kind == "invalid_key":  # ``true:`` or ``1:`` as a key; pydantic's loc is mangled
            path = (*document_path(data, loc[:-1], union_tags(TemplateFile)), value)
            target, message = "key", f"key {_yaml_scalar(value)} must be a string; put it in quotes"
        elif kind == "missing":
            target, message = "parent", _message(err, path, loc, value)
        elif kind == "extra_forbidden":
            target, message = "key", _message(err, path, loc, value)
        else:
            message = _message(err, path, loc, value)
            if path == ("languages",) and kind == "value_error":
                culprit = _language_key_problem(value_at(data, path))
                if culprit is not None:
                    path, target = culprit, "key"
            elif kind == "value_error" and path and path[-1] == "components":
                repeated = _repeated_type(value_at(data, path))
                if repeated is not None:
                    path = (*path, repeated)
            if kind in ("invalid_component_type", "invalid_button_type", "union_tag_invalid"):
                if isinstance(value, dict) and "type" in value:
                    path = (*path, "type")
        place = (path, target)
        if kind in _EXPECTED and place in by_place:
            # ``int | float``: one error per union member; say it once.
            earlier = problems[by_place[place]]
            if "expected an integer" in earlier.message and kind == "float_type":
                problems[by_place[place]] = dataclasses.replace(
                    earlier, message=earlier.message.replace("an integer", "a number", 1)
                )
            continue
        by_place[place] = len(problems)
        code = "unknown-field" if kind == "extra_forbidden" else "schema"
        problems.append(SchemaProblem(path, target, message, code))
    # ``categroy: X`` yields "unknown field 'categroy'; did you mean 'category'?" *and* "missing
    # required field 'category'": the first says it all.
    suggested = {
        (f.path[:-1], match.group(1))
        for f in problems
        if f.code == "unknown-field" and (match := _DID_YOU_MEAN.search(f.message))
    }
    return [
        f for f in problems if not (f.target == "parent" and (f.path[:-1], f.path[-1]) in suggested)
    ]


_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?$")
