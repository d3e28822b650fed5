"""Meta's template lifecycle as the emulator plays it: review verdicts, edits, deletes, clock.

Pure rules over :class:`~waform.emulator.records.Record`; the service persists the result and
the :class:`Effects` (activities, webhook events) in one transaction.

**States.** A template has live content (``details``, ``state``) and a pending layer
(``changes`` with ``status`` DRAFT / IN_PROGRESS / REJECTED):

* create with ``status: DRAFT`` → ``changes.status DRAFT``, no ``state`` (Meta never saw it);
* create with ``SUBMIT`` → ``changes.status IN_PROGRESS`` and ``state PENDING``; a review is due
  ``review_delay`` seconds later (emulator clock);
* review approves → ``changes`` applied to ``details`` and cleared, ``state APPROVED``,
  ``whatsappId`` (deterministic digits) and ``qualityScore QUALITY_SCORE_UNKNOWN`` set;
* review rejects → ``changes.status REJECTED`` and ``rejectionCode``; a never-approved template
  also gets ``state REJECTED``, an edit of a live one keeps the live state and content;
* PATCH works on templates whose ``state`` is APPROVED / DISABLED / PAUSED / REJECTED (or that
  were never submitted) and whose ``changes.status`` is DRAFT / REJECTED (or absent); category
  and ``allowCategoryChange`` only while never submitted, or REJECTED for INCORRECT_CATEGORY;
  a *submitted* edit of an APPROVED template counts against Meta's 1 per 24 h / 10 per 30 days
  (beyond → ``424 template_submit_error`` with ``metaError`` subcode 2388039).

**Review verdicts** (deterministic, evaluated on the pending ``details``):

1. a BODY (or carousel card body) whose text starts or ends with a variable → REJECTED
   ``INVALID_FORMAT``;
2. a URL button pointing at ``wa.me`` → REJECTED ``INVALID_FORMAT``;
3. a UTILITY template whose body reads as promotional (``discount``, ``coupon``, ``promo
   code``, ``N% off``: :data:`waform.emulator.meta.PROMOTIONAL`) → recategorised to MARKETING
   and APPROVED (a literal emulator does so only when ``allowCategoryChange`` is true and
   otherwise rejects it ``INCORRECT_CATEGORY``);
4. everything else → APPROVED.

**Deletes.** Blocks are per (name, language), as Sinch phrases them: deleting a name blocks each
of its languages for 30 days (``409 template_name_recently_used`` on re-create), deleting one
language blocks it for 30 days (``409 template_language_recently_deleted``); the same name in
another language stays possible. Only templates Meta knew leave a block (never-submitted drafts
leave no trace).
``DELETE …/languages/{code}`` without ``deleteSubmitted=true`` only removes drafts: a
never-submitted template entirely, or the DRAFT ``changes`` of a submitted one (the submitted
template stays as it was: ``apply --discard-draft`` relies on it); a submitted template without
a DRAFT change (none pending, or IN_PROGRESS/REJECTED) answers
``409 template_not_deletable_due_to_input_config``.

**Clock.** Emulator time is the wall clock plus an offset stored in the state file, so the
control API can move it forward and every process sharing the file agrees. Reviews are
evaluated whenever state is read (due ones found through an index), which is how the in-process
emulator, alive only while one command runs, still moves templates on between commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from waform.emulator.clock import DAY, iso, whatsapp_id
from waform.emulator.errors import PapiError, invalid_input
from waform.emulator.meta import PROMOTIONAL, Rewrites
from waform.emulator.records import Record, output_details
from waform.emulator.validation import (
    CreateTemplateBody,
    UpdateTemplateBody,
    check_restricted_domains,
    host_matches,
    ttl_errors,
    url_buttons,
    url_host,
)

BLOCK_SECONDS = 30 * DAY
#: Meta's edit limits for APPROVED templates: (window seconds, max submitted edits).
EDIT_LIMITS = ((DAY, 1), (30 * DAY, 10))
EDITABLE_STATES = frozenset({"APPROVED", "DISABLED", "PAUSED", "REJECTED"})
AUTHOR = "Provisioning API user"

_LEADING_VAR = re.compile(r"^\s*\{\{[^{}]*\}\}")
_TRAILING_VAR = re.compile(r"\{\{[^{}]*\}\}\s*$")


@dataclass
class Effects:
    """What a transition causes besides the record itself: activities and webhook events."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    #: (trigger, extra body fields); the payload is the record as committed.
    webhooks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def activity(self, kind: str, now: float, comment: str | None = None) -> None:
        entry: dict[str, Any] = {"type": kind, "created": iso(now), "author": AUTHOR}
        if comment is not None:
            entry["comment"] = comment
        self.activities.append(entry)

    def webhook(self, trigger: str, **extra: Any) -> None:
        self.webhooks.append((trigger, extra))


