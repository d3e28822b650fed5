"""SinchProvider against the in-process emulator: every operation, headers, Basic and OAuth2 auth,
HTTPS enforcement and credential hygiene."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from waform import __version__
from waform.client import ApiError
from waform.config import BasicAuthConfig, LocalTarget, OAuth2AuthConfig, SinchTarget
from waform.connect import open_provider
from waform.emulator import EmulatorControl, EmulatorSettings, embedded_transport
from waform.errors import ConfigError
from waform.model.template import TemplateFile

PROJECT = "p1"
KEY_ID = "key-id-42"
SECRET = "S3cr3t-value-never-printed-9f8e7d"


class Recording(httpx.AsyncBaseTransport):
    """Passes requests to the real emulator transport and remembers them (headers included)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.emulator = inner.emulator
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def desired(
    name: str, language: str = "en_US", text: str = "Hi {{1}}, your order has shipped today."
):
    file = TemplateFile.model_validate(
        {
            "name": name,
            "category": "UTILITY",
            "languages": {
                language: {
                    "details": {
                        "components": [{"type": "BODY", "text": text, "examples": ["Anna"]}]
                    }
                }
            },
        }
    )
    return file.desired()[0]


def emulator(tmp_path: Path, **settings: Any) -> Recording:
    state = tmp_path / "emulator.sqlite3"
    config = EmulatorSettings(state_path=state, background=False, **settings)
    return Recording(embedded_transport(state, settings=config))


def sinch_target(kind: str = "oauth2", **overrides: Any) -> SinchTarget:
    spec = (
        OAuth2AuthConfig(
            type="oauth2",
            keyIdEnv="T_KEY_ID",
            keySecretEnv="T_KEY_SECRET",
            tokenUrl="http://127.0.0.1:9/oauth2/token",
        )
        if kind == "oauth2"
        else BasicAuthConfig(type="basic", keyIdEnv="T_KEY_ID", keySecretEnv="T_KEY_SECRET")
    )
    values: dict[str, Any] = {
        "name": "staging",
        "project_id": PROJECT,
        "base_url": "http://127.0.0.1:9",
        "auth": spec,
    }
    values.update(overrides)
    return SinchTarget(**values)


ENV = {"T_KEY_ID": KEY_ID, "T_KEY_SECRET": SECRET}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- operations


def test_every_operation_round_trips_through_the_local_target(tmp_path: Path) -> None:
    target = LocalTarget(name="local", state_path=tmp_path / "state.sqlite3", project_id=PROJECT)
    shipped, german = desired("order_shipped"), desired("order_shipped", "de")

    async def scenario() -> None:
        async with open_provider(target) as client:
            assert await client.get("order_shipped", "EN_US") is None
            assert await client.get_by_name("order_shipped") == []
            created = await client.create(shipped.create_body())
            assert created.key == ("order_shipped", "EN_US")
            assert created.pending is not None and created.pending.status == "IN_PROGRESS"
            await client.create(german.create_body(status="DRAFT"))
            both = await client.get_by_name("order_shipped")
            assert sorted(t.language for t in both) == ["DE", "EN_US"]
            page = await client.list_page()
            assert page.totalSize == 2 and page.nextPageToken in (None, "")
            assert client.requests_made == 6

    asyncio.run(scenario())
    with EmulatorControl.in_process(tmp_path / "state.sqlite3") as control:
        control.complete_reviews(PROJECT, outcome="APPROVED")
    changed = desired("order_shipped", text="Hi {{1}}, your parcel left our warehouse today.")

    async def second_run() -> None:
        async with open_provider(target) as client:  # state persisted in the file
            live = await client.get("order_shipped", "EN_US")
            assert live is not None and live.state == "APPROVED"
            updated = await client.update("order_shipped", "EN_US", changed.update_body())
            assert updated.effective_details() == changed.details_wire()
            comment = await client.comment("order_shipped", "EN_US", "Reworded per legal")
            assert comment
            await client.delete_language("order_shipped", "DE", delete_submitted=False)
            assert await client.get("order_shipped", "DE") is None
            await client.delete_name("order_shipped")
            assert await client.get_by_name("order_shipped") == []
            assert client.requests_made == 7

    asyncio.run(second_run())


