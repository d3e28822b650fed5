"""Walking a pydantic model's types along an error's ``loc``.

Pydantic names a union member in ``loc`` by its tag (``HEADER_TEXT``, ``sinch``, ``int``); the
document does not contain those parts. These helpers tell which model a ``loc`` reaches, which
keys it accepts, and which parts are tags, for any root model (template, ``waform.yaml``, plan).
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import AliasChoices, BaseModel, Tag

#: Members of plain unions (``bidAmount: int | float``) appear in locs by their type name.
_SCALAR_TAGS = frozenset({"int", "float", "str", "bool"})


def unwrap(tp: Any) -> Any:
    """``Annotated[X, meta…]`` → ``X`` (nested Annotated flattened)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def union_members(tp: Any) -> list[tuple[Any, tuple[str, ...]]]:
    """``(member type, its tags)`` of a union (``[]`` when ``tp`` is not one).

    A member's tags are its ``Tag`` (callable discriminators) or the values of its ``type``
    literal (``Field(discriminator="type")``).
    """
    tp = unwrap(tp)
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return []
    members = []
    for arg in typing.get_args(tp):
        metadata = typing.get_args(arg)[1:] if typing.get_origin(arg) is typing.Annotated else ()
        inner = unwrap(arg)
        if inner is type(None):
            continue
        tags = tuple(m.tag for m in metadata if isinstance(m, Tag))
        members.append((inner, tags or _type_literals(inner)))
    return members


def _type_literals(tp: Any) -> tuple[str, ...]:
    field = getattr(tp, "model_fields", {}).get("type") if isinstance(tp, type) else None
    if field is None:
        return ()
    return tuple(v for v in typing.get_args(field.annotation) if isinstance(v, str))


def aliases(info: Any) -> list[str]:
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    return [alias] if isinstance(alias, str) else []


def step(tp: Any, part: str | int) -> Any:
    """The type reached from ``tp`` through one pydantic loc ``part`` (``None``: unknown)."""
    tp = unwrap(tp)
    members = union_members(tp)
    if members:
        for member, tags in members:
            if part in tags:
                return member
        for member, _tags in members:
            found = step(member, part)
            if found is not None:
                return found
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if part == name or part in aliases(info):
                return info.annotation
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list and isinstance(part, int) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def type_at(root: type[BaseModel], loc: Iterable[str | int]) -> Any:
    """The (unwrapped) type a pydantic loc leads to from ``root`` (``None``: unknown)."""
    tp: Any = root
    for part in loc:
        tp = step(tp, part)
        if tp is None:
            return None
    return unwrap(tp)


def model_at(root: type[BaseModel], loc: Iterable[str | int]) -> type[BaseModel] | None:
    """The model class a pydantic loc (with union tags) leads to from ``root``."""
    tp = type_at(root, loc)
    members = union_members(tp)
    if len(members) == 1:
        tp = members[0][0]
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def field_names(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, aliases included (``example`` and ``examples``)."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        for candidate in (name, *aliases(info)):
            if candidate not in names:
                names.append(candidate)
    return names


@functools.cache
def union_tags(root: type[BaseModel]) -> frozenset[str]:
    """Every loc part that pydantic inserts below ``root`` but a document does not contain."""
    out: set[str] = set()
    _collect_tags(root, set(), out)
    return frozenset(out | _SCALAR_TAGS)


def _collect_tags(tp: Any, seen: set[int], out: set[str]) -> None:
    tp = unwrap(tp)
    if id(tp) in seen:
        return
    seen.add(id(tp))
    for member, tags in union_members(tp):
        out.update(tags)
        _collect_tags(member, seen, out)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for info in tp.model_fields.values():
            _collect_tags(info.annotation, seen, out)
    for arg in typing.get_args(tp):
        _collect_tags(arg, seen, out)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one choice ``word`` was probably meant to be (a typo, other case, or a prefix)."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = word.lower()
    found = [c for c in options if c.lower() == lowered] or [
        c for c in options if c.lower().startswith(lowered) and len(lowered) >= 3
    ]
    return found[0] if len(found) == 1 else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or ``""``."""
    close = closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""
