"""Retries against the emulator's fault injection: 429 (+Retry-After), 500, resource_locked and
dropped connections; reads retry, writes only when the request certainly was not processed."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from waform.apply.throttle import AdaptiveThrottle
from waform.client import ApiError, RetryPolicy, TransportError, UnknownOutcomeError
from waform.config import LocalTarget, SinchTarget
from waform.connect import open_provider
from waform.emulator import EmulatorControl, EmulatorSettings, embedded_transport
from waform.model.template import TemplateFile

PROJECT = "p1"
FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, budget=30)


class FakeTime:
    """``clock`` + ``sleep`` for the client: waits are recorded and advance the clock instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def body(name: str) -> dict[str, Any]:
    file = TemplateFile.model_validate(
        {
            "name": name,
            "category": "UTILITY",
            "languages": {
                "EN_US": {
                    "details": {
                        "components": [
                            {
                                "type": "BODY",
                                "text": "Hi {{1}}, your order is ready.",
                                "examples": ["Bo"],
                            }
                        ]
                    }
                }
            },
        }
    )
    return file.desired()[0].create_body()


class Emulator:
    """An in-process emulator on a state file, plus its control API (same file)."""

    def __init__(self, tmp_path: Path) -> None:
        self.state = tmp_path / "emulator.sqlite3"
        self.control = EmulatorControl.in_process(self.state)
        self.target = LocalTarget("local", self.state, PROJECT)

    def faults(self, *script: str, retry_after: int = 0, **extra: Any) -> None:
        self.control.set_faults(script=list(script), retry_after=retry_after, **extra)

    def log(self) -> list[tuple[str, int, str | None]]:
        return [(r["method"], r["status"], r["fault"]) for r in self.control.requests(PROJECT)]


@pytest.fixture
def emu(tmp_path: Path):
    emulator = Emulator(tmp_path)
    yield emulator
    emulator.control.close()


def run(emu: Emulator, scenario: Any, **options: Any) -> Any:
    async def main() -> Any:
        async with open_provider(emu.target, **{"retry": FAST, **options}) as client:
            return await scenario(client)

    return asyncio.run(main())


# ---------------------------------------------------------------- reads


def test_reads_survive_every_kind_of_fault(emu: Emulator) -> None:
    emu.faults("throttle", "error", "locked", "drop", "ok")

    async def scenario(client):
        page = await client.list_page()
        return page.totalSize, client.requests_made, client.retries

    assert run(emu, scenario) == (0, 5, 4)
    assert emu.log() == [
        ("GET", 429, "throttle"),
        ("GET", 500, "error"),
        ("GET", 409, "locked"),
        ("GET", 0, "drop:200"),  # processed (200), then the connection was cut
        ("GET", 200, None),
    ]


def test_retry_after_is_honoured_and_backoff_grows(emu: Emulator) -> None:
    emu.faults("throttle", "throttle", "error", "error", retry_after=3)
    time = FakeTime()
    policy = RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=8, jitter=0, budget=60)

    async def scenario(client):
        return await client.get("order_shipped", "EN_US")

    assert run(emu, scenario, retry=policy, clock=time.clock, sleep=time.sleep) is None
    assert time.waits == [3.0, 3.0, 2.0, 4.0]  # Retry-After twice, then 0.5·2^(n-1)


def test_retries_run_out_with_a_clear_one_line_error(emu: Emulator) -> None:
    emu.faults(throttle_rate=1.0, retry_after=2)
    time = FakeTime()
    policy = RetryPolicy(max_attempts=3, base_delay=0.5, budget=60)

    async def scenario(client):
        with pytest.raises(ApiError) as info:
            await client.list_page()
        assert info.value.retry_after == 2.0  # for callers that pace themselves
        return str(info.value), info.value.status, client.requests_made

    message, status, requests = run(emu, scenario, retry=policy, clock=time.clock, sleep=time.sleep)
    assert message == (
        f"listTemplates GET /v1/projects/{PROJECT}/whatsapp/templates?pageSize=1000: 429 "
        "whatsapp_business_api_request_limit_exceeded: WhatsApp business api request limit "
        "reached. — WhatsApp business API request limits reached. Please try again later. "
        "(gave up after 3 attempts in 4.0 s)"
    )
    assert "\n" not in message
    assert (status, requests) == (429, 3)


def test_the_time_budget_bounds_retries(emu: Emulator) -> None:
    emu.faults(throttle_rate=1.0, retry_after=20)
    time = FakeTime()
    policy = RetryPolicy(max_attempts=10, budget=30)

    async def scenario(client):
        with pytest.raises(ApiError) as info:
            await client.get("x", "EN_US")
        return str(info.value), client.requests_made

    message, requests = run(emu, scenario, retry=policy, clock=time.clock, sleep=time.sleep)
    assert requests == 2 and time.waits == [20.0]
    assert message.endswith("(gave up after 2 attempts in 20.0 s; the server asked to wait 20 s)")


def test_other_4xx_are_reported_not_retried(emu: Emulator) -> None:
    async def scenario(client):
        with pytest.raises(ApiError) as info:
            await client.list_page(page_token="not-a-token")
        return info.value.error_code, client.requests_made

    assert run(emu, scenario) == ("invalid_page_token", 1)


# ---------------------------------------------------------------- writes


