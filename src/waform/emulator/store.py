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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from waform.emulator.records import Record
from waform.emulator.settings import EmulatorSetupError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (project TEXT PRIMARY KEY, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS templates (
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    state TEXT,
    change_status TEXT,
    review_due REAL,
    dto TEXT NOT NULL,
    internal TEXT NOT NULL,
    PRIMARY KEY (project, name, language)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS templates_due ON templates (review_due)
    WHERE review_due IS NOT NULL;
CREATE TABLE IF NOT EXISTS blocks (
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    kind TEXT NOT NULL,          -- 'name' (deleted by name) or 'language' (deleted alone)
    until REAL NOT NULL,
    PRIMARY KEY (project, name, language)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_key ON activities (project, name, language, id);
CREATE TABLE IF NOT EXISTS webhooks (
    project TEXT NOT NULL,
    id TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL,
    triggers TEXT NOT NULL,
    PRIMARY KEY (project, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT NOT NULL,
    trigger TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    created REAL NOT NULL,
    last_error TEXT,
    response_status INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, next_at);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    status INTEGER NOT NULL,
    fault TEXT,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_project ON requests (project, id);
"""


#: Separators of :meth:`Store._rows`: ASCII unit/record separators, which JSON text never
#: contains unescaped (and names and language codes never contain at all).
_FIELD_CHAR, _ROW_CHAR = "\x1f", "\x1e"
_FIELD, _ROW = "char(31)", "char(30)"


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


@dataclass(frozen=True)
class Page:
    """One list page: stored DTO strings and what the page tokens need."""

    dtos: list[str]
    total: int
    first: tuple[str, str] | None
    last: tuple[str, str] | None
    has_previous: bool
    has_next: bool


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
            for statement in _SCHEMA.split(";"):
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
        return [tuple(r) for r in rows if project is None or r[0] == project]  # type: ignore[misc]

    def pending_reviews(self, project: str) -> list[tuple[str, str, str]]:
        rows = self.conn.execute(
            "SELECT project, name, language FROM templates "
            "WHERE project = ? AND review_due IS NOT NULL",
            (project,),
        ).fetchall()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def projects_with_pending_reviews(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT project FROM templates WHERE review_due IS NOT NULL ORDER BY project"
        ).fetchall()
        return [r[0] for r in rows]

    def count_submitted(self, project: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM templates WHERE project = ? AND state IS NOT NULL", (project,)
        ).fetchone()[0]

    def page(
        self,
        project: str,
        *,
        size: int,
        after: tuple[str, str] | None = None,
        before: tuple[str, str] | None = None,
        name: str | None = None,
        prefix: str | None = None,
        states: list[str] | None = None,
        statuses: list[str] | None = None,
    ) -> Page:
        """One page of stored DTO strings in (name, language) order, keyset-paginated.

        ``after``/``before`` are the keys a page token carries; filters are plain SQL on the
        row's columns, so the cost is the page itself plus one COUNT.
        """
        where = ["project = ?"]
        args: list[Any] = [project]
        if name is not None:
            where.append("name = ?")
            args.append(name)
        if prefix:
            where.append("name >= ? AND name < ?")
            args.extend([prefix, prefix + "\U0010ffff"])
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args.extend(states)
        if statuses:
            where.append(f"change_status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        base = " AND ".join(where)
        with self.read() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM templates WHERE {base}", args).fetchone()[0]
            if before is not None:
                cond, extra, order = "AND (name, language) < (?, ?)", list(before), "DESC"
            elif after is not None:
                cond, extra, order = "AND (name, language) > (?, ?)", list(after), "ASC"
            else:
                cond, extra, order = "", [], "ASC"
            rows = self._rows(
                conn,
                f"SELECT name, language, dto FROM templates WHERE {base} {cond} "
                f"ORDER BY name {order}, language {order} LIMIT ?",
                [*args, *extra, size + 1],
            )
            more = len(rows) > size  # one more row than a page: there is a page beyond
            if before is not None:
                rows = rows[-size:] if more else rows
                has_previous, has_next = more, True
            else:
                rows = rows[:size]
                has_previous, has_next = after is not None, more
            if after is not None:
                has_previous = self._exists(conn, base, args, "<=", after)
            if before is not None and rows:
                has_next = self._exists(conn, base, args, ">", rows[-1][:2])
        return Page(
            dtos=[r[2] for r in rows],
            total=total,
            first=(rows[0][0], rows[0][1]) if rows else None,
            last=(rows[-1][0], rows[-1][1]) if rows else None,
            has_previous=has_previous and bool(rows),
            has_next=has_next and bool(rows),
        )

    @staticmethod
    def _rows(conn: sqlite3.Connection, select: str, args: list[Any]) -> list[tuple[str, ...]]:
        """``(name, language, dto)`` rows of ``select``, in (name, language) order.

        Fetched as one aggregated row: ``sqlite3`` releases the GIL around every row it steps,
        and in the embedded emulator each release hands the GIL to whatever else runs (the
        plan's file loading) for up to a switch interval — 1,000 rows cost up to a second.
        Fields are joined with control characters that stored JSON never contains raw (JSON
        escapes them), and rows are re-sorted here because ``group_concat`` order is not
        guaranteed.
        """
        (joined,) = conn.execute(
            f"SELECT group_concat(name || {_FIELD} || language || {_FIELD} || dto, {_ROW}) "
            f"FROM ({select})",
            args,
        ).fetchone()
        if not joined:
            return []
        rows = [tuple(row.split(_FIELD_CHAR, 2)) for row in joined.split(_ROW_CHAR)]
        rows.sort(key=lambda row: (row[0], row[1]))
        return rows

    @staticmethod
    def _exists(
        conn: sqlite3.Connection, base: str, args: list[Any], op: str, key: tuple[str, ...]
    ) -> bool:
        row = conn.execute(
            f"SELECT 1 FROM templates WHERE {base} AND (name, language) {op} (?, ?) LIMIT 1",
            [*args, *key],
        ).fetchone()
        return row is not None

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
