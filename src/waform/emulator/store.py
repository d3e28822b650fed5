"""SQLite persistence (stdlib ``sqlite3``): templates as ready JSON, plus the emulator's books.

Why SQLite: one file, transactions, crash safety. Every mutation runs inside
``BEGIN IMMEDIATE … COMMIT`` (:meth:`Store.write`), so a ``kill -9`` leaves either the old or the
new state, never half of one; file stores use WAL with ``synchronous=NORMAL`` (durable across
process crashes, fast commits). Several processes may share a file (a served emulator and the
in-process one of a CLI command): SQLite's locking plus ``busy_timeout`` serialises them.

Within one process all access goes through one connection guarded by a re-entrant lock, so
concurrent requests (event loop or threads) are serialised per transaction.

Tables: ``templates`` (one row per project/name/language: ``dto`` = the response JSON without
analytics, ``internal`` = bookkeeping, ``review_due`` indexed so due reviews are found without a
scan), ``blocks`` (names/languages deleted in the last 30 days), ``activities``, ``webhooks``,
``outbox`` (webhook deliveries), ``requests`` (request log), ``projects``, ``meta``
(clock offset, fault and rate-limit config, token signing key).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from waform.emulator.records import Record
from waform.emulator.schema import SCHEMA, SCHEMA_VERSION
from waform.emulator.settings import EmulatorSetupError
from waform.emulator.template_pages import Page, read_page


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


class Store:
    """The emulator's database. Thread-safe; one instance per app."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise EmulatorSetupError(
                f"{self.path}: cannot open the emulator state file ({_reason(exc)})"
            ) from None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                problem = "busy: another process held it for 30 s"  # not a bad file
            else:
                problem = "not an emulator state file"
            raise EmulatorSetupError(f"{self.path}: {problem} ({_reason(exc)})") from None

    def _open(self) -> None:
        self.conn.execute("PRAGMA busy_timeout = 30000")
        # Before anything writes (even the WAL switch rewrites the header): someone else's
        # database must be left exactly as it was.
        if self._foreign():
            raise sqlite3.DatabaseError("it holds other tables")
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        with self.write():
            # Inside the write transaction: a process creating the file at the same moment is
            # seen either not at all or complete.
            fresh = not self._tables()
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            version = self.get_meta("schema_version")
            if version is None and not fresh:
                raise sqlite3.DatabaseError("it holds other tables")
            if version is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))
            elif version != str(SCHEMA_VERSION):
                raise sqlite3.DatabaseError(
                    f"schema version {version}; this waform reads {SCHEMA_VERSION}"
                )
            if self.get_meta("signing_key") is None:
                self.set_meta("signing_key", secrets.token_hex(32))

    def _tables(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}

    def _foreign(self) -> bool:
        tables = self._tables()
        return bool(tables) and "meta" not in tables

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self._depth = 0
                self.conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot (several SELECTs see one state); joins an open transaction."""
        with self._lock:
            if self._depth:
                yield self.conn
                return
            self.conn.execute("BEGIN")
            self._depth = 1
            try:
                yield self.conn
            finally:
                self._depth = 0
                self.conn.execute("COMMIT")

    # ------------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str | None) -> None:
        with self.write():
            if value is None:
                self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def get_meta_json(self, key: str) -> Any:
        raw = self.get_meta(key)
        return None if raw is None else json.loads(raw)

    def set_meta_json(self, key: str, value: Any) -> None:
        self.set_meta(key, None if value is None else json.dumps(value))

    # ------------------------------------------------------------------ projects

    def project_known(self, project: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM projects WHERE project = ?", (project,)).fetchone()
        return row is not None

    def add_project(self, project: str, now: float) -> None:
        with self.write():
            self.conn.execute(
                "INSERT OR IGNORE INTO projects (project, created) VALUES (?, ?)", (project, now)
            )

    # ------------------------------------------------------------------ templates

    _COLUMNS = "project, name, language, category, state, change_status, review_due, dto, internal"

    def get(self, project: str, name: str, language: str) -> Record | None:
        row = self.conn.execute(
            "SELECT dto, internal, review_due FROM templates "
            "WHERE project = ? AND name = ? AND language = ?",
            (project, name, language),
        ).fetchone()
        return None if row is None else Record.load(project, row[0], row[1], row[2])

    def get_name(self, project: str, name: str) -> list[Record]:
        rows = self.conn.execute(
            "SELECT dto, internal, review_due FROM templates "
            "WHERE project = ? AND name = ? ORDER BY language",
            (project, name),
        ).fetchall()
        return [Record.load(project, r[0], r[1], r[2]) for r in rows]

    def put(self, record: Record) -> None:
        with self.write():
            self.conn.execute(
                f"INSERT INTO templates ({self._COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (project, name, language) DO UPDATE SET "
                "category = excluded.category, state = excluded.state, "
                "change_status = excluded.change_status, review_due = excluded.review_due, "
                "dto = excluded.dto, internal = excluded.internal",
                (
                    record.project,
                    record.name,
                    record.language,
                    record.category,
                    record.state,
                    record.change_status,
                    record.review_due,
                    record.dto_json(),
                    record.internal_json(),
                ),
            )

    def delete(self, project: str, name: str, language: str) -> None:
        with self.write():
            self.conn.execute(
                "DELETE FROM templates WHERE project = ? AND name = ? AND language = ?",
                (project, name, language),
            )
            self.conn.execute(
                "DELETE FROM activities WHERE project = ? AND name = ? AND language = ?",
                (project, name, language),
            )

    def due_reviews(self, now: float, project: str | None = None) -> list[tuple[str, str, str]]:
        """Keys whose review is due at ``now``, found through the ``review_due`` index."""
        rows = self.conn.execute(
            "SELECT project, name, language FROM templates "
            "WHERE review_due IS NOT NULL AND review_due <= ? ORDER BY review_due",
            (now,),
        ).fetchall()
        return [tuple(r) for r in rows if project is None or r[0] == project]

    def pending_reviews(self, project: str) -> list[tuple[str, str, str]]:
        rows = self.conn.execute(
            "SELECT project, name, language FROM templates "
            "WHERE project = ? AND review_due IS NOT NULL",
            (project,),
        ).fetchall()
        return [tuple(r) for r in rows]

    def projects_with_pending_reviews(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT project FROM templates WHERE review_due IS NOT NULL ORDER BY project"
        ).fetchall()
        return [r[0] for r in rows]

    def count_submitted(self, project: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM templates WHERE project = ? AND state IS NOT NULL", (project,)
        ).fetchone()[0]

    def page(self, project: str, **query: Any) -> Page:
        """One page of stored DTO strings; the keywords are :func:`read_page`'s."""
        with self.read() as conn:
            return read_page(conn, project, **query)

    # ------------------------------------------------------------------ blocks

    def block(self, project: str, name: str, language: str, kind: str, until: float) -> None:
        with self.write():
            self.conn.execute(
                "INSERT INTO blocks (project, name, language, kind, until) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (project, name, language) DO UPDATE SET "
                "kind = excluded.kind, until = excluded.until",
                (project, name, language, kind, until),
            )

    def blocked(self, project: str, name: str, language: str, now: float) -> str | None:
        """The kind of an active block on (name, language), or None."""
        row = self.conn.execute(
            "SELECT kind FROM blocks WHERE project = ? AND name = ? AND language = ? AND until > ?",
            (project, name, language, now),
        ).fetchone()
        return None if row is None else row[0]

    # ------------------------------------------------------------------ activities

    def add_activity(self, project: str, name: str, language: str, body: dict[str, Any]) -> None:
        with self.write():
            self.conn.execute(
                "INSERT INTO activities (project, name, language, body) VALUES (?, ?, ?, ?)",
                (project, name, language, json.dumps(body)),
            )

    def activities(
        self, project: str, name: str, language: str, *, size: int, before_id: int | None
    ) -> tuple[list[tuple[int, str]], int, bool]:
        """Newest first. Returns ``(rows (id, json), total, has_next)``."""
        with self.read() as conn:
            total = conn.execute(
                "SELECT COUNT(*) FROM activities WHERE project = ? AND name = ? AND language = ?",
                (project, name, language),
            ).fetchone()[0]
            cond, extra = ("", []) if before_id is None else ("AND id < ?", [before_id])
            rows = conn.execute(
                "SELECT id, body FROM activities WHERE project = ? AND name = ? AND language = ? "
                f"{cond} ORDER BY id DESC LIMIT ?",
                [project, name, language, *extra, size + 1],
            ).fetchall()
        return [(r[0], r[1]) for r in rows[:size]], total, len(rows) > size

    # ------------------------------------------------------------------ request log

    def log_request(
        self,
        project: str | None,
        method: str,
        path: str,
        query: str,
        status: int,
        fault: str | None,
        at: float,
        limit: int,
    ) -> None:
        with self.write():
            cur = self.conn.execute(
                "INSERT INTO requests (project, method, path, query, status, fault, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (project, method, path, query, status, fault, at),
            )
            if cur.lastrowid and cur.lastrowid % 1000 == 0:
                self.conn.execute("DELETE FROM requests WHERE id <= ?", (cur.lastrowid - limit,))

    def requests(self, project: str | None) -> list[dict[str, Any]]:
        if project is None:
            rows = self.conn.execute(
                "SELECT id, project, method, path, query, status, fault, at FROM requests "
                "ORDER BY id"
            ).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT id, project, method, path, query, status, fault, at FROM requests "
                "WHERE project = ? ORDER BY id",
                (project,),
            ).fetchall()
        keys = ("id", "project", "method", "path", "query", "status", "fault", "at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def clear_requests(self, project: str | None) -> None:
        with self.write():
            if project is None:
                self.conn.execute("DELETE FROM requests")
            else:
                self.conn.execute("DELETE FROM requests WHERE project = ?", (project,))

    # ------------------------------------------------------------------ maintenance

    def reset(self) -> None:
        """Forget every template, webhook, log and setting except the token signing key."""
        with self.write():
            for table in ("projects", "templates", "blocks", "activities", "webhooks", "outbox"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.execute("DELETE FROM requests")
            self.conn.execute("DELETE FROM meta WHERE key NOT IN ('signing_key', 'schema_version')")

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
