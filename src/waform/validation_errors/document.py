"""A pydantic ``loc`` as a path in the document, and the problem placed there."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from waform.model.enums import LANGUAGE_SET, normalize_language

Target = Literal["value", "key", "parent"]


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One problem: ``path`` in the document, what to point at, and the message."""

    path: tuple[str | int, ...]
    target: Target
    message: str
    code: str = "schema"
    """``unknown-field`` for a key the model does not know, else ``schema``."""


def _key_in(mapping: dict[Any, Any], part: Any) -> Any:
    """The key of ``mapping`` that ``part`` means: itself, or a language code as typed."""
    if part in mapping:
        return part
    if isinstance(part, str) and normalize_language(part) in LANGUAGE_SET:
        for key in mapping:
            if isinstance(key, str) and normalize_language(key) == normalize_language(part):
                return key
    return _NOT_FOUND


_NOT_FOUND = object()


def document_path(
    data: Any, loc: Iterable[str | int], tags: Collection[str]
) -> tuple[str | int, ...]:
    """Map a pydantic loc onto the document.

    Union ``tags`` are dropped and language codes mapped back to their spelling in the file.
    When a part is not in the document (a missing field), the path ends with that part.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            key = _key_in(node, part)
            if key is not _NOT_FOUND:
                path.append(key)
                node = node[key]
                continue
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
            continue
        if isinstance(part, str) and part in tags:
            continue
        path.append(part)
        return tuple(path)
    return tuple(path)


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
