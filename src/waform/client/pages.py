"""The one pagination loop: every list endpoint of every provider goes through
:func:`collect_pages`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from waform.errors import ApiError

#: Safety stop for a server that keeps returning page tokens (10 million templates).
MAX_PAGES = 10_000

Item = TypeVar("Item")
#: ``fetch_page(token) -> (items, next_token)``: one page of a paginated endpoint.
PageFetcher = Callable[[str | None], Awaitable[tuple[list[Item], str | None]]]
#: Told each page's items as they arrive (while the next page is on its way).
PageListener = Callable[[list[Item]], None]


async def collect_pages(
    fetch_page: PageFetcher[Item],
    *,
    op: str,
    limit: int | None = None,
    on_page: PageListener[Item] | None = None,
) -> list[Item]:
    """Every item of a paginated endpoint.

    Only the token ends the loop: a page may come back empty (e.g. everything on it was deleted
    meanwhile) and still point further. A token seen twice is an error, not a loop; so is more
    than :data:`MAX_PAGES` pages. ``limit`` stops early on purpose (newest-first histories).
    """
    out: list[Item] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(limit or MAX_PAGES):
        items, token = await fetch_page(token)
        out.extend(items)
        if on_page is not None:
            on_page(items)
        if not token:
            return out
        if token in seen:
            raise ApiError(f"{op}: the API returned page token {token!r} twice; giving up")
        seen.add(token)
    if limit is not None:
        return out
    raise ApiError(f"{op}: more than {MAX_PAGES} pages; giving up")
