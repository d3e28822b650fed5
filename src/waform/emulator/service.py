"""The emulator's core: template operations over the store, one transaction each.

Routes (:mod:`waform.emulator.app`) parse HTTP and call these methods; the control API
(:mod:`waform.emulator.control_routes`) calls the ``meta_*`` ones. Every method that changes
something commits the record, its activities and its webhook events together, then wakes the
webhook sender. :meth:`Emulator.settle` applies due review verdicts and runs at the start of
every API request (an indexed lookup when nothing is due).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waform.emulator import clock, lifecycle
from waform.emulator.auth import Authenticator
from waform.emulator.clock import Clock
from waform.emulator.errors import PapiError
from waform.emulator.faults import Faults, RateLimiter
from waform.emulator.lifecycle import BLOCK_SECONDS, Effects, Verdict
from waform.emulator.meta import Rewrites
from waform.emulator.records import Record, dumps, output_details, with_analytics
from waform.emulator.settings import EmulatorSettings
from waform.emulator.store import Store
from waform.emulator.template_pages import Page
from waform.emulator.validation import LANGUAGE_PATTERN, CreateTemplateBody, UpdateTemplateBody
from waform.emulator.webhooks import Webhooks
from waform.model.enums import LANGUAGE_CODES, normalize_language


class Emulator:
    """One emulated Sinch account (all projects) over one state file."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.store = Store(settings.state_path)
        self.clock = Clock(self.store)
        self.auth = Authenticator(settings, self.store)
        self.faults = Faults(self.store)
        self.limiter = RateLimiter(self.store)
        self.webhooks = Webhooks(
            self.store,
            attempts=settings.webhook_attempts,
            retry_delay=settings.webhook_retry_delay,
            timeout=settings.webhook_timeout,
            transport=settings.webhook_transport,
        )
        self._wake_needed = False
        self._outbox_checked = False
        now = self.clock.now()
        for project in settings.projects:
            self.store.add_project(project, now)

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ settings

    @property
    def review_delay(self) -> float:
        raw = self.store.get_meta("review_delay")
        return float(raw) if raw is not None else self.settings.review_delay

    def rewrites(self) -> Rewrites:
        """What Meta's side rewrites (settings, overridden by ``PUT /_emulator/settings``)."""
        stored = self.store.get_meta_json("rewrites") or {}
        return Rewrites(
            literal=stored.get("literal", self.settings.literal),
            missing_examples=tuple(stored.get("missingExamples", ())),
            percent_encoded_urls=tuple(stored.get("percentEncodedUrls", ())),
        )

    def check_project(self, project: str) -> None:
        if self.settings.strict_projects and not self.store.project_known(project):
            raise PapiError("project_not_initialized")

    def language(self, raw: str) -> str:
        """A language code from a path or body as the emulator stores it.

        Any plausible code is accepted, not only Sinch's enum (Sinch's own client takes any
        string: the enum "may not cover every language Meta supports"); a faithful emulator
        spells it upper case with ``_`` (``en-us`` → ``EN_US``), as Sinch's codes are.
        """
        if not LANGUAGE_PATTERN.match(raw):
            raise PapiError(
                "template_invalid_language_code",
                additional={"supportedCodes": list(LANGUAGE_CODES)},
            )
        return raw if self.rewrites().literal else normalize_language(raw)

    def analytics_json(self, date_range: str | None, now: float | None = None) -> str:
        return dumps(clock.analytics_for(date_range, self.clock.now() if now is None else now))

    # ------------------------------------------------------------------ commits

    def _commit(self, record: Record, effects: Effects, now: float) -> None:
        """Store ``record`` with its activities and webhook events (caller holds the txn)."""
        self.store.put(record)
        for activity in effects.activities:
            self.store.add_activity(record.project, record.name, record.language, activity)
        self._publish(record, effects, now)

    def _publish(self, record: Record, effects: Effects, now: float) -> None:
        if not effects.webhooks:
            return
        payload = record.full_dto(self.analytics_json("DAY", now))
        for trigger, extra in effects.webhooks:
            body: dict[str, Any] = {"type": trigger, "payload": payload}
            body.update({k: v for k, v in extra.items() if v is not None})
            self.webhooks.enqueue(record.project, trigger, dumps(body), now)
        self._wake_needed = True

    @contextmanager
    def _transaction(self) -> Iterator[float]:
        """One write transaction at the emulator clock's ``now`` (yielded).

        Once it has committed, webhook delivery is woken for the events it queued; a rolled-back
        transaction (an error answer) wakes nothing.
        """
        now = self.clock.now()
        with self.store.write():
            yield now
        self._after_commit()

    def _after_commit(self) -> None:
        if self._wake_needed:
            self._wake_needed = False
            self.webhooks.wake()

    def settle(self, project: str | None = None) -> int:
        """Apply every review verdict that is due by the emulator clock. Returns how many.

        The first call of an instance also restarts delivery of webhook events an earlier
        process left in the outbox (the in-process emulator lives one command at a time).
        """
        if not self._outbox_checked:
            self._outbox_checked = True
            if self.webhooks.pending_count():
                self.webhooks.wake()
        now = self.clock.now()
        due = self.store.due_reviews(now, project)
        if not due:
            return 0
        done = 0
        with self.store.write():
            for proj, name, language in due:
                record = self.store.get(proj, name, language)
                if record is None or record.review_due is None or record.review_due > now:
                    continue
                self._commit(record, lifecycle.finish_review(record, now, self.rewrites()), now)
                done += 1
        self._after_commit()
        return done

    def complete_reviews(
        self,
        project: str,
        *,
        name: str | None = None,
        language: str | None = None,
        verdict: Verdict | None = None,
    ) -> list[dict[str, Any]]:
        """Control API: decide pending reviews now (optionally forcing the verdict)."""
        finished = []
        with self._transaction() as now:
            for proj, n, lang in self.store.pending_reviews(project):
                if (name is not None and n != name) or (language is not None and lang != language):
                    continue
                record = self.store.get(proj, n, lang)
                assert record is not None
                self._commit(
                    record, lifecycle.finish_review(record, now, self.rewrites(), verdict), now
                )
                finished.append(record.full_dto(self.analytics_json("DAY", now)))
        return finished

    # ------------------------------------------------------------------ reads

    def get(self, project: str, name: str, language: str) -> Record:
        record = self.store.get(project, name, language)
        if record is None:
            raise PapiError("template_not_found")
        return record

    def page(self, project: str, **query: Any) -> Page:
        return self.store.page(project, **query)

    # ------------------------------------------------------------------ writes

    def create(self, project: str, body: CreateTemplateBody) -> Record:
        with self._transaction() as now:
            if self.store.get(project, body.name, body.language) is not None:
                raise PapiError(
                    "template_exists", additional={"supportedCodes": list(LANGUAGE_CODES)}
                )
            blocked = self.store.blocked(project, body.name, body.language, now)
            if blocked == "name":
                raise PapiError(
                    "template_name_recently_used",
                    resolution=f'Use another "name" for "{body.language}" or wait the required '
                    "time.",
                )
            if blocked == "language":
                raise PapiError(
                    "template_language_recently_deleted",
                    resolution=f"Try to create {body.language} content again in 4 weeks or "
                    "create a new template.",
                )
            categories = {r.category for r in self.store.get_name(project, body.name)}
            if categories and body.category not in categories:
                raise PapiError(
                    "template_incorrect_category",
                    resolution="Use a category that has been used in another language: "
                    f'"{sorted(categories)[0]}".',
                )
            record = lifecycle.new_record(project, body, now, self.review_delay, self.rewrites())
            limit_hit = (
                record.change_status == "IN_PROGRESS"
                and self.store.count_submitted(project) >= self.settings.template_limit
            )
            if limit_hit and not body.saveDraftOnFailure:
                raise PapiError("template_limit_reached")
            if limit_hit:  # saveDraftOnFailure: keep it as a draft, still report the failure
                record.changes = {**(record.changes or {}), "status": "DRAFT"}
                record.state = None
                record.review_due = None
            self._commit(record, lifecycle.create_effects(record, now), now)
        if limit_hit:
            raise PapiError("template_limit_reached")
        return record

    def update(self, project: str, name: str, language: str, body: UpdateTemplateBody) -> Record:
        with self._transaction() as now:
            record = self.get(project, name, language)
            others = {
                r.category for r in self.store.get_name(project, name) if r.language != language
            }
            effects = lifecycle.apply_update(
                record, body, now, self.review_delay, others, self.rewrites()
            )
            self._commit(record, effects, now)
        return record

    def delete_name(self, project: str, name: str) -> None:
        with self._transaction() as now:
            records = self.store.get_name(project, name)
            if not records:
                raise PapiError("template_not_found")
            for record in records:
                self._delete(record, now)
                if record.submitted:
                    self.store.block(project, name, record.language, "name", now + BLOCK_SECONDS)

    def delete_language(
        self, project: str, name: str, language: str, *, delete_submitted: bool
    ) -> None:
        with self._transaction() as now:
            record = self.get(project, name, language)
            action = lifecycle.delete_language_action(record, delete_submitted)
            if action == "drop_changes":
                record.changes = None
                record.review_due = None
                effects = Effects()
                effects.activity("EDITED", now, "Draft changes deleted.")
                self._commit(record, effects, now)
            else:
                self._delete(record, now)
                if record.submitted:
                    self.store.block(project, name, language, "language", now + BLOCK_SECONDS)

    def _delete(self, record: Record, now: float) -> None:
        effects = Effects()
        if record.submitted:
            effects.webhook("WHATSAPP_TEMPLATE_DELETED")
        self._publish(record, effects, now)
        self.store.delete(record.project, record.name, record.language)

    def comment(
        self, project: str, name: str, language: str, text: str, *, author: str | None = None
    ) -> dict[str, Any]:
        with self._transaction() as now:
            record = self.get(project, name, language)
            effects = Effects()
            effects.activity("COMMENT_ADDED", now, text)
            if author:
                effects.activities[-1]["author"] = author
            effects.webhook("WHATSAPP_TEMPLATE_COMMENT_ADDED", comment=text)
            self._commit(record, effects, now)
        return {"type": "CREATED", "comment": text, "created": clock.iso(now)}

    def activities(
        self, project: str, name: str, language: str, *, size: int, before_id: int | None
    ) -> tuple[list[dict[str, Any]], int, int | None]:
        self.get(project, name, language)
        rows, total, has_next = self.store.activities(
            project, name, language, size=size, before_id=before_id
        )
        next_before = rows[-1][0] if has_next and rows else None
        return [json.loads(body) for _, body in rows], total, next_before

    # ------------------------------------------------------------------ Meta-side (control)

    def meta_force_state(
        self, project: str, name: str, language: str, state: str, rejection_code: str | None
    ) -> Record:
        with self._transaction() as now:
            record = self.get(project, name, language)
            self._commit(record, lifecycle.force_state(record, state, rejection_code), now)
        return record

    def meta_quality(self, project: str, name: str, language: str, score: str) -> Record:
        with self._transaction() as now:
            record = self.get(project, name, language)
            effects = Effects()
            if record.quality_score != score:
                record.quality_score = score
                effects.webhook("WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED")
            self._commit(record, effects, now)
        return record

    def meta_category(
        self, project: str, name: str, language: str, category: str, *, future: bool
    ) -> Record:
        """Meta recategorises a template (or announces it will, with ``future``)."""
        with self._transaction() as now:
            record = self.get(project, name, language)
            effects = Effects()
            if future:
                effects.webhook("WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE", futureCategory=category)
            elif record.category != category:
                record.category = category
                effects.webhook("WHATSAPP_TEMPLATE_CATEGORY_UPDATED")
            self._commit(record, effects, now)
        return record

    def meta_add(
        self,
        project: str,
        *,
        name: str,
        language: str,
        category: str,
        details: dict[str, Any],
        state: str = "APPROVED",
        quality_score: str | None = "QUALITY_SCORE_UNKNOWN",
        meta_generated: bool = False,
    ) -> Record:
        """A template that appears without the Provisioning API (WhatsApp Manager, or Meta)."""
        with self._transaction() as now:
            if self.store.get(project, name, language) is not None:
                raise PapiError("template_exists")
            record = Record(
                project=project,
                name=name,
                language=language,
                category=category,
                whatsapp_id=clock.whatsapp_id(project, name, language),
                state=state,
                quality_score=quality_score,
                details=self.rewrites().meta(
                    output_details(details), key=(project, name, language), category=category
                ),
                is_meta_generated=meta_generated,
                internal={"created": now, "edits": [], "reviewed": True, "outOfBand": True},
            )
            self._commit(record, Effects(), now)
        return record

    def record_json(self, record: Record, date_range: str | None = None) -> str:
        return with_analytics(record.dto_json(), self.analytics_json(date_range))
