"""Desired templates + remote templates → a :class:`~waform.plan.Plan` (pure, no I/O).

Equality is decided on canonical forms (:mod:`waform.normalize`) with one ``==``; deepdiff runs
only for pairs that differ, to list field-level changes (it costs ~0.65 ms a pair, far too much
to run on 10,000 unchanged templates). The decision table is in :mod:`waform.plan`'s docstring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deepdiff import DeepDiff

from waform.inventory import Inventory, Processor, pair, processors
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.normalize import canonical_details, desired_hash, remote_fingerprint
from waform.plan import (
    Action,
    Blocked,
    FieldChange,
    Plan,
    Request,
    Summary,
    Unmanaged,
    fingerprint_key,
)

TEMPLATES = "/whatsapp/templates"
#: Stand-in canonical form for both sides when their raw JSON is already equal.
_IDENTICAL: dict[str, Any] = {}
#: Meta's edit limits for approved templates (rules LC2): 1 per 24 h, 10 per 30 days.
EDIT_LIMITS: tuple[tuple[timedelta, int], ...] = (
    (timedelta(hours=24), 1),
    (timedelta(days=30), 10),
)


@dataclass(frozen=True)
class DiffSettings:
    """What the differ needs from ``waform.yaml``: scope/ignore processors, prune, ignored fields."""

    processors: tuple[Processor, ...] = ()
    prune: bool = False
    strip: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @classmethod
    def from_config(cls, config: Any) -> DiffSettings:
        """From a :class:`waform.config.Config` (``None``: manage everything, no prune)."""
        if config is None:
            return cls()
        if isinstance(config, DiffSettings):
            return config
        strip = config.ignore.strip if config.ignore.fields else None
        return cls(processors=processors(config), prune=config.prune, strip=strip)


@dataclass
class _Builder:
    settings: DiffSettings
    edit_history: Mapping[tuple[str, str], Sequence[datetime]]
    now: datetime
    actions: list[tuple[tuple[Any, ...], Action]] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    noop: int = 0
    ignored: int = 0
    managed: int = 0
    fingerprints: dict[str, str] = field(default_factory=dict)

    def plan(self, target: str, desired_hash: str, requests: int) -> Plan:
        """The plan value: actions in order, counts, and everything sorted by key."""
        self.actions.sort(key=lambda pair: pair[0])
        actions = [a for _, a in self.actions]
        counts: dict[str, int] = defaultdict(int)
        for a in actions:
            counts[a.action] += 1
        summary = Summary(
            create=counts["create"],
            create_draft=counts["create-draft"],
            submit=counts["submit"],
            update=counts["update"],
            delete=counts["delete"],
            noop=self.noop,
            blocked=len(self.blocked),
            unmanaged=len(self.unmanaged),
            ignored=self.ignored,
            managed=self.managed,
        )
        return Plan(
            target=target,
            desired_hash=desired_hash,
            summary=summary,
            actions=actions,
            blocked=sorted(self.blocked, key=lambda x: (x.name, x.language)),
            unmanaged=sorted(self.unmanaged, key=lambda x: (x.name, x.language)),
            fingerprints=dict(sorted(self.fingerprints.items())),
            requests=requests,
        )


def template_path(name: str, language: str | None = None) -> str:
    """API path (relative to ``/v1/projects/{projectId}``) of a name or one of its languages."""
    return f"{TEMPLATES}/{name}" + (f"/languages/{language}" if language else "")


def state_label(remote: RemoteTemplate | None) -> str | None:
    """``APPROVED``, ``APPROVED, change IN_PROGRESS``, ``DRAFT (never submitted)``, …"""
    if remote is None:
        return None
    pending = remote.pending
    if remote.state is None:
        if pending is None:
            return "no state"
        return (
            f"{pending.status} (never submitted)" if pending.status == "DRAFT" else pending.status
        )
    label = remote.state
    if pending is not None and pending.status != remote.state:
        label += f", change {pending.status}"
    if remote.rejectionCode and remote.rejectionCode != "NONE" and "REJECTED" in label:
        label += f" ({remote.rejectionCode})"
    return label


# ------------------------------------------------------------------------- field changes


def _keyed(value: Any) -> Any:
    """Components lists → dicts keyed by type, so adding a FOOTER is one change, not a shift."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "components" and isinstance(item, list):
                keyed: dict[str, Any] = {}
                for comp in item:
                    label = comp.get("type", "?") if isinstance(comp, dict) else "?"
                    while label in keyed:
                        label += "+"
                    keyed[label] = _keyed(comp)
                out[key] = keyed
            else:
                out[key] = _keyed(item)
        return out
    if isinstance(value, list):
        return [_keyed(item) for item in value]
    return value


