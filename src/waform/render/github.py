"""GitHub Actions annotations: each diagnostic becomes a workflow command, shown on its line."""

from __future__ import annotations

from collections.abc import Sequence

from waform.diagnostics import Diagnostic, DiagnosticReport
from waform.render.base import Renderer, register


@register
class GithubRenderer(Renderer):
    name = "github"

    def diagnostics(self, report: DiagnosticReport) -> str:
        notices = [f"::notice::{_escape_github(item.render())}" for item in report.silenced]
        return "\n".join(filter(None, [github_annotations(report.diagnostics), *notices]))


def _escape_github(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_annotations(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    lines = []
    for d in diagnostics:
        title = f",title={_escape_github(d.code, prop=True)}" if d.code else ""
        lines.append(
            f"::{d.severity} file={_escape_github(d.path, prop=True)},line={d.line},"
            f"col={d.column}{title}::{_escape_github(d.message)}"
        )
    return "\n".join(lines)
