"""Markdown rendering of a plan for a pull-request comment.

The first line is the hidden marker :data:`MARKER` (``<!-- waform-plan -->``): a CI step finds
its earlier comment by that line and edits it in place instead of adding one per push. Then a
summary, tables (blocked items first: they are what a reviewer must act on), and a collapsible
``<details>`` block per changed template with its field-level diff. GitHub refuses comments
over 65,536 characters, so the output stops before :data:`MARKDOWN_LIMIT` with a note saying
how much was left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from waform.plan import SYMBOLS, Action, Blocked, FieldChange, Plan
from waform.render.values import backtick_fence, markdown_code, show_value
from waform.render.values import markdown_text as _cell

MARKER = "<!-- waform-plan -->"
#: How to see the changed templates as a phone shows them (``waform preview``).
PREVIEW_HINT = (
    "To see the changed templates as WhatsApp shows them, live beside proposed: "
    "`waform preview --plan plan.json -o preview.html` (or `waform plan … --html preview.html`) "
    "and open the file in a browser; the shipped GitHub workflow attaches it to the run."
)
#: Stay under GitHub's 65,536-character comment limit with room for a CI step's own text.
MARKDOWN_LIMIT = 65_000


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
    if item.changes:
        parts += ["", _fence(_diff_body(item.changes))]
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


def render_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    """The plan as a PR comment, at most ``limit`` characters."""
    target = markdown_code(plan.target) if plan.target else "the target"
    head = [MARKER, f"### waform plan for {target}", ""]
    head.append(f"**Plan:** {_cell(plan.summary.phrase())}")
    if not plan.has_changes:
        head.append("")
        head.append("No changes: git and the target match.")
    if plan.safety is not None and not plan.safety.ok:
        verdict = "accepted with `--force`" if plan.safety.forced else "**refused**"
        for violation in plan.safety.violations:
            head.append("")
            head.append(f"> :warning: Safety check {verdict}: {_cell(violation)}")
    if plan.has_changes:
        head.append("")
        head.append(PREVIEW_HINT)
    head.append("")

    # (text, is_item): headers are not counted in the "N more items" note.
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
    detailed = [*plan.blocked, *(a for a in plan.actions if a.action != "delete")]
    if detailed:
        blocks.append(("#### Details\n", False))
        blocks.extend((_details_block(item), True) for item in detailed)

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
