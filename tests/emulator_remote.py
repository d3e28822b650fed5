"""A remote for the fetcher's tests: an emulator state file seeded as if templates were created in
WhatsApp Manager, read through the real client and the in-process transport."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from waform.client import RetryPolicy
from waform.config import Config, LocalTarget
from waform.connect import open_provider
from waform.emulator import EmulatorControl, embedded_transport
from waform.fetcher import FetchResult, fetch_remote

PROJECT = "p1"


class Tracking(httpx.AsyncBaseTransport):
    """The real emulator transport, counting requests sent and in flight at once."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.emulator = inner.emulator
        self.sent: list[httpx.URL] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


class Remote:
    """An emulator state file with templates seeded as if created in WhatsApp Manager."""

    def __init__(self, tmp_path: Path) -> None:
        self.state = tmp_path / "emulator.sqlite3"
        self.transport = Tracking(embedded_transport(self.state))
        self.control = EmulatorControl.in_process(self.state)

    def seed(self, names: list[str], languages: tuple[str, ...] = ("EN_US",)) -> None:
        for name in names:
            for language in languages:
                self.transport.emulator.meta_add(
                    PROJECT,
                    name=name,
                    language=language,
                    category="UTILITY",
                    details={"components": [{"type": "BODY", "text": f"Hello from {name}"}]},
                )

    def queries(self) -> list[str]:
        return [r["query"] for r in self.control.requests(PROJECT)]

    def fetch(self, names: set[str] | None, config: Config, **options: Any) -> FetchResult:
        """``fetch_remote`` through the real client (``transport=``: another one in front)."""
        retry = options.pop("retry", RetryPolicy(base_delay=0.01, max_delay=0.02))
        transport = options.pop("transport", self.transport)

        async def main() -> FetchResult:
            async with open_provider(
                LocalTarget("local", self.state, PROJECT), transport=transport, retry=retry
            ) as client:
                return await fetch_remote(client, names=names, config=config, **options)

        return asyncio.run(main())
