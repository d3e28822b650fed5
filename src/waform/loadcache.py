"""The load cache: what loading and checking a template file found, kept between runs.

Loading 10,000 template-languages (YAML with positions, the models, Meta's per-file rules) costs
seconds of CPU; a pre-commit hook or a CI run usually changes a handful of files. So each file's
outcome is stored under a key that names everything it depends on — the file's path and bytes,
waform's version, the rule settings and this format — and a file whose key is stored is not read
again. A second key over all the files of a run keeps the run's whole diagnostics, so an
unchanged repository skips the checks across files too, and a third one what a plan needs of the
run's templates (:mod:`waform.stored_forms`), so it need not decode them.

Where: ``$WAFORM_CACHE_DIR``, else ``.waform/cache`` beside ``waform.yaml`` (or under the working
directory), one SQLite file; the directory holds a ``.gitignore`` of ``*`` so git never sees it,
and CI keeps it between runs with ``actions/cache``. ``--no-cache`` bypasses it.

Trust: values are JSON, never pickle — pickle runs code when it loads, and a CI cache restored
from another branch is data anyone who can open a pull request may have shaped (an HMAC would
need a key outside the cache, which CI does not keep). Every value is validated as it is read
(the template through its own model, strict, as when it was first loaded); a value that fails,
a database that is not one or not ours, is ignored, and what was loaded instead is written over
it (a plan's forms are sealed with their sha256 and validated row by row; their wire forms are
compared as JSON, and validated with their model where a plan uses more of them). Any other
problem with the cache only costs speed: the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from waform import __version__
from waform.diagnostics import Diagnostic
from waform.model.template import TemplateFile
from waform.rules.silence import Silenced

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Bump when what an entry holds, or how it is read back, changes.
FORMAT = 2
CACHE_DIR_ENV = "WAFORM_CACHE_DIR"
DEFAULT_CACHE_DIR = Path(".waform") / "cache"
DATABASE = "load-cache.sqlite3"
#: SQLite ``application_id`` of our database ("WAFC"): any other file at that path is foreign.
APPLICATION_ID = 0x57414643
#: Entries not used for this long are dropped when the cache is next written.
KEEP_SECONDS = 30 * 24 * 3600
_BATCH = 500  # keys per SELECT (SQLite's variable limit is 999 on old builds)


def cache_dir(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``$WAFORM_CACHE_DIR`` if set, else ``.waform/cache`` under ``root`` (waform.yaml's dir)."""
    env = os.environ if environ is None else environ
    explicit = env.get(CACHE_DIR_ENV)
    return Path(explicit) if explicit else root / DEFAULT_CACHE_DIR


# ---------------------------------------------------------------- entries


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Severity = Literal["error", "warning"]
StoredDiagnostic = tuple[int, int, Severity, str, str]
"""``(line, column, severity, message, code)`` of a diagnostic in the entry's own file."""
Waived = tuple[int, int, Severity, str, str, str]
"""A finding its template silenced, and the reason: ``(*finding, reason)``."""


class FileEntry(_Entry):
    """One file: its diagnostics (loader and per-file rules), the findings it silenced, and the
    template — with the position of each language key when the file is ``complete``; without
    errors, else the valid part the rules saw."""

    diagnostics: list[StoredDiagnostic]
    silenced: list[Waived] = []
    template: TemplateFile | None = None
    complete: bool = True
    sources: dict[str, tuple[int, int]] = {}

    def findings(self, path: str) -> list[Diagnostic]:
        return [Diagnostic(path, *finding) for finding in self.diagnostics]

    def waived(self, path: str) -> list[Silenced]:
        return [Silenced(Diagnostic(path, *w[:5]), w[5]) for w in self.silenced]


class RunEntry(_Entry):
    """All files of one run: every diagnostic and silenced finding, how many templates loaded
    and their names (sorted, one per template-language: where the fetch may split the name
    space before the templates are decoded)."""

    diagnostics: list[tuple[str, int, int, Severity, str, str]]
    silenced: list[tuple[str, int, int, Severity, str, str, str]]
    templates: int
    #: Sorted as read: the cut through the name space needs them in order (a shaped entry's
    #: would fail it), and a sorted list costs one pass (about 1 ms for 10,000).
    names: Annotated[list[str], AfterValidator(sorted)] = []

    def findings(self) -> list[Diagnostic]:
        return [Diagnostic(*finding) for finding in self.diagnostics]

    def waived(self) -> list[Silenced]:
        return [Silenced(Diagnostic(*w[:6]), w[6]) for w in self.silenced]


def _row(d: Diagnostic) -> tuple[int, int, Severity, str, str]:
    return (d.line, d.column, d.severity, d.message, d.code)


def encode_file(
    diagnostics: Iterable[Diagnostic],
    silenced: Iterable[Silenced],
    template: TemplateFile | None,
    complete: bool,
    sources: Mapping[str, tuple[int, int]],
) -> bytes:
    """The stored form of one file's outcome (JSON; the template as its model dumps it)."""
    entry = FileEntry(
        diagnostics=[_row(d) for d in diagnostics],
        silenced=[(*_row(s.diagnostic), s.reason) for s in silenced],
        template=template,
        complete=complete,
        sources=dict(sources),
    )
    return entry.model_dump_json(exclude_unset=True).encode()


