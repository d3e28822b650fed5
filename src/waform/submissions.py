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
from typing import Any

from waform.fields import may_hold_write_only, write_only_fields, write_only_slots
from waform.normalize import canonical_details, canonical_json

MARKER = "waform:write-only "
#: Templates a plan reads the comment of, at most (one request each); beyond, not checked.
MAX_CHECKED = 50


def of(details: Mapping[str, Any] | None, category: str | None) -> dict[str, Any]:
    """The write-only fields of ``details`` (request form), by path; ``{}`` if none."""
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
