"""Keyset pagination over the ``templates`` table: one page of stored DTO strings.

Pages are ordered by (name, language); a page token carries the first/last key of the page
it came from, so a page costs the page itself plus one COUNT, whatever its position.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """One list page: stored DTO strings and what the page tokens need."""

    dtos: list[str]
    total: int
    first: tuple[str, str] | None
    last: tuple[str, str] | None
    has_previous: bool
    has_next: bool


#: Separators of :func:`_rows`: ASCII unit/record separators, which JSON text never
#: contains unescaped (and names and language codes never contain at all).
_FIELD_CHAR, _ROW_CHAR = "\x1f", "\x1e"
_FIELD, _ROW = "char(31)", "char(30)"


def _filters(
    project: str,
    name: str | None,
    prefix: str | None,
    states: list[str] | None,
    statuses: list[str] | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (plain SQL on the row's columns) and its arguments."""
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
    return " AND ".join(where), args


def read_page(
    conn: sqlite3.Connection,
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
    """One page in (name, language) order; ``after``/``before`` are a page token's keys."""
    base, args = _filters(project, name, prefix, states, statuses)
    total = conn.execute(f"SELECT COUNT(*) FROM templates WHERE {base}", args).fetchone()[0]
    if before is not None:
        cond, extra, order = "AND (name, language) < (?, ?)", list(before), "DESC"
    elif after is not None:
        cond, extra, order = "AND (name, language) > (?, ?)", list(after), "ASC"
    else:
        cond, extra, order = "", [], "ASC"
    rows = _rows(
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
        has_previous = _exists(conn, base, args, "<=", after)
    if before is not None and rows:
        has_next = _exists(conn, base, args, ">", rows[-1][:2])
    return Page(
        dtos=[r[2] for r in rows],
        total=total,
        first=(rows[0][0], rows[0][1]) if rows else None,
        last=(rows[-1][0], rows[-1][1]) if rows else None,
        has_previous=has_previous and bool(rows),
        has_next=has_next and bool(rows),
    )


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


def _exists(
    conn: sqlite3.Connection, base: str, args: list[Any], op: str, key: tuple[str, ...]
) -> bool:
    row = conn.execute(
        f"SELECT 1 FROM templates WHERE {base} AND (name, language) {op} (?, ?) LIMIT 1",
        [*args, *key],
    ).fetchone()
    return row is not None
