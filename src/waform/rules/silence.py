"""Escape hatches: a template silences a rule for itself, with the reason why (like ruff's noqa).

Two spellings, both needing a reason:

- the ``ignore:`` key of the template file: ``ignore: {WA-V8: "approved by Meta on 2026-03-02"}``;
- a YAML comment anywhere in the file: ``# waform: ignore WA-V8 approved by Meta on 2026-03-02``.

A silenced finding neither fails ``validate`` nor blocks ``plan``, even with ``--strict``; it is
listed (as ``silenced``) with its reason so a reviewer sees what was waived and why.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from waform.diagnostics import Diagnostic
from waform.rules.context import KeyLoc
from waform.rules.registry import RULES

#: ``# waform: ignore WA-V8 <why>`` (the reason is the rest of the line).
_COMMENT = re.compile(r"#\s*waform:\s*ignore\b[ \t]*(\S*)[ \t]*(.*)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Silenced:
    """A finding a template silenced, and the reason it gives."""

    diagnostic: Diagnostic
    reason: str

    def render(self) -> str:
        d = self.diagnostic
        return f"{d.path}:{d.line}:{d.column}: silenced: {d.message} [{d.code}] (reason: {self.reason})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self.diagnostic), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class SilenceProblem:
    """An ``ignore`` that cannot be honoured: unknown rule, or no reason."""

    where: int | KeyLoc
    """Line of the comment, or the location of the ``ignore:`` entry."""
    message: str


def silences(template: Any, text: str) -> tuple[dict[str, str], list[SilenceProblem]]:
    """Rule id → reason for one template file, and the entries that are wrong."""
    found: dict[str, str] = {}
    problems: list[SilenceProblem] = []
    for rule_id, reason in (getattr(template, "ignore", None) or {}).items():
        if rule_id in RULES:
            found[rule_id] = reason.strip()
        else:
            problems.append(SilenceProblem(KeyLoc(("ignore", rule_id)), _unknown(rule_id)))
    if "waform:" in text:
        for match in _COMMENT.finditer(text):
            rule_id, reason = match.group(1), match.group(2).strip()
            line = text.count("\n", 0, match.start()) + 1
            if rule_id not in RULES:
                problems.append(SilenceProblem(line, _unknown(rule_id)))
            elif not reason:
                problems.append(
                    SilenceProblem(
                        line,
                        f"say why {rule_id} is silenced: `# waform: ignore {rule_id} <reason>`",
                    )
                )
            else:
                found.setdefault(rule_id, reason)
    return found, problems


def _unknown(rule_id: str) -> str:
    shown = rule_id or "(nothing)"
    return f"cannot ignore {shown!r}: not a rule id (`waform rules` lists them, e.g. WA-V8)"
