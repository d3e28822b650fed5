"""Remote state with the fewest requests: one sweep of the list endpoint, or a few by-name reads.

The list endpoint returns up to 1000 templates per page with full ``details`` and ``changes``, so
a whole project of N templates costs ``ceil(N / 1000)`` requests — cheaper than anything per
template once more than a handful of names are needed. When the caller needs only a few names
(and no pruning, which needs to see every remote name), ``listTemplatesByName`` per name is
cheaper still and runs with bounded concurrency.

The result is every template fetched, once per canonical key; scope and ignore are applied
later, once, by :func:`waform.inventory.pair`. ``complete`` tells whether every remote template
in scope was seen (a sweep): only then may "in the remote but not in git" mean anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from waform.client import Provider
from waform.client.pages import PageListener
from waform.config import Config
from waform.model.remote import RemoteTemplate

#: Up to this many names, per-name requests beat a sweep (each sweep page serves 1000).
BY_NAME_THRESHOLD = 20
#: Per-name requests in flight at once.
BY_NAME_CONCURRENCY = 8

Strategy = Literal["sweep", "by-name"]


@dataclass(frozen=True)
class FetchResult:
    """What the remote holds (sorted by key); ``requests`` = HTTP requests this fetch sent."""

    templates: list[RemoteTemplate]
    requests: int
    strategy: Strategy = "sweep"
    complete: bool = True
    name_prefix: str | None = None


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
    concurrency: int = BY_NAME_CONCURRENCY,
    on_page: PageListener[RemoteTemplate] | None = None,
) -> FetchResult:
    """The remote state relevant to ``names`` (``None``: everything in scope).

    A sweep may return templates outside the scope too (when the scope is not one name prefix);
    they are kept: the inventory sets them aside, and the plan-time rules count them. A sweep
    tells ``on_page`` each page's templates as they arrive.
    """
    before = client.requests_made
    strategy = choose_strategy(names, config, threshold=threshold)
    prefix: str | None = None
    if strategy == "by-name":
        assert names is not None
        fetched = await _by_name(client, sorted(names), concurrency)
    else:
        prefix = config.scope.name_prefix()
        fetched = await client.list_templates(name_prefix=prefix, on_page=on_page)

    unique = {t.key: t for t in fetched}  # a page boundary moving under us may repeat an item
    return FetchResult(
        templates=[unique[key] for key in sorted(unique)],
        requests=client.requests_made - before,
        strategy=strategy,
        complete=strategy == "sweep",
        name_prefix=prefix,
    )


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
