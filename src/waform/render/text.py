"""Terraform-like text rendering of a plan for a terminal or a CI log.

::

      + order_shipped/EN_US  create
      ~ order_shipped/DE  update
          components[BODY].text: "Hi {{1}}" → "Hello {{1}}"
      - old_promo/EN_US  delete

    Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged.

Colour (ANSI) only when the caller says so — the console enables it on a TTY only.
"""

from __future__ import annotations

import click

from waform.plan import SYMBOLS, Action, Blocked, FieldChange, Plan
from waform.render.values import show_value

_COLOURS = {
    "+": "green",
    "~": "yellow",
    "-": "red",
    ">": "cyan",
    "!": "magenta",
    "?": "bright_black",
}


def _style(text: str, symbol: str, color: bool, *, bold: bool = False) -> str:
    if not color:
        return text
    return click.style(text, fg=_COLOURS.get(symbol), bold=bold)


def _change_lines(changes: list[FieldChange], color: bool, indent: str) -> list[str]:
    lines = []
    for change in changes:
        if change.op == "add":
            lines.append(indent + _style(f"+ {change.path}: {show_value(change.new)}", "+", color))
        elif change.op == "remove":
            lines.append(indent + _style(f"- {change.path}: {show_value(change.old)}", "-", color))
        else:
            lines.append(
                indent
                + _style(
                    f"~ {change.path}: {show_value(change.old)} → {show_value(change.new)}",
                    "~",
                    color,
                )
            )
    return lines


def _action_lines(action: Action, color: bool) -> list[str]:
    symbol = SYMBOLS[action.action]
    head = f"  {symbol} {action.name}/{action.language}"
    state = f"{action.remote_state}; " if action.remote_state else ""
    lines = [_style(head, symbol, color, bold=True) + f"  {action.action} ({state}{action.reason})"]
    lines.extend(_change_lines(action.changes, color, "      "))
    return lines


def _blocked_lines(item: Blocked, color: bool) -> list[str]:
    head = f"  ! {item.name}/{item.language}"
    state = f" [{item.remote_state}]" if item.remote_state else ""
    lines = [_style(head, "!", color, bold=True) + f"  {item.kind}{state}: {item.reason}"]
    lines.extend(_change_lines(item.changes, color, "      "))
    lines.append(f"      → {item.remedy}")
    if item.source:
        lines.append(f"      ({item.source})")
    return lines


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as text (no trailing newline)."""
    lines: list[str] = []
    target = f'target "{plan.target}"' if plan.target else "the target"
    if plan.actions:
        lines.append(f"waform will make these changes to {target}:")
        lines.append("")
        for action in plan.actions:
            lines.extend(_action_lines(action, color))
        lines.append("")
    if plan.blocked:
        lines.append("These differences cannot be applied:")
        lines.append("")
        for item in plan.blocked:
            lines.extend(_blocked_lines(item, color))
        lines.append("")
    if plan.unmanaged:
        lines.append("Remote templates in scope that are not in git (left alone):")
        lines.append("")
        for item in plan.unmanaged:
            state = f" [{item.remote_state}]" if item.remote_state else ""
            lines.append(
                _style(f"  ? {item.name}/{item.language}", "?", color) + f"{state}  {item.note}"
            )
        lines.append("")
    if plan.notes:
        lines.append("Notes (nothing to apply):")
        lines.append("")
        for note in plan.notes:
            lines.append(f"  i {note.name}/{note.language}  {note.message}")
        lines.append("")
    if not plan.has_changes:
        lines.append(f"No changes: git and {target} match.")
    if plan.safety is not None and not plan.safety.ok:
        verdict = "accepted with --force" if plan.safety.forced else "refused"
        for violation in plan.safety.violations:
            lines.append(_style(f"Safety ({verdict}): {violation}", "!", color))
    lines.append(_style(f"Plan: {plan.summary.phrase()}", "", color, bold=True))
    return "\n".join(lines)
