"""Remote state with the fewest requests: one sweep of the list endpoint, or a few by-name reads.

The list endpoint returns up to 1000 templates per page with full ``details`` and ``changes``, so
a whole project of N templates costs ``ceil(N / 1000)`` requests — cheaper than anything per
template once more than a handful of names are needed. When the caller needs only a few names
(and no pruning, which needs to see every remote name), ``listTemplatesByName`` per name is
cheaper still and runs with bounded concurrency.

The result splits what was fetched three ways so the differ never has to re-derive scope:
``templates`` (managed: in scope, not ignored), ``ignored`` (in scope but matched by ``ignore``)
and ``unmanaged`` (outside the scope). ``complete`` tells whether every managed remote template
was seen (a sweep): only then may "in the remote but not in git" mean anything.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

from waform.client import Provider
from waform.config import Config
from waform.model.remote import RemoteTemplate

#: Up to this many names, per-name requests beat a sweep (each sweep page serves 1000).
BY_NAME_THRESHOLD = 20
#: Per-name requests in flight at once.
BY_NAME_CONCURRENCY = 8

Strategy = Literal["sweep", "by-name"]


@dataclass(frozen=True)
class FetchResult:
    """What the remote holds, split by scope; ``requests`` = HTTP requests this fetch sent."""

    templates: list[RemoteTemplate]
    requests: int
    unmanaged: list[RemoteTemplate] = field(default_factory=list)
    ignored: list[RemoteTemplate] = field(default_factory=list)
    strategy: Strategy = "sweep"
    complete: bool = True
    name_prefix: str | None = None

    @property
    def all(self) -> list[RemoteTemplate]:
        """Everything fetched, sorted by (name, language)."""
        return sorted([*self.templates, *self.ignored, *self.unmanaged], key=lambda t: t.key)


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
) -> FetchResult:
    """The remote state relevant to ``names`` (``None``: everything in scope).

    Out-of-scope templates that a sweep returns anyway are kept in ``unmanaged`` for the
    differ's report; they are never candidates for changes.
    """
    before = client.requests_made
    strategy = choose_strategy(names, config, threshold=threshold)
    prefix: str | None = None
    if strategy == "by-name":
        assert names is not None
        fetched = await _by_name(client, sorted(names), concurrency)
    else:
        prefix = config.scope.name_prefix()
        fetched = await client.list_templates(name_prefix=prefix)

    unique = {t.key: t for t in fetched}  # a page boundary moving under us may repeat an item
    managed, ignored, unmanaged = [], [], []
    for key in sorted(unique):
        template = unique[key]
        if not config.scope.manages(template.name):
            unmanaged.append(template)
        elif config.ignore.ignores(template.name, template.language):
            ignored.append(template)
        else:
            managed.append(template)
    return FetchResult(
        templates=managed,
        requests=client.requests_made - before,
        unmanaged=unmanaged,
        ignored=ignored,
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