def _path_text(parts: Sequence[Any]) -> str:
    text = ""
    for i, part in enumerate(parts):
        if isinstance(part, int) or (i > 0 and parts[i - 1] == "components"):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Field-level differences between two canonical ``details`` (deepdiff, tree view).

    Paths read ``components[BODY].text``, ``components[BUTTONS].buttons[0].url``,
    ``optimization.bidAmount``.
    """
    tree = DeepDiff(_keyed(old), _keyed(new), view="tree", verbose_level=2)
    out = []
    for report_type, items in tree.items():
        for item in items:
            parts = item.path(output_format="list")
            if report_type.endswith("_added"):
                out.append(FieldChange(path=_path_text(parts), op="add", new=item.t2))
            elif report_type.endswith("_removed"):
                out.append(FieldChange(path=_path_text(parts), op="remove", old=item.t1))
            else:
                out.append(
                    FieldChange(path=_path_text(parts), op="change", old=item.t1, new=item.t2)
                )
    out.sort(key=lambda c: c.path)
    return out


# ------------------------------------------------------------------------------- decide


def _changes(
    d: DesiredTemplate, r: RemoteTemplate, want: dict[str, Any], have: dict[str, Any]
) -> list[FieldChange]:
    out = []
    if d.category != r.category:
        out.append(FieldChange(path="category", op="change", old=r.category, new=d.category))
    if want != have:
        out.extend(field_changes(have, want))
    return out


def _update_body(
    d: DesiredTemplate,
    have: Mapping[str, Any],
    *,
    include_category: bool,
    status: str | None = None,
) -> dict[str, Any]:
    body = d.update_body(include_category=include_category)
    if status is not None:
        body["status"] = status
    # PATCH leaves omitted fields unchanged and null clears them (reference §2.2): a field the
    # file no longer sets must be sent as null, or the update would never converge.
    if "optimization" in have and d.details.optimization is None:
        body["details"]["optimization"] = None
    if "messageSendTtlSeconds" in have and d.details.messageSendTtlSeconds is None:
        body["details"]["messageSendTtlSeconds"] = None
    return body


def _edit_limit(
    history: Sequence[datetime] | None, now: datetime
) -> tuple[timedelta, int, datetime] | None:
    """The limit an edit now would break, with the time it frees up (None: within limits)."""
    if not history:
        return None
    for window, limit in EDIT_LIMITS:
        recent = sorted(t for t in history if now - t < window)
        if len(recent) >= limit:
            return window, limit, recent[-limit] + window
    return None


def _decide(
    b: _Builder, d: DesiredTemplate, r: RemoteTemplate, want: dict[str, Any], have: dict[str, Any]
) -> Action | Blocked | None:
    """The action (or blocked item, or None for no-op) for a template present on both sides."""
    name, lang = d.name, d.language
    content_equal = want == have
    category_equal = d.category == r.category
    equal = content_equal and category_equal
    wants_submit = d.status == "submit"
    label = state_label(r)
    pending = r.pending
    ps = pending.status if pending is not None else None
    source = str(d.source) if d.source else None
    path = template_path(name, lang)

    def blocked(kind: str, reason: str, remedy: str) -> Blocked:
        return Blocked(
            kind=kind,  # type: ignore[arg-type]
            name=name,
            language=lang,
            reason=reason,
            remedy=remedy,
            remote_state=label,
            changes=_changes(d, r, want, have),
            source=source,
        )

    def update(reason: str, *, include_category: bool = False) -> Action:
        return Action(
            action="update",
            name=name,
            language=lang,
            category=d.category,
            reason=reason,
            remote_state=label,
            request=Request(
                method="PATCH",
                path=path,
                body=_update_body(d, have, include_category=include_category),
            ),
            changes=_changes(d, r, want, have),
            source=source,
        )

    category_blocked = (
        "category-change",
        f"category {r.category} → {d.category}: the category of a template Meta has reviewed "
        "cannot change",
        f"keep category {r.category} in the file, or create the content under a new name "
        f"(and delete {name} once the new one is approved)",
    )

    if r.isMetaGenerated:
        if equal:
            return None
        return blocked(
            "meta-generated",
            "Meta-generated template: it cannot be edited (read-only)",
            "remove the language from the file, or copy the content into a template with a new name",
        )

    if ps == "IN_PROGRESS" or (ps is None and r.state == "PENDING"):
        if equal:
            return None
        return blocked(
            "review-in-progress",
            "a change is under review at Meta; it cannot be edited until the review ends",
            "re-run plan after the review (approval or rejection) to apply this change",
        )

    rejected = ps == "REJECTED" or (ps is None and r.state == "REJECTED")
    if rejected:
        code = r.rejectionCode
        if equal:
            if not wants_submit:
                return None
            why = f" ({code})" if code and code != "NONE" else ""
            return blocked(
                "rejected-unchanged",
                f"Meta rejected this content{why}; submitting it unchanged would be rejected again",
                "change the content to address the rejection, or remove the language from the file",
            )
        if not category_equal and code != "INCORRECT_CATEGORY":
            return blocked(*category_blocked)
        return update(
            "rejected content changed: resubmit for review"
            if wants_submit
            else "rejected content changed: save as draft",
            include_category=not category_equal,
        )

    live = r.state is not None
    if ps == "DRAFT":
        if equal:
            if not wants_submit:
                return None
            return Action(
                action="submit",
                name=name,
                language=lang,
                category=d.category,
                reason="the draft matches the file: submit it for review",
                remote_state=label,
                request=Request(
                    method="PATCH",
                    path=path,
                    body=_update_body(d, have, include_category=False, status="SUBMIT"),
                ),
                source=source,
            )
        if not category_equal and live:
            return blocked(*category_blocked)
        return update(
            "draft content changed: update and submit for review"
            if wants_submit
            else "draft content changed: update the draft",
            include_category=not category_equal,
        )

    # A live template with no pending change: APPROVED / PAUSED / DISABLED (or unknown).
    if equal:
        return None
    if not category_equal:
        return blocked(*category_blocked)
    if r.state == "APPROVED" and wants_submit:
        hit = _edit_limit(b.edit_history.get((name, lang)), b.now)
        if hit is not None:
            window, limit, free = hit
            span = "24 hours" if window == timedelta(hours=24) else "30 days"
            return blocked(
                "edit-limit",
                f"Meta allows {limit} edit(s) of an approved template per {span}; "
                "this edit would exceed it",
                f"re-run plan after {free.strftime('%Y-%m-%d %H:%M UTC')}",
            )
    return update(
        "content changed: edit and submit for review"
        if wants_submit
        else "content changed: save the edit as a draft"
    )


def _create(d: DesiredTemplate) -> Action:
    draft = d.status == "draft"
    return Action(
        action="create-draft" if draft else "create",
        name=d.name,
        language=d.language,
        category=d.category,
        reason="new: save as draft" if draft else "new: create and submit for review",
        remote_state=None,
        request=Request(method="POST", path=TEMPLATES, body=d.create_body()),
        source=str(d.source) if d.source else None,
    )


def _delete(r: RemoteTemplate, language: str) -> Action:
    submitted = r.state is not None or (r.pending is not None and r.pending.status != "DRAFT")
    return Action(
        action="delete",
        name=r.name,
        language=language,
        category=r.category,
        reason="not in git (prune)",
        remote_state=state_label(r),
        request=Request(
            method="DELETE",
            path=template_path(r.name, language),
            query={"deleteSubmitted": "true"} if submitted else {},
        ),
    )


# ------------------------------------------------------------------------------- diff


def _hashed_inputs(d: DesiredTemplate, wire: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": d.category,
        "status": d.status,
        "allowCategoryChange": d.allow_category_change,
        "saveDraftOnFailure": d.save_draft_on_failure,
        "rules": d.rules,
        "details": wire,
    }


def hash_desired(desired: Iterable[DesiredTemplate]) -> str:
    """The ``desiredHash`` a plan of these templates carries (apply compares it with the files)."""
    return desired_hash((d.key, _hashed_inputs(d, d.details.to_wire())) for d in desired)


def diff(
    desired: Iterable[DesiredTemplate],
    remote: Iterable[RemoteTemplate],
    config: Any = None,
    **options: Any,
) -> Plan:
    """Pair git with the remote (:func:`waform.inventory.pair`) and plan; see :func:`plan_changes`."""
    settings = DiffSettings.from_config(config)
    return plan_changes(pair(desired, remote, settings.processors), settings, **options)


def plan_changes(
    inventory: Inventory[DesiredTemplate],
    config: Any = None,
    *,
    target: str = "",
    requests: int = 0,
    edit_history: Mapping[tuple[str, str], Sequence[datetime]] | None = None,
    now: datetime | None = None,
) -> Plan:
    """The plan for an inventory of paired templates.

    ``config`` is a :class:`waform.config.Config` (or :class:`DiffSettings`, or ``None`` for
    "manage everything, never prune"). ``edit_history`` (optional) maps keys to the times an
    approved template was edited, which enables the ``edit-limit`` check.
    """
    settings = DiffSettings.from_config(config)
    b = _Builder(settings=settings, edit_history=edit_history or {}, now=now or datetime.now(UTC))
    b.ignored = len(inventory.ignored)
    for p in inventory.out_of_scope:
        if p.desired is None:
            b.ignored += 1  # fetched by a sweep, outside the scope: left alone
        else:
            b.blocked.append(_out_of_scope(p.desired, p.remote))
    category_updates: set[tuple[str, str]] = set()
    for p in inventory.matched:
        assert p.desired is not None and p.remote is not None
        if _plan_matched(b, p.desired, p.remote):
            category_updates.add(p.key)
    for p in inventory.desired_only:
        assert p.desired is not None
        _plan_create(b, p.desired, inventory.remote_by_name.get(p.name, ()), category_updates)
    for p in inventory.remote_only:
        assert p.remote is not None
        _plan_remote_only(b, p.remote)
    return b.plan(target, hash_desired(inventory.desired), requests)


def _out_of_scope(d: DesiredTemplate, r: RemoteTemplate | None) -> Blocked:
    return Blocked(
        kind="out-of-scope",
        name=d.name,
        language=d.language,
        reason="the file's name is outside the target's scope",
        remedy="widen scope.include in waform.yaml, or move the file out of the path",
        remote_state=state_label(r),
        source=str(d.source) if d.source else None,
    )


def _plan_matched(b: _Builder, d: DesiredTemplate, r: RemoteTemplate) -> bool:
    """Decide one key present on both sides; True when its update changes the category."""
    b.managed += 1
    wire = d.details.to_wire()
    raw = r.effective_details()
    if raw == wire and d.category == r.category:
        # Byte-for-byte equal content has equal canonical forms: skip canonicalising.
        want = have = _IDENTICAL
    else:
        want = canonical_details(wire, category=d.category, strip=b.settings.strip)
        have = canonical_details(raw, category=r.category, strip=b.settings.strip)
    outcome = _decide(b, d, r, want, have)
    if outcome is None:
        b.noop += 1
        return False
    if isinstance(outcome, Blocked):
        b.blocked.append(outcome)
        return False
    changes_category = bool(outcome.request.body and "category" in outcome.request.body)
    b.actions.append(((0, d.name, 0 if changes_category else 2, d.language), outcome))
    b.fingerprints[fingerprint_key(*d.key)] = remote_fingerprint(r)
    return changes_category


def _plan_create(
    b: _Builder,
    d: DesiredTemplate,
    siblings: Iterable[RemoteTemplate],
    category_updates: set[tuple[str, str]],
) -> None:
    """A new key: created, unless its name's other languages hold another category."""
    conflict = [r for r in siblings if r.category != d.category and r.key not in category_updates]
    if conflict:
        langs = ", ".join(r.language for r in conflict)
        b.blocked.append(
            Blocked(
                kind="category-conflict",
                name=d.name,
                language=d.language,
                reason=(
                    f"{d.name} exists in {langs} with category {conflict[0].category}; "
                    "every language of a name must share one category"
                ),
                remedy=f"use category {conflict[0].category} in the file, or a new name",
                source=str(d.source) if d.source else None,
            )
        )
        return
    b.actions.append(((0, d.name, 1, d.language), _create(d)))
    b.fingerprints[fingerprint_key(*d.key)] = remote_fingerprint(None)


def _plan_remote_only(b: _Builder, r: RemoteTemplate) -> None:
    """A managed key git does not describe: deleted with ``prune``, else reported."""
    b.managed += 1
    name, lang = r.key
    if r.isMetaGenerated or lang == "UNRECOGNIZED" or not b.settings.prune:
        note = (
            "Meta-generated template (never deleted by prune)"
            if r.isMetaGenerated
            else "language this client does not know (never deleted by prune)"
            if lang == "UNRECOGNIZED"
            else "not in git; `prune: true` in waform.yaml would delete it, "
            "`waform import` would add it to git"
        )
        b.unmanaged.append(
            Unmanaged(name=name, language=lang, remote_state=state_label(r), note=note)
        )
        return
    b.actions.append(((1, name, 0, lang), _delete(r, lang)))
    b.fingerprints[fingerprint_key(*r.key)] = remote_fingerprint(r)
