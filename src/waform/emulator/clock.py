"""The emulator's clock (wall time plus a stored offset) and the time-derived values it serves.

Tests and the control API move the clock forward to finish reviews and let blocks expire;
timestamps go out in Sinch's ISO format, analytics as zeros aligned to UTC days.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from waform.emulator.store import Store

DAY = 86_400.0
ANALYTICS_DAYS = {"DAY": 1, "WEEK": 7, "MONTH": 30, "QUARTER": 90}


class Clock:
    """Wall clock + an offset kept in the store (``meta.clock_offset``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def offset(self) -> float:
        raw = self.store.get_meta("clock_offset")
        return float(raw) if raw else 0.0

    def now(self) -> float:
        return time.time() + self.offset()

    def advance(self, seconds: float) -> float:
        with self.store.write():
            self.store.set_meta("clock_offset", repr(self.offset() + seconds))
        return self.now()

    def set(self, epoch: float) -> float:
        self.store.set_meta("clock_offset", repr(epoch - time.time()))
        return self.now()


def iso(ts: float) -> str:
    """ISO-8601 UTC with milliseconds, the timestamp format Sinch uses."""
    return (
        datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{int(ts * 1000) % 1000:03d}Z"
    )


def analytics_for(date_range: str | None, now: float) -> list[dict[str, Any]]:
    """Zero analytics for the requested window, ending at today's midnight (UTC).

    Aligned to days so the JSON is stable across requests of one day (plan fingerprints).
    Unknown ranges fall back to DAY, as Sinch documents.
    """
    days = ANALYTICS_DAYS.get(date_range or "DAY", 1)
    end = now - (now % DAY)
    start = end - days * DAY
    return [
        {"sent": 0, "delivered": 0, "read": 0, "start": iso(start), "end": iso(end), "buttons": []}
    ]


def whatsapp_id(project: str, name: str, language: str) -> str:
    digest = hashlib.sha256(f"{project}/{name}/{language}".encode()).hexdigest()
    return str(10**15 + int(digest[:13], 16) % (9 * 10**15))