# ---------------------------------------------------------------- review


@dataclass(frozen=True)
class Verdict:
    approved: bool
    rejection_code: str | None = None
    category: str | None = None
    reason: str = ""


def _bodies(components: list[dict[str, Any]]) -> list[str]:
    texts: list[str] = []
    for component in components:
        if component.get("type") == "BODY" and isinstance(component.get("text"), str):
            texts.append(component["text"])
        elif component.get("type") == "CAROUSEL":
            for card in component.get("cards", []):
                texts.extend(_bodies(card.get("components", [])))
    return texts


def review(record: Record, rewrites: Rewrites) -> Verdict:
    """Meta's (emulated) verdict on the pending content of ``record``. Deterministic."""
    details = (record.changes or {}).get("details") or record.details or {}
    components = details.get("components", [])
    for text in _bodies(components):
        if _LEADING_VAR.search(text) or _TRAILING_VAR.search(text):
            return Verdict(
                False, "INVALID_FORMAT", reason="Body can't start or end with a variable."
            )
    for button in url_buttons(details):
        if host_matches(url_host(str(button.get("url", ""))), "wa.me"):
            return Verdict(False, "INVALID_FORMAT", reason="URL buttons can't link to wa.me.")
    if record.category == "UTILITY" and any(PROMOTIONAL.search(t) for t in _bodies(components)):
        if (record.changes or {}).get("allowCategoryChange") or not rewrites.literal:
            return Verdict(True, category="MARKETING", reason="Recategorised as MARKETING.")
        return Verdict(False, "INCORRECT_CATEGORY", reason="Content is promotional: MARKETING.")
    return Verdict(True)


def finish_review(
    record: Record, now: float, rewrites: Rewrites, verdict: Verdict | None = None
) -> Effects:
    """Apply Meta's verdict to a record whose changes are IN_PROGRESS; approved content
    becomes Meta's copy of it (``rewrites.meta``)."""
    effects = Effects()
    verdict = verdict or review(record, rewrites)
    changes = record.changes or {}
    record.review_due = None
    record.whatsapp_id = record.whatsapp_id or whatsapp_id(
        record.project, record.name, record.language
    )
    record.internal["reviewed"] = True
    if verdict.approved:
        if verdict.category and verdict.category != record.category:
            record.category = verdict.category
            effects.webhook("WHATSAPP_TEMPLATE_CATEGORY_UPDATED", comment=verdict.reason)
        pending = changes.get("details")
        if pending is not None:
            key = (record.project, record.name, record.language)
            record.details = rewrites.meta(pending, key=key, category=record.category)
        record.changes = None
        record.state = "APPROVED"
        record.rejection_code = None
        record.quality_score = record.quality_score or "QUALITY_SCORE_UNKNOWN"
        effects.webhook("WHATSAPP_TEMPLATE_APPROVED")
    else:
        record.changes = {**changes, "status": "REJECTED"}
        if record.details is None:
            record.state = "REJECTED"
        record.rejection_code = verdict.rejection_code or "NONE"
        effects.activity("REJECTED", now, verdict.reason or None)
        effects.webhook("WHATSAPP_TEMPLATE_REJECTED", comment=verdict.reason or None)
    return effects


