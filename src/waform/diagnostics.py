"""Diagnostics: one finding about the desired state, located at ``path:line:col``.

Everything that reports a problem with a file (loader, schema validation, Meta's rules) produces
:class:`Diagnostic` values; the renderers here print them as text, JSON or GitHub annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

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


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    return any(d.severity == "error" or strict for d in diagnostics)


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


def render_json(diagnostics: Sequence[Diagnostic], **summary: object) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    payload = {
        "diagnostics": [asdict(d) for d in diagnostics],
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        **summary,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _escape_github(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    lines = []
    for d in diagnostics:
        title = f",title={_escape_github(d.code, prop=True)}" if d.code else ""
        lines.append(
            f"::{d.severity} file={_escape_github(d.path, prop=True)},line={d.line},"
            f"col={d.column}{title}::{_escape_github(d.message)}"
        )
    return "\n".join(lines)


def summary(diagnostics: Sequence[Diagnostic], *, templates: int, files: int) -> str:
    """``35 template-languages in 15 files: 2 errors, 1 warning`` (or ``: valid``)."""
    head = (
        f"{templates} template-language{'' if templates == 1 else 's'} in {files} "
        f"file{'' if files == 1 else 's'}"
    )
    if not diagnostics:
        return f"{head}: valid"
    errors = sum(1 for d in diagnostics if d.severity == "error")
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((errors, "error"), (len(diagnostics) - errors, "warning"))
        if count
    ]
    return f"{head}: {', '.join(parts)}"
