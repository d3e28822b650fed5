"""Every field of a template, classified once: how the differ compares what came back.

Meta (behind Sinch) rewrites parts of a template (docs/round-trip.md). A differ that compared
field by field would report those rewrites as changes forever; one that compared nothing would
miss real edits. Each field is therefore given one :class:`Treatment` in :data:`FIELDS`:

* ``AS_IS`` — compared exactly (text of bodies, headers, footers; labels; flags). The default
  for every field the table does not name.
* ``NORMALISED`` — compared after one function on both sides: enum case, phone digits without
  the trunk zero, a bare host's trailing ``/`` and percent-encoding, ``flowId`` number vs string
  (``example`` vs ``examples`` shapes are unified earlier, by :mod:`waform.normalize`).
* ``SERVER_GENERATED`` — Meta writes it (AUTHENTICATION texts, generated labels): compared only
  when the file sets it.
* ``WRITE_ONLY`` — sent, never compared: the read never shows what was sent (a media sample
  comes back as a CDN URL re-signed on every read; Meta replaces an OTP label). A real edit of
  one is noticed through the fingerprint of what was last submitted (:func:`write_only_fields`).
* ``UNKNOWN_WHEN_ABSENT`` — a variable sample missing on read is unknown, not a change.

The functions work on canonical ``details`` (:func:`waform.normalize.canonical_details`):
:func:`compared` gives the two forms the differ compares, :func:`stable_remote` the part of a
read that does not change between reads (the saved plan's stale fingerprint),
:func:`file_form` what an imported file holds.
"""

from __future__ import annotations

import copy
import enum
import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from waform.model.meta_forms import phone_number, url_form


class Treatment(enum.Enum):
    AS_IS = "as-is"
    NORMALISED = "normalised"
    SERVER_GENERATED = "server-generated"
    WRITE_ONLY = "write-only"
    UNKNOWN_WHEN_ABSENT = "unknown-when-absent"


@dataclass(frozen=True)
class Rule:
    treatment: Treatment
    #: round-trip.md row(s) that justify it
    row: str
    normalise: Callable[[Any], Any] | None = None


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int | str) and not isinstance(value, bool) else value


def _phone(value: Any) -> Any:
    return phone_number(value) if isinstance(value, str) else value


def _url(value: Any) -> Any:
    return url_form(value) if isinstance(value, str) else value


_ENUM = Rule(Treatment.NORMALISED, "5", _upper)
_SAMPLE = Rule(Treatment.UNKNOWN_WHEN_ABSENT, "7")
_MEDIA_SAMPLE = Rule(Treatment.WRITE_ONLY, "1")
_GENERATED = Rule(Treatment.SERVER_GENERATED, "2, 10, 14")

#: ``(where, field)`` → rule. ``where`` names the object holding the field: a component
#: (``BODY``, ``HEADER:TEXT``, ``HEADER:MEDIA``…), a button (``button:URL``…), a carousel
#: card's component (``card/…``) or, for rules of one category, ``AUTHENTICATION/BODY``.
#: ``*`` applies everywhere. Unnamed fields are compared as is.
FIELDS: dict[tuple[str, str], Rule] = {
    ("*", "type"): _ENUM,
    ("*", "format"): _ENUM,
    ("button:OTP", "otpType"): _ENUM,
    ("button:FLOW", "flowAction"): _ENUM,
    ("button:FLOW", "flowId"): Rule(Treatment.NORMALISED, "11", _as_text),
    ("button:PHONE_NUMBER", "phoneNumber"): Rule(Treatment.NORMALISED, "8", _phone),
    ("button:URL", "url"): Rule(Treatment.NORMALISED, "7, 9", _url),
    ("button:URL", "example"): _SAMPLE,
    ("HEADER:TEXT", "example"): _SAMPLE,
    ("BODY", "examples"): _SAMPLE,
    ("card/BODY", "examples"): _SAMPLE,
    ("HEADER:MEDIA", "example"): _MEDIA_SAMPLE,
    ("card/HEADER:MEDIA", "example"): _MEDIA_SAMPLE,
    ("button:OTP", "text"): Rule(Treatment.WRITE_ONLY, "2"),
    ("button:COPY_CODE", "text"): _GENERATED,
    ("button:REQUEST_CONTACT_INFO", "text"): _GENERATED,
    ("button:ORDER_DETAILS", "text"): _GENERATED,
    ("AUTHENTICATION/BODY", "text"): _GENERATED,
    ("AUTHENTICATION/BODY", "examples"): _GENERATED,
    ("AUTHENTICATION/FOOTER", "text"): _GENERATED,
}
_AS_IS = Rule(Treatment.AS_IS, "12")
_MEDIA_FORMATS = frozenset({"IMAGE", "VIDEO", "DOCUMENT"})