def encode_run(
    diagnostics: Sequence[Diagnostic],
    silenced: Sequence[Silenced],
    templates: int,
    names: Sequence[str] = (),
) -> bytes:
    entry = RunEntry(
        diagnostics=[(d.path, *_row(d)) for d in diagnostics],
        silenced=[(s.diagnostic.path, *_row(s.diagnostic), s.reason) for s in silenced],
        templates=templates,
        names=list(names),
    )
    return entry.model_dump_json().encode()


def decode_file(value: bytes) -> FileEntry | None:
    """The entry, or ``None`` for a value that is not a valid one (it is then loaded anew)."""
    try:
        return FileEntry.model_validate_json(value)
    except ValidationError:
        return None


def decode_run(value: bytes) -> RunEntry | None:
    try:
        return RunEntry.model_validate_json(value)
    except ValidationError:
        return None


# ---------------------------------------------------------------- keys


class Keys:
    """Cache keys for one configuration of the pipeline (version, rule settings, format)."""

    def __init__(self, settings: Mapping[str, object]) -> None:
        scope = json.dumps(
            {"format": FORMAT, "waform": __version__, "settings": settings}, sort_keys=True
        )
        self._scope = hashlib.sha256(scope.encode()).digest()

    def file(self, path: str, raw: bytes) -> str:
        digest = hashlib.sha256(self._scope)
        digest.update(path.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(raw)
        return "f" + digest.hexdigest()

    def run(self, file_keys: Sequence[str | None]) -> str:
        """Over every file of a run, in order (``None``: a file that could not be read)."""
        digest = hashlib.sha256(self._scope)
        for key in file_keys:
            digest.update((key or "-").encode() + b"\n")
        return "r" + digest.hexdigest()

    @staticmethod
    def forms(run_key: str) -> str:
        """The key of what a plan needs of that run's templates (:mod:`waform.stored_forms`)."""
        return "p" + run_key[1:]


# ---------------------------------------------------------------- the store


class LoadCache:
    """One SQLite file of ``key → value``; every method survives a broken or busy database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / DATABASE
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self._db = self._open()
            except (OSError, sqlite3.Error) as exc:
                log.debug("load cache %s unusable (%s); running without it", self.path, exc)
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# waform's load cache (safe to delete)\n*\n", encoding="utf-8")
        try:
            return self._connect_ours()
        except sqlite3.DatabaseError as exc:
            # Corrupt, or some other program's file: ours is rebuilt from the files.
            log.debug("load cache %s is not ours or damaged (%s); starting afresh", self.path, exc)
            self.path.unlink(missing_ok=True)
            return self._connect_ours()

    def _connect_ours(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=2.0, isolation_level=None)
        try:
            (app,) = db.execute("PRAGMA application_id").fetchone()
            if app != APPLICATION_ID:
                tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise sqlite3.DatabaseError(f"application_id {app:#x}")
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS entries "
                    "(key TEXT PRIMARY KEY, value BLOB NOT NULL, used REAL NOT NULL)"
                )
            db.execute("SELECT key, value, used FROM entries LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def is_empty(self) -> bool:
        """Nothing is stored (or the cache cannot be used): every file of a run is cold."""
        db = self._connect()
        if db is None:
            return True
        try:
            return db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None
        except sqlite3.Error as exc:
            self._forget(exc)
            return True

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored values of those ``keys`` that are stored."""
        return self.read_many(keys, lambda _key, value: value)

    def read_many(self, keys: Sequence[str], convert: Callable[[str, bytes], T]) -> dict[str, T]:
        """:meth:`get_many`, each ``(key, value)`` converted as it is read: the values of
        thousands of entries are never all kept at once."""
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[str, T] = {}
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", batch)
                for key, value in rows:
                    if isinstance(value, str):  # a value rewritten as text by someone else
                        value = value.encode("utf-8", "surrogateescape")
                    if isinstance(value, bytes):
                        found[key] = convert(key, value)
        except sqlite3.Error as exc:
            log.debug("load cache read failed (%s); loading without it", exc)
            self._forget(exc)
            return {}
        return found

    def get(self, key: str) -> bytes | None:
        return self.get_many([key]).get(key)

    def put_many(self, items: Mapping[str, bytes], used: Iterable[str] = ()) -> None:
        """Store ``items``, mark ``used`` keys as used now and, when something is stored, drop
        entries unused for a month (a run that only reads adds nothing to drop; finding them
        reads every value, 5 ms for 10,000 templates)."""
        db = self._connect()
        if db is None:
            return
        now = time.time()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO entries (key, value, used) VALUES (?, ?, ?)",
                [(key, value, now) for key, value in items.items()],
            )
            # Refreshed at most daily, so a warm run writes (almost) nothing.
            db.executemany(
                "UPDATE entries SET used = ? WHERE key = ? AND used < ?",
                [(now, key, now - 86400) for key in used],
            )
            if items:
                db.execute("DELETE FROM entries WHERE used < ?", (now - KEEP_SECONDS,))
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            log.debug("load cache write failed (%s); not cached this time", exc)
            self._forget(exc)

    def _forget(self, exc: sqlite3.Error) -> None:
        """After an error the connection is closed; a corrupt file is removed for the next run."""
        db, self._db = self._db, None
        if db is not None:
            try:
                db.execute("ROLLBACK") if db.in_transaction else None
            except sqlite3.Error:
                pass
            db.close()
        if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc):
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()
