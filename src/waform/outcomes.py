"""One template file's outcome: loaded and checked (:func:`load_and_check`), in the load cache's
form (:func:`stored_form`); a run's outcomes as one load (:func:`assemble`), and its new cache
entries, stored together (:class:`Writes`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from waform.diagnostics import Diagnostic, sort_diagnostics
from waform.elsewhere import Begun, elsewhere
from waform.loadcache import LoadCache, encode_file
from waform.loader import LoadedFile, LoadResult, check_across_files, load_bytes
from waform.rules import RuleSettings
from waform.rules.cross import Wording
from waform.rules.engine import FileRules
from waform.rules.silence import Silenced

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


#: An entry's value encoded only when stored (a plan's forms, :func:`waform.stored_forms.store`).
Encodes = Callable[[], bytes]


@dataclass
class Writes:
    """New and used load-cache entries of one run, stored in one transaction; an outcome (or a
    value that :data:`Encodes`) is encoded only then (``plan`` stores them in a forked process,
    at a lower priority once its result is sent, while the fetch runs)."""

    items: dict[str, bytes | Outcome | Encodes] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)

    def store_elsewhere(
        self,
        directory: Path,
        fork: bool,
        first: Callable[[Writes], T] | None = None,
    ) -> Begun[T]:
        """Start storing into the cache at ``directory`` (:func:`waform.elsewhere.elsewhere`),
        after ``first``: work done in the same process whose result is sent back before the
        entries are encoded and stored; it may add entries of its own (a plan's forms:
        :func:`waform.stored_forms.store`, whose hash the plan waits for, while their encoding
        and storing is needed last).

        In a forked process where possible: encoding holds the GIL, which the fetch beside it
        needs (measured, three cold plans each: fetch 0.83–0.91 s instead of 0.86–0.99 s,
        decode beside it 0.43–0.48 s instead of 0.44–0.57 s; the same peak memory).

        The entries stay in memory until it has ended: freed while a forked process still
        shares the pages they lie on, each page would be copied first (10,000 templates: about
        40 ms of the load, measured)."""

        def then() -> None:
            cache = LoadCache(directory)
            try:
                self._put(cache)
            finally:
                cache.close()

        begun = elsewhere(lambda: None if first is None else first(self), fork, then=then)

        def ended() -> None:
            begun.ended()
            self.items.clear()

        return Begun(begun.result, ended)

    def store(self, cache: LoadCache, first: Callable[[Writes], T] | None = None) -> T | None:
        """Store the entries into ``cache``, after ``first`` (see :meth:`store_elsewhere`);
        what ``first`` returned."""
        try:
            return None if first is None else first(self)
        finally:  # the entries are stored even if ``first`` failed
            self._put(cache)

    def _put(self, cache: LoadCache) -> None:
        if not self.items and not self.used:
            return  # nothing to store (a warm plan whose forms could not be worked out)
        try:
            encoded = {key: _encoded(value) for key, value in self.items.items()}
            cache.put_many(encoded, used=self.used)
        except Exception as exc:  # noqa: BLE001 - a cache that is not written only costs speed
            log.debug("load cache not written (%s)", exc)


def _encoded(value: bytes | Outcome | Encodes) -> bytes:
    if isinstance(value, bytes):
        return value
    return stored_form(value) if isinstance(value, Outcome) else value()
