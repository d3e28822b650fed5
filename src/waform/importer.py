"""`waform import`: turn the target's templates into repository YAML files, ready to commit.

Pure core, I/O at the edge: :func:`build_import` groups remote templates by name and renders one
document per name (no filesystem access); :func:`write_files` then writes them atomically
(temporary file + rename in the same directory), refusing to replace an existing file unless
``force`` — and checks every destination *before* writing the first one, so a refusal never leaves
half an import behind.

What a file contains is exactly what ``plan`` compares, so importing into an empty directory and
planning against the same target yields zero changes:

* the content of each language is the remote's *effective* content (the pending change if there is
  one, else the live one), read through the request models so key names and order are the ones a
  person would write (``example``, not a response-only spelling);
* ``status: draft`` appears only for a language whose pending change is an unsubmitted draft, and
  ``allowCategoryChange`` only when the remote has it on; both are written once for the file when
  every language agrees, else per language;
* Meta-generated templates (read-only at Sinch) and templates this client cannot read are skipped
  with a note instead of being written half-right.
"""

from __future__ import annotations

import fnmatch
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from waform import submissions
from waform.atomicfile import write_text_atomic
from waform.errors import WaformError
from waform.fields import file_form
from waform.model.components import TemplateDetails
from waform.model.enums import CATEGORIES, LANGUAGE_SET
from waform.model.remote import RemoteTemplate
from waform.model.template import NAME_PATTERN, TemplateFile
from waform.normalize import canonical_details

#: Where a repository keeps the JSON Schema of template files (``waform schema`` writes it).
SCHEMA_RELPATH = Path("schemas") / "template.schema.json"
SCHEMA_HEADER = "# yaml-language-server: $schema="

