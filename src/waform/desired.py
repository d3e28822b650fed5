"""The one load pipeline: template files → validated templates and every diagnostic.

Per file: the bytes are read and keyed (:mod:`waform.loadcache`); a stored outcome is used as
it is, any other file is loaded (:func:`waform.loader.load_bytes`) and checked by Meta's
per-file rules — in a process pool when many files are cold, else in this process. Across
files: the loader's checks (a key defined twice, one name with two categories) and the rules
that compare templates. When no file changed at all, the run's stored diagnostics stand for
all of that, and the templates themselves are only decoded if someone asks for them
(``validate`` does not).

Results do not depend on the path taken: cached, pooled and sequential loads give the same
templates, positions and diagnostics, in the same order (``tests/test_loadcache_*.py``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from waform.desired_state import DesiredState
from waform.diagnostics import Diagnostic, sort_diagnostics
from waform.gcpause import collector_paused
from waform.loadcache import (
    FileEntry,
    Keys,
    LoadCache,
    decode_file,
    decode_run,
    encode_run,
)
from waform.loader import (
    LoadedFile,
    LoadResult,
    find_template_files,
    read_bytes,
)
from waform.model.template import DesiredTemplate, SourceRef
from waform.outcomes import Outcome, Writes, assemble, load_and_check, stored_form
from waform.rules import RuleSettings
from waform.rules.cross import Wording
from waform.rules.engine import FileRules, check_across
from waform.rules.silence import Silenced
from waform.workshare import can_fork, reap_later, share, usable_cpus
from waform.yamlsafe import decode

#: Cold files from which forked helpers pay off (measured: ``bench/validate_bench.py
#: --break-even``, 2 CPUs: 100 files take 0.06 s either way, 200 files 0.12 s in one process
#: and 0.09 s shared, 300 files 0.24 s and 0.15 s).
POOL_MIN_FILES = 200

#: What a helper sends back per file: its bytes and cache key when the helper read it, its
#: stored form (:func:`waform.outcomes.stored_form`) and what the rules across files compare
#: of it (:attr:`waform.outcomes.Outcome.wordings`: sorted out there, beside the other checks).
Sent = tuple[bytes | None, str | None, bytes | None, list[Wording] | None]

#: Work on a cold load's templates done where its new cache entries are stored (see
#: :func:`load_desired`), given the templates, the run's cache key and those entries (to which
#: it may add its own, :class:`waform.outcomes.Writes`).
Beside = Callable[[Sequence[DesiredTemplate], str, Writes], object]


async def load_in_thread(load: Callable[[], DesiredState]) -> DesiredState:
    """``load()`` in a worker thread (the event loop goes on); if the caller is cancelled, the
    thread goes on, and what it forked is waited for once it is done (no zombie)."""
    # A future, not a task: asyncio.run cancels the tasks left when its coroutine ends.
    loading = asyncio.get_running_loop().run_in_executor(None, load)
    try:
        return await asyncio.shield(loading)
    except asyncio.CancelledError:
        loading.add_done_callback(_written_later)
        raise


def _written_later(loading: asyncio.Future[DesiredState]) -> None:
    """Wait in a thread for what a cancelled load stores (a failed one has waited)."""
    if not loading.cancelled() and loading.exception() is None:
        reap_later(loading.result().written)


def settings_key(settings: RuleSettings) -> dict[str, Any]:
    """What of the rule settings a file's outcome depends on (part of every cache key)."""
    return {"rules": dict(sorted(settings.overrides.items())), "strict": settings.strict}


def load_desired(
    paths: Sequence[str | Path],
    settings: RuleSettings,
    *,
    cache: LoadCache | None = None,
    workers: int | None = None,
    pool_from: int = POOL_MIN_FILES,
    write_later: bool = False,
    beside: Beside | None = None,
) -> DesiredState:
    """Load and check every template file under ``paths`` (see the module doc).

    ``workers``: processes for cold files (default: the CPUs this process may use; 1 = none),
    used from ``pool_from`` cold files on. ``write_later``: the new cache entries are encoded
    and stored beside the caller (:meth:`waform.outcomes.Writes.store_elsewhere`), which calls
    :meth:`DesiredState.written` before it ends (``plan`` does, after the fetch: the files are
    known valid before the entries are stored).

    ``beside``: with a cache, work on the templates of a cold load without errors, done where
    the new entries are stored, before them (``plan`` adds what it needs of the templates for
    the next plan to them, and learns their hash: :func:`waform.stored_forms.store`);
    :attr:`DesiredState.beside` waits for its result. With ``write_later``, that is one forked
    process, begun before any request (a fork then copies no lock another thread holds).
    """
    with collector_paused():  # see waform.gcpause
        return _Run(paths, settings, cache, workers, pool_from).state(write_later, beside)


