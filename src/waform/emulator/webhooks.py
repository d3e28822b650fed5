"""Provisioning webhooks: registration CRUD and signed, retried delivery of template callbacks.

**Registration** (``/v1/projects/{projectId}/webhooks``): ``target`` (URL, unique per project →
``409 webhook_exists``), ``secret`` (never returned), ``triggers``; at most 15 per project
(``424 webhook_limit_reached``). Ids are ULIDs; a malformed id → ``400 invalid_id_format``.

**Delivery.** Every template event (APPROVED, REJECTED, STATUS_UPDATED, DELETED,
QUALITY_SCORE_UPDATED, CATEGORY_UPDATED, CATEGORY_FUTURE_UPDATE, COMMENT_ADDED) is written to
an outbox table *in the same transaction* as the change that caused it, for every webhook whose
triggers name it (or ``ALL``). A background task POSTs them (JSON ``{"type", "payload":
WhatsappTemplateDto, …}``) and retries non-2xx answers and transport errors with doubling delays,
``webhook_attempts`` times at most, then marks them ``failed``. Undelivered events survive a
restart (the in-process emulator delivers what a previous command left behind).

Request bodies and trigger names are in :mod:`waform.emulator.webhook_wire`; the signature
headers in :mod:`waform.emulator.webhook_signing`.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
import re
import time
from typing import Any

import httpx

from waform.emulator.errors import PapiError
from waform.emulator.store import Store
from waform.emulator.webhook_signing import signature_headers, ulid
from waform.emulator.webhook_wire import WebhookInput, WebhookUpdate

log = logging.getLogger(__name__)

MAX_WEBHOOKS = 15
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


class Webhooks:
    """Registration storage, the outbox, and the delivery task."""

    def __init__(
        self,
        store: Store,
        *,
        attempts: int = 5,
        retry_delay: float = 0.5,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.transport = transport
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._inflight: set[int] = set()

    # ------------------------------------------------------------------ registration

    @staticmethod
    def check_id(webhook_id: str) -> None:
        if not _ULID.match(webhook_id):
            raise PapiError("invalid_id_format")

    def _row(self, project: str, webhook_id: str) -> tuple[str, str, str, str]:
        self.check_id(webhook_id)
        row = self.store.conn.execute(
            "SELECT id, target, secret, triggers FROM webhooks WHERE project = ? AND id = ?",
            (project, webhook_id),
        ).fetchone()
        if row is None:
            raise PapiError("webhook_not_found")
        return row

    @staticmethod
    def _dto(project: str, row: tuple[str, str, str, str]) -> dict[str, Any]:
        return {
            "id": row[0],
            "target": row[1],
            "projectId": project,
            "triggers": json.loads(row[3]),
        }

    def list(self, project: str) -> list[dict[str, Any]]:
        rows = self.store.conn.execute(
            "SELECT id, target, secret, triggers FROM webhooks WHERE project = ? ORDER BY target",
            (project,),
        ).fetchall()
        return [self._dto(project, r) for r in rows]

    def get(self, project: str, webhook_id: str) -> dict[str, Any]:
        return self._dto(project, self._row(project, webhook_id))

    def create(self, project: str, body: WebhookInput) -> dict[str, Any]:
        with self.store.write() as conn:
            self._check_unique_target(project, body.target, None)
            count = conn.execute(
                "SELECT COUNT(*) FROM webhooks WHERE project = ?", (project,)
            ).fetchone()[0]
            if count >= MAX_WEBHOOKS:
                raise PapiError("webhook_limit_reached")
            webhook_id = ulid()
            conn.execute(
                "INSERT INTO webhooks (project, id, target, secret, triggers) VALUES (?, ?, ?, ?, ?)",
                (project, webhook_id, body.target, body.secret, json.dumps(body.triggers)),
            )
        return self.get(project, webhook_id)

    def _check_unique_target(self, project: str, target: str, exclude: str | None) -> None:
        row = self.store.conn.execute(
            "SELECT id FROM webhooks WHERE project = ? AND target = ?", (project, target)
        ).fetchone()
        if row is not None and row[0] != exclude:
            raise PapiError("webhook_exists")

    def replace(self, project: str, webhook_id: str, body: WebhookInput) -> dict[str, Any]:
        return self.update(
            project,
            webhook_id,
            WebhookUpdate(target=body.target, secret=body.secret, triggers=body.triggers),
        )

    def update(self, project: str, webhook_id: str, body: WebhookUpdate) -> dict[str, Any]:
        with self.store.write() as conn:
            _, target, secret, triggers = self._row(project, webhook_id)
            if body.target is not None:
                self._check_unique_target(project, body.target, webhook_id)
                target = body.target
            secret = body.secret or secret
            if body.triggers is not None:
                triggers = json.dumps(body.triggers)
            conn.execute(
                "UPDATE webhooks SET target = ?, secret = ?, triggers = ? "
                "WHERE project = ? AND id = ?",
                (target, secret, triggers, project, webhook_id),
            )
        return self.get(project, webhook_id)

    def delete(self, project: str, webhook_id: str) -> None:
        with self.store.write() as conn:
            self._row(project, webhook_id)
            conn.execute("DELETE FROM webhooks WHERE project = ? AND id = ?", (project, webhook_id))

    # ------------------------------------------------------------------ outbox

    def enqueue(self, project: str, trigger: str, body: str, now: float) -> int:
        """Queue ``body`` for every webhook of ``project`` listening to ``trigger``.

        Call inside the transaction that makes the change, so event and change commit together.
        """
        rows = self.store.conn.execute(
            "SELECT id, target, secret, triggers FROM webhooks WHERE project = ?", (project,)
        ).fetchall()
        queued = 0
        for webhook_id, target, secret, triggers in rows:
            wanted = json.loads(triggers)
            if trigger in wanted or "ALL" in wanted:
                self.store.conn.execute(
                    "INSERT INTO outbox (project, webhook_id, target, secret, trigger, body, "
                    "next_at, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (project, webhook_id, target, secret, trigger, body, time.time(), now),
                )
                queued += 1
        return queued

    def deliveries(self, project: str | None = None) -> builtins.list[dict[str, Any]]:
        sql = (
            "SELECT id, project, webhook_id, target, trigger, body, status, attempts, "
            "last_error, response_status FROM outbox"
        )
        args: tuple[Any, ...] = ()
        if project is not None:
            sql += " WHERE project = ?"
            args = (project,)
        keys = (
            "id",
            "project",
            "webhookId",
            "target",
            "trigger",
            "body",
            "status",
            "attempts",
            "lastError",
            "responseStatus",
        )
        out = []
        for row in self.store.conn.execute(sql + " ORDER BY id", args).fetchall():
            item = dict(zip(keys, row, strict=True))
            item["body"] = json.loads(item["body"])
            out.append(item)
        return out

    def pending_count(self) -> int:
        return self.store.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
        ).fetchone()[0]

    # ------------------------------------------------------------------ delivery

    def wake(self) -> None:
        """Make sure a delivery task runs in the current event loop, and nudge it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run(), name="waform-emulator-webhooks")
        if self._wake is not None:
            self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self) -> None:
        while True:
            try:
                wait = await self.deliver_due()
            except Exception:  # never let the loop die on one bad row
                log.exception("webhook delivery pass failed")
                wait = 1.0
            assert self._wake is not None
            self._wake.clear()
            if wait is None and not self.pending_count():
                wait = 60.0
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives
            # together with a wake(), and stop() then hangs until the 60 s wait ends.
            try:
                async with asyncio.timeout(wait or 0.05):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def deliver_due(self, *, force: bool = False) -> float | None:
        """Deliver every pending event whose time has come (all of them with ``force``).

        Returns the seconds until the next pending retry, or None when nothing is pending.
        """
        now = time.time()
        condition = "status = 'pending'" + ("" if force else " AND next_at <= ?")
        args = () if force else (now,)
        rows = self.store.conn.execute(
            f"SELECT id, target, secret, body, attempts FROM outbox WHERE {condition} ORDER BY id",
            args,
        ).fetchall()
        rows = [r for r in rows if r[0] not in self._inflight]
        if rows:
            self._inflight.update(r[0] for r in rows)
            try:
                async with httpx.AsyncClient(
                    transport=self.transport, timeout=self.timeout
                ) as client:
                    for row in rows:
                        await self._deliver(client, *row)
            finally:
                self._inflight.difference_update(r[0] for r in rows)
        if force:  # wait for deliveries another task has in flight (bounded)
            deadline = time.monotonic() + self.timeout + 1
            while self._inflight and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        nxt = self.store.conn.execute(
            "SELECT MIN(next_at) FROM outbox WHERE status = 'pending'"
        ).fetchone()[0]
        return None if nxt is None else max(0.0, nxt - time.time())

    async def _deliver(
        self,
        client: httpx.AsyncClient,
        row_id: int,
        target: str,
        secret: str,
        body: str,
        attempts: int,
    ) -> None:
        raw = body.encode()
        headers = {"content-type": "application/json", **signature_headers(secret, raw)}
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(target, content=raw, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts += 1
        with self.store.write() as conn:
            if error is None:
                conn.execute(
                    "UPDATE outbox SET status = 'delivered', attempts = ?, response_status = ?, "
                    "last_error = NULL WHERE id = ?",
                    (attempts, status, row_id),
                )
            elif attempts >= self.attempts:
                conn.execute(
                    "UPDATE outbox SET status = 'failed', attempts = ?, response_status = ?, "
                    "last_error = ? WHERE id = ?",
                    (attempts, status, error, row_id),
                )
            else:
                delay = self.retry_delay * 2 ** (attempts - 1)
                conn.execute(
                    "UPDATE outbox SET attempts = ?, response_status = ?, last_error = ?, "
                    "next_at = ? WHERE id = ?",
                    (attempts, status, error, time.time() + delay, row_id),
                )