# ---------------------------------------------------------------- create


def new_record(
    project: str, body: CreateTemplateBody, now: float, review_delay: float, rewrites: Rewrites
) -> Record:
    """The record a valid create body yields (conflict checks are the service's job)."""
    details = (
        rewrites.sinch(output_details(body.details.to_wire())) if body.details is not None else None
    )
    _check_content(body.category, details, submit=body.status == "SUBMIT")
    record = Record(
        project=project,
        name=body.name,
        language=body.language,
        category=body.category,
        internal={"created": now, "edits": []},
    )
    changes: dict[str, Any] = {"status": "DRAFT", "allowCategoryChange": body.allowCategoryChange}
    if details is not None:
        changes["details"] = details
    record.changes = changes
    if body.status == "SUBMIT":
        _submit(record, now, review_delay)
    return record


def _check_content(category: str, details: dict[str, Any] | None, *, submit: bool) -> None:
    errors = ttl_errors(category, details)
    if submit and details is None:
        errors.append("details should not be empty")
    if errors:
        raise invalid_input(errors)
    check_restricted_domains(details)


def _submit(record: Record, now: float, review_delay: float) -> None:
    assert record.changes is not None
    record.changes["status"] = "IN_PROGRESS"
    record.review_due = now + review_delay
    record.rejection_code = None
    if record.details is None:
        record.state = "PENDING"


def create_effects(record: Record, now: float) -> Effects:
    effects = Effects()
    effects.activity("CREATED", now)
    effects.activity("IN_PROGRESS" if record.change_status == "IN_PROGRESS" else "DRAFT", now)
    return effects


# ---------------------------------------------------------------- update


def _category_editable(record: Record) -> bool:
    return record.state is None or (
        record.state == "REJECTED" and record.rejection_code == "INCORRECT_CATEGORY"
    )


def apply_update(
    record: Record,
    body: UpdateTemplateBody,
    now: float,
    review_delay: float,
    other_categories: set[str],
    rewrites: Rewrites,
) -> Effects:
    """PATCH semantics (see the module docstring). Mutates ``record`` or raises PapiError."""
    if record.is_meta_generated:
        raise PapiError("template_source_not_updatable")
    if record.change_status == "IN_PROGRESS":
        raise PapiError("template_changes_not_updatable")
    if record.state is not None and record.state not in EDITABLE_STATES:
        raise PapiError("template_not_updatable")
    category = record.category
    if body.category is not None and body.category != record.category:
        if not _category_editable(record):
            raise PapiError("template_category_not_updatable")
        if other_categories and body.category not in other_categories:
            raise PapiError(
                "template_incorrect_category",
                resolution="Use a category that has been used in another language: "
                f'"{sorted(other_categories)[0]}".',
            )
        category = body.category
    current_allow = bool((record.changes or {}).get("allowCategoryChange", False))
    allow = current_allow
    if body.allowCategoryChange is not None and body.allowCategoryChange != current_allow:
        if not _category_editable(record):
            raise PapiError("template_allow_category_change_not_updatable")
        allow = body.allowCategoryChange

    base = (record.changes or {}).get("details") or record.details
    details = rewrites.sinch(_merge_details(base, body))
    submit = body.status == "SUBMIT"
    _check_content(category, details, submit=submit)
    if submit and record.state == "APPROVED":
        _check_edit_limits(record, now)

    effects = Effects()
    record.category = category
    record.changes = {"status": "DRAFT", "allowCategoryChange": allow}
    if details is not None:
        record.changes["details"] = details
    effects.activity("EDITED", now)
    if submit:
        if record.state == "APPROVED":
            record.internal.setdefault("edits", []).append(now)
        _submit(record, now, review_delay)
        effects.activity("IN_PROGRESS", now)
    else:
        record.review_due = None
        effects.activity("DRAFT", now)
    return effects


