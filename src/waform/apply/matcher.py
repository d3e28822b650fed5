"""Did a write take effect? The question asked after every lost response, before any retry.

The answer is read from the template itself: the remote key must now hold the content the
request carried (compared in :mod:`waform.normalize`'s canonical form, the same equality the
differ uses) in the status the request asked for. A plan's request is self-contained, so a saved
plan can be verified without the YAML it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from waform.apply.executor import Matcher
from waform.apply.steps import WriteStep
from waform.fields import compared
from waform.model.remote import RemoteTemplate
from waform.normalize import canonical_details

Strip = Callable[[dict[str, Any]], dict[str, Any]]


def make_matcher(strip: Strip | None = None) -> Matcher:
    """A :data:`~waform.apply.executor.Matcher`; ``strip`` removes ``ignore.fields`` paths."""

    def matches(step: WriteStep, remote: RemoteTemplate | None) -> bool:
        if step.kind == "delete":
            return remote is None
        if remote is None:
            return False
        if step.kind == "discard-draft":  # the draft is gone, the submitted template is not
            return remote.change_status != "DRAFT"
        body = step.body or {}
        category = body.get("category") or step.category
        if category and remote.category != category:
            return False
        want, have = compared(
            canonical_details(body.get("details"), category=category, strip=strip),
            canonical_details(remote.effective_details(), category=remote.category, strip=strip),
            category,
        )
        if want != have:
            return False
        pending = remote.pending
        if body.get("status") == "SUBMIT":
            # Submitted: in review, already reviewed (approved/rejected) — anything but a draft.
            return pending is None or pending.status != "DRAFT"
        return pending is not None and pending.status == "DRAFT"

    return matches


def steps_from_actions(actions: Sequence[Any]) -> list[WriteStep]:
    """:class:`WriteStep` per :class:`waform.plan.Action`, in plan order."""
    steps = []
    for index, action in enumerate(actions):
        request = action.request
        query = dict(request.query or {})
        steps.append(
            WriteStep(
                kind=action.action,
                name=action.name,
                language=action.language,
                method=request.method,
                path=request.path,
                body=request.body,
                category=action.category,
                delete_submitted=query.get("deleteSubmitted") == "true",
                index=index,
                query=query,
            )
        )
    return steps
