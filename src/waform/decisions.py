"""What the differ does with a key both sides hold: one table, remote state × kind of change.

:func:`remote_state` reads where the remote template is in Meta's review cycle, :func:`change_kind`
compares the canonical forms, and :data:`DECISIONS` gives the outcome for a file that says
``status: submit`` and for one that says ``status: draft``. Keys only in git (create) and keys
only at the target (prune, or report) are the differ's (:mod:`waform.differ`).

A new kind of change (say, one Meta makes itself and that needs no review) is a new
:data:`Change` value with one row per remote state; the field-level table that tells kinds apart
belongs in :mod:`waform.field_changes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from waform.field_changes import template_changes
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.plan import Action, Blocked, BlockKind, Request

RemoteState = Literal[
    "meta-generated",  # isMetaGenerated: read-only
    "in-review",  # a change IN_PROGRESS, or a first submission PENDING
    "rejected",  # REJECTED (the template, or its pending change)
    "rejected-for-category",  # … with rejectionCode INCORRECT_CATEGORY: the category may change
    "new-draft",  # a DRAFT never submitted (no state): the category may change
    "live-draft",  # a DRAFT change of a live template
    "approved",  # APPROVED, nothing pending: edits count towards Meta's edit limit
    "live",  # PAUSED, DISABLED, or a state this client does not know
]
Change = Literal[
    "none",
    "content",
    "category",
    "draft",  # only a draft made outside git differs: git matches the live content
    "discard",  # ``--discard-draft`` names the key, and its draft differs from git
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """``noop``, ``submit``, ``update`` (``why``: its reason) or ``blocked`` (``why``: its kind)."""

    do: Literal["noop", "submit", "update", "discard-draft", "blocked"]
    why: str = ""
    limited: bool = False
    """An edit Meta counts towards its edit limit (checked when the edit history is known)."""


NOOP = Outcome("noop")
SUBMIT = Outcome("submit", "the draft matches the file: submit it for review")
META, REVIEW = Outcome("blocked", "meta-generated"), Outcome("blocked", "review-in-progress")
UNCHANGED, FROZEN = Outcome("blocked", "rejected-unchanged"), Outcome("blocked", "category-change")
RESUBMIT = Outcome("update", "rejected content changed: resubmit for review")
REJECTED_DRAFT = Outcome("update", "rejected content changed: save as draft")
DRAFT_SUBMIT = Outcome("update", "draft content changed: update and submit for review")
DRAFT_SAVE = Outcome("update", "draft content changed: update the draft")
EDIT = Outcome("update", "content changed: edit and submit for review")
EDIT_COUNTED = Outcome("update", EDIT.why, limited=True)
EDIT_DRAFT = Outcome("update", "content changed: save the edit as a draft")
PENDING_DRAFT = Outcome("blocked", "pending-draft")
DISCARD = Outcome(
    "discard-draft", "discard the draft made outside git (--discard-draft); the live one stays"
)

#: (remote state, change) → (outcome when the file says submit, when it says draft).
DECISIONS: dict[tuple[RemoteState, Change], tuple[Outcome, Outcome]] = {
    ("meta-generated", "none"): (NOOP, NOOP),
    ("meta-generated", "content"): (META, META),
    ("meta-generated", "category"): (META, META),
    ("in-review", "none"): (NOOP, NOOP),
    ("in-review", "content"): (REVIEW, REVIEW),
    ("in-review", "category"): (REVIEW, REVIEW),
    ("rejected", "none"): (UNCHANGED, NOOP),
    ("rejected", "content"): (RESUBMIT, REJECTED_DRAFT),
    ("rejected", "category"): (FROZEN, FROZEN),
    ("rejected-for-category", "none"): (UNCHANGED, NOOP),
    ("rejected-for-category", "content"): (RESUBMIT, REJECTED_DRAFT),
    ("rejected-for-category", "category"): (RESUBMIT, REJECTED_DRAFT),
    ("new-draft", "none"): (SUBMIT, NOOP),
    ("new-draft", "content"): (DRAFT_SUBMIT, DRAFT_SAVE),
    ("new-draft", "category"): (DRAFT_SUBMIT, DRAFT_SAVE),
    ("live-draft", "none"): (SUBMIT, NOOP),
    ("live-draft", "content"): (DRAFT_SUBMIT, DRAFT_SAVE),
    ("live-draft", "category"): (FROZEN, FROZEN),
    # Submitting git's unchanged content would spend an edit to change nothing.
    ("live-draft", "draft"): (PENDING_DRAFT, PENDING_DRAFT),
    ("live-draft", "discard"): (DISCARD, DISCARD),
    ("approved", "none"): (NOOP, NOOP),
    ("approved", "content"): (EDIT_COUNTED, EDIT_DRAFT),
    ("approved", "category"): (FROZEN, FROZEN),
    ("live", "none"): (NOOP, NOOP),
    ("live", "content"): (EDIT, EDIT_DRAFT),
    ("live", "category"): (FROZEN, FROZEN),
}

#: Reason and remedy of each blocked kind the table (or the edit limit) produces.
BLOCK_TEXT: dict[BlockKind, tuple[str, str]] = {
    "meta-generated": (
        "Meta-generated template: it cannot be edited (read-only)",
        "remove the language from the file, or copy the content into a template with a new name",
    ),
    "review-in-progress": (
        "a change is under review at Meta; it cannot be edited until the review ends",
        "re-run plan after the review (approval or rejection) to apply this change",
    ),
    "rejected-unchanged": (
        "Meta rejected this content{code}; submitting it unchanged would be rejected again",
        "change the content to address the rejection, or remove the language from the file",
    ),
    "category-change": (
        "category {have} → {want}: the category of a template Meta has reviewed cannot change",
        "keep category {have} in the file, or create the content under a new name "
        "(and delete {name} once the new one is approved)",
    ),
    "edit-limit": (
        "Meta allows {limit} edit(s) of an approved template per {span}; this edit would exceed it",
        "re-run plan after {free}",
    ),
    "pending-draft": (
        "a draft change made outside git differs from git, and git matches the live "
        "template: submitting git's content would spend an edit to change nothing",
        "`waform apply --discard-draft {name}:{language}` discards the draft (git's version is "
        "the live one), or copy the draft's content into the file to submit it",
    ),
}

TEMPLATES = "/whatsapp/templates"
#: Meta's edit limits for approved templates (rules LC2): 1 per 24 h, 10 per 30 days.
EDIT_LIMITS: tuple[tuple[timedelta, int], ...] = (
    (timedelta(hours=24), 1),
    (timedelta(days=30), 10),
)


def template_path(name: str, language: str | None = None) -> str:
    """API path (relative to ``/v1/projects/{projectId}``) of a name or one of its languages."""
    return f"{TEMPLATES}/{name}" + (f"/languages/{language}" if language else "")


def remote_state(r: RemoteTemplate) -> RemoteState:
    """The row of :data:`DECISIONS` a remote template is on (first match wins)."""
    if r.isMetaGenerated:
        return "meta-generated"
    if r.under_review:
        return "in-review"
    if r.rejected:
        return "rejected-for-category" if r.rejectionCode == "INCORRECT_CATEGORY" else "rejected"
    if r.change_status == "DRAFT":
        return "new-draft" if r.state is None else "live-draft"
    return "approved" if r.state == "APPROVED" else "live"


def change_kind(
    d: DesiredTemplate,
    r: RemoteTemplate,
    want: Any,
    have: Any,
    *,
    live_matches: bool = False,
    discard: bool = False,
) -> Change:
    """``discard`` when asked for and a draft of a live template differs from git; else
    ``category`` when the category differs (whatever the content); else none, ``draft`` (git
    matches the live content, ``live_matches``, and only that draft differs) or content."""
    outside_draft = want != have and remote_state(r) == "live-draft"
    if discard and outside_draft:
        return "discard"
    if d.category != r.category:
        return "category"
    if want == have:
        return "none"
    return "draft" if live_matches and outside_draft else "content"


def decide(
    d: DesiredTemplate,
    r: RemoteTemplate,
    want: Mapping[str, Any],
    have: Mapping[str, Any],
    *,
    edits: Sequence[datetime] | None = None,
    now: datetime,
    live_matches: bool = False,
    discard: bool = False,
) -> Action | Blocked | None:
    """The action, blocked item, or ``None`` (no-op) for a key both sides hold.

    ``want``/``have``: the canonical ``details`` of the file and of the remote's effective
    content; ``edits``: when the approved template was edited (for the edit limit), if known;
    ``live_matches``: the file matches the live content (with a draft pending);
    ``discard``: ``--discard-draft`` names this key.
    """
    change = change_kind(d, r, want, have, live_matches=live_matches, discard=discard)
    outcome = DECISIONS[remote_state(r), change][_column(d)]
    hit = _edit_limit(edits, now) if outcome.limited else None
    if outcome.do == "noop":
        return None
    changes = template_changes(have, want, old_category=r.category, new_category=d.category)
    source = str(d.source) if d.source else None
    if hit is not None or outcome.do == "blocked":
        kind = cast(BlockKind, "edit-limit" if hit is not None else outcome.why)
        reason, remedy = (text.format(**_block_values(d, r, hit)) for text in BLOCK_TEXT[kind])
        return Blocked(
            kind=kind,
            name=d.name,
            language=d.language,
            reason=reason,
            remedy=remedy,
            remote_state=r.state_label,
            changes=changes,
            source=source,
        )
    if outcome.do == "discard-draft":
        # Without deleteSubmitted: only the draft goes; with it, the template itself would.
        request = Request(method="DELETE", path=template_path(d.name, d.language))
    else:
        body = _update_body(d, have, include_category=change == "category")
        request = Request(method="PATCH", path=template_path(d.name, d.language), body=body)
    return Action(
        action=outcome.do,
        name=d.name,
        language=d.language,
        category=d.category,
        reason=outcome.why,
        remote_state=r.state_label,
        request=request,
        changes=changes,
        source=source,
    )


def unchanged_is_noop(d: DesiredTemplate, r: RemoteTemplate) -> bool:
    """Whether :func:`decide` leaves a key alone when nothing differs: the differ's shortcut for
    the templates that did not change, most of them. The caller has made sure that nothing
    does (``want == have``, the same category); this only reads the remote state's row."""
    return remote_state(r) in _LEFT_ALONE[_column(d)]


