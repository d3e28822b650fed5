"""Diagnostics: one finding about the desired state, located at ``path:line:col``.

Everything that reports a problem with a file (loader, schema validation, Meta's rules) produces
:class:`Diagnostic` values; :mod:`waform.render` shows a :class:`DiagnosticReport` of them as
text, JSON or GitHub annotations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: Severity
    message: str
    code: str = ""
    """Machine id: a Meta rule id (``WA-V7``) or a loader class (``yaml-syntax``, ``unknown-field``)."""

    def render(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        level = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.column}: {level}{self.message}{code}"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.column, d.code, d.message))


@dataclass(frozen=True, slots=True)
class DiagnosticReport:
    """Diagnostics to show, and what was checked (``validate``'s summary and JSON)."""

    diagnostics: Sequence[Diagnostic]
    files: int | None = None
    """Template files read (``None``: not counted)."""
    templates: int = 0
    """Template-languages among them that loaded."""
    strict: bool = False
    silenced: Sequence[Any] = ()
    """Rule findings the templates silenced (:class:`waform.rules.silence.Silenced`): listed,
    never failing."""

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def valid(self) -> bool:
        """No error (under ``--strict`` every warning already is one)."""
        return self.errors == 0

    def summary(self) -> str:
        """``35 template-languages in 15 files: 2 errors, 1 warning`` (or ``: valid``)."""
        count, files = self.templates, self.files or 0
        head = (
            f"{count} template-language{'' if count == 1 else 's'} in {files} "
            f"file{'' if files == 1 else 's'}"
        )
        waived = f", {len(self.silenced)} silenced" if self.silenced else ""
        if not self.diagnostics:
            return f"{head}: valid{waived}"
        parts = [
            f"{n} {noun}{'' if n == 1 else 's'}"
            for n, noun in (
                (self.errors, "error"),
                (len(self.diagnostics) - self.errors, "warning"),
            )
            if n
        ]
        return f"{head}: {', '.join(parts)}{waived}"


def is_rule_finding(diagnostic: Diagnostic) -> bool:
    """A finding of Meta's rules (coded by rule id), not of the loader."""
    from waform.rules import RULES

    return diagnostic.code in RULES


def refusal_count(
    diagnostics: Sequence[Diagnostic], where: str, outcome: str = "nothing was planned"
) -> str:
    """``"3 errors in the files; nothing was planned"``."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    noun = "error" if errors == 1 else "errors"
    return f"{errors} {noun} in {where}; {outcome}"
