"""What the files say once loaded and checked (:func:`waform.desired.load_desired`): the
diagnostics, the templates (decoded on first use when the run came from the load cache) and
what is still being stored for the run; and the error that refuses files with problems."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from waform.diagnostics import Diagnostic
from waform.errors import WaformError
from waform.gcpause import collector_paused
from waform.loader import LoadedFile, LoadResult
from waform.model.template import DesiredTemplate
from waform.rules.silence import Silenced


class InvalidDesiredStateError(WaformError):
    """The files do not load or break an error-level rule; ``diagnostics`` says where."""

    def __init__(
        self, message: str, diagnostics: Sequence[Diagnostic], silenced: Sequence[Silenced] = ()
    ) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        #: Findings the templates silenced: listed beside the problems, never failing.
        self.silenced = list(silenced)


@dataclass
class DesiredState:
    """What the files say, after the loader and the rules.

    ``templates`` and ``files`` are decoded on first use when the run came from the cache.
    """

    diagnostics: list[Diagnostic]
    files_read: int
    """Template files found (loaded or not)."""
    template_count: int
    silenced: list[Silenced] = field(default_factory=list)
    """Rule findings the templates silenced, with their reasons; they fail nothing."""
    _templates: list[DesiredTemplate] | None = None
    _files: list[LoadedFile] | None = None
    run_key: str = ""
    """The load cache's key of this run (``""``: loaded without the cache)."""
    cache_dir: Path | None = None
    _materialise: Callable[[], LoadResult] | None = None
    _writing: list[Callable[[], object]] = field(default_factory=list)
    _names: list[str] | None = None
    beside: Callable[[], object] | None = None
    """The result of ``load_desired(beside=)`` (it waits until that is done)."""

    @classmethod
    def of(
        cls, loaded: LoadResult, diagnostics: list[Diagnostic], silenced: list[Silenced]
    ) -> DesiredState:
        count = len(loaded.templates)
        return cls(diagnostics, loaded.files_read, count, silenced, loaded.templates, loaded.files)

    @property
    def ok(self) -> bool:
        """No error (under ``--strict`` every warning already is one)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def templates(self) -> list[DesiredTemplate]:
        """One per (name, language), in file order, ``source`` = the language key's position."""
        self._decode()
        return self._templates  # type: ignore[return-value]

    @property
    def names(self) -> list[str]:
        """The templates' names, sorted, one per template-language — without decoding a warm
        load's templates (the fetch splits the name space by them while they are decoded)."""
        if self._names is None:
            self._names = sorted(t.name for t in self.templates)
        return self._names

    @property
    def files(self) -> list[LoadedFile]:
        """The files that loaded without errors."""
        self._decode()
        return self._files  # type: ignore[return-value]

    @property
    def decoded(self) -> bool:
        """The templates are in memory (else the run's entry answered, and they are decoded
        from the cache when asked for)."""
        return self._materialise is None

    def written(self) -> None:
        """Wait until the load cache holds what this load found (``write_later``), and what
        was stored beside it (:meth:`writing`)."""
        while self._writing:
            self._writing.pop(0)()

    def writing(self, wait: Callable[[], object]) -> None:
        """Something is being stored for this run; :meth:`written` waits for it too."""
        self._writing.append(wait)

    def _decode(self) -> None:
        if self._templates is None and self._materialise is not None:
            with collector_paused():  # see waform.gcpause (callers may run with it on)
                loaded = self._materialise()
            self._templates, self._files, self._materialise = loaded.templates, loaded.files, None