@functools.cache  # a handful of distinct arguments, asked for every field of every template
def rule(where: str, field: str, category: str | None = None) -> Rule:
    """The treatment of ``field`` on ``where`` (most specific entry first)."""
    for key in ((f"{category}/{where}", field), (where, field), ("*", field)):
        found = FIELDS.get(key)
        if found is not None:
            return found
    return _AS_IS


def recategorised(file_category: str, remote_category: str, state: str | None) -> bool:
    """Meta approved (or later moved) a UTILITY template as MARKETING (row 3): for good, so not
    a change anyone can apply — plan and drift show a note instead. A template *rejected* for
    its category is not one: its category can still be fixed."""
    live = state in ("APPROVED", "PAUSED", "DISABLED")
    return live and (file_category, remote_category) == ("UTILITY", "MARKETING")


def _where(item: dict[str, Any], prefix: str) -> str:
    kind = str(item.get("type", "?")).upper()
    if kind == "HEADER":
        fmt = str(item.get("format", "")).upper()
        kind = "HEADER:" + ("MEDIA" if fmt in _MEDIA_FORMATS else fmt)
    return prefix + kind


def _pairs(
    want: list[Any] | None, have: list[Any] | None, *, by_type: bool
) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Items of two lists side by side: components by type, buttons and cards by position."""
    want, have = want or [], have or []
    if by_type:
        mine = {str(c.get("type")).upper(): c for c in want if isinstance(c, dict)}
        theirs = {str(c.get("type")).upper(): c for c in have if isinstance(c, dict)}
        for kind in mine.keys() | theirs.keys():
            yield mine.get(kind), theirs.get(kind)
        return
    for index in range(max(len(want), len(have))):
        w = want[index] if index < len(want) else None
        h = have[index] if index < len(have) else None
        yield (w if isinstance(w, dict) else None), (h if isinstance(h, dict) else None)


def _reduce(
    want: dict[str, Any] | None,
    have: dict[str, Any] | None,
    where: str,
    category: str | None,
    mode: str,
) -> None:
    """Apply the table to one object of each side, in place, then to what it contains."""
    for field in {*(want or {}), *(have or {})}:
        treatment = rule(where, field, category)
        kind = treatment.treatment
        if kind is Treatment.NORMALISED and treatment.normalise is not None:
            for side in (want, have):
                if side is not None and field in side:
                    side[field] = treatment.normalise(side[field])
        elif kind is Treatment.WRITE_ONLY and mode != "file":
            for side in (want, have):
                if side is not None:
                    side.pop(field, None)
        elif kind is Treatment.SERVER_GENERATED and have is not None:
            if mode == "file" or (mode == "compare" and want is not None and field not in want):
                have.pop(field, None)
        elif kind is Treatment.UNKNOWN_WHEN_ABSENT and mode == "compare":
            if want is not None and have is not None and field not in have:
                want.pop(field, None)
    for w, h in _pairs((want or {}).get("buttons"), (have or {}).get("buttons"), by_type=False):
        _reduce(w, h, "button:" + str((w or h or {}).get("type", "?")).upper(), category, mode)
    for w, h in _pairs((want or {}).get("cards"), (have or {}).get("cards"), by_type=False):
        _components(w, h, category, mode, prefix="card/")


def _components(
    want: dict[str, Any] | None,
    have: dict[str, Any] | None,
    category: str | None,
    mode: str,
    *,
    prefix: str = "",
) -> None:
    mine = (want or {}).get("components")
    theirs = (have or {}).get("components")
    for w, h in _pairs(mine, theirs, by_type=True):
        _reduce(w, h, _where(w or h or {}, prefix), category, mode)


def compared(
    want: dict[str, Any], have: dict[str, Any], category: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The forms of two canonical ``details`` (file, read) that the differ compares."""
    want, have = copy.deepcopy(want), copy.deepcopy(have)
    _components(want, have, category, "compare")
    return want, have


def stable_remote(have: dict[str, Any] | None, category: str | None) -> dict[str, Any] | None:
    """What of a read stays the same from one read to the next (write-only fields dropped)."""
    if have is None:
        return None
    have = copy.deepcopy(have)
    _components(None, have, category, "stable")
    return have


def file_form(have: dict[str, Any], category: str | None) -> dict[str, Any]:
    """A read as a file should hold it: server-generated fields out, write-only ones kept."""
    have = copy.deepcopy(have)
    _components(None, have, category, "file")
    return have


def _objects(
    details: Mapping[str, Any] | BaseModel, *, paths: bool = True
) -> list[tuple[dict[str, Any], str, str]]:
    """``(object, where, path)`` of each component, button and card component of ``details``
    (request form, or its model: then each object is a model's fields); ``path`` is ``""``
    without ``paths``. A list, not a generator: asked for every template of a plan."""
    found: list[tuple[dict[str, Any], str, str]] = []
    for component in _fields(details).get("components") or ():
        component = _fields(component)
        kind = _where(component, "")
        _walk(component, kind, f"components[{kind}]" if paths else "", found, paths)
    return found


