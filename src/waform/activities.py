"""What the templates' activity logs tell: when a review began, how often an approved template
was edited, and what waform last submitted of the write-only fields.

The template itself does not carry these; the activities endpoint does, one request per
(name, language). So each question reads only a bounded number of logs, a few at a time, and
the answer is ``None`` (or partial, with a note) beyond that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waform.client import Provider
    from waform.inventory import Inventory
    from waform.model.components import TemplateDetails
    from waform.model.template import DesiredTemplate
    from waform.plan import Plan

Key = tuple[str, str]

#: Fetch the edit history of at most this many approved templates per plan (one request each);
#: beyond that the ``edit-limit`` check is skipped rather than making the plan slow.
EDIT_HISTORY_MAX = 20
#: Read the activities of at most this many templates under review per drift run (one request
#: each), to date the reviews for the stale-review check.
REVIEW_HISTORY_MAX = 50
#: Activities requests in flight at once.
ACTIVITY_CONCURRENCY = 4


async def read_activities(client: Provider, keys: Sequence[Key]) -> dict[Key, list[dict[str, Any]]]:
    """The first page of activities (newest first) of each (name, language), a few requests at
    a time."""
    gate = asyncio.Semaphore(ACTIVITY_CONCURRENCY)

    async def one(name: str, language: str) -> list[dict[str, Any]]:
        async with gate:
            return await client.activities(name, language)

    pages = await asyncio.gather(*(one(name, language) for name, language in keys))
    return dict(zip(keys, pages, strict=True))


async def review_started(
    client: Provider, inventory: Inventory[DesiredTemplate]
) -> tuple[dict[Key, datetime], list[str]]:
    """When each review in progress began: the newest IN_PROGRESS activity, for at most
    :data:`REVIEW_HISTORY_MAX` templates under review (a note says when there were more)."""
    keys = [
        p.key
        for p in inventory.managed
        if p.remote is not None and not p.remote.isMetaGenerated and p.remote.under_review
    ]
    notes = []
    if len(keys) > REVIEW_HISTORY_MAX:
        notes.append(
            f"stale reviews checked for the first {REVIEW_HISTORY_MAX} of {len(keys)} "
            "templates under review"
        )
        keys = keys[:REVIEW_HISTORY_MAX]
    started: dict[Key, datetime] = {}
    for key, activities in (await read_activities(client, keys)).items():
        when = next((activity_time(a) for a in activities if a.get("type") == "IN_PROGRESS"), None)
        if when is not None:
            started[key] = when
    return started, notes


async def edit_history(client: Provider, plan: Plan) -> dict[Key, list[datetime]] | None:
    """EDITED times of the approved templates the plan edits, when that is cheap to learn.

    Meta allows 1 edit of an approved template per 24 h and 10 per 30 days; the history is read
    only for up to :data:`EDIT_HISTORY_MAX` edits, otherwise the limit is not checked (apply
    reports Meta's refusal instead).
    """
    keys = [
        a.key
        for a in plan.actions
        if a.action == "update"
        and a.remote_state == "APPROVED"
        and (a.request.body or {}).get("status") == "SUBMIT"
    ]
    if not keys or len(keys) > EDIT_HISTORY_MAX:
        return None
    found = await read_activities(client, keys)
    return {key: submitted_edits(activities) for key, activities in found.items()}


async def submission_records(
    client: Provider,
    contents: Sequence[tuple[Key, dict[str, Any] | TemplateDetails | None, str]],
) -> dict[Key, dict[str, Any] | None] | None:
    """What waform last submitted of the write-only fields of each ``(key, details, category)``
    (from its marker comment, :mod:`waform.submissions`); ``None`` when there are too many to
    read."""
    from waform import submissions

    keys = [key for key, details, category in contents if submissions.of(details, category)]
    if len(keys) > submissions.MAX_CHECKED:
        return None
    found = await read_activities(client, keys)
    return {key: submissions.last_submitted(pages) for key, pages in found.items()}


def submitted_edits(activities: Sequence[dict[str, Any]]) -> list[datetime]:
    """Times of the edits that count towards Meta's limit, from activities (newest first).

    An edit counts when it was submitted (the next activity is ``IN_PROGRESS``; an edit saved
    as a draft is followed by ``DRAFT``) and the template was approved then: the latest earlier
    verdict-bearing activity is a submission (``IN_PROGRESS``) that was not ``REJECTED``. The
    first submission of a draft (no earlier submission) and edits of rejected templates do not
    count. Times are the server's (``created``).
    """
    times = []
    for index, activity in enumerate(activities):
        if activity.get("type") != "EDITED" or index == 0:
            continue
        if activities[index - 1].get("type") != "IN_PROGRESS":
            continue
        before = (
            a.get("type")
            for a in activities[index + 1 :]
            if a.get("type") in ("IN_PROGRESS", "REJECTED")
        )
        if next(before, None) != "IN_PROGRESS":
            continue
        when = activity_time(activity)
        if when is not None:
            times.append(when)
    return times


def activity_time(activity: dict[str, Any]) -> datetime | None:
    """The server's ``created`` time of an activity (UTC when it names no zone)."""
    raw = activity.get("created")
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
