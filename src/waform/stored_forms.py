"""What a plan needs of an unchanged run's templates, kept in the load cache beside its entries.

When no file changed, the load cache's run entry proves the files valid, but a plan still needs
their templates: to pair them with the remote ones, compare their contents as sent, make the
``desiredHash`` and find those with write-only fields. Validating 10,000 cached templates with
their models and working all that out cost about 0.55 s of CPU (``bench/plan_bench.py``), though
it depends on the files alone — so on the run's key. One entry per run
(:meth:`waform.loadcache.Keys.forms`) keeps, per template in file order, its hash line (key,
category, status, flags, rules and wire form: everything of it, :func:`waform.desired_forms.
hash_line_of`), its position and whether it has write-only fields.

Read back, nothing of it is trusted: the value carries the sha256 of the rest, so a damaged one
is never used; its rows are validated (each line's key, category, status, flags and rules with
their types); the ``desiredHash`` is made from the lines as read. A wire form is compared as JSON
with the remote one; where a plan needs more of a template (it differs, it is created), its model
is validated from that wire form (:class:`StoredTemplate`). A value that fails is ignored: the
templates are decoded from their file entries as before, and the entry is written anew
(:func:`store_elsewhere`, after a cold or changed load too).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from waform import submissions
from waform.desired_forms import DesiredForms, hash_line_of, in_key_order
from waform.desired_state import DesiredState
from waform.elsewhere import Begun
from waform.errors import WaformError
from waform.fields import may_hold_write_only_in
from waform.loadcache import Keys, LoadCache
from waform.model.components import TemplateDetails
from waform.model.enums import LANGUAGE_SET, Category
from waform.model.template import (
    DesiredStatus,
    DesiredTemplate,
    RuleId,
    RuleSetting,
    SourceRef,
    TemplateName,
)
from waform.normalize import hash_lines
from waform.outcomes import Writes
from waform.rules.plan import component_text
from waform.workshare import can_fork

log = logging.getLogger(__name__)
Key = tuple[str, str]
_DIGEST = 64  # hex characters of the sha256 that leads the value


class StoredTemplate(DesiredTemplate):
    """A template read from its run's stored forms: its ``details`` model is validated from the
    stored wire form when first used (most templates of a plan never need it: those equal to
    their remote one are compared as JSON). Made by :meth:`stored` only."""

    @functools.cached_property
    def details(self) -> TemplateDetails:
        try:
            return TemplateDetails.model_validate(self.__dict__["_wire"])
        except ValidationError as exc:
            # Sealed, so not damaged by accident: someone shaped the cache (see the module doc).
            raise WaformError(
                "the load cache's entry for these files holds a template that does not "
                f"validate ({self.name}, {self.language}); delete the cache directory "
                "(.waform/cache) or run with --no-cache"
            ) from exc

    def text_of(self, kind: str) -> str | None:
        if "details" in self.__dict__:
            return super().text_of(kind)
        return component_text(self.__dict__["_wire"], kind)

    @classmethod
    def stored(cls, line: _Line, source: SourceRef | None) -> StoredTemplate:
        (name, language), body = line
        template = cls.__new__(cls)
        template.__dict__.update(
            name=name,
            language=language,
            category=body["category"],
            status=body["status"],
            allow_category_change=body["allowCategoryChange"],
            save_draft_on_failure=body["saveDraftOnFailure"],
            rules=body["rules"],
            source=source,
            _wire=body["details"],
        )
        return template


class _Hashed(TypedDict):
    """The second half of a hash line (:func:`waform.desired_forms._hashed_inputs`)."""

    __pydantic_config__ = ConfigDict(strict=True, extra="forbid")  # type: ignore[misc]

    allowCategoryChange: bool
    category: Category
    details: dict[str, Any]
    rules: dict[RuleId, RuleSetting]
    saveDraftOnFailure: bool
    status: DesiredStatus


def _language(code: str) -> str:
    if code not in LANGUAGE_SET:
        raise ValueError(f"unknown language code {code!r}")
    return code


_Line = tuple[tuple[TemplateName, Annotated[str, AfterValidator(_language)]], _Hashed]
_LINE: TypeAdapter[_Line] = TypeAdapter(_Line, config=ConfigDict(strict=True))


#: Per template, in file order: its source (path, line, column) and whether it has write-only
#: fields.
_Place = tuple[str | None, int, int, bool]
_PLACES: TypeAdapter[list[_Place]] = TypeAdapter(list[_Place], config=ConfigDict(strict=True))


@dataclass(frozen=True)
class StoredForms:
    """A run's templates as a plan needs them, read from the load cache."""

    templates: list[DesiredTemplate]
    """In file order, as :attr:`waform.desired_state.DesiredState.templates`."""
    write_only: set[Key]
    forms: DesiredForms


