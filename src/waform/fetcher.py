"""Remote state with the fewest requests: one sweep of the list endpoint, or a few by-name reads.

The list endpoint returns up to 1000 templates per page with full ``details`` and ``changes``, so
a whole project of N templates costs ``ceil(N / 1000)`` requests — cheaper than anything per
template once more than a handful of names are needed. Those pages come one after another (each
token from the page before); given the desired names, the sweep reads disjoint name prefixes at
once instead, where it can prove that they make up the whole list (:mod:`waform.sweep_parts`;
a few more requests). When the caller needs only a few names (and no pruning, which needs to see
every remote name), ``listTemplatesByName`` per name is cheaper still and runs with bounded
concurrency.

The result is every template fetched, once per canonical key; scope and ignore are applied
later, once, by :func:`waform.inventory.pair`. ``complete`` tells whether every remote template
in scope was seen (a sweep): only then may "in the remote but not in git" mean anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from waform.client import MAX_PAGE_SIZE, Provider
from waform.client.pages import PageListener
from waform.config import Config
from waform.model.remote import RemoteTemplate
from waform.sweep_parts import cut, list_parts

log = logging.getLogger(__name__)

#: Up to this many names, per-name requests beat a sweep (each sweep page serves 1000).
BY_NAME_THRESHOLD = 20
#: Per-name requests, or chains of pages of a sweep in parts, in flight at once.
CONCURRENCY = 8

Strategy = Literal["sweep", "by-name"]


@dataclass(frozen=True)
class FetchResult:
    """What the remote holds (sorted by key); ``requests`` = HTTP requests this fetch sent;
    ``parts``: the name prefixes a sweep was read in (``()``: page after page)."""

    templates: list[RemoteTemplate]
    requests: int
    strategy: Strategy = "sweep"
    complete: bool = True
    name_prefix: str | None = None
    parts: tuple[str, ...] = ()


def choose_strategy(names: set[str] | None, config: Config, *, threshold: int) -> Strategy:
    """By-name only for a few known names and when nothing must be found by absence (prune)."""
    if names is not None and len(names) <= threshold and not config.prune:
        return "by-name"
    return "sweep"


async def fetch_remote(
    client: Provider,
    *,
    names: set[str] | None,
    config: Config,
    threshold: int = BY_NAME_THRESHOLD,
    concurrency: int = CONCURRENCY,
    on_page: PageListener[RemoteTemplate] | None = None,
    desired_names: Sequence[str] = (),
    page_size: int = MAX_PAGE_SIZE,
) -> FetchResult:
    """The remote state relevant to ``names`` (``None``: everything in scope).

    A sweep may return templates outside the scope too (when the scope is not one name prefix);
    they are kept: the inventory sets them aside, and the plan-time rules count them. A sweep
    tells ``on_page`` each page's templates as they arrive (a template may be told twice, when
    a sweep in parts was not accepted; the result holds the later one). ``desired_names``
    (sorted, one per desired template-language) tell a sweep where it may split the name space
    into parts (of pages of ``page_size``), ``concurrency`` at once; they only guide it, never
    limit what is fetched.
    """
    before = client.requests_made
    strategy = choose_strategy(names, config, threshold=threshold)
    prefix: str | None = None
    parts: tuple[str, ...] = ()
    if strategy == "by-name":
        assert names is not None
        fetched = await _by_name(client, sorted(names), concurrency)
    else:
        prefix = config.scope.name_prefix()
        prefixes = cut(desired_names, prefix or "", page_size=page_size, at_once=concurrency)
        fetched, parts = await _sweep(client, prefix, prefixes, page_size, concurrency, on_page)

    unique = {t.key: t for t in fetched}  # a page boundary moving under us may repeat an item
    return FetchResult(
        templates=[unique[key] for key in sorted(unique)],
        requests=client.requests_made - before,
        strategy=strategy,
        complete=strategy == "sweep",
        name_prefix=prefix,
        parts=parts,
    )


async def _sweep(
    client: Provider,
    prefix: str | None,
    prefixes: list[str],
    page_size: int,
    concurrency: int,
    on_page: PageListener[RemoteTemplate] | None,
) -> tuple[list[RemoteTemplate], tuple[str, ...]]:
    """Every template (under ``prefix``): read in ``prefixes`` at once when that provably gives
    the whole list, else page after page; with the prefixes the result was read in."""
    if prefixes:
        listed = await list_parts(
            client,
            prefixes,
            name_prefix=prefix,
            page_size=page_size,
            concurrency=concurrency,
            on_page=on_page,
        )
        if listed.templates is not None:
            log.debug("fetch: read in %d parts at once (%s)", len(prefixes), listed.reason)
            return listed.templates, tuple(prefixes)
        log.debug(
            "fetch: the %d parts are not used (%s); page after page", len(prefixes), listed.reason
        )
    else:
        log.debug(
            "fetch: page after page (the desired names fill at most one page or cannot be split)"
        )
    return await client.list_templates(name_prefix=prefix, page_size=page_size, on_page=on_page), ()


async def _by_name(client: Provider, names: list[str], concurrency: int) -> list[RemoteTemplate]:
    gate = asyncio.Semaphore(max(1, concurrency))
    results: dict[str, list[RemoteTemplate]] = {}

    async def one(name: str) -> None:
        async with gate:
            results[name] = await client.get_by_name(name)

    try:
        async with asyncio.TaskGroup() as group:
            for name in names:
                group.create_task(one(name))
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None  # one line for the user: the first failure
    return [t for name in names for t in results.get(name, [])]
