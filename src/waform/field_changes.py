"""Field-level differences between two canonical templates, for plans and drift reports.

Equality is decided before this runs (one ``==`` on canonical forms, :mod:`waform.normalize`);
deepdiff lists the fields only for pairs that differ — it costs ~0.65 ms a pair, far too much to
run on 10,000 unchanged templates. Paths read ``category``, ``components[BODY].text``,
``components[BUTTONS].buttons[0].url``, ``optimization.bidAmount``.

What kind of change each field is (a table from path to kind) belongs here, next to the paths
it classifies: the decision table (:mod:`waform.decisions`) reads one kind per template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from waform.plan import FieldChange


def _keyed(value: Any) -> Any:
    """Components lists → dicts keyed by type, so adding a FOOTER is one change, not a shift."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "components" and isinstance(item, list):
                keyed: dict[str, Any] = {}
                for comp in item:
                    label = comp.get("type", "?") if isinstance(comp, dict) else "?"
                    while label in keyed:
                        label += "+"
                    keyed[label] = _keyed(comp)
                out[key] = keyed
            else:
                out[key] = _keyed(item)
        return out
    if isinstance(value, list):
        return [_keyed(item) for item in value]
    return value


def _path_text(parts: Sequence[Any]) -> str:
    text = ""
    for i, part in enumerate(parts):
        if isinstance(part, int) or (i > 0 and parts[i - 1] == "components"):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Field-level differences between two canonical ``details`` (deepdiff, tree view)."""
    # Imported when content differs: about 7 MB that a plan without changes does without.
    from deepdiff import DeepDiff

    tree = DeepDiff(_keyed(old), _keyed(new), view="tree", verbose_level=2)
    out = []
    for report_type, items in tree.items():
        for item in items:
            path = _path_text(item.path(output_format="list"))
            if report_type.endswith("_added"):
                out.append(FieldChange(path=path, op="add", new=item.t2))
            elif report_type.endswith("_removed"):
                out.append(FieldChange(path=path, op="remove", old=item.t1))
            else:
                out.append(FieldChange(path=path, op="change", old=item.t1, new=item.t2))
    out.sort(key=lambda c: c.path)
    return out


def template_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    old_category: str | None,
    new_category: str,
) -> list[FieldChange]:
    """``category`` (when ``old_category`` is known and differs), then the ``details`` fields."""
    out = []
    if old_category is not None and old_category != new_category:
        out.append(FieldChange(path="category", op="change", old=old_category, new=new_category))
    if old != new:
        out.extend(field_changes(old, new))
    return out
