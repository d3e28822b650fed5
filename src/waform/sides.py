"""What plan and drift compare: the target's templates paired with git's, and the records of what
waform last submitted of their write-only fields.

One sweep of the list endpoint (only a full view of the scope tells which templates are not in
git), in parts at once where the desired names allow it. The files are known to be valid before it starts; a warm load's templates are decoded
from the load cache in a worker thread while the fetch waits on the network.
"""

from __future__ import annotations

import asyncio
import queue
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from waform.activities import submission_records
from waform.desired_forms import DesiredForms
from waform.desired_state import DesiredState
from waform.inventory import Inventory, pair, processors
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate

if TYPE_CHECKING:
    from waform.client import Provider
    from waform.config import Config

T = TypeVar("T")
#: What :func:`waform.stored_forms.store` tells: the ``desiredHash`` and the keys with
#: write-only fields (``None`` if it failed).
WorkedOut = Callable[[], tuple[str, set[tuple[str, str]]] | None]

#: How long the decode thread may keep the GIL while the event loop waits for it (seconds).
#: With Python's 5 ms, each socket read and page of the fetch waited for the decoding (10,000
#: templates, bench/plan_bench.py: fetch 0.96 s against 0.78 s at 0.5 ms).
SWITCH_INTERVAL = 0.0005


@dataclass(frozen=True)
class Sides:
    """The target's templates paired with git's, the records of what waform last submitted of
    their write-only fields, and (when asked for) what the differ needs of git's alone."""

    inventory: Inventory[DesiredTemplate]
    submitted: dict[tuple[str, str], dict[str, Any] | None] | None
    desired_forms: DesiredForms | None = None
    desired: list[DesiredTemplate] = field(default_factory=list)
    """Git's templates in file order (a warm plan's read from the load cache)."""


async def compared_sides(
    client: Provider,
    config: Config,
    state: DesiredState,
    timings: dict[str, float],
    *,
    forms: bool = False,
) -> Sides:
    """What plan and drift compare: the target's templates (always a sweep: only a full view
    of the scope tells which are not in git; split by the desired names where that is provably
    complete, see :mod:`waform.sweep_parts`) paired with git's,
    and the records of what waform last submitted of their write-only fields; with
    ``forms``, also what the differ needs of git's alone (:class:`waform.desired_forms.DesiredForms`).

    The files are known to be valid here. What depends on them alone — a warm load's
    templates decoded from the load cache, which have write-only fields, the forms — is worked
    out in a thread while the fetch waits on the network."""
    from waform import stored_forms
    from waform.fetcher import fetch_remote

    # The templates fetched so far: a desired template whose remote one has arrived is compared
    # in the thread as its page arrives, instead of its wire form being kept for the differ.
    arrived = Arrivals()
    fetch = fetch_remote(
        client, names=None, config=config, on_page=arrived.add, desired_names=state.names
    )
    # A cold plan's load stores what the next plan needs of the templates (waform.stored_forms)
    # in the process that stores its new entries; its result tells the hash.
    cold = state.decoded
    worked_out = cast(WorkedOut | None, state.beside if forms and cold else None)
    try:
        with _switching_often():
            fetched, (desired, write_only, desired_forms, read) = await asyncio.gather(
                _timed(arrived.until_done(fetch), timings, "fetch"),
                asyncio.to_thread(_decoded, state, arrived if forms else None, timings, worked_out),
            )
    finally:
        arrived.close()  # whatever happened, the thread waits for no more pages
    if forms and not cold and not read and state.cache_dir is not None:
        # Warm, and the stored forms were missing or unsound: stored again in a process forked
        # here, on the event loop's thread, with no request in flight (a fork copies the locks
        # other threads hold, and the embedded emulator answers on this thread inside SQLite).
        state.writing(stored_forms.store_elsewhere(desired, state.run_key, state.cache_dir).ended)
    started = time.perf_counter()
    inventory = pair(desired, fetched.templates, processors(config))
    # Only the matched templates with write-only fields (known from the decode thread; most
    # projects have none, and then no key is looked up).
    submitted = await submission_records(
        client,
        [
            (p.key, p.desired.details, p.desired.category)
            for p in (inventory.matched if write_only else ())
            if p.desired is not None and p.key in write_only
        ],
    )
    timings["pair"] = time.perf_counter() - started
    return Sides(inventory, submitted, desired_forms, desired)


@contextmanager
def _switching_often() -> Iterator[None]:
    """The fetch must not wait for the GIL: while the decode thread runs beside it, the
    interpreter hands the GIL over after :data:`SWITCH_INTERVAL` instead of 5 ms (then back)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


async def _timed(work: Coroutine[Any, Any, T], timings: dict[str, float], phase: str) -> T:
    started = time.perf_counter()
    try:
        return await work
    finally:
        timings[phase] = time.perf_counter() - started


class Arrivals(dict[tuple[str, str], RemoteTemplate]):
    """The remote templates fetched so far, by key (a later read of a key replaces an earlier
    one, as in the fetch's result), and their pages in the order they arrived, for the thread
    that compares them meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self._pages: queue.SimpleQueue[list[RemoteTemplate] | None] = queue.SimpleQueue()

    def add(self, page: list[RemoteTemplate]) -> None:
        self.update((t.key, t) for t in page)
        self._pages.put(page)

    async def until_done(self, fetch: Coroutine[Any, Any, T]) -> T:
        try:
            return await fetch
        finally:
            self.close()

    def close(self) -> None:
        """No more pages come (called once the fetch ends, however it ends)."""
        self._pages.put(None)

    def pages(self) -> Iterator[list[RemoteTemplate]]:
        """Each page as it arrives, until the fetch has ended."""
        while (page := self._pages.get()) is not None:
            yield page


def _decoded(
    state: DesiredState,
    arrived: Arrivals | None,
    timings: dict[str, float],
    worked_out: WorkedOut | None = None,
) -> tuple[list[DesiredTemplate], set[tuple[str, str]], DesiredForms | None, bool]:
    """``state.templates``, the keys of those with write-only fields and, given the remote
    templates ``arrived`` so far, their :class:`~waform.desired_forms.DesiredForms` (in a worker
    thread: the event loop is fetching meanwhile); whether they were read from the load cache's
    stored forms (a plan's, ``arrived``, when no file changed: :mod:`waform.stored_forms`).
    ``worked_out``: the process storing them tells the hash and the write-only keys, so this
    thread only compares (both, here, without it or if that process fails)."""
    from waform import stored_forms, submissions

    started = time.perf_counter()
    stored = stored_forms.read(state) if arrived is not None else None
    if stored is not None:
        timings["decode"] = time.perf_counter() - started
        return stored.templates, stored.write_only, stored.forms, True
    templates = state.templates
    if worked_out is not None and arrived is not None:
        # This thread, beside the fetch and sharing its interpreter, only compares: each page
        # as it arrives, while the process storing the forms works out the rest.
        compared: dict[tuple[str, str], tuple[RemoteTemplate, bool]] = {}
        by_key = {t.key: t for t in templates}
        for page in arrived.pages():
            DesiredForms.compare(page, by_key, compared)
        result = worked_out()
        if result is not None:
            desired_hash, write_only = result
            timings["decode"] = time.perf_counter() - started
            return templates, write_only, DesiredForms(desired_hash, compared), False
    write_only = {t.key for t in templates if submissions.of(t.details, t.category)}
    desired_forms = DesiredForms.of(templates, arrived) if arrived is not None else None
    timings["decode"] = time.perf_counter() - started
    return templates, write_only, desired_forms, False