def _merge_details(base: dict[str, Any] | None, body: UpdateTemplateBody) -> dict[str, Any] | None:
    """PATCH ``details``: components replace, absent fields stay, ``optimization: null`` clears."""
    if body.details is None:
        return base
    patch = body.details
    merged: dict[str, Any] = dict(base or {})
    wire = patch.to_wire()
    if patch.components is not None:
        merged["components"] = wire["components"]
    if "messageSendTtlSeconds" in patch.model_fields_set:
        if patch.messageSendTtlSeconds is None:
            merged.pop("messageSendTtlSeconds", None)
        else:
            merged["messageSendTtlSeconds"] = patch.messageSendTtlSeconds
    if "optimization" in patch.model_fields_set:
        if patch.optimization is None:
            merged.pop("optimization", None)
        else:
            merged["optimization"] = wire["optimization"]
    if "components" not in merged:
        raise invalid_input(["details.components should not be empty"])
    return output_details(merged)


def _check_edit_limits(record: Record, now: float) -> None:
    edits = [t for t in record.internal.get("edits", []) if now - t < 30 * DAY]
    record.internal["edits"] = edits
    for window, limit in EDIT_LIMITS:
        if sum(1 for t in edits if now - t < window) >= limit:
            days = int(window // DAY)
            raise PapiError(
                "template_submit_error",
                additional={
                    "metaError": {
                        "code": "100",
                        "subcode": "2388039",
                        "message": "Message template status can't be changed",
                        "description": f"An approved template can be edited {limit} time(s) "
                        f"in {days} day(s).",
                        "reason": "edit limit reached",
                    }
                },
            )


# ---------------------------------------------------------------- delete


def delete_language_action(record: Record, delete_submitted: bool) -> str:
    """``"delete"`` (the whole record) or ``"drop_changes"``; raises when neither is allowed.

    Without ``deleteSubmitted`` only a draft is removed; for a submitted template without one
    Sinch's OpenAPI (``deleteSubmitted``: "throws an error if you attempt to delete a submitted
    template") and its error catalogue give ``409 template_not_deletable_due_to_input_config``.
    """
    if delete_submitted or not record.submitted:
        return "delete"
    if record.change_status == "DRAFT":
        return "drop_changes"
    raise PapiError("template_not_deletable_due_to_input_config")


# ---------------------------------------------------------------- Meta-side events


#: ``newState`` of WHATSAPP_TEMPLATE_STATUS_UPDATED for a forced transition (old, new).
def status_update_name(old: str | None, new: str) -> str | None:
    if new in ("PAUSED", "DISABLED"):
        return new
    if new == "APPROVED" and old == "PAUSED":
        return "UNPAUSED"
    if new == "APPROVED" and old == "DISABLED":
        return "REINSTATED"
    return None


def force_state(record: Record, state: str, rejection_code: str | None) -> Effects:
    """Meta changes a template's state out of band (pause, disable, reinstate, reject…)."""
    effects = Effects()
    old = record.state
    record.state = state
    if state == "REJECTED":
        record.rejection_code = rejection_code or "NONE"
        effects.webhook("WHATSAPP_TEMPLATE_REJECTED")
        return effects
    record.rejection_code = None
    if state == "APPROVED":
        record.whatsapp_id = record.whatsapp_id or whatsapp_id(
            record.project, record.name, record.language
        )
        record.quality_score = record.quality_score or "QUALITY_SCORE_UNKNOWN"
    new_state = status_update_name(old, state)
    if new_state is not None:
        effects.webhook("WHATSAPP_TEMPLATE_STATUS_UPDATED", newState=new_state)
    elif state == "APPROVED" and old != "APPROVED":
        effects.webhook("WHATSAPP_TEMPLATE_APPROVED")
    return effects
