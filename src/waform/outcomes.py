"""One template file's outcome: loaded and checked (:func:`load_and_check`), in the load cache's
form (:func:`stored_form`), and a run's new cache entries, stored together (:class:`Writes`)."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from waform.diagnostics import Diagnostic
from waform.loadcache import LoadCache, encode_file
from waform.loader import LoadedFile, load_bytes
from waform.rules.context import TemplateContext
from waform.rules.engine import FileRules
from waform.rules.silence import Silenced

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What loading and checking one file found."""

    loaded: LoadedFile | None
    diagnostics: list[Diagnostic]
    silenced: list[Silenced] = field(default_factory=list)
    contexts: list[TemplateContext] | None = None
    """What the per-file rules built, when they ran here (the cross rules reuse it)."""


def load_and_check(path: str, raw: bytes, rules: FileRules) -> Outcome:
    """Load one file and run the per-file rules."""
    loaded, diagnostics = load_bytes(path, raw)
    if loaded is None:
        return Outcome(None, diagnostics)
    report, contexts = rules.check(loaded)
    return Outcome(loaded, [*diagnostics, *report.diagnostics], report.silenced, contexts)


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
        decode beside it 0.43–0.48 s instead of 0.44–0.57 s; the same peak memory)."""
        return elsewhere(lambda: self.store(LoadCache(directory), True), fork)

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


def elsewhere(work: Callable[[], object], fork: bool) -> Callable[[], object]:
    """Start ``work`` in a forked process (``fork``), else in a thread; the result waits until
    it is done. The child shares this process's memory and leaves without running its exit
    handlers; what it finds is lost with it (``work`` stores its own results)."""
    if not fork:
        thread = threading.Thread(target=work)
        thread.start()
        return thread.join
    pid = os.fork()
    if pid == 0:
        try:
            work()
        finally:
            os._exit(0)
    return functools.partial(os.waitpid, pid, 0)
