"""Text for a terminal or a CI log: plans, drift reports, apply results, diagnostics, rules.

A plan reads like Terraform's::

      + order_shipped/EN_US  create
      ~ order_shipped/DE  update
          ~ components[BODY].text: "[-Hi-]{+Hello+} {{1}}"
      - old_promo/EN_US  delete

    Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged.

Colour (ANSI) only when the caller says so — the console enables it on a TTY only. No output
ends with a newline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import click

from waform.apply.results import ALREADY_VERB, DONE_VERB, ApplyReport
from waform.diagnostics import DiagnosticReport
from waform.render.base import Renderer, failing_kinds, register
from waform.render.values import (
    drift_value,
    show_value,
    text_edit,
    text_words,
    text_words_between,
)
from waform.rules.examples import examples
from waform.rules.listing import RuleListing
from waform.rules.rule import STATUSES, Rule

if TYPE_CHECKING:  # not imported to print a validation: the plan's and apply's modules are big
    from waform.apply.runner import DryRun
    from waform.drift_report import DriftReport
    from waform.plan import Action, Blocked, FieldChange, Plan


@register
class TextRenderer(Renderer):
    name = "text"

    def plan(self, plan: Plan) -> str:
        return plan_text(plan, self.options.color)

    def drift(self, report: DriftReport) -> str:
        return drift_text(report, failing_kinds(self.options), self.options.color)

    def apply(self, report: ApplyReport) -> str:
        return apply_text(report, self.options.verbose)

    def dry_run(self, dry: DryRun) -> str:
        count = len(dry.steps)
        head = f"Dry run: {count} request{'s' * (count != 1)} would be sent (none were)."
        return "\n".join([head, *dry.lines()])

    def diagnostics(self, report: DiagnosticReport) -> str:
        """``path:line:col: [warning: ]message [code]``, errors red and warnings yellow."""
        color = self.options.color
        lines = [
            click.style(d.render(), fg="red" if d.severity == "error" else "yellow")
            if color
            else d.render()
            for d in report.diagnostics
        ]
        lines += [
            click.style(s.render(), fg="cyan") if color else s.render() for s in report.silenced
        ]
        return "\n".join(lines)

    def rules(self, listing: RuleListing) -> str:
        return rules_text(listing.rules)

    def rule(self, rule: Rule) -> str:
        return rule_text(rule)


# ---------------------------------------------------------------- plans

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
        pieces = text_edit(change)
        if change.op == "add":
            lines.append(indent + _style(f"+ {change.path}: {show_value(change.new)}", "+", color))
        elif change.op == "remove":
            lines.append(indent + _style(f"- {change.path}: {show_value(change.old)}", "-", color))
        elif pieces is not None:
            lines.append(
                indent + _style(f"~ {change.path}:", "~", color) + " " + text_words(pieces, color)
            )
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


def _action_lines(action: Action, symbol: str, color: bool) -> list[str]:
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


def plan_text(plan: Plan, color: bool) -> str:
    """The whole plan as text (no trailing newline)."""
    from waform.plan import SYMBOLS

    lines: list[str] = []
    target = f'target "{plan.target}"' if plan.target else "the target"
    if plan.actions:
        lines.append(f"waform will make these changes to {target}:")
        lines.append("")
        for action in plan.actions:
            lines.extend(_action_lines(action, SYMBOLS[action.action], color))
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
        for unmanaged in plan.unmanaged:
            state = f" [{unmanaged.remote_state}]" if unmanaged.remote_state else ""
            lines.append(
                _style(f"  ? {unmanaged.name}/{unmanaged.language}", "?", color)
                + f"{state}  {unmanaged.note}"
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


# ---------------------------------------------------------------- drift


def _summary_line(report: DriftReport, fail_on: Iterable[str]) -> str:
    counts = report.counts()
    shown = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    total = len(report.findings)
    checked = f"{report.managed} in git, {report.remote} at the target"
    if not total:
        return f"No drift on target {report.target!r}: git and the target agree ({checked})."
    verdict = "drift found" if report.failed(fail_on) else "nothing that fails the check"
    noun = "finding" if total == 1 else "findings"
    return f"{verdict} on target {report.target!r}: {total} {noun} ({shown}); {checked}."


def drift_text(report: DriftReport, fail_on: Iterable[str], color: bool = False) -> str:
    """Terminal report: one line per finding, field differences indented under it."""
    lines = [_summary_line(report, fail_on)]
    if report.findings:
        lines.append("")
        width = max(len(f"{f.name}/{f.language}") for f in report.findings)
        for finding in report.findings:
            where = f"{finding.name}/{finding.language}".ljust(width)
            src = f"  ({finding.source})" if finding.source else ""
            lines.append(f"{where}  {finding.kind:<9}  {finding.message}{src}")
            for diff in finding.differences:
                pieces = text_words_between(diff.path, diff.git, diff.remote)
                if pieces is not None:  # what changed at the target, word by word
                    shown = f"git → target: {text_words(pieces, color)}"
                else:
                    shown = f"git {drift_value(diff.git)} → target {drift_value(diff.remote)}"
                lines.append(f"    ~ {diff.path}: {shown}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


# ---------------------------------------------------------------- apply


def apply_headline(report: ApplyReport) -> str:
    counts = report.counts()
    done = [f"{n} {DONE_VERB[k]}" for k, n in counts.items() if k in DONE_VERB and n]
    if counts["already"]:
        done.append(f"{counts['already']} {ALREADY_VERB}")
    total = len(report.results)
    if not total:
        if report.blocked:
            return f"Nothing to apply; {_blocked_phrase(report.blocked)}."
        return "Nothing to apply: the remote already matches the desired state."
    parts = ", ".join(done) if done else "nothing changed"
    failed = f"; {counts['failed']} failed" if counts["failed"] else ""
    return (
        f"Apply {'complete' if not counts['failed'] else 'finished with errors'}: {parts}{failed} "
        f"({total} action{'s' if total != 1 else ''}, {report.requests} requests, "
        f"{report.seconds:.1f} s)."
    )


def _blocked_phrase(count: int) -> str:
    noun = "change needs" if count == 1 else "changes need"
    return f"{count} blocked {noun} attention (see `waform plan`)"


def review_lines(report: ApplyReport) -> list[str]:
    if report.review is None:
        return []
    counts = report.review_counts()
    head = (
        f"Review ({report.review_seconds:.0f} s): {counts['approved']} approved, "
        f"{counts['rejected']} rejected"
    )
    if counts["in_review"]:
        head += f", {counts['in_review']} still in review (wait timed out)"
    if counts["other"]:
        head += f", {counts['other']} in another state"
    lines = [head + "."]
    for r in report.review:
        if r.outcome == "rejected":
            lines.append(f"  ✗ {r.label} rejected: {r.rejection_code or 'no rejection code'}")
        elif r.outcome == "other":
            lines.append(f"  ! {r.label} is {r.state or r.change_status}")
        elif r.outcome == "in_review":
            lines.append(f"  … {r.label} still in review")
    return lines


def apply_text(report: ApplyReport, verbose: bool) -> str:
    """One line per action, the headline, one line per failure (``StepResult.failure_line``),
    then the review."""
    from waform.plan import SYMBOLS

    lines: list[str] = []
    for r in report.results:
        if r.ok:
            extra = f" ({r.note})" if r.note else ""
            if verbose and r.attempts > 1:
                extra += f" [{r.attempts} attempts]"
            verb = ALREADY_VERB if r.already else DONE_VERB[r.step.kind]
            sign = "=" if r.already else SYMBOLS[r.step.kind]
            lines.append(f"  {sign} {r.step.label} {verb}{extra}")
        for warning in r.warnings:
            lines.append(f"  ! {r.step.label}: {warning}")
    lines.append(apply_headline(report))
    if report.blocked and report.results:
        lines.append(f"Not attempted: {_blocked_phrase(report.blocked)}.")
    if report.failures:
        lines.append("Failed:")
        lines.extend(f"  ✗ {r.failure_line}" for r in report.failures)
    lines.extend(review_lines(report))
    return "\n".join(lines)


# ---------------------------------------------------------------- rules


def rules_text(rules: Sequence[Rule]) -> str:
    rows = list(rules)
    width = max(len(rule.id) for rule in rows)
    lines = []
    for rule in rows:
        lines.append(
            f"{rule.id:<{width}}  {rule.shown_severity:<7}  {rule.status:<16}  "
            f"{rule.checked:<20}  {rule.title} [{rule.source}]"
        )
    return "\n".join(lines)


def rule_text(rule: Rule) -> str:
    """One rule in full: claim, severity, evidence with links, and its two examples."""
    kinds = ", ".join(STATUSES.get(token, token) for token in _tokens(rule.status))
    lines = [
        f"{rule.id}: {rule.title}",
        f"severity: {rule.shown_severity} (checked by {rule.checked})",
        f"evidence: {rule.status} ({kinds}): {rule.evidence}",
    ]
    if rule.schema:
        lines.append(f"schema: {rule.schema}")
    if rule.note:
        lines.append(f"note: {rule.note}")
    lines.append("sources:")
    lines += [f"  - {name}: {link}" for name, link in rule.cited]
    shown = examples(rule)
    if not shown:
        lines.append("examples: none (nothing to check offline)")
    for example in shown:
        lines += ["", "passes:" if example.passes else "fails:"]
        for path, text in example.files:
            if len(example.files) > 1:
                lines.append(f"  # {path.name}")
            lines += [f"  {line}" if line else "" for line in text.rstrip("\n").splitlines()]
    return "\n".join(lines)


def _tokens(status: str) -> list[str]:
    return [token for token in status.replace("+", "/").split("/") if token]