class _Run:
    def __init__(
        self,
        paths: Sequence[str | Path],
        settings: RuleSettings,
        cache: LoadCache | None,
        workers: int | None,
        pool_from: int,
    ) -> None:
        self.settings = settings
        self.pool_from = pool_from
        self.cache = cache
        self.workers = usable_cpus() if workers is None else workers
        self.paths = find_template_files(paths)
        self.scope = Keys(settings_key(settings))
        self.raw: list[bytes | None] = [None] * len(self.paths)  # None: not read yet
        self.unreadable: dict[int, Diagnostic] = {}
        #: Each file's cache key, made where the file is read (``None``: unreadable).
        self.keys: list[str | None] = [None] * len(self.paths)
        self.run_key = ""
        # Nothing stored (no cache, or an empty one): every file is cold, and each is read
        # where it is loaded (a helper reads and keys its own), so the helpers start at once.
        self.all_cold = cache is None or cache.is_empty()
        if not self.all_cold:
            for index in range(len(self.paths)):
                self._read(index)
            self.run_key = self.scope.run(self.keys)

    def _read(self, index: int) -> bytes:
        raw = self.raw[index]
        if raw is None:
            raw, problem = read_bytes(self.paths[index])
            self.raw[index] = raw
            if problem is not None:
                self.unreadable[index] = problem
            elif self.cache is not None:  # keys are only for the cache
                self.keys[index] = self.scope.file(self.paths[index], raw)
        return raw

    def state(self, write_later: bool = False, beside: Beside | None = None) -> DesiredState:
        stored = None
        if self.cache is not None and not self.all_cold:
            stored = decode_run(self.cache.get(self.run_key) or b"")
        if stored is not None and self.cache is not None:
            # The run's other entry (what a plan needs of its templates) is used with it.
            self.cache.put_many({}, used=[self.run_key, Keys.forms(self.run_key)])
            return DesiredState(
                stored.findings(),
                len(self.paths),
                stored.templates,
                stored.waived(),
                run_key=self.run_key,
                cache_dir=self.cache.directory,
                _materialise=self._load_warm,
                _names=stored.names,
            )
        writes = Writes()
        loaded, silenced, wordings = self._load(writes)
        # Freed before the process that stores the new entries is forked below: freed later,
        # each memory page they lie on would be copied first (the child shares them until it
        # ends). For the same reason that process is forked last, once this one is done with
        # the templates; until then, each page this process writes to (a reference count is
        # enough) is copied.
        self.raw = [None] * len(self.paths)
        # As the rules see them: files without errors, then the valid parts of the others.
        across = check_across([*loaded.files, *loaded.partial], self.settings, wordings)
        del wordings  # before the fork below (see above)
        diagnostics = sort_diagnostics([*loaded.diagnostics, *across.diagnostics])
        silenced = [*silenced, *across.silenced]
        state = DesiredState.of(loaded, diagnostics, silenced)
        if self.cache is None:
            return state
        state.run_key, state.cache_dir = self.run_key, self.cache.directory
        writes.items[self.run_key] = encode_run(
            diagnostics, silenced, len(loaded.templates), state.names
        )
        # Only a load the caller goes on with needs what is worked out beside it.
        first = (
            functools.partial(beside, loaded.templates, self.run_key)
            if beside is not None and state.ok
            else None
        )
        if write_later:
            begun = writes.store_elsewhere(self.cache.directory, can_fork(), first)
            state.writing(begun.ended)
            result: Callable[[], object] = begun.result
        else:
            known = writes.store(self.cache, first)
            result = lambda: known  # noqa: E731 - the result is known
        state.beside = result if first is not None else None
        return state

    def _load_warm(self) -> LoadResult:
        """A warm load's files, from the cache (reopened if the caller closed it), closed after:
        left open, it lingers until a full collection (its statement cache is a cycle)."""
        assert self.cache is not None
        try:
            return self._load()[0]
        finally:
            self.cache.close()

    def _load(
        self, writes: Writes | None = None
    ) -> tuple[LoadResult, list[Silenced], list[list[Wording] | None]]:
        """Every file, from the cache or loaded anew (and then stored: into ``writes`` if
        given, else now), plus the loader's checks across files (the rules across files are the
        caller's); what the per-file rules silenced, and what the rules across files compare of
        the files checked in this run (:attr:`waform.outcomes.Outcome.wordings`)."""
        position = {key: index for index, key in enumerate(self.keys) if key is not None}

        def from_value(key: str, value: bytes) -> Outcome | None:
            entry = decode_file(value)
            return None if entry is None else self._from_entry(position[key], entry)

        # Each stored value becomes its outcome as it is read (not all values first).
        stored = self.cache.read_many(list(position), from_value) if self.cache else {}
        outcomes: list[Outcome | None] = [None] * len(self.paths)
        cold: list[int] = list(range(len(self.paths))) if self.all_cold else []
        for index, key in enumerate([] if self.all_cold else self.keys):
            found = stored.get(key) if key is not None else None
            if index in self.unreadable:
                outcomes[index] = Outcome(None, [self.unreadable[index]])
            elif found is None:
                cold.append(index)
            else:
                outcomes[index] = found
        fresh = self._load_cold(cold)
        for index, (outcome, _value) in zip(cold, fresh, strict=True):
            outcomes[index] = outcome
        if self.all_cold and self.cache is not None:
            self.run_key = self.scope.run(self.keys)  # every file has been read now
        if self.cache is not None:
            pending = writes if writes is not None else Writes()
            for index, (outcome, value) in zip(cold, fresh, strict=True):
                if (key := self.keys[index]) is None:
                    continue
                # Without its wordings, which would stay in memory until it is stored.
                pending.items[key] = value or Outcome(
                    outcome.loaded, outcome.diagnostics, outcome.silenced
                )
            pending.used.extend(stored)
            if writes is None:
                pending.store(self.cache)
        return assemble(outcomes, self.settings, len(self.paths))

    def _from_entry(self, index: int, entry: FileEntry) -> Outcome:
        path = self.paths[index]
        template = entry.template
        findings, waived = entry.findings(path), entry.waived(path)
        if template is None:
            return Outcome(None, findings, waived)
        text = decode(self.raw[index] or b"")[0] or ""
        if not entry.complete:
            return Outcome(LoadedFile(path, template, None, text, complete=False), findings, waived)
        desired = template.desired()
        for item in desired:
            line, column = entry.sources.get(item.language, (1, 1))
            object.__setattr__(item, "source", SourceRef(path, line, column))
        return Outcome(LoadedFile(path, template, None, text, desired), findings, waived)

    def _load_cold(self, cold: list[int]) -> list[tuple[Outcome, bytes | None]]:
        """Outcome of each cold file, in order, with its stored form when it came from a
        helper (``None``: not encoded yet, see :class:`Writes`).

        With a pool, this process and ``workers - 1`` forked helpers share the files from both
        ends (:mod:`waform.workshare`); a helper sends each file's stored form, which this
        process decodes (about a tenth of the work of loading the file), and its wordings.
        """
        rules = FileRules(self.settings)

        def here(start: int, end: int) -> list[tuple[Outcome, bytes | None]]:
            return [(self._check(index, rules), None) for index in cold[start:end]]

        def there(start: int, end: int) -> list[Sent]:
            """Per file: its bytes and key if this helper read them, its stored form
            (``None`` for an unreadable file, which this process then reads and reports) and
            wordings."""
            sent: list[Sent] = []
            for index in cold[start:end]:
                unread = self.raw[index] is None
                outcome = self._check(index, rules)
                if index in self.unreadable:
                    sent.append((None, None, None, None))
                    continue
                raw, key = (self.raw[index], self.keys[index]) if unread else (None, None)
                sent.append((raw, key, stored_form(outcome), outcome.wordings))
            return sent

        def take(start: int, end: int, results: list[Sent]) -> list[tuple[Outcome, bytes | None]]:
            taken: list[tuple[Outcome, bytes | None]] = []
            for index, (raw, key, value, wordings) in zip(cold[start:end], results, strict=True):
                if raw is not None:
                    self.raw[index], self.keys[index] = raw, key
                entry = None if value is None else decode_file(value)
                if entry is None:  # unreadable (or, never, not decodable): done here
                    taken.append((self._check(index, rules), None))
                    continue
                outcome = self._from_entry(index, entry)
                outcome.wordings = wordings
                taken.append((outcome, value))
            return taken

        if len(cold) < self.pool_from or self.workers < 2 or not can_fork():
            return here(0, len(cold))
        return share(len(cold), self.workers - 1, here=here, there=there, take=take)

    def _check(self, index: int, rules: FileRules) -> Outcome:
        """Read (unless read already), load and check one file."""
        raw = self._read(index)
        problem = self.unreadable.get(index)
        return (
            Outcome(None, [problem]) if problem else load_and_check(self.paths[index], raw, rules)
        )
