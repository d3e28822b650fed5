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

**Signature.** Four headers, as Sinch sends them:
``x-sinch-webhook-signature-algorithm: HmacSHA256``, ``x-sinch-webhook-signature-nonce`` (a
ULID), ``x-sinch-webhook-signature-timestamp`` (unix seconds), and
``x-sinch-webhook-signature = base64(HMAC-SHA256(secret, rawBody + "." + nonce + "." +
timestamp))`` — the string-to-sign Sinch's Conversation API uses with the same headers (the
Provisioning one is not documented). :func:`verify_signature` checks it.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import hashlib
import hmac
import json
import logging
import os
import re
import time
from typing import Annotated, Any, Literal

import httpx
from pydantic import Field, field_validator

from waform.emulator.errors import PapiError
from waform.emulator.store import Store
from waform.model.base import WireModel

log = logging.getLogger(__name__)

MAX_WEBHOOKS = 15
TEMPLATE_TRIGGERS = (
    "WHATSAPP_TEMPLATE_APPROVED",
    "WHATSAPP_TEMPLATE_REJECTED",
    "WHATSAPP_TEMPLATE_STATUS_UPDATED",
    "WHATSAPP_TEMPLATE_DELETED",
    "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
    "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
    "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
    "WHATSAPP_TEMPLATE_COMMENT_ADDED",
)
#: ``WebhookWebhookTriggersEnum``: every trigger Sinch accepts (only template ones fire here).
TRIGGERS = (
    "ALL",
    "BUNDLE_DONE",
    "KAKAOTALK_SENDER_ACTIVE",
    "KAKAOTALK_SENDER_COMMENT_ADDED",
    "KAKAOTALK_SENDER_INACTIVE",
    "KAKAOTALK_SENDER_REJECTED",
    "KAKAOTALK_TEMPLATE_APPROVED",
    "KAKAOTALK_TEMPLATE_COMMENT_ADDED",
    "KAKAOTALK_TEMPLATE_REJECTED",
    "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
    "RCS_SENDER_COMMENT_ADDED",
    "RCS_SENDER_OPERATOR_STATUS_UPDATED",
    "RCS_SENDER_STATUS_UPDATED",
    "RCS_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED",
    "WHATSAPP_ACCOUNT_ONBOARDED",
    "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
    "WHATSAPP_ACCOUNT_REJECTED",
    "WHATSAPP_WABA_ACCOUNT_CHANGED",
    "WHATSAPP_SENDER_ACTIVE",
    "WHATSAPP_SENDER_COMMENT_ADDED",
    "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED",
    "WHATSAPP_SENDER_DELETED",
    "WHATSAPP_SENDER_DISPLAY_NAME_UPDATED",
    "WHATSAPP_SENDER_ERROR",
    "WHATSAPP_SENDER_INACTIVE",
    "WHATSAPP_SENDER_PENDING_VERIFICATION",
    "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
    "WHATSAPP_SENDER_REJECTED",
    "WHATSAPP_SENDER_USERNAME_UPDATED",
    *TEMPLATE_TRIGGERS,
)
_TRIGGER_SET = frozenset(TRIGGERS)
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

SIGNATURE = "x-sinch-webhook-signature"
SIGNATURE_ALGORITHM = "x-sinch-webhook-signature-algorithm"
SIGNATURE_NONCE = "x-sinch-webhook-signature-nonce"
SIGNATURE_TIMESTAMP = "x-sinch-webhook-signature-timestamp"


def ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (26 chars)."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def signature(secret: str, body: bytes, nonce: str, timestamp: str) -> str:
    """``base64(HMAC-SHA256(secret, body + "." + nonce + "." + timestamp))``."""
    message = body + b"." + nonce.encode() + b"." + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def signature_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    nonce = ulid(now)
    timestamp = str(int(time.time() if now is None else now))
    return {
        SIGNATURE: signature(secret, body, nonce, timestamp),
        SIGNATURE_ALGORITHM: "HmacSHA256",
        SIGNATURE_NONCE: nonce,
        SIGNATURE_TIMESTAMP: timestamp,
    }


def verify_signature(secret: str, body: bytes, headers: Any) -> bool:
    """Check the four headers of a delivery (``headers``: any case-insensitive mapping)."""
    try:
        expected = signature(secret, body, headers[SIGNATURE_NONCE], headers[SIGNATURE_TIMESTAMP])
        return headers[SIGNATURE_ALGORITHM] == "HmacSHA256" and hmac.compare_digest(
            expected, headers[SIGNATURE]
        )
    except KeyError:
        return False


Trigger = Literal[TRIGGERS]  # type: ignore[valid-type]


class WebhookInput(WireModel):
    """``WebhookWebhookInputDto``."""

    target: Annotated[str, Field(min_length=1, max_length=742, pattern=r"^https?://\S+$")]
    secret: Annotated[str, Field(min_length=1, max_length=128)]
    triggers: Annotated[list[str], Field(min_length=1)]

    @field_validator("triggers")
    @classmethod
    def _known_unique(cls, triggers: list[str]) -> list[str]:
        return _check_triggers(triggers)


class WebhookUpdate(WireModel):
    """``WebhookUpdateWebhookInputDto``: every field optional."""

    target: (
        Annotated[str, Field(min_length=1, max_length=742, pattern=r"^https?://\S+$")] | None
    ) = None
    secret: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    triggers: Annotated[list[str], Field(min_length=1)] | None = None

    @field_validator("triggers")
    @classmethod
    def _known_unique(cls, triggers: list[str] | None) -> list[str] | None:
        return None if triggers is None else _check_triggers(triggers)


def _check_triggers(triggers: list[str]) -> list[str]:
    unknown = [t for t in triggers if t not in _TRIGGER_SET]
    if unknown:
        raise ValueError("must be one of the following values: " + ", ".join(TRIGGERS))
    if len(set(triggers)) != len(triggers):
        raise ValueError("must contain unique values")
    return triggers


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