_NAME_RE = re.compile(NAME_PATTERN)
#: Plain scalars that YAML 1.1 readers (PyYAML, many editors) take for booleans or null.
_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|)$"
)
#: Characters a literal block scalar cannot carry faithfully (line breaks other than ``\n``).
_NOT_LITERAL_SAFE = re.compile(r"[\r\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportConflictError(WaformError):
    """Destination files exist and ``--force`` was not given."""


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something left out of (or adjusted in) the import, shown to the user."""

    name: str
    language: str | None
    message: str

    def render(self) -> str:
        where = f"{self.name}/{self.language}" if self.language else self.name
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """One rendered template file: where it goes and its whole text."""

    name: str
    path: Path
    text: str
    languages: tuple[str, ...]


@dataclass
class ImportResult:
    files: list[ImportedFile] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def language_count(self) -> int:
        return sum(len(f.languages) for f in self.files)


# ------------------------------------------------------------------ selection


def name_matches(name: str, pattern: str) -> bool:
    """``--name`` semantics: a glob when it has ``*?[``, else a prefix (like Sinch's filter)."""
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name.startswith(pattern)


def select_templates(
    remote: Iterable[RemoteTemplate],
    *,
    patterns: Sequence[str] = (),
    languages: Sequence[str] = (),
    manages: Callable[[str], bool] | None = None,
) -> tuple[list[RemoteTemplate], list[ImportNote]]:
    """The remote templates to import, and notes about the ones skipped on purpose."""
    wanted_languages = {lang for lang in languages}
    selected: list[RemoteTemplate] = []
    notes: list[ImportNote] = []
    for template in remote:
        if patterns and not any(name_matches(template.name, p) for p in patterns):
            continue
        if wanted_languages and template.language not in wanted_languages:
            continue
        if manages is not None and not manages(template.name):
            continue
        if template.isMetaGenerated:
            notes.append(
                ImportNote(
                    template.name,
                    template.language,
                    "skipped: generated by Meta (read-only, cannot be managed from git)",
                )
            )
            continue
        selected.append(template)
    return selected, notes


# ------------------------------------------------------------------ documents


def _plain(value: Any) -> Any:
    """Wrap strings so the dump is unambiguous and readable (block style everywhere)."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(_plain(item) for item in value)
        return seq
    if isinstance(value, str):
        if "\n" in value and not _NOT_LITERAL_SAFE.search(value):
            return LiteralScalarString(value)
        if _YAML11_SPECIAL.match(value):
            return SingleQuotedScalarString(value)
    return value


def _language_document(template: RemoteTemplate) -> tuple[dict[str, Any] | None, str | None]:
    """``(details, None)`` in request form, or ``(None, reason)`` when it cannot be imported.

    The response JSON goes through the plan engine's normaliser first (response-only labels
    dropped, output spellings mapped to input ones, default TTL left out, Meta's generated
    texts left out: :func:`waform.fields.file_form`) and then through the request models, so
    the file holds exactly what ``plan`` will compare — no more, no less.
    """
    raw = template.effective_details()
    if raw is None:
        return None, "skipped: the API returned no content for it"
    canonical = file_form(canonical_details(raw, category=template.category), template.category)
    try:
        parsed = TemplateDetails.model_validate(canonical, strict=False)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        return None, f"skipped: content not readable as a template ({loc}: {first['msg']})"
    return parsed.to_wire(), None


#: Sample value written where a read returned none (round-trip.md row 7); plan ignores it
#: while the read has none, and the file validates.
PLACEHOLDER = "sample"
_VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _variables(text: Any) -> list[str]:
    return list(dict.fromkeys(_VARIABLE.findall(text))) if isinstance(text, str) else []


def fill_missing_samples(details: dict[str, Any], where: str = "") -> list[str]:
    """Put :data:`PLACEHOLDER` samples where variables have none; returns the paths filled."""
    filled: list[str] = []
    for component in details.get("components", []):
        kind = component.get("type")
        count = len(_variables(component.get("text")))
        if kind == "BODY" and count and not component.get("examples"):
            component["examples"] = [PLACEHOLDER] * count
            filled.append(f"{where}components[BODY].examples")
        elif kind == "HEADER" and count and not component.get("example"):
            component["example"] = PLACEHOLDER
            filled.append(f"{where}components[HEADER].example")
        for i, button in enumerate(component.get("buttons") or []):
            if button.get("type") == "URL" and _variables(button.get("url")):
                if not button.get("example"):
                    button["example"] = _VARIABLE.sub(PLACEHOLDER, button["url"])
                    filled.append(f"{where}components[BUTTONS].buttons[{i}].example")
        for i, card in enumerate(component.get("cards") or []):
            filled += fill_missing_samples(card, f"cards[{i}].")
    return filled


def _status(template: RemoteTemplate) -> str:
    """``draft`` for an unsubmitted draft or rejected content (so plan does not resubmit it)."""
    pending = template.pending
    if pending is not None:
        return "submit" if pending.status == "IN_PROGRESS" else "draft"
    return "draft" if template.state == "REJECTED" else "submit"


def _allow_category_change(template: RemoteTemplate) -> bool:
    pending = template.pending
    return bool(pending is not None and pending.allowCategoryChange)


def build_document(
    name: str,
    languages: Sequence[RemoteTemplate],
    submitted: Mapping[tuple[str, str], Mapping[str, Any] | None] | None = None,
) -> tuple[dict[str, Any] | None, list[ImportNote]]:
    """The repository-format mapping for one template name (``None`` if nothing importable)."""
    notes: list[ImportNote] = []
    if not _NAME_RE.match(name) or len(name) > 512:
        return None, [ImportNote(name, None, "skipped: not a valid template name for a file")]
    entries: dict[str, tuple[RemoteTemplate, dict[str, Any]]] = {}
    for template in sorted(languages, key=lambda t: t.language):
        if template.language not in LANGUAGE_SET:
            notes.append(
                ImportNote(name, template.language, "skipped: language not known to this client")
            )
            continue
        if template.category not in CATEGORIES:
            notes.append(
                ImportNote(
                    name, template.language, f"skipped: category {template.category} not supported"
                )
            )
            continue
        details, reason = _language_document(template)
        if details is None:
            notes.append(ImportNote(name, template.language, reason or "skipped"))
            continue
        last = (submitted or {}).get(template.key)
        if last:
            submissions.restore(details, last, template.category)
        filled = fill_missing_samples(details)
        if filled:
            notes.append(
                ImportNote(
                    name,
                    template.language,
                    f"no sample came back for {', '.join(filled)}: wrote {PLACEHOLDER!r}; "
                    "replace it with a real sample before the next edit",
                )
            )
        entries[template.language] = (template, details)
        if _status(template) == "draft" and (
            template.state == "REJECTED"
            or (template.pending is not None and template.pending.status == "REJECTED")
        ):
            code = template.rejectionCode if template.rejectionCode not in (None, "NONE") else ""
            notes.append(
                ImportNote(
                    name,
                    template.language,
                    f"rejected by Meta{f' ({code})' if code else ''}: imported with status: draft; "
                    "fix the content and set status: submit to resubmit",
                )
            )
    if not entries:
        return None, notes

    categories = Counter(t.category for t, _ in entries.values())
    category = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    for code, (template, _) in entries.items():
        if template.category != category:
            notes.append(
                ImportNote(
                    name,
                    code,
                    f"category is {template.category} at the target but {category} in the file "
                    "(a file has one category); plan will show the difference",
                )
            )

    statuses = {code: _status(t) for code, (t, _) in entries.items()}
    allows = {code: _allow_category_change(t) for code, (t, _) in entries.items()}
    file_status = "draft" if set(statuses.values()) == {"draft"} else "submit"
    file_allow = set(allows.values()) == {True}

    doc: dict[str, Any] = {"name": name, "category": category}
    if file_status != "submit":
        doc["status"] = file_status
    if file_allow:
        doc["allowCategoryChange"] = True
    langs: dict[str, Any] = {}
    for code, (_, details) in entries.items():
        entry: dict[str, Any] = {}
        if statuses[code] != file_status:
            entry["status"] = statuses[code]
        if allows[code] != file_allow:
            entry["allowCategoryChange"] = allows[code]
        entry["details"] = details
        langs[code] = entry
    doc["languages"] = langs
    return doc, notes


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per scalar: readable diffs, no folding surprises
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    return yaml


def dump_document(document: dict[str, Any], schema_ref: str | None) -> str:
    """YAML text of one template file: schema header, block style, literal multi-line text.

    The text is read back and compared with ``document`` before it is returned, so a quirk of the
    emitter can never turn into a file that means something else.
    """
    buffer = io.StringIO()
    if schema_ref:
        buffer.write(f"{SCHEMA_HEADER}{schema_ref}\n")
    _yaml().dump(_plain(document), buffer)
    text = buffer.getvalue()
    reread = YAML(typ="safe", pure=True).load(text)
    if reread != document:
        raise WaformError(
            f"internal error: YAML for template {document.get('name')!r} re-reads differently"
        )
    TemplateFile.model_validate(reread)
    return text


def schema_reference(
    directory: Path, explicit: str | None = None, root: Path | None = None
) -> str | None:
    """What the ``$schema=`` header points at, relative to ``directory``.

    An explicit value (path or URL) wins; otherwise the nearest ``schemas/template.schema.json``
    found walking up from ``directory``; otherwise where ``waform schema`` would write it in
    ``root`` (the repository: the directory of waform.yaml); ``None`` without a root.
    """
    if explicit:
        return explicit
    start = directory.resolve()
    for parent in (start, *start.parents):
        candidate = parent / SCHEMA_RELPATH
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start)).as_posix()
    if root is not None:
        return Path(os.path.relpath(root.resolve() / SCHEMA_RELPATH, start)).as_posix()
    return None


def build_import(
    remote: Iterable[RemoteTemplate],
    directory: Path,
    *,
    patterns: Sequence[str] = (),
    languages: Sequence[str] = (),
    manages: Callable[[str], bool] | None = None,
    schema_ref: str | None = None,
    existing: Mapping[str, Path] | None = None,
    submitted: Mapping[tuple[str, str], Mapping[str, Any] | None] | None = None,
) -> ImportResult:
    """Everything ``import`` would write, in memory: one :class:`ImportedFile` per name.

    ``existing`` maps names already defined by files in the directory to those files: a name
    defined in *another* file than ``<name>.yaml`` is skipped with a note (writing it would
    define the template twice); the same file is the overwrite case (``--force``).
    ``submitted`` maps keys to the write-only fields waform last submitted
    (:mod:`waform.submissions`): the file gets those instead of what the read shows.
    """
    selected, notes = select_templates(
        remote, patterns=patterns, languages=languages, manages=manages
    )
    by_name: dict[str, list[RemoteTemplate]] = {}
    for template in selected:
        by_name.setdefault(template.name, []).append(template)
    result = ImportResult(notes=notes)
    for name in sorted(by_name):
        destination = directory / f"{name}.yaml"
        defined = (existing or {}).get(name)
        if defined is not None and defined.resolve() != destination.resolve():
            result.notes.append(ImportNote(name, None, f"skipped: already defined in {defined}"))
            continue
        document, doc_notes = build_document(name, by_name[name], submitted or {})
        result.notes.extend(doc_notes)
        if document is None:
            continue
        text = dump_document(document, schema_ref)
        result.files.append(
            ImportedFile(
                name=name,
                path=destination,
                text=text,
                languages=tuple(document["languages"]),
            )
        )
    return result


# ------------------------------------------------------------------ writing


def write_files(files: Sequence[ImportedFile], *, force: bool = False) -> list[Path]:
    """Write every file or none of the new ones; returns the paths written.

    Existing destinations are refused up front (unless ``force``). If a write fails midway, files
    this call *created* are removed again, so an error leaves the directory as it was (files it
    replaced under ``force`` keep their new, complete content: each replacement is atomic).
    """
    if not force:
        existing = [f.path for f in files if f.path.exists()]
        if existing:
            shown = ", ".join(str(p) for p in existing[:5])
            more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
            raise ImportConflictError(
                f"{len(existing)} file(s) already exist: {shown}{more} (use --force to overwrite)"
            )
    created: list[Path] = []
    written: list[Path] = []
    try:
        for item in files:
            item.path.parent.mkdir(parents=True, exist_ok=True)
            existed = item.path.exists()
            try:
                write_text_atomic(item.path, item.text, replace=force)
            except FileExistsError:
                raise ImportConflictError(
                    f"{item.path} already exists (use --force to overwrite)"
                ) from None
            written.append(item.path)
            if not existed:
                created.append(item.path)
    except OSError as exc:
        for path in created:
            path.unlink(missing_ok=True)
        raise WaformError(f"cannot write {exc.filename or 'file'}: {exc.strerror or exc}") from None
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return written
