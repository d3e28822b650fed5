"""One inventory: both sides keyed, filtered and paired once.

Every template — desired (from the loader) or remote (from the fetcher) — carries one canonical
``(name, LANGUAGE)`` key, normalised where it is built (:class:`~waform.model.remote.RemoteTemplate`
and :class:`~waform.model.template.DesiredTemplate`). :func:`pair` is the only place that matches
the two sides: the differ, drift, the plan-time rules, apply's stale check and its review waiter
all read its :class:`Pair` entries instead of building their own dicts.

Scope and ignore rules are *processors* (octoDNS's zone processors are the model): each looks at
a key and may set it aside, once, for both sides. The first processor that claims a key decides
its verdict: ``out-of-scope`` (the target's scope does not include the name) or ``ignored``
(``ignore.names`` / ``ignore.languages``). Everything else is ``managed``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, Literal, Protocol, TypeVar

from waform.model.remote import RemoteTemplate

if TYPE_CHECKING:
    from waform.config import Config

Key = tuple[str, str]
"""``(name, LANGUAGE)``: the identity of one template language on either side."""

Verdict = Literal["managed", "ignored", "out-of-scope"]


class Keyed(Protocol):
    """Anything with a canonical key: desired templates, plan actions, write steps."""

    @property
    def key(self) -> Key: ...


D = TypeVar("D", bound=Keyed)


@dataclass(frozen=True, slots=True)
class Processor:
    """Sets aside the keys ``claims`` is true for, with ``verdict`` as the reason."""

    verdict: Verdict
    claims: Callable[[str, str], bool]


def processors(config: Config | None) -> tuple[Processor, ...]:
    """The scope and ignore processors of a ``waform.yaml`` (none without one, or when it sets
    nothing aside: a scope of every name, nothing ignored).

    Memoised per name / key: a glob list is matched once per name, not once per template.
    """
    if config is None:
        return ()
    scope, ignore = config.scope, config.ignore
    found: list[Processor] = []
    if scope.include != ["*"] or scope.exclude:  # else every name is in scope
        in_scope = functools.cache(scope.manages)
        found.append(Processor("out-of-scope", lambda name, language: not in_scope(name)))
    if ignore.names or ignore.languages:  # else nothing is ignored (10,000 calls fewer)
        found.append(Processor("ignored", functools.cache(ignore.ignores)))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Pair(Generic[D]):
    """One key with what each side holds for it (``None``: absent on that side)."""

    key: Key
    desired: D | None = None
    remote: RemoteTemplate | None = None
    verdict: Verdict = "managed"

    @property
    def name(self) -> str:
        return self.key[0]

    @property
    def language(self) -> str:
        return self.key[1]

    def without_desired(self) -> Pair[D]:
        return replace(self, desired=None)


@dataclass(frozen=True)
class Inventory(Generic[D]):
    """Every key of both sides, sorted, with its verdict."""

    pairs: tuple[Pair[D], ...]

    def _where(self, verdict: Verdict) -> list[Pair[D]]:
        return [p for p in self.pairs if p.verdict == verdict]

    @functools.cached_property
    def managed(self) -> list[Pair[D]]:
        return self._where("managed")

    @property
    def ignored(self) -> list[Pair[D]]:
        return self._where("ignored")

    @property
    def out_of_scope(self) -> list[Pair[D]]:
        return self._where("out-of-scope")

    @functools.cached_property
    def matched(self) -> list[Pair[D]]:
        """Managed keys present on both sides (asked by the write-only records and the diff)."""
        return [p for p in self.managed if p.desired is not None and p.remote is not None]

    @property
    def desired_only(self) -> list[Pair[D]]:
        """Managed keys only in git (to create)."""
        return [p for p in self.managed if p.remote is None]

    @property
    def remote_only(self) -> list[Pair[D]]:
        """Managed keys only at the target (unmanaged, or deleted by prune)."""
        return [p for p in self.managed if p.desired is None]

    @property
    def desired(self) -> list[D]:
        """Every desired template, whatever its verdict."""
        return [p.desired for p in self.pairs if p.desired is not None]

    @property
    def remote(self) -> list[RemoteTemplate]:
        """Every remote template, whatever its verdict."""
        return [p.remote for p in self.pairs if p.remote is not None]

    @functools.cached_property
    def remote_by_name(self) -> dict[str, list[RemoteTemplate]]:
        """Every remote language of each name (Sinch keeps one category per name)."""
        out: dict[str, list[RemoteTemplate]] = defaultdict(list)
        for remote in self.remote:
            out[remote.name].append(remote)
        return out

    def without_desired(self, keys: Collection[Key]) -> Inventory[D]:
        """This inventory as if git did not define ``keys`` (the remote side stays; itself
        when there are none, with what it worked out already)."""
        if not keys:
            return self
        return Inventory(tuple(p.without_desired() if p.key in keys else p for p in self.pairs))

    def get(self, key: Key) -> Pair[D]:
        """The pair of ``key`` (an empty managed pair when neither side has it)."""
        return self._by_key.get(key) or Pair(key)

    @functools.cached_property
    def _by_key(self) -> dict[Key, Pair[D]]:
        return {p.key: p for p in self.pairs}


def pair(
    desired: Iterable[D],
    remote: Iterable[RemoteTemplate],
    processors: Sequence[Processor] = (),
) -> Inventory[D]:
    """Match both sides by key and give each key its verdict; the one place that pairs them.

    A key seen twice on the remote side (a page boundary moving during a sweep) keeps its last
    copy; the loader already refuses a key defined twice in git.
    """
    wanted: dict[Key, D] = {d.key: d for d in desired}
    have: dict[Key, RemoteTemplate] = {r.key: r for r in remote}
    # Every key once, in the order read: a list read in key order is sorted in one pass.
    keys = sorted({**have, **wanted})
    return Inventory(
        tuple(Pair(k, wanted.get(k), have.get(k), _verdict(k, processors)) for k in keys)
    )


def _verdict(key: Key, processors: Sequence[Processor]) -> Verdict:
    for processor in processors:
        if processor.claims(*key):
            return processor.verdict
    return "managed"
