"""Everything the client sends (bodies, query parameters) and receives validates against Sinch's
OpenAPI file. Skipped when ../shared/reference is absent."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from openapi_contract import require_contract
from waform.client import ApiError
from waform.config import LocalTarget
from waform.connect import open_provider
from waform.emulator import EmulatorControl, embedded_transport
from waform.model.template import TemplateFile

PROJECT = "contract"


class Recording(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.emulator = inner.emulator  # type: ignore[attr-defined]
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.exchanges.append((request, response))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def rich_template(text: str) -> TemplateFile:
    return TemplateFile.model_validate(
        {
            "name": "order_update",
            "category": "UTILITY",
            "allowCategoryChange": True,
            "languages": {
                "en_US": {
                    "details": {
                        "components": [
                            {
                                "type": "HEADER",
                                "format": "TEXT",
                                "text": "Order {{1}}",
                                "example": "A-1",
                            },
                            {"type": "BODY", "text": text, "examples": ["Anna", "A-1042"]},
                            {"type": "FOOTER", "text": "Reply STOP to opt out"},
                            {
                                "type": "BUTTONS",
                                "buttons": [
                                    {"type": "QUICK_REPLY", "text": "Thanks"},
                                    {
                                        "type": "URL",
                                        "text": "Track",
                                        "url": "https://shop.example.com/track/{{1}}",
                                        "example": "https://shop.example.com/track/A-1042",
                                    },
                                ],
                            },
                        ],
                        "messageSendTtlSeconds": 3600,
                    }
                },
                "de": {
                    "status": "draft",
                    "details": {"components": [{"type": "BODY", "text": "Hallo"}]},
                },
            },
        }
    )


def test_requests_and_responses_follow_the_openapi_contract(tmp_path: Path) -> None:
    contract = require_contract()
    state = tmp_path / "emulator.sqlite3"
    transport = Recording(embedded_transport(state))
    english, german = rich_template("Hi {{1}}, your order {{2}} is on its way.").desired()
    changed = rich_template("Hi {{1}}, order {{2}} left our warehouse today.").desired()[0]

    async def first() -> None:
        async with open_provider(
            LocalTarget("local", state, PROJECT), transport=transport
        ) as client:
            await client.create(english.create_body())
            await client.create(german.create_body())
            with pytest.raises(ApiError):
                await client.create(english.create_body())  # 409 template_exists
            await client.list_page(
                page_size=1,
                name_prefix="order_",
                filter_states=["PENDING"],
                filter_statuses=["IN_PROGRESS"],
            )
            await client.get_by_name("order_update")
            assert await client.get("order_update", "FR") is None

    asyncio.run(first())
    with EmulatorControl.in_process(state) as control:
        control.complete_reviews(PROJECT, outcome="APPROVED")

    async def second() -> None:
        async with open_provider(
            LocalTarget("local", state, PROJECT), transport=transport
        ) as client:
            await client.update("order_update", "EN_US", changed.update_body())
            await client.comment("order_update", "EN_US", "Please review quickly")
            await client.delete_language("order_update", "DE", delete_submitted=True)
            await client.delete_name("order_update")
            assert await client.get_by_name("order_update") == []

    asyncio.run(second())

    checked = set()
    for request, response in transport.exchanges:
        path = request.url.path
        _, operation = contract.operation(request.method, path)
        body = json.loads(request.content) if request.content else None
        contract.check_request(request.method, path, body)
        allowed = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        assert set(request.url.params.keys()) <= allowed, (request.method, path)
        reply = json.loads(response.content) if response.content else None
        contract.check_response(request.method, path, response.status_code, reply)
        checked.add((request.method, response.status_code))
    assert checked >= {("POST", 201), ("POST", 409), ("GET", 200), ("GET", 404), ("PATCH", 200)}
    assert ("DELETE", 204) in checked