def _column(d: DesiredTemplate) -> int:
    """The column of :data:`DECISIONS` for ``d``: the file says submit, or draft."""
    return 0 if d.status == "submit" else 1


#: Per column of :data:`DECISIONS`: the remote states in which an unchanged key is left alone.
_LEFT_ALONE = tuple(
    frozenset(
        state
        for (state, change), row in DECISIONS.items()
        if change == "none" and row[column].do == "noop"
    )
    for column in (0, 1)
)


def _block_values(
    d: DesiredTemplate, r: RemoteTemplate, hit: tuple[timedelta, int, datetime] | None
) -> dict[str, Any]:
    code = r.rejectionCode
    values: dict[str, Any] = {
        "name": d.name,
        "have": r.category,
        "want": d.category,
        "language": d.language,
        "code": f" ({code})" if code and code != "NONE" else "",
    }
    if hit is not None:
        window, limit, free = hit
        values["limit"] = limit
        values["span"] = "24 hours" if window == timedelta(hours=24) else "30 days"
        values["free"] = free.strftime("%Y-%m-%d %H:%M UTC")
    return values


def _update_body(
    d: DesiredTemplate, have: Mapping[str, Any], *, include_category: bool
) -> dict[str, Any]:
    body = d.update_body(include_category=include_category)
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
