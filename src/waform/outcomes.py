"""One template file's outcome: loaded and checked (:func:`load_and_check`), in the load cache's
form (:func:`stored_form`); a run's outcomes as one load (:func:`assemble`), and its new cache
entries, stored together (:class:`Writes`)."""

from __future__ import annotations

import functools
import logging
import os
import pickle
import select
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from waform.diagnostics import Diagnostic, sort_diagnostics
from waform.loadcache import LoadCache, encode_file
from waform.loader import LoadedFile, LoadResult, check_across_files, load_bytes
from waform.rules import RuleSettings
from waform.rules.cross import Wording
from waform.rules.engine import FileRules
from waform.rules.silence import Silenced
from waform.workshare import reap_later

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Outcome:
    """What loading and checking one file found."""

    loaded: LoadedFile | None
    diagnostics: list[Diagnostic]
    silenced: list[Silenced] = field(default_factory=list)
    wordings: list[Wording] | None = None
    """What the rules across files compare of the file, when it was checked in this run (else
    they sort it out themselves)."""


def load_and_check(path: str, raw: bytes, rules: FileRules) -> Outcome:
    """Load one file and run the per-file rules."""
    loaded, diagnostics = load_bytes(path, raw)
    if loaded is None:
        return Outcome(None, diagnostics)
    report, wordings = rules.check(loaded)
    return Outcome(loaded, [*diagnostics, *report.diagnostics], report.silenced, wordings)


def stored_form(outcome: Outcome) -> bytes:
    """What the load cache keeps of one file's outcome."""
    loaded = outcome.loaded
    sources = {
        d.language: (d.source.line, d.source.column)
        for d in (loaded.desired if loaded else ())
        if d.source is not None
    }
    template = loaded.template if loaded else None
    complete = loaded.complete if loaded else True
    return encode_file(outcome.diagnostics, outcome.silenced, template, complete, sources)


def assemble(
    outcomes: Sequence[Outcome | None], settings: RuleSettings, files_read: int
) -> tuple[LoadResult, list[Silenced], list[list[Wording] | None]]:
    """The per-file outcomes, in file order, as one load (with the loader's checks across
    files); the silenced findings and wordings in the order the rules meet the files."""
    result = LoadResult(files_read=files_read)
    silenced: list[Silenced] = []
    partial_silenced: list[Silenced] = []
    wordings: list[list[Wording] | None] = []
    partial_wordings: list[list[Wording] | None] = []
    for outcome in outcomes:
        assert outcome is not None  # every cold file was loaded
        result.diagnostics.extend(outcome.diagnostics)
        loaded = outcome.loaded
        if loaded is not None and not loaded.complete:
            partial_silenced.extend(outcome.silenced)
            partial_wordings.append(outcome.wordings)
            result.partial.append(loaded)
            continue
        silenced.extend(outcome.silenced)
        if loaded is not None:
            wordings.append(outcome.wordings)
            result.files.append(loaded)
    check_across_files(result)
    if settings.strict:  # warnings fail the run: report them as what they now are
        result.diagnostics = [replace(d, severity="error") for d in result.diagnostics]
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result, [*silenced, *partial_silenced], [*wordings, *partial_wordings]


@dataclass
class Writes:
    """New and used load-cache entries of one run, stored in one transaction; an outcome is
    encoded only then (``plan`` stores them in a forked process while the fetch runs)."""

    items: dict[str, bytes | Outcome] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)

    def store_elsewhere(self, directory: Path, fork: bool) -> Callable[[], object]:
        """Start storing into the cache at ``directory``; the result waits until it is done.

        In a forked process where possible: encoding holds the GIL, which the fetch beside it
        needs (measured, three cold plans each: fetch 0.83–0.91 s instead of 0.86–0.99 s,
        decode beside it 0.43–0.48 s instead of 0.44–0.57 s; the same peak memory).

        The entries stay in memory until then: freed while a forked process still shares the
        pages they lie on, each page would be copied first (10,000 templates: about 40 ms of
        the load, measured)."""
        stored = elsewhere(lambda: self.store(LoadCache(directory), True), fork)

        def done() -> object:
            result = stored()
            self.items.clear()
            return result

        return done

    def store(self, cache: LoadCache, close: bool = False) -> None:
        try:
            encoded = {
                key: value if isinstance(value, bytes) else stored_form(value)
                for key, value in self.items.items()
            }
            cache.put_many(encoded, used=self.used)
        except Exception as exc:  # noqa: BLE001 - a cache that is not written only costs speed
            log.debug("load cache not written (%s)", exc)
        finally:
            if close:
                cache.close()


#: How long the caller waits for work done beside it (seconds; 10,000 templates take about one)
#: before it goes on without: that work only saves time later, and a process forked while
#: another thread held a lock could wait forever.
PATIENCE = 120.0
#: How much the forked child lowers its priority: what it works out is needed last (the
#: cache entries at the end, a plan's hash once the fetch is read), so the command's own
#: process and the fetch go first (a cold plan of 10,000 templates, bench/plan_bench.py, six
#: runs each: 1.83–1.96 s instead of 1.93–2.15 s).
NICENESS = 10


def elsewhere(
    work: Callable[[], T], fork: bool, patience: float = PATIENCE
) -> Callable[[], T | None]:
    """Start ``work`` in a forked process (``fork``), else in a thread; the result waits until
    it is done (at most ``patience`` seconds) and returns what ``work`` returned (``None`` if it
    failed or took longer). The child shares this process's memory, sends its result back
    through a pipe (pickled: it is this program's own, in memory) and leaves without running its
    exit handlers; it runs at a lower priority (:data:`NICENESS`)."""
    if not fork:
        box: list[T] = []

        def run() -> None:
            try:
                box.append(work())
            except Exception as exc:  # noqa: BLE001 - as a failed child: no result
                log.debug("work beside the caller failed (%s)", exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()

        def joined() -> T | None:
            thread.join(patience)
            return box[0] if box else None

        return _once(joined)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.nice(NICENESS)
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(pickle.dumps(work()))
        finally:
            os._exit(0)
    os.close(writer)

    def reaped() -> T | None:
        with os.fdopen(reader, "rb") as pipe:
            if not select.select([pipe], [], [], patience)[0]:  # it writes only when done
                log.warning(
                    "storing into the load cache took over %g s; going on without it", patience
                )
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return None
            sent = pipe.read()
        reap_later(functools.partial(os.waitpid, pid, 0))  # the result is all it sends
        return pickle.loads(sent) if sent else None  # nothing sent: ``work`` failed

    return _once(reaped)


def _once(wait: Callable[[], T | None]) -> Callable[[], T | None]:
    """``wait``, called once however often, and from however many threads, the result is asked
    for (a child is reaped once: a plan whose fetch failed asks from its own thread while the
    thread beside the fetch may still be asking)."""
    cached = functools.cache(wait)
    lock = threading.Lock()

    def once() -> T | None:
        with lock:
            return cached()

    return once
