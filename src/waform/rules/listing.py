"""How ``waform rules`` shows the rules: a line each, JSON, the README table, or one in detail."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from waform.rules.examples import examples
from waform.rules.registry import RULES
from waform.rules.rule import STATUSES, Rule


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


def render_json(rules: Iterable[Rule] | None = None) -> str:
    return json.dumps({"rules": rules_as_dicts(rules)}, indent=2, ensure_ascii=False)


def render_text(rules: Iterable[Rule] | None = None) -> str:
    rows = list(rules if rules is not None else RULES.values())
    width = max(len(rule.id) for rule in rows)
    lines = []
    for rule in rows:
        lines.append(
            f"{rule.id:<{width}}  {rule.shown_severity:<7}  {rule.status:<16}  "
            f"{rule.checked:<20}  {rule.title} [{rule.source}]"
        )
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(rules: Iterable[Rule] | None = None) -> str:
    """The README table (a test keeps the README in sync with this output)."""
    lines = [
        "| id | rule | severity | evidence | checked by | notes | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules if rules is not None else RULES.values():
        notes = "; ".join(
            part for part in (f"schema: {rule.schema}" if rule.schema else "", rule.note) if part
        )
        sources = ", ".join(f"[{name}]({link})" for name, link in rule.cited)
        lines.append(
            f"| `{rule.id}` | {_md(rule.title)} | {rule.shown_severity} "
            f"| {rule.status}: {_md(rule.evidence)} | {rule.checked} | {_md(notes)} "
            f"| {sources} |"
        )
    return "\n".join(lines)


def render_detail(rule: Rule) -> str:
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
