"""Markdown: plans as pull-request comments, drift as an issue body (:mod:`.markdown_drift`),
apply as a merge comment, and the rules as the README's table.

A plan comment starts with the hidden marker :data:`PLAN_MARKER` (a drift issue with
``DRIFT_MARKER``): a CI step finds its earlier comment by that line and edits it in place
instead of adding one per push. Blocked items come first (they are what a reviewer must act
on), then tables and a collapsible ``<details>`` block per changed template. GitHub refuses
bodies over 65,536 characters, so each output stops before its limit with a note saying how
much was left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from waform.apply.results import ApplyReport
from waform.drift_report import DriftReport
from waform.plan import SYMBOLS, Action, Blocked, FieldChange, Plan
from waform.render.base import Renderer, failing_kinds, register
from waform.render.markdown_drift import DRIFT_LIMIT, drift_markdown
from waform.render.text import apply_headline, review_lines
from waform.render.values import (
    backtick_fence,
    markdown_code,
    markdown_words,
    show_value,
    text_edit,
)
from waform.render.values import markdown_text as _cell
from waform.rules.listing import RuleListing
from waform.rules.rule import Rule
from waform.worddiff import Piece

PLAN_MARKER = "<!-- waform-plan -->"
#: How to see the changed templates as a phone shows them (``waform preview``).
PREVIEW_HINT = (
    "To see the changed templates as WhatsApp shows them, live beside proposed: "
    "`waform preview --plan plan.json -o preview.html` (or `waform plan … --html preview.html`) "
    "and open the file in a browser; the shipped GitHub workflow attaches it to the run."
)
#: Stay under GitHub's 65,536-character comment limit with room for a CI step's own text.
PLAN_LIMIT = 65_000


@register
class MarkdownRenderer(Renderer):
    name = "markdown"

    def plan(self, plan: Plan) -> str:
        return plan_markdown(plan, PLAN_LIMIT if self.options.limit is None else self.options.limit)

    def drift(self, report: DriftReport) -> str:
        fail_on = failing_kinds(self.options)
        return drift_markdown(
            report,
            fail_on,
            self.options.command,
            DRIFT_LIMIT if self.options.limit is None else self.options.limit,
        )

    def apply(self, report: ApplyReport) -> str:
        return apply_markdown(report)

    def rules(self, listing: RuleListing) -> str:
        return rules_markdown(listing.rules)


# ---------------------------------------------------------------- plans


def _fence(body: str, lang: str = "diff") -> str:
    """A code block whose fence is longer than any backtick run in ``body``."""
    fence = backtick_fence(body, minimum=3)
    return f"{fence}{lang}\n{body}\n{fence}"


def _diff_body(changes: list[FieldChange]) -> str:
    lines = []
    for change in changes:
        if change.op == "add":
            lines.append(f"+ {change.path}: {show_value(change.new)}")
        elif change.op == "remove":
            lines.append(f"- {change.path}: {show_value(change.old)}")
        else:
            lines.append(f"- {change.path}: {show_value(change.old)}")
            lines.append(f"+ {change.path}: {show_value(change.new)}")
    return "\n".join(lines)


def _word_line(path: str, pieces: list[Piece]) -> str:
    """``- `path`: … unchanged <del>removed</del> <b>added</b> unchanged …`` (one per text)."""
    return f"- {markdown_code(path)}: {markdown_words(pieces)}"


def _changes_block(changes: list[FieldChange]) -> list[str]:
    """Text changes word by word (a list), every other change in a ``diff`` block."""
    words = [(c.path, pieces) for c in changes if (pieces := text_edit(c)) is not None]
    others = [c for c in changes if text_edit(c) is None]
    parts: list[str] = []
    if words:
        parts += ["", *(_word_line(path, pieces) for path, pieces in words)]
    if others:
        parts += ["", _fence(_diff_body(others))]
    return parts


def _details_block(item: Action | Blocked) -> str:
    if isinstance(item, Action):
        title = f"{SYMBOLS[item.action]} {item.name}/{item.language} — {item.action}"
        extra = f"{item.reason}."
        request = f"`{item.request.method} {item.request.path}`"
        extra += f" Request: {request}."
    else:
        title = f"! {item.name}/{item.language} — {item.kind}"
        extra = f"{item.reason}. **What to do:** {item.remedy}."
    count = len(item.changes)
    suffix = f" ({count} field change{'s' if count != 1 else ''})" if count else ""
    parts = [
        f"<details><summary><code>{_cell(title)}</code>{suffix}</summary>",
        "",
        _cell(extra),
    ]
    if item.source:
        parts += ["", f"Source: {markdown_code(item.source)}"]
    parts += _changes_block(item.changes)
    parts += ["", "</details>", ""]
    return "\n".join(parts)


def _omitted_note(left: int) -> str:
    return (
        f"\n> **{left} more item(s) not shown**: this comment is kept under GitHub's "
        "65,536-character limit. Run `waform plan` locally or read the plan in the CI log.\n"
    )


def _table(title: str, header: str, rows: Iterable[str]) -> list[tuple[str, bool]]:
    """A titled table as ``(text, is_item)`` blocks (rows are items); nothing without rows."""
    items = [(row, True) for row in rows]
    if not items:
        return []
    # The unnamed symbol column is centred, the others left-aligned.
    align = "|" + "".join(
        ":-:|" if not name.strip() else "---|" for name in header.split("|")[1:-1]
    )
    return [(f"#### {title}\n\n{header}", False), (align, False), *items, ("", False)]


def plan_markdown(plan: Plan, limit: int) -> str:
    """The plan as a PR comment, at most ``limit`` characters."""
    return _fitted(_plan_head(plan), _plan_blocks(plan), limit)


def _plan_head(plan: Plan) -> list[str]:
    """Title, summary, safety verdict and the preview hint."""
    target = markdown_code(plan.target) if plan.target else "the target"
    head = [PLAN_MARKER, f"### waform plan for {target}", ""]
    head.append(f"**Plan:** {_cell(plan.summary.phrase())}")
    if not plan.has_changes:
        head += ["", "No changes: git and the target match."]
    if plan.safety is not None and not plan.safety.ok:
        verdict = "accepted with `--force`" if plan.safety.forced else "**refused**"
        for violation in plan.safety.violations:
            head += ["", f"> :warning: Safety check {verdict}: {_cell(violation)}"]
    if plan.has_changes:
        head += ["", PREVIEW_HINT]
    return [*head, ""]


def _plan_blocks(plan: Plan) -> list[tuple[str, bool]]:
    """The tables and the details, as ``(text, is_item)``: headers are not counted in the
    "N more items" note."""
    blocks: list[tuple[str, bool]] = []
    blocks += _table(
        "Cannot be applied",
        "| | Template | Language | Problem | What to do |",
        (
            f"| ! | `{b.name}` | {b.language} | {_cell(b.kind)}: {_cell(b.reason)} "
            f"| {_cell(b.remedy)} |"
            for b in plan.blocked
        ),
    )
    blocks += _table(
        "Changes",
        "| | Template | Language | Action | Remote state |",
        (
            f"| {SYMBOLS[a.action]} | `{a.name}` | {a.language} | {a.action} "
            f"| {_cell(a.remote_state)} |"
            for a in plan.actions
        ),
    )
    blocks += _table(
        "In scope but not in git (left alone)",
        "| Template | Language | State | Note |",
        (
            f"| `{u.name}` | {u.language} | {_cell(u.remote_state)} | {_cell(u.note)} |"
            for u in plan.unmanaged
        ),
    )
    blocks += _table(
        "Notes (nothing to apply)",
        "| Template | Language | Note |",
        (f"| `{n.name}` | {n.language} | {_cell(n.message)} |" for n in plan.notes),
    )
    detailed: list[Action | Blocked] = [
        *plan.blocked,
        *(a for a in plan.actions if a.action != "delete"),
    ]
    if detailed:
        blocks.append(("#### Details\n", False))
        blocks.extend((_details_block(item), True) for item in detailed)
    return blocks


def _fitted(head: list[str], blocks: list[tuple[str, bool]], limit: int) -> str:
    """``head`` and as many blocks as fit in ``limit`` characters, then how many were left out."""
    text = "\n".join(head) + "\n"
    total_items = sum(1 for _, is_item in blocks if is_item)
    shown = 0
    reserve = len(_omitted_note(total_items))
    for block, is_item in blocks:
        if len(text) + len(block) + 1 + reserve > limit:
            text += _omitted_note(total_items - shown)
            break
        text += block + "\n"
        shown += is_item
    return text.rstrip("\n") + "\n"


# ---------------------------------------------------------------- apply


def _apply_cell(text: str) -> str:
    return _cell(text, empty="")


def apply_markdown(report: ApplyReport, max_rows: int = 200) -> str:
    """A merge-request comment: headline, a table of actions (folded when long), failures."""
    counts = report.counts()
    icon = "✅" if report.ok else "❌"
    lines = [f"### {icon} waform apply", "", apply_headline(report), ""]
    if report.results:
        rows = report.results
        folded = len(rows) > 20
        if folded:
            lines += ["<details><summary>Actions</summary>", ""]
        lines += ["| template | language | action | result |", "| --- | --- | --- | --- |"]
        for r in rows[:max_rows]:
            result = "ok" if r.ok else f"**failed**: `{r.error_code or r.status or 'error'}`"
            if r.ok and r.note:
                result += f" ({_apply_cell(r.note)})"
            lines.append(f"| `{r.step.name}` | {r.step.language} | {r.step.kind} | {result} |")
        if len(rows) > max_rows:
            lines.append(f"| … | | | {len(rows) - max_rows} more |")
        if folded:
            lines += ["", "</details>"]
        lines.append("")
    if counts["failed"]:
        lines += ["**Failures**", ""]
        lines += [f"- ✗ {_apply_cell(r.failure_line)}" for r in report.failures]
        lines.append("")
    review = review_lines(report)
    if review:
        lines += [f"**{review[0]}**", ""]
        lines += [f"- {line.strip()}" for line in review[1:]]
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- rules


def _rules_cell(text: str) -> str:
    """Only pipes are escaped: the README's table is this output, byte for byte."""
    return text.replace("|", "\\|")


def rules_markdown(rules: Sequence[Rule]) -> str:
    """The README table (a test keeps the README in sync with this output)."""
    lines = [
        "| id | rule | severity | evidence | checked by | notes | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        notes = "; ".join(
            part for part in (f"schema: {rule.schema}" if rule.schema else "", rule.note) if part
        )
        sources = ", ".join(f"[{name}]({link})" for name, link in rule.cited)
        lines.append(
            f"| `{rule.id}` | {_rules_cell(rule.title)} | {rule.shown_severity} "
            f"| {rule.status}: {_rules_cell(rule.evidence)} | {rule.checked} | {_rules_cell(notes)} "
            f"| {sources} |"
        )
    return "\n".join(lines)