def test_headers_user_agent_and_basic_for_the_embedded_emulator(tmp_path: Path) -> None:
    transport = emulator(tmp_path)

    async def scenario() -> None:
        async with open_provider(
            LocalTarget("local", tmp_path / "x", PROJECT), transport=transport
        ) as client:
            await client.list_page(
                page_size=5, name_prefix="order_", filter_states=["APPROVED", "PAUSED"]
            )

    asyncio.run(scenario())
    (request,) = transport.requests
    assert request.headers["User-Agent"] == f"waform/{__version__}"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"local:local").decode()
    assert request.url.path == f"/v1/projects/{PROJECT}/whatsapp/templates"
    assert request.url.params.get_list("filterStates") == ["APPROVED", "PAUSED"]
    assert request.url.params["templateName"] == "order_"
    assert request.url.params["pageSize"] == "5"


def test_api_errors_are_one_line_with_code_resolution_and_template(tmp_path: Path) -> None:
    transport = emulator(tmp_path)
    body = desired("order_shipped").create_body()

    async def scenario() -> None:
        async with open_provider(
            LocalTarget("local", tmp_path / "x", PROJECT), transport=transport
        ) as client:
            await client.create(body)
            with pytest.raises(ApiError) as info:
                await client.create(body)
            assert str(info.value) == (
                "createTemplate order_shipped/EN_US: 409 template_exists: Template already exists. "
                "— Templates must have unique name and language. Change language or name and "
                "submit again."
            )
            assert (info.value.status, info.value.error_code) == (409, "template_exists")
            with pytest.raises(ApiError) as info:
                await client.create({**body, "name": "bad", "details": {"components": []}})
            message = str(info.value)
            assert message.startswith("createTemplate bad/EN_US: 400 invalid_input: Invalid input.")
            assert "[" in message and "\n" not in message  # validation errors, inline
            assert client.requests_made == 3  # 4xx other than resource_locked: never retried

    asyncio.run(scenario())


# ---------------------------------------------------------------- authentication


def test_basic_auth_and_a_wrong_secret(tmp_path: Path) -> None:
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET)

    async def scenario() -> None:
        async with open_provider(sinch_target("basic"), transport=transport, environ=ENV) as client:
            assert (await client.list_page()).totalSize == 0
        wrong = {**ENV, "T_KEY_SECRET": "not-the-secret"}
        async with open_provider(
            sinch_target("basic"), transport=transport, environ=wrong
        ) as client:
            with pytest.raises(ApiError) as info:
                await client.get("order_shipped", "EN_US")
            assert str(info.value) == (
                "getTemplate order_shipped/EN_US: 401 unauthorized_error: Unauthorized error. — "
                "Verify that projectId is correct. (check T_KEY_ID / T_KEY_SECRET and projectId "
                "of target staging)"
            )
            assert client.requests_made == 1

    asyncio.run(scenario())
    expected = "Basic " + base64.b64encode(f"{KEY_ID}:{SECRET}".encode()).decode()
    assert transport.requests[0].headers["Authorization"] == expected


def test_oauth2_token_is_fetched_once_and_shared(tmp_path: Path) -> None:
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET)

    async def scenario() -> None:
        async with open_provider(sinch_target(), transport=transport, environ=ENV) as client:
            results = await asyncio.gather(*(client.get(f"t_{i}", "EN_US") for i in range(20)))
            assert results == [None] * 20
            await client.list_page()
            assert client.requests_made == 22

    asyncio.run(scenario())
    token_requests = [r for r in transport.requests if r.url.path == "/oauth2/token"]
    assert len(token_requests) == 1
    token_request = token_requests[0]
    assert token_request.method == "POST"
    assert token_request.content == b"grant_type=client_credentials"
    assert token_request.headers["Authorization"].startswith("Basic ")
    api = [r for r in transport.requests if r.url.path != "/oauth2/token"]
    assert {r.headers["Authorization"].split()[0] for r in api} == {"Bearer"}
    assert len({r.headers["Authorization"] for r in api}) == 1


def test_oauth2_token_is_refreshed_before_it_expires(tmp_path: Path) -> None:
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET, token_ttl=600)
    clock = FakeClock()

    async def scenario() -> None:
        async with open_provider(
            sinch_target(), transport=transport, environ=ENV, clock=clock
        ) as client:
            await client.list_page()
            clock.now += 530  # 600 s token, refreshed 60 s early: still valid
            await client.list_page()
            clock.now += 15  # 545 s: inside the refresh margin
            await client.list_page()

    asyncio.run(scenario())
    assert transport.paths() == [
        "POST /oauth2/token",
        f"GET /v1/projects/{PROJECT}/whatsapp/templates",
        f"GET /v1/projects/{PROJECT}/whatsapp/templates",
        "POST /oauth2/token",
        f"GET /v1/projects/{PROJECT}/whatsapp/templates",
    ]
    assert set(transport.statuses) == {200}  # refreshed before the server refused anything
    bearer = [r.headers["Authorization"] for r in transport.requests if r.method == "GET"]
    assert bearer[0] == bearer[1] != bearer[2]


