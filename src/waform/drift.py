"""`waform drift`: how far the target has wandered from git, and how healthy it is.

Pure core: :func:`find_drift` takes the desired templates (from the loader), the remote ones (from
the fetcher) and the review start times (from the activities endpoint) and returns a
:class:`DriftReport`; :mod:`waform.render` turns it into text, JSON, or a Markdown issue body. Nothing here
talks to the API — the manager does the (read-only) fetching.

Finding kinds, per (name, language):

* ``content`` — the *live* template differs from git (an edit approved from a dashboard, a
  re-categorisation by Meta), with the field-level difference;
* ``pending`` — a pending change (draft, in review, rejected) whose content differs from git: an
  edit started outside git;
* ``review`` — informational: git's own content is waiting for Meta's review (counted only when
  ``--fail-on review`` asks for it; a review stuck too long is ``health``);
* ``missing`` — in git, not at the target; ``unmanaged`` — at the target (in scope), in no file;
* ``health`` — REJECTED (with rejectionCode), PAUSED, DISABLED, quality YELLOW/RED, a review pending
  longer than the stale threshold, a draft nobody submitted.

Field-level differences come from the plan engine's normaliser and differ, so ``drift`` and
``plan`` always agree on what "different" means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from waform import submissions
from waform.differ import DiffSettings
from waform.drift_report import DriftReport, FieldDifference, Finding, sort_findings
from waform.field_changes import template_changes
from waform.fields import compared, recategorised
from waform.inventory import Inventory
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.normalize import canonical_details

# ------------------------------------------------------------------ classification

_QUALITY = {"QUALITY_SCORE_YELLOW": "yellow", "QUALITY_SCORE_RED": "red"}


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f} h"


def health_findings(
    remote: RemoteTemplate,
    *,
    desired: DesiredTemplate | None,
    review_started: datetime | None,
    now: datetime,
    stale_after: timedelta | None,
    pending_matches_git: bool,
) -> list[Finding]:
    """Health problems of one remote template (whether git manages it or not)."""
    name, lang = remote.key
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("health", name, lang, code, message, source=_source(desired)))

    code = remote.rejectionCode if remote.rejectionCode not in (None, "NONE") else None
    pending = remote.pending
    if remote.state == "REJECTED":
        add("rejected", f"rejected by Meta{f' ({code})' if code else ''}")
    elif pending is not None and pending.status == "REJECTED":
        add("pending-rejected", f"Meta rejected a change{f' ({code})' if code else ''}")
    if remote.state in ("PAUSED", "DISABLED"):
        add(
            remote.state.lower(),
            "paused by Meta (low quality): messages are not delivered"
            if remote.state == "PAUSED"
            else "disabled by Meta: it cannot be sent",
        )
    quality = _QUALITY.get(remote.qualityScore or "")
    if quality:
        add(f"quality-{quality}", f"quality score {quality.upper()}")
    if stale_after is not None and remote.under_review and review_started is not None:
        waited = now - review_started
        if waited > stale_after:
            add(
                "stale-review",
                f"in review for {_hours(waited)} (since "
                f"{review_started.strftime('%Y-%m-%d %H:%M UTC')}; threshold {_hours(stale_after)})",
            )
    if pending is not None and pending.status == "DRAFT":
        intended = desired is not None and desired.status == "draft"
        if not intended and (desired is None or pending_matches_git):
            add(
                "unsubmitted-draft",
                "a draft nobody submitted"
                + (" (`waform apply` would submit it)" if desired is not None else ""),
            )
    return out


def _source(desired: DesiredTemplate | None) -> str | None:
    return str(desired.source) if desired is not None and desired.source else None


def _differences(
    git: dict[str, Any], remote: dict[str, Any], *, git_category: str, remote_category: str | None
) -> tuple[FieldDifference, ...]:
    changes = template_changes(remote, git, old_category=remote_category, new_category=git_category)
    return tuple(FieldDifference.from_change(c) for c in changes)


@dataclass(frozen=True)
class _DriftCheck:
    """What every per-key check needs: ignored fields, the clock, the review start times and
    the records of what was last submitted of the write-only fields (as plan reads them)."""

    strip: Callable[[dict[str, Any]], dict[str, Any]] | None
    now: datetime
    review_started: Mapping[tuple[str, str], datetime]
    stale_after: timedelta | None
    submitted: submissions.Records | None = None

    def health(
        self, r: RemoteTemplate, desired: DesiredTemplate | None, pending_matches: bool
    ) -> list[Finding]:
        return health_findings(
            r,
            desired=desired,
            review_started=self.review_started.get(r.key),
            now=self.now,
            stale_after=self.stale_after,
            pending_matches_git=pending_matches,
        )

    def matched(self, d: DesiredTemplate, r: RemoteTemplate) -> list[Finding]:
        """Live and pending layers compared with git separately, then health."""
        notes: list[Finding] = []
        if recategorised(d.category, r.category, r.state):
            message = f"Meta recategorised it {d.category} → {r.category} (for good)"
            notes.append(Finding("note", *d.key, "recategorised", message, source=_source(d)))
            d = replace(d, category=r.category)
        return notes + self._compared(d, r)

    def _compared(self, d: DesiredTemplate, r: RemoteTemplate) -> list[Finding]:
        wire = d.details.to_wire()
        want = canonical_details(wire, category=d.category, strip=self.strip)
        # The write-only fields, against the record of the last submission: the same check as
        # plan's, added to the layer plan compares with (the pending change, else the live one).
        write_only = submissions.check(d.key, wire, d.category, self.submitted)
        notes: list[Finding] = []
        if write_only is not None and write_only.unverified:
            message = submissions.unverified_message(d.name, d.language)
            notes.append(
                Finding("note", *d.key, "write-only-unverified", message, source=_source(d))
            )
        pending = r.pending
        pend = None
        if pending is not None and pending.details is not None:
            have = canonical_details(pending.details, category=r.category, strip=self.strip)
            pend = _with(write_only, *compared(want, have, d.category))
        pending_matches = pend is not None and r.category == d.category and pend[0] == pend[1]
        live_exists = r.details is not None and r.state is not None
        out: list[Finding] = []
        if live_exists and not pending_matches:
            live = canonical_details(r.details, category=r.category, strip=self.strip)
            forms = compared(want, live, d.category)
            out += _live_findings(d, r, *(forms if pend is not None else _with(write_only, *forms)))
        if pend is not None and pending is not None and not pending_matches:
            diffs = _differences(
                *pend,
                git_category=d.category,
                remote_category=None if live_exists else r.category,
            )
            if diffs:
                message = f"a pending change ({pending.status}) differs from git"
                if pending.status == "DRAFT" and live_exists:
                    message += f" (`waform apply --discard-draft {d.name}:{d.language}` drops it)"
                out.append(Finding("pending", *d.key, "pending-edit", message, diffs, _source(d)))
        elif r.under_review and (pend is not None or not out):
            message = "in review at Meta"
            if pend is not None:  # git's own content is what Meta is reviewing
                since = self.review_started.get(r.key)
                when = f" since {since.strftime('%Y-%m-%d %H:%M UTC')}" if since else ""
                message = f"git's content is in review at Meta{when}"
            out.append(Finding("review", *d.key, "in-review", message, source=_source(d)))
        return notes + out + self.health(r, d, pending_matches)


def _with(
    write_only: submissions.WriteOnly | None, want: dict[str, Any], have: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    return (want, have) if write_only is None else write_only.added(want, have)


def _live_findings(
    d: DesiredTemplate, r: RemoteTemplate, want: dict[str, Any], live: dict[str, Any]
) -> list[Finding]:
    """``content`` drift of the live template (``category`` when only the category differs)."""
    diffs = _differences(want, live, git_category=d.category, remote_category=r.category)
    if not diffs:
        return []
    if all(x.path == "category" for x in diffs):
        message = f"category is {r.category} at the target, {d.category} in git"
        return [Finding("content", *d.key, "category", message, diffs, _source(d))]
    message = "the live template differs from git"
    return [Finding("content", *d.key, "live-content", message, diffs, _source(d))]


def _not_checked(inventory: Inventory[DesiredTemplate], generated: int) -> list[str]:
    """Notes on what drift left out: files out of scope or ignored, Meta-generated templates."""
    skipped = sum(1 for p in inventory.pairs if p.desired is not None and p.verdict != "managed")
    out = []
    if skipped:
        out.append(
            f"{skipped} template language(s) in git are out of the target's scope or ignored: "
            "not checked"
        )
    if generated:
        out.append(f"{generated} Meta-generated template language(s) not checked (read-only)")
    return out


def find_drift(
    inventory: Inventory[DesiredTemplate],
    config: Any = None,
    *,
    target: str = "",
    now: datetime | None = None,
    review_started: Mapping[tuple[str, str], datetime] | None = None,
    stale_after: timedelta | None = timedelta(hours=24),
    requests: int = 0,
    paths: Sequence[str] = (),
    notes: Sequence[str] = (),
    submitted: submissions.Records | None = None,
) -> DriftReport:
    """Compare git with the target (live and pending layers separately) and check health.

    ``config`` is a :class:`waform.config.Config` (ignored fields) or ``None``; scope and ignore
    were applied by :func:`waform.inventory.pair`. ``review_started`` maps (name, language) to
    when the review in progress began (from activities), which the stale-review check needs;
    ``submitted``, what waform last submitted of the write-only fields (as for the plan).
    """
    now = now or datetime.now(UTC)
    check = _DriftCheck(
        DiffSettings.from_config(config).strip, now, review_started or {}, stale_after, submitted
    )
    findings: list[Finding] = []
    for p in inventory.matched:
        assert p.desired is not None and p.remote is not None
        findings += check.matched(p.desired, p.remote)
    for p in inventory.desired_only:
        assert p.desired is not None
        findings.append(
            Finding(
                "missing", *p.key, "missing", "in git, not at the target", source=_source(p.desired)
            )
        )
    unmanaged = [
        p.remote for p in inventory.remote_only if p.remote and not p.remote.isMetaGenerated
    ]
    for r in unmanaged:
        message = (
            f"at the target ({r.state_label}), in no file; "
            f"`waform import DIR --name {r.name}` adds it to git"
        )
        findings += [
            Finding("unmanaged", *r.key, "unmanaged", message),
            *check.health(r, None, False),
        ]
    remote = [p.remote for p in inventory.managed if p.remote is not None]
    generated = sum(1 for r in remote if r.isMetaGenerated)
    return DriftReport(
        target=target,
        findings=sort_findings(findings),
        managed=sum(1 for p in inventory.managed if p.desired is not None),
        remote=len(remote) - generated,
        generated_at=now,
        requests=requests,
        paths=tuple(paths),
        notes=(*notes, *_not_checked(inventory, generated)),
        stale_review_hours=None if stale_after is None else stale_after.total_seconds() / 3600,
    )
