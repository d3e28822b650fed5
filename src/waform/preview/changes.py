"""The live side of a planned change, rebuilt from the proposed content and the plan's changes.

A plan file stores what apply sends and the field-level changes (``components[BODY].text``:
old → new), not the live template. Undoing each change on the canonical proposed content gives
the live content the differ compared with, so the preview can draw both without asking the
target again. The paths are the differ's: components keyed by type, other lists by index.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Components keyed by type, exactly as the field paths of a plan key them.
from waform.field_changes import _keyed
from waform.normalize import COMPONENT_ORDER, canonical_details
from waform.plan import FieldChange

_PART = re.compile(r"\[([^\]]*)\]|\.?([^.\[\]]+)")


def _unkeyed(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "components" and isinstance(item, dict):
                ranked = sorted(
                    item.items(), key=lambda kv: COMPONENT_ORDER.get(kv[0].rstrip("+"), 99)
                )
                out[key] = [_unkeyed(component) for _, component in ranked]
            else:
                out[key] = _unkeyed(item)
        return out
    if isinstance(value, list):
        return [_unkeyed(item) for item in value]
    return value


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for bracket, name in _PART.findall(path):
        if name:
            parts.append(name)
        elif parts and parts[-1] == "components":
            parts.append(bracket)
        else:
            parts.append(int(bracket) if bracket.lstrip("-").isdigit() else bracket)
    return parts


def _undo(root: dict[str, Any], change: FieldChange) -> bool:
    """Apply ``change`` backwards on ``root`` in place; False when its path does not fit."""
    parts = _parts(change.path)
    if not parts:
        return False
    node: Any = root
    for i, part in enumerate(parts[:-1]):
        following = parts[i + 1]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            if change.op != "remove" or not isinstance(node, dict):
                return False
            node[part] = [] if isinstance(following, int) else {}
            node = node[part]
    last = parts[-1]
    try:
        if change.op == "add":
            del node[last]
        elif change.op == "remove" and isinstance(node, list) and isinstance(last, int):
            node.insert(last, copy.deepcopy(change.old))
        else:
            node[last] = copy.deepcopy(change.old)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _order(change: FieldChange) -> tuple[int, list[Any]]:
    """Undo order: drop added list items last-first, re-insert removed ones first-first, then
    restore changed values (their indexes are the old list's)."""
    parts = [
        (-p if change.op == "add" else p) if isinstance(p, int) else 0 for p in _parts(change.path)
    ]
    return ({"add": 0, "remove": 1}.get(change.op, 2), parts)


def live_details(
    proposed: Mapping[str, Any] | None,
    changes: Sequence[FieldChange],
    *,
    category: str | None = None,
    strip: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], str | None, int]:
    """``(live details, live category, changes that did not fit)`` from the proposed content.

    ``category`` is the proposed one (a ``category`` change gives the live one).
    """
    root = _keyed(canonical_details(proposed, category=category, strip=strip))
    live_category = category
    misfits = 0
    for change in sorted(changes, key=_order):
        if change.path == "category":
            live_category = change.old if isinstance(change.old, str) else live_category
        elif not _undo(root, change):
            misfits += 1
    return _unkeyed(root), live_category, misfits
