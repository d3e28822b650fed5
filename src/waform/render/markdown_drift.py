"""Markdown for ``waform drift``: an issue body that a scheduled workflow opens or updates.

It starts with the hidden marker :data:`DRIFT_MARKER` (the workflow finds "its" issue by it),
then a table of findings and the field differences folded in ``<details>``; the body stays
under GitHub's limit with a note saying how much was left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from waform import __version__
from waform.drift_report import DriftReport
from waform.drift_report import Finding as DriftFinding
from waform.render.values import drift_value, markdown_code
from waform.render.values import markdown_text as _cell

DRIFT_MARKER = "<!-- waform-drift -->"
#: GitHub refuses issue bodies over 65,536 characters; stay well below.
DRIFT_LIMIT = 60_000


def _drift_cell(text: str) -> str:
    """Escape text for a Markdown table cell (and keep HTML out of an issue body)."""
    return _cell(text, empty="", newline="<br>")


def _code_cell(text: str) -> str:
    """Inline code in a table cell, shown exactly as written (see :func:`markdown_code`)."""
    return markdown_code(text, in_table=True)


def _difference_block(f: DriftFinding) -> str:
    """A folded table of one finding's field differences."""
    block = [
        "",
        "<details>",
        f"<summary><code>{_drift_cell(f.name)}</code> / {_drift_cell(f.language)}: {f.kind} — "
        f"{len(f.differences)} field(s)</summary>",
        "",
        "| field | git | target |",
        "| --- | --- | --- |",
        *(
            f"| {_code_cell(d.path)} | {_code_cell(drift_value(d.git))} | {_code_cell(drift_value(d.remote))} |"
            for d in f.differences
        ),
        "",
        "</details>",
    ]
    return "\n".join(block)


def _take(blocks: list[str], budget: int) -> tuple[list[str], int]:
    """The leading ``blocks`` that fit in ``budget`` characters (a newline each), and the rest
    of the budget."""
    taken: list[str] = []
    for block in blocks:
        if budget - len(block) - 1 < 0:
            break
        taken.append(block)
        budget -= len(block) + 1
    return taken, budget


def _drift_footer(report: DriftReport, fail_on: Iterable[str], command: str | None) -> list[str]:
    """Notes, then when, by what and failing on which kinds the check ran."""
    tail: list[str] = []
    if report.notes:
        tail.append("")
        tail += [f"> {_drift_cell(note)}" for note in report.notes]
    tail.append("")
    ran = f" ({markdown_code(command)})" if command else ""
    tail.append(
        f"<sub>Checked {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')} by waform "
        f"{__version__}{ran}. Fails on: {', '.join(sorted(set(fail_on))) or 'nothing'}.</sub>"
    )
    return tail


def drift_markdown(
    report: DriftReport, fail_on: Iterable[str], command: str | None, limit: int
) -> str:
    """An issue body: hidden marker first, a table of findings, field differences folded.

    Kept under ``limit`` characters (GitHub's body limit): field details go first, then table
    rows, with a line saying how many were left out (``--json`` has them all).
    """
    head = [DRIFT_MARKER]
    counts = report.counts()
    total = len(report.findings)
    if not total:
        head.append(f"## ✅ waform drift: {markdown_code(report.target)} matches git")
    else:
        noun = "finding" if total == 1 else "findings"
        icon = "⚠️" if report.failed(fail_on) else "ℹ️"
        head.append(f"## {icon} waform drift: {total} {noun} on {markdown_code(report.target)}")
    head.append("")
    head.append(
        f"{report.managed} template languages in git, {report.remote} at the target. "
        + (", ".join(f"**{kind}**: {n}" for kind, n in counts.items() if n) or "No findings.")
    )
    tail = _drift_footer(report, fail_on, command)

    rows = [
        f"| {_code_cell(f.name)} | {_drift_cell(f.language)} | {f.kind} | {_drift_cell(f.message)} |"
        for f in report.findings
    ]
    details = [_difference_block(f) for f in report.findings if f.differences]

    budget = limit - sum(len(x) + 1 for x in head + tail) - 400  # table header, omission line
    shown_rows, budget = _take(rows, budget)
    shown_details = _take(details, budget)[0] if len(shown_rows) == len(rows) else []

    body = list(head)
    if rows:
        body += ["", "| template | language | kind | finding |", "| --- | --- | --- | --- |"]
        body += shown_rows
        if len(shown_rows) < len(rows):
            body += [
                "",
                f"…and {len(rows) - len(shown_rows)} more findings (too long for an issue; "
                "`waform drift --json` lists them all).",
            ]
        body += shown_details
        if len(shown_details) < len(details):
            body += [
                "",
                f"Field differences of {len(details) - len(shown_details)} finding(s) "
                "left out to keep this issue under GitHub's size limit.",
            ]
    return "\n".join(body + tail) + "\n"