def _walk(item: dict[str, Any], where: str, path: str, found: list[Any], paths: bool) -> None:
    """:func:`_objects` of one object and what it holds. Not a closure: a function that calls
    itself through its closure is a reference cycle, and the plan runs with the cyclic
    collector paused (every call's objects would stay until it resumes)."""
    found.append((item, where, path))
    for i, button in enumerate(item.get("buttons") or ()):
        button = _fields(button)
        kind = "button:" + str(button.get("type", "?")).upper()
        _walk(button, kind, f"{path}.buttons[{i}]" if paths else "", found, paths)
    for i, card in enumerate(item.get("cards") or ()):
        for component in _fields(card).get("components") or ():
            component = _fields(component)
            kind = _where(component, "card/")
            at = f"{path}.cards[{i}][{kind[5:]}]" if paths else ""
            _walk(component, kind, at, found, paths)


def _fields(item: Any) -> dict[str, Any]:
    """A wire object's fields by JSON name: a dict as is, a wire model's ``__dict__`` (its
    attribute names are the JSON keys; ``getattr`` of a field a model lacks is slow)."""
    return item if isinstance(item, dict) else item.__dict__


def write_only_slots(
    details: dict[str, Any], category: str | None
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``(path, holder, field)`` of each write-only field present in ``details``; paths read
    ``components[HEADER:MEDIA].example``, ``components[CAROUSEL].cards[0][HEADER:MEDIA].example``."""
    for item, where, path in _objects(details):
        names = _write_only_names(where, category)
        for field in [f for f in item if f in names] if names else ():
            yield f"{path}.{field}", item, field


def may_hold_write_only(details: Mapping[str, Any] | BaseModel, category: str | None) -> bool:
    """Whether any object of ``details`` (request form, or its model) is of a kind with
    write-only fields. Canonical forms keep every object's kind, so ``False`` means none in the
    canonical form either (most templates: their write-only check needs no wire form at all)."""
    return any(
        _write_only_names(where, category) for _item, where, _ in _objects(details, paths=False)
    )


def may_hold_write_only_in(line: bytes) -> bool:
    """Whether canonical JSON that holds a validated template's wire form (its hash line,
    :func:`waform.desired_forms.hash_line_of`) may hold a write-only field; ``False`` means
    surely none. About 1 µs, where :func:`may_hold_write_only` walks the model in 6.

    Sound because each object's kind is told by its ``type`` (a header's by its ``format``):
    in a validated wire form each is one of its model's ``Literal`` values, upper-case ASCII
    letters and ``_``, which :func:`_where` reads unchanged and canonical JSON writes as is,
    between quotes. An object of a kind with write-only fields therefore puts one of
    :data:`_WRITE_ONLY_JSON` into the line. Not for unvalidated JSON (``"image"`` is a media
    header to :func:`_where`)."""
    return _WRITE_ONLY_JSON is None or _WRITE_ONLY_JSON.search(line) is not None


def _kind_markers(fields: Mapping[tuple[str, str], Rule]) -> re.Pattern[bytes] | None:
    """The JSON strings, one of which names each object of a kind with write-only fields in
    ``fields`` (its ``type``, or a header's ``format``); ``None`` if a kind cannot be named so
    (a write-only field of every kind, ``*``)."""
    values: set[str] = set()
    for (where, _field), found in fields.items():
        if found.treatment is not Treatment.WRITE_ONLY:
            continue
        kind = where.rsplit("/", 1)[-1]  # without a category's or a card's prefix
        if kind == "*":
            return None
        if kind.startswith("HEADER:"):  # see _where
            fmt = kind.removeprefix("HEADER:")
            values |= _MEDIA_FORMATS if fmt == "MEDIA" else {fmt}
        else:
            values.add(kind.removeprefix("button:"))
    markers = sorted(json.dumps(value).encode() for value in values)
    return re.compile(b"|".join(re.escape(marker) for marker in markers) or b"(?!)")


#: Made of :data:`FIELDS`, so a write-only field added there is looked for here too.
_WRITE_ONLY_JSON = _kind_markers(FIELDS)


@functools.cache
def _write_only_names(where: str, category: str | None) -> frozenset[str]:
    """The fields :data:`FIELDS` makes write-only on ``where`` (most templates have none, so
    the walk above mostly skips its objects' fields without asking :func:`rule` about each)."""
    named = {field for _where, field in FIELDS}
    return frozenset(f for f in named if rule(where, f, category).treatment is Treatment.WRITE_ONLY)


def write_only_fields(details: dict[str, Any], category: str | None) -> dict[str, Any]:
    """The write-only fields of ``details``, by path (``{}``: none)."""
    return {path: holder[field] for path, holder, field in write_only_slots(details, category)}


__all__ = [
    "FIELDS",
    "Rule",
    "Treatment",
    "compared",
    "file_form",
    "may_hold_write_only",
    "may_hold_write_only_in",
    "recategorised",
    "rule",
    "stable_remote",
    "write_only_fields",
    "write_only_slots",
]