def test_a_token_rejected_by_the_server_is_replaced_once(tmp_path: Path) -> None:
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET, token_ttl=1)
    clock = FakeClock()  # frozen: the client believes its token is still good

    async def scenario() -> None:
        async with open_provider(
            sinch_target(), transport=transport, environ=ENV, clock=clock
        ) as client:
            await client.list_page()
            time.sleep(1.05)  # the emulator's 1 s token has now really expired
            assert (await client.list_page()).totalSize == 0

    asyncio.run(scenario())
    assert transport.statuses == [200, 200, 401, 200, 200]
    assert [p.split()[1] for p in transport.paths()][2:4] == [
        f"/v1/projects/{PROJECT}/whatsapp/templates",
        "/oauth2/token",
    ]


def test_oauth2_with_a_wrong_secret(tmp_path: Path) -> None:
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET)
    wrong = {**ENV, "T_KEY_SECRET": "wrong-secret-123"}

    async def scenario() -> None:
        async with open_provider(sinch_target(), transport=transport, environ=wrong) as client:
            with pytest.raises(ApiError) as info:
                await client.list_page()
            assert str(info.value) == (
                "oauth2Token POST http://127.0.0.1:9/oauth2/token: 401 invalid_client: "
                "Unauthorized (check T_KEY_ID / T_KEY_SECRET and projectId of target staging)"
            )
            assert client.requests_made == 1

    asyncio.run(scenario())


def test_missing_credentials_are_a_config_error_naming_the_variable() -> None:
    async def scenario() -> None:
        async with open_provider(sinch_target(), environ={"T_KEY_ID": "x"}):
            raise AssertionError("must not open")

    with pytest.raises(ConfigError, match=r"^environment variable T_KEY_SECRET is not set"):
        asyncio.run(scenario())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"base_url": "http://example.com"},
            "waform.yaml: targets.staging.baseUrl: must use https",
        ),
        (
            {
                "auth": OAuth2AuthConfig.model_construct(  # bypasses the model's own check
                    type="oauth2",
                    keyIdEnv="T_KEY_ID",
                    keySecretEnv="T_KEY_SECRET",
                    tokenUrl="http://auth.example.com/oauth2/token",
                )
            },
            "waform.yaml: targets.staging.auth.tokenUrl: must use https",
        ),
    ],
)
def test_https_is_required_for_non_loopback_hosts(overrides: dict, message: str) -> None:
    async def scenario() -> None:
        async with open_provider(sinch_target(**overrides), environ=ENV):
            raise AssertionError("must not open")

    with pytest.raises(ConfigError) as info:
        asyncio.run(scenario())
    assert str(info.value).startswith(message)


# ---------------------------------------------------------------- secrets


def test_no_secret_in_any_output_or_log_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="waform")
    transport = emulator(tmp_path, key_id=KEY_ID, key_secret=SECRET)
    errors: list[str] = []
    known_secrets: set[str] = set()

    async def scenario() -> None:
        for auth in ("basic", "oauth2"):
            async with open_provider(
                sinch_target(auth), transport=transport, environ=ENV
            ) as client:
                name = f"order_{auth}"
                await client.create(desired(name).create_body())
                for call in (
                    client.create(desired(name).create_body()),
                    client.update("nope", "EN_US", {"status": "SUBMIT"}),
                    client.delete_name("nope"),
                ):
                    with pytest.raises(ApiError) as info:
                        await call
                    errors.extend([str(info.value), repr(vars(info.value))])
                await client.delete_name(name)
                known_secrets.update(client.secrets)

    asyncio.run(scenario())
    captured = capsys.readouterr()
    records = [r.getMessage() for r in caplog.records]
    assert any("→ 201" in r for r in records) and any("→ 409" in r for r in records)
    output = "\n".join([captured.out, captured.err, *errors, *records])
    assert "template_exists" in output and "template_not_found" in output
    tokens = {s for s in known_secrets if s.startswith("emu1.")}
    basic = base64.b64encode(f"{KEY_ID}:{SECRET}".encode()).decode()
    assert tokens and basic in known_secrets and SECRET in known_secrets
    for secret in known_secrets:
        assert secret not in output
