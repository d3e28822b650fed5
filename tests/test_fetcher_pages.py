"""Paging edge cases the emulator never produces, served by a scripted peer (httpx.MockTransport).

Sinch does not promise that a page holding a ``nextPageToken`` is non-empty; a sweep that stopped
at such a page would silently miss templates and plan to create them again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from waform.client import Endpoint, NoAuth, open_sinch
from waform.config import load_config
from waform.errors import ApiError
from waform.fetcher import fetch_remote

TEMPLATE = {
    "name": "order_shipped",
    "language": "EN_US",
    "category": "UTILITY",
    "state": "APPROVED",
    "details": {"components": [{"type": "BODY", "text": "Your order has shipped."}]},
    "analytics": [],
    "isMetaGenerated": False,
}


def _pages(pages: dict[str | None, dict]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("pageToken")])

    return httpx.MockTransport(handler)


def _sweep(tmp_path: Path, transport: httpx.MockTransport, on_page=None):
    config = load_config(None, tmp_path)
    endpoint = Endpoint("https://templates.example.invalid", NoAuth(), transport)

    async def run():
        async with open_sinch(endpoint, project_id="p1") as provider:
            return await fetch_remote(provider, names=None, config=config, on_page=on_page)

    return asyncio.run(run())


def test_an_empty_page_with_a_next_token_does_not_end_the_sweep(tmp_path: Path) -> None:
    transport = _pages(
        {
            None: {"totalSize": 1, "pageSize": 1000, "templates": [], "nextPageToken": "p2"},
            "p2": {"totalSize": 1, "pageSize": 1000, "templates": [TEMPLATE]},
        }
    )
    pages: list[list] = []
    result = _sweep(tmp_path, transport, on_page=pages.append)
    assert [t.key for t in result.templates] == [("order_shipped", "EN_US")]
    assert result.requests == 2
    assert pages == [[], result.templates], "each page is told as it arrives"


def test_a_token_that_comes_back_again_is_an_error_not_a_loop(tmp_path: Path) -> None:
    transport = _pages(
        {
            None: {"totalSize": 1, "pageSize": 1000, "templates": [], "nextPageToken": "p2"},
            "p2": {"totalSize": 1, "pageSize": 1000, "templates": [], "nextPageToken": "p2"},
        }
    )
    with pytest.raises(ApiError, match="page token 'p2' twice"):
        _sweep(tmp_path, transport)
