"""A full sweep of the list endpoint in parallel: disjoint name prefixes listed at once, each
its own chain of pages, accepted only when they provably make up the whole list.

Each page token comes from the page before it, so one sweep of N templates is ``ceil(N / 1000)``
round trips one after another. ``listTemplates`` filters by name prefix (``templateName``), so
the name space can be read in parts at once. Where to cut it comes from the desired names,
known before the fetch (:func:`cut`): remote templates under no part, or a name equal to an
inner prefix, are simply not listed — so the parts are checked, never trusted
(:func:`list_parts`): every name returned starts with its part's prefix, no key comes back
twice, and their count equals ``totalSize`` of the whole (scoped) list, asked for beside them.
Anything else — templates outside the desired names' space, a list that changed meanwhile, a
server whose filter is not a prefix filter — and the caller sweeps the ordinary way.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from waform.client import Provider
from waform.client.pages import PageListener
from waform.errors import ApiError
from waform.model.remote import RemoteTemplate


@dataclass(frozen=True)
class _Node:
    """The names ``names[lo:hi]``, all starting with ``prefix``."""

    prefix: str
    lo: int
    hi: int

    def pages(self, page_size: int) -> int:
        return -(-(self.hi - self.lo) // page_size)


def _end(names: Sequence[str], prefix: str, lo: int, hi: int) -> int:
    """Where the names starting with ``prefix`` end, from ``lo`` on (those at ``lo``…``hi`` are
    sorted and none below ``prefix``): their first ``len(prefix)`` characters are sorted too."""
    return bisect_right(names, prefix, lo, hi, key=lambda name: name[: len(prefix)])


def _children(names: Sequence[str], node: _Node) -> list[_Node]:
    """``node`` split by the character after its prefix, into at least two children, down a
    run of single children first; ``[]`` when it cannot be split (a name equals the prefix
    reached, or one name is all it holds)."""
    while node.hi > node.lo and names[node.lo] != node.prefix:
        depth, groups, start = len(node.prefix), [], node.lo
        while start < node.hi:
            child = node.prefix + names[start][depth]
            end = _end(names, child, start, node.hi)
            groups.append(_Node(child, start, end))
            start = end
        if len(groups) > 1:
            return groups
        node = groups[0]
    return []


def cut(names: Sequence[str], prefix: str, *, page_size: int, at_once: int) -> list[str]:
    """Disjoint name prefixes, each starting with ``prefix``, under which every name of
    ``names`` (sorted; one per template-language) that starts with ``prefix`` lies.

    The parts with the most pages are split, all of them together, while that shortens the
    read (:func:`_rounds`: the sweep takes as long as its longest chain of pages, or as its
    pages take ``at_once`` at a time) — so names spread over many first letters are read a
    letter each, and there are fewer parts than the names fill pages times ``at_once``. A part
    holding a name equal to its prefix is not split. Fewer than two parts: ``[]`` (one page, or
    nothing to split: the ordinary sweep is as fast).
    """
    lo = bisect_left(names, prefix)
    parts = [_Node(prefix, lo, _end(names, prefix, lo, len(names)))]
    while (longest := max(part.pages(page_size) for part in parts)) > 1:
        split = [_children(names, p) for p in parts if p.pages(page_size) == longest]
        kept = [p for p in parts if p.pages(page_size) != longest]
        if not all(split):
            break
        finer = kept + [child for children in split for child in children]
        if _rounds(finer, page_size, at_once) >= _rounds(parts, page_size, at_once):
            break
        parts = finer
    return sorted(part.prefix for part in parts) if len(parts) > 1 else []


def _rounds(parts: Sequence[_Node], page_size: int, at_once: int) -> int:
    """Round trips one after another to read ``parts``, ``at_once`` chains at a time."""
    pages = [part.pages(page_size) for part in parts]
    return max(max(pages), -(-sum(pages) // at_once))


class _Stray(Exception):
    """A part returned a name outside its prefix: the server's filter is not a prefix filter."""


def _falls_back(exc: BaseException) -> bool:
    """A stray name, or a request of the parts the server refused as asked (400: a filter or a
    page size it does not take): the ordinary sweep, which does without them, decides. Other
    errors (credentials, an outage after the retries) would fail it as well: they are raised."""
    return isinstance(exc, _Stray) or (isinstance(exc, ApiError) and exc.status == 400)


@dataclass(frozen=True)
class Parts:
    """What listing the parts found: the templates when they are provably the whole list,
    else ``None`` and why not."""

    templates: list[RemoteTemplate] | None
    reason: str


async def list_parts(
    client: Provider,
    prefixes: Sequence[str],
    *,
    name_prefix: str | None,
    page_size: int,
    concurrency: int,
    on_page: PageListener[RemoteTemplate] | None = None,
) -> Parts:
    """Each of ``prefixes`` listed as its own chain of pages, ``concurrency`` chains at once,
    beside ``count_templates(name_prefix=)``; see the module doc for when the result is
    accepted.

    ``on_page`` is told each page that passed the prefix check as it arrives, so it may see
    templates of parts that are then not accepted (the caller's ordinary sweep tells them
    again). Errors of the requests are raised, as the ordinary sweep raises them.
    """
    found: dict[str, list[RemoteTemplate]] = {}
    gate = asyncio.Semaphore(max(1, concurrency))

    async def part(prefix: str) -> None:
        def checked(page: list[RemoteTemplate]) -> None:
            stray = next((t.name for t in page if not t.name.startswith(prefix)), None)
            if stray is not None:  # stop this part now: it would list far too much
                raise _Stray(f"listing names starting with {prefix!r} returned {stray!r}")
            if on_page is not None:
                on_page(page)

        async with gate:
            found[prefix] = await client.list_templates(
                name_prefix=prefix, page_size=page_size, on_page=checked
            )

    try:
        async with asyncio.TaskGroup() as group:
            # The parts' first pages are sent first: they start the longest chains, and the
            # total is needed only once they are all read (the first request sent also opens
            # the first connection, ~30 ms at 10,000 templates: bench/plan_bench.py).
            for prefix in prefixes:
                group.create_task(part(prefix))
            total = group.create_task(client.count_templates(name_prefix=name_prefix))
    except BaseExceptionGroup as failures:
        errors = failures.split(_falls_back)[1]
        if errors is not None:
            raise errors.exceptions[0] from None  # one line for the user: the first failure
        return Parts(None, str(failures.exceptions[0]))
    return _checked([t for prefix in prefixes for t in found[prefix]], total.result(), prefixes)


def _checked(templates: list[RemoteTemplate], total: int | None, prefixes: Sequence[str]) -> Parts:
    """The parts' templates are the whole list when no key came back twice and there are as
    many as the whole list holds (each name was checked against its prefix on arrival)."""
    if total is None:
        return Parts(None, "the server tells no total")
    twice = len(templates) - len({t.key for t in templates})
    if twice:
        return Parts(None, f"{twice} template(s) came back twice (the list changed meanwhile)")
    if len(templates) != total:
        return Parts(
            None, f"{len(templates)} templates in {len(prefixes)} parts, {total} in the whole list"
        )
    return Parts(templates, f"{total} templates in {len(prefixes)} parts, the whole list")
