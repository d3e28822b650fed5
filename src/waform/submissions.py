"""What waform last submitted of a template's write-only fields, kept as a template comment.

The read never shows a write-only field as it was sent (a media sample comes back as a Meta CDN
URL signed anew on every read; Meta replaces an OTP label — :mod:`waform.fields`). To still
notice a person's edit of one, every apply that writes a template with such fields posts a
comment (``createComment``) holding them, and ``plan`` reads the newest one back from the
template's activities (``listActivities``: comments come back verbatim, attached to the name and
language). Why a comment: no field of the template DTO is free-form and returned untouched, and
activities survive edits and approvals; the cost is one request per such template and plan.

The comment is ``waform:write-only <canonical JSON of {path: value}>``; ``import`` uses it too,
so an imported file carries what was submitted rather than the CDN URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from waform.fields import may_hold_write_only, write_only_fields, write_only_slots
from waform.model.components import TemplateDetails
from waform.normalize import canonical_details, canonical_json

MARKER = "waform:write-only "
#: Templates a plan reads the comment of, at most (one request each); beyond, not checked.
MAX_CHECKED = 50
#: What was last submitted, by key (``None``: no record), as read for one plan or drift run.
Records = Mapping[tuple[str, str], dict[str, Any] | None]


def of(details: Mapping[str, Any] | TemplateDetails | None, category: str | None) -> dict[str, Any]:
    """The write-only fields of ``details`` (request form, or its model), by path; ``{}`` if
    none."""
    if details is None or not may_hold_write_only(details, category):
        return {}
    return write_only_fields(canonical_details(details, category=category), category)


def comment(fields: Mapping[str, Any]) -> str:
    return MARKER + canonical_json(dict(fields))


def last_submitted(activities: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The write-only fields of the newest marker comment (activities are newest first)."""
    for activity in activities:
        text = activity.get("comment")
        if activity.get("type") == "COMMENT_ADDED" and isinstance(text, str):
            if text.startswith(MARKER):
                try:
                    value = json.loads(text[len(MARKER) :])
                except ValueError:
                    continue
                if isinstance(value, dict):
                    return value
    return None


def restore(details: dict[str, Any], submitted: Mapping[str, Any], category: str | None) -> None:
    """Put the submitted write-only values back into request-form ``details`` (``import``)."""
    for path, holder, field in list(write_only_slots(details, category)):
        if path in submitted:
            holder[field] = submitted[path]


@dataclass(frozen=True, slots=True)
class WriteOnly:
    """One template's write-only fields in the file, against the record of the last submission.

    Plan and drift both compare through it (:func:`check`), so they agree on what changed.
    """

    written: dict[str, Any]
    last: dict[str, Any] | None
    """``None``: waform has no record, so the fields cannot be compared."""

    @property
    def unverified(self) -> bool:
        return self.last is None

    def added(
        self, want: dict[str, Any], have: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The compared forms (file, read), with a ``writeOnly`` difference when the file's
        fields are not what was last submitted."""
        if self.last is None or self.last == self.written:
            return want, have
        return {**want, "writeOnly": self.written}, {**have, "writeOnly": self.last}


def check(
    key: tuple[str, str],
    details: Mapping[str, Any] | TemplateDetails,
    category: str,
    records: Records | None,
) -> WriteOnly | None:
    """The write-only comparison of one template (request-form ``details``, or its model);
    ``None`` when there is nothing to compare: no such fields, or too many templates to read
    the records of."""
    if records is None or key not in records:
        return None
    return WriteOnly(of(details, category), records[key])


def unverified_message(name: str, language: str) -> str:
    return (
        "the media sample (or OTP label) cannot be compared: the API never returns it and "
        f"waform has no record of what was submitted; `waform apply --replace {name}:{language}` "
        "resubmits it (and keeps a record)"
    )
