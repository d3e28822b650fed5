"""Bulk-seed an emulator state file with approved templates, straight through its own store.

Creating 10,000 templates through the API would take minutes (and Meta's emulated per-project
limit stops at 6,000); benchmarks only need the remote state to exist. The records are built
with the emulator's own :class:`~waform.emulator.records.Record` and ``output_details`` (so they
look exactly like what the API would have stored) and written in one SQLite transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from waform.emulator.lifecycle import whatsapp_id
from waform.emulator.records import Record, output_details
from waform.emulator.store import Store


def seed_approved(
    state_path: str | Path,
    project: str,
    templates: Iterable[tuple[str, str, str, dict[str, Any]]],
) -> int:
    """Store ``(name, language, category, details)`` as APPROVED templates; returns the count."""
    store = Store(state_path)
    now = time.time()
    count = 0
    try:
        with store.write():
            store.add_project(project, now)
            for name, language, category, details in templates:
                store.put(
                    Record(
                        project=project,
                        name=name,
                        language=language,
                        category=category,
                        whatsapp_id=whatsapp_id(project, name, language),
                        state="APPROVED",
                        quality_score="QUALITY_SCORE_GREEN",
                        details=output_details(details),
                        internal={"created": now, "edits": [], "reviewed": True},
                    )
                )
                count += 1
    finally:
        store.close()
    return count
