"""Desired templates + remote templates → a :class:`~waform.plan.Plan` (pure, no I/O).

The inventory (:func:`waform.inventory.pair`) says which keys are managed and pairs them; a key
both sides hold is decided by the table in :mod:`waform.decisions` (equality on canonical forms,
:mod:`waform.normalize`); a key only in git is created (unless its name holds another category),
a key only at the target is deleted with ``prune`` or reported as unmanaged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from waform import submissions
from waform.decisions import TEMPLATES, decide, template_path, unchanged_is_noop
from waform.desired_forms import DesiredForms, hash_desired
from waform.fields import compared, recategorised
from waform.inventory import Inventory, Processor, pair, processors
from waform.model.components import TemplateDetails
from waform.model.enums import normalize_language
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.normalize import canonical_details, remote_fingerprint
from waform.plan import (
    Action,
    Blocked,
    Note,
    Plan,
    Request,
    Summary,
    Unmanaged,
    fingerprint_key,
)

#: Stand-in canonical form for both sides when their raw JSON is already equal.
_IDENTICAL: dict[str, Any] = {}


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
    notes: list[Note] = field(default_factory=list)
    submitted: submissions.Records | None = None
    replace_keys: Callable[[str, str], bool] = lambda name, language: False
    discard_keys: Callable[[str, str], bool] = lambda name, language: False
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
            discard_draft=counts["discard-draft"],
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
            notes=sorted(self.notes, key=lambda x: (x.name, x.language, x.kind)),
            fingerprints=dict(sorted(self.fingerprints.items())),
            requests=requests,
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
        remote_state=r.state_label,
        request=Request(
            method="DELETE",
            path=template_path(r.name, language),
            query={"deleteSubmitted": "true"} if submitted else {},
        ),
        source=None,
    )


# ------------------------------------------------------------------------------- diff


def diff(
    desired: Iterable[DesiredTemplate],
    remote: Iterable[RemoteTemplate],
    config: Any = None,
    **options: Any,
) -> Plan:
    """Pair git with the remote (:func:`waform.inventory.pair`) and plan; see :func:`plan_changes`."""
    settings = DiffSettings.from_config(config)
    return plan_changes(pair(desired, remote, settings.processors), settings, **options)


@dataclass(frozen=True)
class NamedKeys:
    """Templates named on the command line, ``NAME`` or ``NAME:LANG`` each: to resubmit even
    when nothing differs (``--replace``), to discard the draft made outside git of
    (``--discard-draft``)."""

    replace: Sequence[str] = ()
    discard_draft: Sequence[str] = ()

    def replacing(self) -> Callable[[str, str], bool]:
        return _key_matcher(self.replace)

    def discarding(self) -> Callable[[str, str], bool]:
        return _key_matcher(self.discard_draft)

    def unused(self, plan: Plan) -> list[str]:
        """What each name that changed nothing in ``plan`` means: a ``--replace`` key no file
        describes (a typo?), a ``--discard-draft`` key without a draft to discard (also what a
        rerun after the discard sees, so it is said, never refused)."""
        out = []
        touched = [(a.name, a.language) for a in plan.actions]
        touched += [(b.name, b.language) for b in plan.blocked]
        for key in self.replace:
            if not any(_key_matcher([key])(*k) for k in touched):
                out.append(f"--replace {key}: no template in the files has that name")
        discarded = [(a.name, a.language) for a in plan.actions if a.action == "discard-draft"]
        for key in self.discard_draft:
            if not any(_key_matcher([key])(*k) for k in discarded):
                out.append(f"--discard-draft {key}: no draft made outside git to discard")
        return out


def _key_matcher(keys: Sequence[str]) -> Callable[[str, str], bool]:
    """``NAME`` or ``NAME:LANG`` (any spelling of the language) → a predicate on keys."""
    wanted = {(k.partition(":")[0], normalize_language(k.partition(":")[2])) for k in keys}
    if not wanted:  # asked of every template: without names, at once
        return lambda name, language: False
    return lambda name, language: (name, language) in wanted or (name, "") in wanted


def plan_changes(
    inventory: Inventory[DesiredTemplate],
    config: Any = None,
    *,
    target: str = "",
    requests: int = 0,
    edit_history: Mapping[tuple[str, str], Sequence[datetime]] | None = None,
    now: datetime | None = None,
    submitted: submissions.Records | None = None,
    replace_keys: Callable[[str, str], bool] | None = None,
    discard_keys: Callable[[str, str], bool] | None = None,
    desired_forms: DesiredForms | None = None,
) -> Plan:
    """The plan for an inventory of paired templates.

    ``config`` is a :class:`waform.config.Config` (or :class:`DiffSettings`, or ``None`` for
    "manage everything, never prune"). ``edit_history`` (optional) maps keys to the times an
    approved template was edited, which enables the ``edit-limit`` check. ``submitted`` maps
    keys to the write-only fields waform last submitted (:mod:`waform.submissions`; ``None``:
    no record), ``replace_keys`` names keys to resubmit even when nothing differs
    (``--replace``), ``discard_keys`` keys whose draft made outside git to discard
    (``--discard-draft``). ``desired_forms``: :meth:`DesiredForms.of` ``inventory.desired``, when
    the caller has it already (plan works it out beside the fetch).
    """
    settings = DiffSettings.from_config(config)
    b = _Builder(settings=settings, edit_history=edit_history or {}, now=now or datetime.now(UTC))
    b.submitted = submitted
    b.replace_keys = replace_keys or (lambda name, language: False)
    b.discard_keys = discard_keys or (lambda name, language: False)
    b.ignored = len(inventory.ignored)
    for p in inventory.out_of_scope:
        if p.desired is None:
            b.ignored += 1  # fetched by a sweep, outside the scope: left alone
        else:
            b.blocked.append(_out_of_scope(p.desired, p.remote))
    category_updates: set[tuple[str, str]] = set()
    forms = desired_forms or DesiredForms("", {})
    for p in inventory.matched:
        assert p.desired is not None and p.remote is not None
        wire, same = forms.wire(p.desired, p.remote)
        if _plan_matched(b, p.desired, p.remote, wire, same):
            category_updates.add(p.key)
    for p in inventory.desired_only:
        assert p.desired is not None
        _plan_create(b, p.desired, inventory.remote_by_name.get(p.name, ()), category_updates)
    for p in inventory.remote_only:
        assert p.remote is not None
        _plan_remote_only(b, p.remote)
    # Without the forms (``diff``, tests), the hash is made here, the one way it is made.
    digest = desired_forms.desired_hash if desired_forms else hash_desired(inventory.desired)
    return b.plan(target, digest, requests)


def _out_of_scope(d: DesiredTemplate, r: RemoteTemplate | None) -> Blocked:
    return Blocked(
        kind="out-of-scope",
        name=d.name,
        language=d.language,
        reason="the file's name is outside the target's scope",
        remedy="widen scope.include in waform.yaml, or move the file out of the path",
        remote_state=r.state_label if r is not None else None,
        source=str(d.source) if d.source else None,
    )


def _plan_matched(
    b: _Builder, d: DesiredTemplate, r: RemoteTemplate, wire: dict[str, Any] | None, same: bool
) -> bool:
    """Decide one key present on both sides; True when its update changes the category.
    ``same``: ``d``'s content equals ``r``'s as sent (``wire``: ``d``'s, if at hand)."""
    b.managed += 1
    if recategorised(d.category, r.category, r.state):
        b.notes.append(
            Note(
                name=d.name,
                language=d.language,
                kind="recategorised",
                message=f"Meta recategorised it {d.category} → {r.category} (it cannot change "
                f"back); set category: {r.category} in the file to drop this note",
            )
        )
        d = replace(d, category=r.category)
    if same and d.category == r.category:
        # Byte-for-byte equal content has equal canonical forms: skip canonicalising.
        want = have = _IDENTICAL
    else:
        wire = wire or d.details.to_wire()
        want, have = compared(
            canonical_details(wire, category=d.category, strip=b.settings.strip),
            canonical_details(r.effective_details(), category=r.category, strip=b.settings.strip),
            d.category,
        )
    want, have = _write_only(b, d, wire or d.details, want, have)
    # ``want is have`` only where both were set to _IDENTICAL above (equal content as sent, the
    # same category) and nothing write-only was added since: nothing differs.
    if want is have and unchanged_is_noop(d, r):
        b.noop += 1
        return False
    outcome = decide(
        d,
        r,
        want,
        have,
        edits=b.edit_history.get(d.key),
        now=b.now,
        live_matches=want != have and _live_matches(d, r, want, b.settings.strip),
        discard=b.discard_keys(d.name, d.language),
    )
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


def _write_only(
    b: _Builder,
    d: DesiredTemplate,
    content: Mapping[str, Any] | TemplateDetails,
    want: dict[str, Any],
    have: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Add what the read cannot show: the write-only fields against the last submission (a
    ``writeOnly`` difference), and ``--replace``. Notes when there is no record to compare."""
    if b.replace_keys(d.name, d.language):
        want = {**want, "resubmit": "requested with --replace"}
    check = submissions.check(d.key, content, d.category, b.submitted)
    if check is None:
        return want, have
    if check.unverified:
        message = submissions.unverified_message(d.name, d.language)
        b.notes.append(
            Note(name=d.name, language=d.language, kind="write-only-unverified", message=message)
        )
    return check.added(want, have)


def _live_matches(d: DesiredTemplate, r: RemoteTemplate, want: dict[str, Any], strip: Any) -> bool:
    """A draft change made outside git (e.g. in the dashboard) on a live template whose live
    content git already matches (the ``draft`` change of the decision table)."""
    pending = r.pending
    if pending is None or pending.status != "DRAFT" or r.state not in ("APPROVED", "PAUSED"):
        return False
    git, live = compared(
        want, canonical_details(r.details, category=r.category, strip=strip), d.category
    )
    return git == live


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
            f"`waform import DIR --name {name}` would add it to git"
        )
        b.unmanaged.append(
            Unmanaged(name=name, language=lang, remote_state=r.state_label, note=note)
        )
        return
    b.actions.append(((1, name, 0, lang), _delete(r, lang)))
    b.fingerprints[fingerprint_key(*r.key)] = remote_fingerprint(r)