def test_writes_retry_429_and_resource_locked(emu: Emulator) -> None:
    emu.faults("throttle", "locked", "ok")

    async def scenario(client):
        created = await client.create(body("order_ready"))
        return created.name, client.requests_made, len(await client.get_by_name("order_ready"))

    assert run(emu, scenario) == ("order_ready", 3, 1)
    assert [status for _, status, _ in emu.log()] == [429, 409, 201, 200]


@pytest.mark.parametrize(
    ("fault", "processed"),
    [("drop", True), ("error_after", True), ("error", False)],
)
def test_writes_with_an_unknown_outcome_are_not_retried(
    emu: Emulator, fault: str, processed: bool
) -> None:
    emu.faults(fault)

    async def scenario(client):
        with pytest.raises(UnknownOutcomeError) as info:
            await client.create(body("order_ready"))
        requests = client.requests_made
        return str(info.value), requests, await client.get("order_ready", "EN_US")

    message, requests, found = run(emu, scenario)
    assert requests == 1  # never blindly re-sent
    assert (found is not None) == processed
    assert (
        "createTemplate order_ready/EN_US" in message
        or "(createTemplate order_ready/EN_US)" in message
    )
    assert message.endswith("the write may have been processed — check before retrying")
    assert "\n" not in message
    assert isinstance(UnknownOutcomeError(""), TransportError)


def test_deletes_and_updates_follow_the_write_rules(emu: Emulator) -> None:
    async def setup(client):
        await client.create(body("order_ready"))

    run(emu, setup)
    emu.faults("locked", "ok", "drop")

    async def scenario(client):
        await client.delete_language("order_ready", "EN_US", delete_submitted=True)  # locked, ok
        with pytest.raises(UnknownOutcomeError):
            await client.delete_name("order_ready")  # dropped: maybe done
        return client.requests_made

    assert run(emu, scenario) == 3


# ---------------------------------------------------------------- transport and pacing


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_connection_refused_is_retried_then_reported(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="waform.client")
    from waform.config import BasicAuthConfig

    port = _closed_port()
    target = SinchTarget(
        name="dev",
        project_id=PROJECT,
        base_url=f"http://127.0.0.1:{port}",
        auth=BasicAuthConfig(type="basic", keyIdEnv="K", keySecretEnv="S"),
        timeout=2,
    )
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)

    async def main():
        async with open_provider(target, retry=policy, environ={"K": "k", "S": "s3cret"}) as client:
            with pytest.raises(TransportError) as read:
                await client.list_page()
            # Connection refused: the request never left, so even a write may be retried.
            with pytest.raises(TransportError) as write:
                await client.create(body("order_ready"))
            return read.value, write.value, client.requests_made

    read, write, requests = asyncio.run(main())
    assert requests == 6
    assert not isinstance(write, UnknownOutcomeError)
    assert str(read).startswith(
        f"GET /v1/projects/{PROJECT}/whatsapp/templates?pageSize=1000: request failed (ConnectError: "
    )
    assert str(read).endswith("(gave up after 3 attempts in " + str(read).rsplit(" in ", 1)[1])
    assert str(write).startswith(
        f"POST /v1/projects/{PROJECT}/whatsapp/templates (createTemplate order_ready/EN_US): "
    )
    err = caplog.text
    assert "retrying listTemplates" in err and "retrying createTemplate order_ready/EN_US" in err


def test_a_shared_throttle_hears_about_429s(emu: Emulator) -> None:
    emu.faults("throttle", "throttle", "ok", "ok", retry_after=0)
    throttle = AdaptiveThrottle(max_concurrency=4, min_rate=50)

    async def scenario(client):
        await client.list_page()
        await client.get("a", "EN_US")
        return client.requests_made

    assert run(emu, scenario, throttle=throttle) == 4
    assert throttle.stats.throttled == 2
    assert throttle.in_flight == 0  # every permit released


def test_embedded_settings_from_the_transport_are_respected(tmp_path: Path) -> None:
    settings = EmulatorSettings(state_path=":memory:", auth=False, background=False)

    async def main():
        async with open_provider(
            LocalTarget("local", tmp_path / "unused", PROJECT),
            transport=embedded_transport(":memory:", settings=settings),
        ) as client:
            return (await client.list_page()).totalSize, client.secrets

    assert asyncio.run(main()) == (0, ())


def test_update_and_delete_language_follow_the_write_rules(emu: Emulator) -> None:
    async def setup(client):
        await client.create(body("order_ready"))

    run(emu, setup)
    emu.control.complete_reviews(PROJECT, outcome="APPROVED")
    emu.faults("locked", "ok", "error")
    patch = {k: v for k, v in body("order_ready").items() if k in ("status", "details")}

    async def scenario(client):
        answer = await client.update("order_ready", "EN_US", patch)
        assert answer.name == "order_ready"
        with pytest.raises(UnknownOutcomeError, match=r"^deleteTemplateByNameAndLanguage order_"):
            await client.delete_language("order_ready", "EN_US", delete_submitted=True)
        return client.requests_made

    assert run(emu, scenario) == 3
    assert [(m, s) for m, s, _ in emu.log()][-3:] == [
        ("PATCH", 409),
        ("PATCH", 200),
        ("DELETE", 500),
    ]
