"""Desired state from disk: template files → models, every problem a ``path:line:col`` diagnostic.

Data flows one way: :func:`find_template_files` walks the paths (``*.yaml``/``*.yml``, sorted,
hidden directories and ``waform.yaml`` skipped); each file is size-checked, decoded as UTF-8,
read by :mod:`waform.yamlsafe` (libyaml, safe, positions kept), validated by
:class:`~waform.model.template.TemplateFile`, and its pydantic errors are explained and placed by
:mod:`waform.validation_errors`. Checks across files come last ((name, language) defined
twice, one name with two categories). All problems of a run are collected; nothing is raised for
bad *content*. Only unusable *arguments* (a path that does not exist, no template files at all)
raise :class:`~waform.errors.WaformError`.

Speed: 10,000 template-languages in 5,000 files load in about a second of CPU. Positions come
from the node graph composed once per file; a loaded file keeps only its text and re-composes it
the first time :meth:`LoadedFile.locate` is called (rules locate only their findings).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from waform.diagnostics import Diagnostic, Severity, sort_diagnostics
from waform.errors import WaformError
from waform.gcpause import collector_paused
from waform.model.enums import normalize_language
from waform.model.template import DesiredTemplate, SourceRef, TemplateFile
from waform.validation_errors import NodeFinder, explain, place
from waform.yamlsafe import (
    FileTooLarge,
    MappingNode,
    Node,
    SequenceNode,
    UnreadableFile,
    YAMLError,
    compose,
    decode,
    mapping_items,
    position,
    read_bounded,
    read_yaml,
)

#: Larger files are refused unread (a template file is a few KiB).
MAX_FILE_BYTES = 1 << 20
TEMPLATE_SUFFIXES = (".yaml", ".yml")
#: The configuration file may live in the templates tree; it is not a template.
SKIPPED_FILE_NAMES = frozenset({"waform.yaml", "waform.yml"})

#: YAML problems after which the value at that place was kept as its text.
_READ_AS_TEXT = frozenset({"unsafe-tag", "yaml-syntax"})

Loc = tuple[str | int, ...]


class LoadedFile:
    """One template file that loaded and validated without errors (:attr:`complete`), or the
    valid languages of one with errors, which the rules still check so a run reports all.

    It keeps the model and the file's text; the plain YAML value (:attr:`data`) and the node
    graph behind :meth:`locate` are re-derived from the text on first use, so 10,000 loaded
    templates do not pin millions of small objects the rules and the differ never look at.
    """

    __slots__ = ("path", "template", "text", "desired", "complete", "_data", "_finder")

    def __init__(
        self,
        path: str,
        template: TemplateFile,
        data: dict[str, Any] | None = None,
        text: str = "",
        desired: Sequence[DesiredTemplate] = (),
        complete: bool = True,
    ) -> None:
        self.path = path
        self.template = template
        self.text = text
        self.complete = complete
        #: This file's templates, one per language, ``source`` set (as in ``LoadResult.templates``).
        self.desired = list(desired)
        self._data = data
        self._finder: NodeFinder | None = None

    def __repr__(self) -> str:
        return f"LoadedFile({self.path!r}, name={self.template.name!r})"

    @property
    def data(self) -> dict[str, Any]:
        """The file's plain YAML value (dicts, lists, scalars) the model was validated from."""
        if self._data is None:
            value = read_yaml(self.text).data if self.text else None
            self._data = value if isinstance(value, dict) else {}
        return self._data

    def locate(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """1-based ``(line, column)`` of the value at a pydantic-style ``loc``.

        Union tags (``HEADER_TEXT``, ``URL``) are skipped, language codes match however they
        are spelt in the file (``EN_US`` finds ``en_US:``); a part that is not in the file falls
        back to the nearest ancestor that is.
        """
        return self._position(tuple(loc), key=False)

    def locate_key(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Like :meth:`locate`, but the position of the mapping *key* of the last part."""
        return self._position(tuple(loc), key=True)

    def _position(self, loc: Loc, *, key: bool) -> tuple[int, int]:
        finder = self._finder
        if finder is None:
            # Composed once per file and kept: a file with many findings is parsed only once.
            try:
                root = compose(self.text) if self.text else None
            except YAMLError:  # the text was read once already; cannot happen
                root = None
            if root is None:
                return (1, 1)
            finder = self._finder = NodeFinder(root)
        return position(finder.find(loc, key=key).start_mark)


@dataclass
class LoadResult:
    """Everything one load found. ``files`` and ``templates`` hold only files without errors."""

    files: list[LoadedFile] = field(default_factory=list)
    partial: list[LoadedFile] = field(default_factory=list)
    """The valid part of files with errors: only for the rules (nothing is planned from them)."""
    templates: list[DesiredTemplate] = field(default_factory=list)
    """One per (name, language), in file order, ``source`` = the language key's position."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_read: int = 0
    """Template files found and read, valid or not."""

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


# ---------------------------------------------------------------- finding files


def find_template_files(paths: Sequence[str | Path], *, required: bool = True) -> list[str]:
    """Template files under ``paths``, in a deterministic order, each once.

    A directory contributes its ``*.yaml``/``*.yml`` files recursively (sorted; hidden
    directories and files skipped); a file named explicitly is read whatever its name, except
    ``waform.yaml``, which is never a template (pre-commit hooks pass it along with the rest).
    Raises :class:`WaformError` for a path that does not exist or, when ``required``, when
    nothing is found: an empty desired state would otherwise read as "delete everything".
    """
    if not paths:
        raise WaformError("no paths given; name the template files or directories to read")
    for raw in paths:
        # A broken or looping symbolic link exists (lexists) and is reported as that file's
        # problem, like one found in a directory, not as a mistyped path.
        if not os.path.lexists(raw):
            raise WaformError(f"{os.fspath(raw)}: no such file or directory")
    found: list[str] = []
    seen: set[str] = set()
    overlap_possible = len(paths) > 1  # one directory walk never yields a file twice

    def add(candidate: str) -> None:
        if overlap_possible:
            real = os.path.realpath(candidate)
            if real in seen:
                return
            seen.add(real)
        found.append(os.path.normpath(candidate))

    for raw in paths:
        top = os.fspath(raw)
        if not os.path.isdir(top):
            if os.path.basename(top) not in SKIPPED_FILE_NAMES:
                add(top)
            continue
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(names):
                if (
                    name.endswith(TEMPLATE_SUFFIXES)
                    and not name.startswith(".")
                    and name not in SKIPPED_FILE_NAMES
                ):
                    add(os.path.join(directory, name))
    if not found and required:
        shown = ", ".join(os.fspath(p) for p in paths)
        raise WaformError(f"no template files (*.yaml, *.yml) found in {shown}")
    return found


# ---------------------------------------------------------------- loading


def load_paths(paths: Sequence[str | Path], *, required: bool = True) -> LoadResult:
    """Load and validate every template file under ``paths`` (see :func:`find_template_files`;
    ``required=False``: none at all is an empty result, as for an import's target directory)."""
    files = find_template_files(paths, required=required)
    result = LoadResult(files_read=len(files))
    with collector_paused():  # see waform.gcpause
        for path in files:
            loaded, diagnostics = load_file(path)
            result.diagnostics.extend(diagnostics)
            if loaded is not None:
                (result.files if loaded.complete else result.partial).append(loaded)
        check_across_files(result)
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


def load_file(path: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Read one file: the loaded file (incomplete, or ``None``, if it has errors) and its
    diagnostics."""
    raw, problem = read_bytes(path)
    if problem is not None:
        return None, [problem]
    return load_bytes(path, raw)


def load_bytes(path: str, raw: bytes) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """:func:`load_file` for bytes already read (the load cache hashes them first)."""
    text, bad = decode(raw)
    if bad is not None:
        return None, [Diagnostic(path, bad.line, bad.column, "error", bad.message, bad.code)]
    try:
        return load_text(path, text)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - a bad file must never end the run with a traceback
        message = f"cannot read this file ({type(exc).__name__}: {exc})"
        return None, [Diagnostic(path, 1, 1, "error", message, "internal")]


def read_bytes(path: str) -> tuple[bytes, Diagnostic | None]:
    """The file's bytes, or the diagnostic that says why it cannot be read (see
    :func:`~waform.yamlsafe.read_bounded`: regular files only, never more than 1 MiB)."""
    try:
        return read_bounded(path, MAX_FILE_BYTES), None
    except FileTooLarge as exc:
        size = f"file is {exc.size:,} bytes" if exc.size else "file is larger than 1 MiB"
        message = f"{size}; template files are limited to 1 MiB ({MAX_FILE_BYTES:,} bytes)"
        return b"", Diagnostic(path, 1, 1, "error", message, "file-too-large")
    except UnreadableFile as exc:
        return b"", Diagnostic(path, 1, 1, "error", str(exc), "io")


def _file_name_warning(path: str, name: str) -> str | None:
    """Why the file's name does not fit the template's (``None`` when it does)."""
    if os.path.basename(path).rsplit(".", 1)[0] == name:
        return None
    shown = name if len(name) <= 60 else name[:57] + "…"
    return (
        f"file name {os.path.basename(path)!r} does not match the template name "
        f"{shown!r} (expected {shown}.yaml)"
    )


def load_text(path: str, text: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    """Load one template from its text; ``path`` is only used in diagnostics."""
    diagnostics: list[Diagnostic] = []

    def add(line: int, column: int, message: str, code: str, severity: Severity = "error") -> None:
        diagnostics.append(Diagnostic(path, line, column, severity, message, code))

    doc = read_yaml(text)
    for problem in doc.problems:
        add(problem.line, problem.column, problem.message, problem.code)
    if doc.fatal:
        return None, diagnostics
    root, data = doc.root, doc.data
    if root is None or data is None:
        add(1, 1, "file is empty; a template file needs name, category and languages", "schema")
        return None, diagnostics
    if not isinstance(data, dict):
        line, column = position(root.start_mark)
        message = (
            f"expected a mapping (name, category, languages) at the top level, got {_kind(root)}"
        )
        add(line, column, message, "schema")
        return None, diagnostics
    finder = NodeFinder(root)
    # A value under a refused tag, or one its tag could not convert, was read as text; a
    # schema error at the same place would be noise.
    tagged = {(p.line, p.column) for p in doc.problems if p.code in _READ_AS_TEXT}
    attempt: dict[str, Any] | None = data
    while True:  # each pass leaves out what failed, so every language's errors are reported
        try:
            template = TemplateFile.model_validate(attempt)
            break
        except ValidationError as exc:
            for finding in explain(exc, attempt):
                line, column = place(finder, finding)
                if (line, column) not in tagged:
                    add(line, column, finding.message, finding.code)
            attempt = TemplateFile.without_failed(attempt, exc.errors())  # type: ignore[arg-type]
            if attempt is None:
                return None, diagnostics
    for loc, message in template.cross_field_errors():
        line, column = position(finder.find(loc, key=False).start_mark)
        add(line, column, message, "schema")
    misnamed = _file_name_warning(path, template.name)
    if misnamed:
        add(
            *position(finder.find(("name",), key=False).start_mark),
            misnamed,
            "file-name",
            "warning",
        )
    if any(d.severity == "error" for d in diagnostics):
        return LoadedFile(path, template, None, text, complete=False), diagnostics
    sources = _language_sources(finder, path)
    desired = template.desired()
    for item in desired:
        # Freshly built and not yet shared: setting the field in place (as the dataclass's own
        # __init__ does) saves a dataclasses.replace() copy per template-language.
        object.__setattr__(item, "source", sources.get(item.language) or SourceRef(path))
    return LoadedFile(path, template, None, text, desired), diagnostics


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    shown = repr(node.value) if len(node.value) <= 40 else repr(node.value[:36]) + "…"
    return f"the value {shown}"


def _language_sources(finder: NodeFinder, path: str) -> dict[str, SourceRef]:
    """Normalised language code → position of its key, for :attr:`DesiredTemplate.source`."""
    languages = finder.find(("languages",), key=False)
    sources: dict[str, SourceRef] = {}
    if isinstance(languages, MappingNode):
        for key_node, _value in mapping_items(languages):
            code = normalize_language(str(key_node.value))
            sources.setdefault(code, SourceRef(path, *position(key_node.start_mark)))
    return sources


def check_across_files(result: LoadResult) -> None:
    """(name, language) defined in two files; one template name with two categories.

    Nearly every name is in one file, whose languages the model keeps apart: only the languages
    of a name met again are looked at one by one (a cold plan waits for this before it sends
    its first request)."""
    first: dict[str, LoadedFile] = {}  # the first file of each name
    defined: dict[tuple[str, str], SourceRef] = {}  # of the names met again
    for loaded in result.files:
        template = loaded.template
        earlier = first.setdefault(template.name, loaded)
        if earlier is loaded:
            result.templates.extend(loaded.desired)
            continue
        if earlier.template.category != template.category:
            here, there = _source(loaded, ("category",)), _source(earlier, ("category",))
            message = (
                f"template {template.name!r} has category {template.category} here but "
                f"{earlier.template.category} at {there}; all languages of a template share one "
                "category"
            )
            result.diagnostics.append(_duplicate(here, message))
        if earlier.desired and earlier.desired[0].key not in defined:  # met again: the first time
            defined.update((d.key, d.source or SourceRef(earlier.path)) for d in earlier.desired)
        for desired in loaded.desired:
            source = desired.source or SourceRef(loaded.path)
            first_source = defined.get(desired.key)
            if first_source is not None:
                message = (
                    f"template {desired.name!r} language {desired.language} is defined twice: "
                    f"at {first_source} and here ({source})"
                )
                result.diagnostics.append(_duplicate(source, message))
                continue
            defined[desired.key] = source
            result.templates.append(desired)


def _duplicate(at: SourceRef, message: str) -> Diagnostic:
    return Diagnostic(at.path, at.line, at.column, "error", message, "duplicate-template")


def _source(loaded: LoadedFile, loc: Loc) -> SourceRef:
    return SourceRef(loaded.path, *loaded.locate(loc))
