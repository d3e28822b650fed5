"""What a plan needs of the desired side alone, so that it can be worked out before the remote
side is complete (``plan``: in the thread beside the fetch, :mod:`waform.sides`): the
``desiredHash``, and whether a template equals its remote one as sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.normalize import hash_line, hash_lines

T = TypeVar("T")


def _hashed_inputs(d: DesiredTemplate, wire: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": d.category,
        "status": d.status,
        "allowCategoryChange": d.allow_category_change,
        "saveDraftOnFailure": d.save_draft_on_failure,
        "rules": d.rules,
        "details": wire,
    }


def hash_desired(desired: Iterable[DesiredTemplate]) -> str:
    """The ``desiredHash`` a plan of these templates carries (apply compares it with the files),
    one template at a time: no hash line or wire form is kept."""
    lines = ((d.key, hash_line_of(d, d.details.to_wire())) for d in _in_key_order(desired))
    return hash_lines(lines, in_order=True)


@dataclass(frozen=True)
class DesiredForms:
    """What a plan can work out of the desired side before the remote side is complete
    (``plan``: beside the fetch): the ``desiredHash`` and, for each template whose remote one
    had arrived already, whether their contents are equal as sent. No wire form is kept: the
    differ makes those it still needs (10,000 would cost about 20 MB until the fetch ends)."""

    desired_hash: str
    #: key → (the remote template compared with, whether its content equals the wire form)
    compared: Mapping[tuple[str, str], tuple[RemoteTemplate, bool]]
    #: key → wire form, when they are at hand already (read from the load cache's entry of an
    #: unchanged run, :mod:`waform.stored_forms`: no model is validated to compare them)
    wires: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        desired: Iterable[DesiredTemplate],
        arrived: Mapping[tuple[str, str], RemoteTemplate] | None = None,
    ) -> DesiredForms:
        """``arrived``: the remote templates fetched so far, by key (it may grow meanwhile)."""
        compared: dict[tuple[str, str], tuple[RemoteTemplate, bool]] = {}

        def line(d: DesiredTemplate) -> tuple[tuple[str, str], bytes]:
            wire = d.details.to_wire()
            remote = arrived.get(d.key) if arrived is not None else None
            if remote is not None:
                compared[d.key] = (remote, remote.effective_details() == wire)
            return d.key, hash_line_of(d, wire)

        return cls(hash_lines(map(line, _in_key_order(desired)), in_order=True), compared)

    @staticmethod
    def compare(
        page: Iterable[RemoteTemplate],
        desired: Mapping[tuple[str, str], DesiredTemplate],
        compared: dict[tuple[str, str], tuple[RemoteTemplate, bool]],
    ) -> None:
        """Add to ``compared`` (see :attr:`compared`) the templates of a page just fetched that
        are ``desired`` (by key), when the hash is made elsewhere (a cold plan's stored forms,
        :func:`waform.stored_forms.store`, are made of the same lines). A template
        read again (a sweep in parts that was not accepted) replaces the earlier comparison,
        as its later read replaces the earlier one in the fetch's result."""
        for remote in page:
            d = desired.get(remote.key)
            if d is not None:
                wire = d.details.to_wire()
                compared[remote.key] = (remote, remote.effective_details() == wire)

    def wire(self, d: DesiredTemplate, r: RemoteTemplate) -> tuple[dict[str, Any] | None, bool]:
        """``d``'s wire form (``None`` when only needed for a comparison made already) and
        whether its content equals ``r``'s."""
        known = self.compared.get(d.key)
        if known is not None and known[0] is r:
            return None, known[1]
        wire = self.wires.get(d.key) or d.details.to_wire()
        return wire, r.effective_details() == wire


def _in_key_order(desired: Iterable[DesiredTemplate]) -> list[DesiredTemplate]:
    return [d for _key, d in in_key_order((d.key, d) for d in desired)]


def in_key_order(keyed: Iterable[tuple[tuple[str, str], T]]) -> list[tuple[tuple[str, str], T]]:
    """What the ``desiredHash`` is made of, in its order: one per key (the last, as pairing
    keeps them), sorted by key."""
    wanted = dict(keyed)
    return [(key, wanted[key]) for key in sorted(wanted)]


def hash_line_of(d: DesiredTemplate, wire: dict[str, Any]) -> bytes:
    return hash_line(d.key, _hashed_inputs(d, wire))
