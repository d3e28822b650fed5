"""The preview page: every template-language as a WhatsApp chat, or a plan's changes side by side.

Jinja2 with autoescape renders the page from the package's templates; the stylesheet is
inlined and the page carries a Content-Security-Policy that allows no script and no request
(media samples only with ``load_media``), so opening it never reaches another host.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2

from waform import __version__
from waform.diagnostics import Diagnostic
from waform.model.template import DesiredTemplate
from waform.plan import SYMBOLS, Action, Blocked, Plan
from waform.preview.changes import live_details
from waform.preview.message import Message, build_message, build_pair

Key = tuple[str, str]


@dataclass(frozen=True)
class ShownDiagnostic:
    """A diagnostic of the files as the page shows it beside its message."""

    severity: str
    code: str
    message: str
    where: str


@dataclass
class Bubble:
    message: Message
    findings: list[ShownDiagnostic] = field(default_factory=list)
    source: str | None = None


@dataclass
class Group:
    """The languages of one template name."""

    name: str
    category: str
    bubbles: list[Bubble] = field(default_factory=list)


@dataclass
class Pair:
    """One planned change: the live and the proposed message."""

    name: str
    language: str
    action: str
    symbol: str
    reason: str
    remote_state: str | None
    live: Message | None
    proposed: Message | None
    live_note: str = ""
    proposed_note: str = ""
    findings: list[ShownDiagnostic] = field(default_factory=list)
    source: str | None = None


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("waform.preview", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def findings_by_key(
    templates: Sequence[DesiredTemplate], diagnostics: Iterable[Diagnostic]
) -> dict[Key, list[ShownDiagnostic]]:
    """Each diagnostic next to the template-language whose block holds its line.

    A language's block starts at its key (``source``); a finding above the first language
    (``category:``, ``rules:``) concerns every language of the file.
    """
    starts: dict[str, list[tuple[int, Key]]] = defaultdict(list)
    for template in templates:
        if template.source is not None:
            starts[template.source.path].append((template.source.line, template.key))
    for blocks in starts.values():
        blocks.sort()
    out: dict[Key, list[ShownDiagnostic]] = defaultdict(list)
    for d in diagnostics:
        if d.path not in starts:
            continue
        blocks = starts[d.path]
        finding = ShownDiagnostic(d.severity, d.code, d.message, f"{d.path}:{d.line}:{d.column}")
        index = bisect.bisect_right([line for line, _ in blocks], d.line) - 1
        keys = [blocks[index][1]] if index >= 0 else [key for _, key in blocks]
        for key in keys:
            out[key].append(finding)
    return out


def _summary(
    templates: Sequence[DesiredTemplate], findings: Mapping[Key, list[ShownDiagnostic]]
) -> str:
    names = len({t.name for t in templates})
    count = sum(len(f) for f in findings.values())
    return (
        f"{len(templates)} template-language{'s' if len(templates) != 1 else ''} of {names} "
        f"template{'s' if names != 1 else ''}; {count} rule finding{'s' if count != 1 else ''}."
    )


def render_templates(
    templates: Sequence[DesiredTemplate],
    diagnostics: Iterable[Diagnostic] = (),
    *,
    load_media: bool = False,
) -> str:
    """The page of every template-language, grouped by name in the order given."""
    findings = findings_by_key(templates, diagnostics)
    groups: dict[str, Group] = {}
    for t in templates:
        group = groups.setdefault(t.name, Group(t.name, t.category))
        message = build_message(
            t.name, t.language, t.category, t.details_wire(), load_media=load_media
        )
        source = str(t.source) if t.source else None
        group.bubbles.append(Bubble(message, findings.get(t.key, []), source))
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            title="waform preview",
            summary=_summary(templates, findings),
            groups=list(groups.values()),
            pairs=None,
            warnings=[],
            load_media=load_media,
            version=__version__,
        )
    )


def _pair(
    item: Action | Blocked,
    desired: DesiredTemplate | None,
    findings: list[ShownDiagnostic],
    strip: Callable[[dict[str, Any]], dict[str, Any]] | None,
    load_media: bool,
) -> Pair:
    action = item.action if isinstance(item, Action) else "blocked"
    reason = item.reason if isinstance(item, Action) else f"{item.reason}. {item.remedy}."
    pair = Pair(
        item.name, item.language, action, SYMBOLS[action], reason, item.remote_state, None, None
    )
    if action == "delete":
        pair.live_note = "The plan deletes this template; a plan file does not keep its content."
        pair.proposed_note = "Deleted."
        return pair
    if desired is None:
        pair.proposed_note = "Not in the files any more (or the path was not given)."
        return pair
    proposed = (desired.category, desired.details_wire())
    live: tuple[str, dict[str, Any]] | None = None
    if action in ("create", "create-draft"):
        pair.live_note = "New: nothing is live yet."
    else:
        details, category, misfits = live_details(
            proposed[1], item.changes, category=desired.category, strip=strip
        )
        live = (category or desired.category, details)
        if misfits:
            pair.live_note = (
                f"{misfits} change(s) could not be placed; the live side is approximate."
            )
    pair.live, pair.proposed = build_pair(
        item.name, item.language, live, proposed, load_media=load_media
    )
    pair.findings = findings
    pair.source = str(desired.source) if desired.source else item.source
    return pair


def render_plan(
    plan: Plan,
    templates: Sequence[DesiredTemplate],
    diagnostics: Iterable[Diagnostic] = (),
    *,
    strip: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    load_media: bool = False,
    warnings: Sequence[str] = (),
) -> str:
    """The page of the templates ``plan`` changes: live and proposed side by side.

    ``templates`` are the desired templates the plan was made from (the proposed side);
    ``strip`` is the target's ``ignore.fields`` (as the differ used it).
    """
    by_key = {t.key: t for t in templates}
    findings = findings_by_key(templates, diagnostics)
    items: list[Action | Blocked] = [*plan.blocked, *plan.actions]
    pairs = []
    for item in items:
        key = (item.name, item.language)
        pairs.append(_pair(item, by_key.get(key), findings.get(key, []), strip, load_media))
    target = f"target {plan.target}" if plan.target else "the target"
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            title=f"waform plan for {target}",
            summary=f"Plan: {plan.summary.phrase()} Read at {plan.created_at}.",
            groups=[],
            pairs=pairs,
            warnings=list(warnings),
            load_media=load_media,
            version=__version__,
        )
    )
