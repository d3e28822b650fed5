"""The client over real HTTP: the emulator served by uvicorn on a free loopback port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from waform.client import RetryPolicy, TransportError, UnknownOutcomeError
from waform.config import OAuth2AuthConfig, SinchTarget
from waform.connect import open_provider
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator
from waform.model.template import TemplateFile

PROJECT = "proj-served"
KEY_ID = "served-key"
SECRET = "served-secret-b7c1d2e3f4"
ENV = {"SINCH_KEY_ID": KEY_ID, "SINCH_KEY_SECRET": SECRET}
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def served() -> Iterator[ServedEmulator]:
    settings = EmulatorSettings(state_path=":memory:", key_id=KEY_ID, key_secret=SECRET)
    with ServedEmulator(settings) as emulator:
        yield emulator


@pytest.fixture
def control(served: ServedEmulator) -> Iterator[EmulatorControl]:
    with EmulatorControl.connect(served.url) as ctl:
        ctl.reset()
        yield ctl
        ctl.clear_faults()


def target(served: ServedEmulator, timeout: float = 10.0) -> SinchTarget:
    return SinchTarget(
        name="served",
        project_id=PROJECT,
        base_url=served.url,
        auth=OAuth2AuthConfig(type="oauth2", tokenUrl=f"{served.url}/oauth2/token"),
        timeout=timeout,
    )


def body(name: str) -> dict[str, Any]:
    details = {
        "components": [{"type": "BODY", "text": "Hello {{1}}, see you soon.", "examples": ["Al"]}]
    }
    file = TemplateFile.model_validate(
        {"name": name, "category": "UTILITY", "languages": {"EN_US": {"details": details}}}
    )
    return file.desired()[0].create_body()


def test_real_http_with_oauth2(
    served: ServedEmulator, control: EmulatorControl, caplog: pytest.LogCaptureFixture
) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    caplog.set_level(logging.DEBUG, logger="waform.client")

    async def main() -> tuple[int, int, list[str]]:
        async with open_provider(target(served), environ=ENV) as client:
            await asyncio.gather(*(client.create(body(f"visit_{i}")) for i in range(5)))
            page = await client.list_page(page_size=2)
            second = await client.list_page(page_size=2, page_token=page.nextPageToken)
            got = await client.get("visit_3", "EN_US")
            assert got is not None and got.name == "visit_3"
            return (
                page.totalSize,
                client.requests_made,
                [t.name for t in page.templates + second.templates],
            )

    total, requests, names = asyncio.run(main())
    assert total == 5
    assert names == ["visit_0", "visit_1", "visit_2", "visit_3"]
    assert requests == 1 + 5 + 3  # one token, five creates, three reads
    log = control.requests(PROJECT)
    assert [r["method"] for r in log].count("POST") == 5
    err = caplog.text
    assert "/oauth2/token → 200" in err
    assert SECRET not in err


def test_dropped_connections_on_reads_are_retried(
    served: ServedEmulator, control: EmulatorControl
) -> None:
    control.set_faults(script=["drop", "drop"], methods=["GET"])

    async def main() -> int:
        async with open_provider(target(served), environ=ENV, retry=FAST) as client:
            assert (await client.list_page()).totalSize == 0
            return client.requests_made

    assert asyncio.run(main()) == 1 + 3
    assert [r["fault"] for r in control.requests(PROJECT)][:2] == ["drop:200", "drop:200"]


def test_a_dropped_create_is_an_unknown_outcome(
    served: ServedEmulator, control: EmulatorControl
) -> None:
    control.set_faults(script=["drop"], methods=["POST"], path_regex="/whatsapp/templates$")

    async def main() -> bool:
        async with open_provider(target(served), environ=ENV, retry=FAST) as client:
            with pytest.raises(UnknownOutcomeError, match="may have been processed"):
                await client.create(body("dropped_create"))
            return await client.get("dropped_create", "EN_US") is not None

    assert asyncio.run(main()) is True  # processed although the answer was lost


def test_timeouts(served: ServedEmulator, control: EmulatorControl) -> None:
    control.set_faults(latency_ms=600, path_regex="/whatsapp/")

    async def main() -> tuple[str, str]:
        async with open_provider(target(served, timeout=0.2), environ=ENV, retry=FAST) as client:
            with pytest.raises(TransportError) as read:
                await client.list_page()
            with pytest.raises(UnknownOutcomeError) as write:
                await client.create(body("slow_create"))
            return str(read.value), str(write.value)

    read, write = asyncio.run(main())
    assert read.startswith(
        f"GET /v1/projects/{PROJECT}/whatsapp/templates?pageSize=1000: request timed out (ReadTimeout"
    )
    assert "gave up after 3 attempts" in read
    assert write.startswith(
        f"POST /v1/projects/{PROJECT}/whatsapp/templates (createTemplate slow_create/EN_US): "
        "request timed out (ReadTimeout"
    )
