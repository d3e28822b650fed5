"""What ``waform rules`` lists; :mod:`waform.render` shows it (a line each, JSON, the README
table, or one rule in detail)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from waform.rules.registry import RULES
from waform.rules.rule import Rule


def rules_as_dicts(rules: Iterable[Rule] | None = None) -> list[dict[str, object]]:
    out = []
    for rule in rules if rules is not None else RULES.values():
        data = asdict(rule)
        data.pop("severity")
        data["sources"] = list(rule.sources)
        out.append(
            {"id": rule.id, "severity": None if rule.scope == "none" else rule.default,
             "checked": rule.checked, "source": rule.source, "links": [link for _, link in rule.cited], **data}
        )  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class RuleListing:
    """The rules ``waform rules`` lists (with a repository's severities applied)."""

    rules: tuple[Rule, ...]

    @classmethod
    def all(cls) -> RuleListing:
        return cls(tuple(RULES.values()))


def fired_rules(diagnostics: Iterable[Any], silenced: Iterable[Any] = ()) -> list[Rule]:
    """``validate --explain``: each rule that fired (or was silenced), once, in order."""
    codes = dict.fromkeys(d.code for d in diagnostics)
    codes.update(dict.fromkeys(item.diagnostic.code for item in silenced))
    return [RULES[code] for code in codes if code in RULES]