def read(state: DesiredState) -> StoredForms | None:
    """The stored forms of ``state``'s run, if the run's entry answered its load and they are
    stored and sound (``None``: decode the templates instead)."""
    if state.decoded or state.cache_dir is None:
        return None
    cache = LoadCache(state.cache_dir)
    try:
        value = cache.get(Keys.forms(state.run_key))
    finally:
        cache.close()
    return decode(value) if value is not None else None


def decode(value: bytes) -> StoredForms | None:
    """``None`` for a value that is damaged (its digest differs) or does not validate."""
    first = value.find(b"\n") + 1
    rest = memoryview(value)[first:]
    if first != _DIGEST + 1 or hashlib.sha256(rest).hexdigest().encode() != value[:_DIGEST]:
        log.debug("stored plan forms damaged; decoding the templates instead")
        return None
    try:
        return _decoded(value, first)
    except (ValidationError, ValueError) as exc:
        log.debug("stored plan forms not valid (%s); decoding the templates instead", exc)
        return None


def _decoded(value: bytes, start: int) -> StoredForms:
    """The rows after the digest: the places (one JSON list), then one hash line per template.
    Each line is validated as it is cut out, and hashed where it lies (10,000 lines kept as
    objects, even for a moment, left the process 20 MB larger to the end)."""
    end = value.index(b"\n", start) + 1
    places = _PLACES.validate_json(value[start:end])
    templates: list[DesiredTemplate] = []
    write_only: set[Key] = set()
    wires: dict[Key, dict[str, Any]] = {}
    spans: list[tuple[Key, tuple[int, int]]] = []
    for path, line_number, column, has_write_only in places:
        start, end = end, value.index(b"\n", end) + 1
        line = _LINE.validate_json(value[start:end])
        source = SourceRef(path, line_number, column) if path is not None else None
        template = StoredTemplate.stored(line, source)
        templates.append(template)
        wires[template.key] = line[1]["details"]
        spans.append((template.key, (start, end)))
        if has_write_only:
            write_only.add(template.key)
    if end != len(value):
        raise ValueError("more hash lines than templates")
    view = memoryview(value)
    lines = ((key, view[start:end]) for key, (start, end) in in_key_order(spans))
    desired_hash = hash_lines(lines, in_order=True)
    return StoredForms(templates, write_only, DesiredForms(desired_hash, {}, wires))


def encode(templates: Sequence[DesiredTemplate]) -> bytes:
    """The stored form of a run's templates (their models at hand): the sha256 of what follows
    its line; the places of the templates (one JSON list); their hash lines, one each."""
    return _encoded([_row(d) for d in templates])


def _encoded(rows: Sequence[tuple[_Place, bytes]]) -> bytes:
    places = json.dumps([place for place, _line in rows]).encode() + b"\n"
    digest = hashlib.sha256(places)
    for _place, line in rows:
        digest.update(line)
    return b"".join([digest.hexdigest().encode(), b"\n", places, *(line for _, line in rows)])


def _row(d: DesiredTemplate) -> tuple[_Place, bytes]:
    """A template's place (see :data:`_Place`) and hash line (canonical JSON: no line break
    but the one that ends it). Its write-only fields are only looked for when its line may
    hold some (:func:`waform.fields.may_hold_write_only_in`: most templates hold none)."""
    source = d.source or SourceRef("", 1, 1)
    line = hash_line_of(d, d.details.to_wire())
    has_write_only = may_hold_write_only_in(line) and bool(submissions.of(d.details, d.category))
    return (source.path if d.source else None, source.line, source.column, has_write_only), line


def store_elsewhere(
    templates: Sequence[DesiredTemplate], run_key: str, directory: Path
) -> Begun[tuple[str, set[Key]]]:
    """:func:`store` into the cache at ``directory`` beside the caller (a forked process where
    possible: the fetch needs this process's GIL). A cold load stores the forms in the process
    that stores its entries (``load_desired(beside=store)``); this is for a warm plan that found
    them missing. The same way as the load's entries, with none of them."""
    return Writes().store_elsewhere(
        directory, can_fork(), functools.partial(store, templates, run_key)
    )


def store(
    templates: Sequence[DesiredTemplate], run_key: str, writes: Writes
) -> tuple[str, set[Key]]:
    """Add the forms of the run ``run_key`` to ``writes`` (encoded when they are stored); the
    ``desiredHash`` and the keys with write-only fields, which the forms are made of (so a plan
    that stores them elsewhere need not work them out as well, and has them before the forms
    are encoded and stored)."""
    rows = [_row(d) for d in templates]
    writes.items[Keys.forms(run_key)] = functools.partial(_encoded, rows)
    write_only = {d.key for d, (place, _line) in zip(templates, rows, strict=True) if place[3]}
    lines = in_key_order((d.key, line) for d, (_place, line) in zip(templates, rows, strict=True))
    return hash_lines(lines, in_order=True), write_only


__all__ = ["StoredForms", "StoredTemplate", "decode", "encode", "read", "store", "store_elsewhere"]
