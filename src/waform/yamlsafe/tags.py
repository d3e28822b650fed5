"""Limits, core-schema tags, plain-scalar resolution and scalar conversion."""

from __future__ import annotations

import operator
import re

from ruamel.yaml.resolver import Resolver
from yaml.nodes import MappingNode, ScalarNode

try:
    from yaml._yaml import CParser  # libyaml, in PyYAML's wheels (a dependency)
except ImportError as exc:  # a PyYAML built without libyaml: its Python parser is far slower
    raise ImportError(
        "waform reads YAML with libyaml, and this PyYAML was built without it; install a "
        "PyYAML wheel (pip install --force-reinstall --only-binary pyyaml pyyaml)"
    ) from exc

#: Nesting deeper than this is refused (the template format needs about 14 levels).
MAX_DEPTH = 64
#: Nodes that aliases may add to a document, beyond the nodes written in it.
MAX_ALIAS_EXPANSION = 10_000
#: Above this many ``[``/``{`` (flow) or ``- ``/``? `` (compact block) indicators, the real
#: nesting depth is measured before composing. Below, the depth libyaml's recursive composer can
#: reach is a few thousand at most (block nesting by indentation needs depth² / 2 characters).
INDICATORS_CHECKED = 2_000

TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; refusing to read this file"

CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (CORE + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP, MERGE = CORE + "seq", CORE + "map", CORE + "merge"

# The resolved tags are these very string objects (``resolve`` below returns them), so identity
# (``node.tag is STR``) is the builder's test in its hot loop; a tag written in the text is
# another string object, and takes the slower path that compares its value (where ``!!merge``
# written out is refused: only the ``<<`` key merges).
_TAGS = {t: t for t in (INT, FLOAT, BOOL, NULL, MERGE)}


def _implicit_table() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """ruamel's YAML 1.2 implicit resolvers, keyed by first character, without timestamps."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for first, resolvers in Resolver.yaml_implicit_resolvers.items():
        for tag, regexp in resolvers:
            if str(tag) in _TAGS:
                table.setdefault(first, []).append((_TAGS[str(tag)], regexp))
    return table


_IMPLICIT = _implicit_table()


#: Short plain scalars repeat (every key, every ``type: BODY``): their resolved tag is cached.
_PLAIN: dict[str, str] = {}
_PLAIN_CACHE_SIZE = 50_000


def _resolve_plain(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return STR


class Composer(CParser):
    """libyaml's parser and composer; node tags resolved here, in as few steps as possible."""

    # libyaml's composer calls these around every node, with (parent, index) and with nothing,
    # to track paths for path-dependent resolvers; there are none here, so their results are
    # ignored. C functions cost less to call than a Python no-op (10 of a template file's 105
    # µs of composing, measured).
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                tag = _PLAIN.get(value)  # type: ignore[arg-type]
                if tag is None:
                    tag = _resolve_plain(value)  # type: ignore[arg-type]
                    if len(value) <= 64 and len(_PLAIN) < _PLAIN_CACHE_SIZE:  # type: ignore[arg-type]
                        _PLAIN[value] = tag  # type: ignore[index]
                return tag
            return STR
        return MAP if kind is MappingNode else SEQ


class TooManyDigits(ValueError):
    """An integer too long to convert (Python refuses more than 4,300 decimal digits)."""


#: Longer integers are refused before conversion (a template needs at most ten digits).
_MAX_INT_DIGITS = 4_000


def to_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise TooManyDigits(text[:20])
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def to_float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value.lstrip("+-") in (".inf", ".nan"):
        return float(value.replace(".", ""))
    return float(value)


def _to_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


def _to_null(text: str) -> None:
    if text not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(text)


CONVERTERS = {INT: to_int, FLOAT: to_float, BOOL: _to_bool, NULL: _to_null}
