"""``waform.connect``: a ``local`` target authenticates the way the emulator it talks to expects —
from the emulator's own settings, or from ``WAFORM_EMULATOR_*`` when the transport is not the
emulator's — and a ``sinch`` target from the variables its config names."""

from __future__ import annotations

import asyncio
import base64
import gc
import os
from pathlib import Path

import httpx
import pytest

from waform.config import BasicAuthConfig, LocalTarget, SinchTarget
from waform.config.trust import HostTrust
from waform.connect import open_provider
from waform.emulator import EmulatorSettings, embedded_transport

EMPTY_PAGE = {"templates": [], "totalSize": 0, "pageSize": 1000}


def _basic(key_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()


def _recording() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=EMPTY_PAGE)

    return httpx.MockTransport(handler), seen


def _list(target, **options) -> int:
    async def main() -> int:
        async with open_provider(target, **options) as provider:
            return len(await provider.list_templates())

    return asyncio.run(main())


def test_local_target_uses_the_credentials_of_the_emulator_it_is_handed(tmp_path: Path) -> None:
    settings = EmulatorSettings(state_path=":memory:", key_id="kid", key_secret="ks3cret")
    target = LocalTarget("local", tmp_path / "unused", "p1")
    assert _list(target, transport=embedded_transport(":memory:", settings=settings)) == 0


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="lists open files on Linux")
def test_local_target_closes_the_emulator_it_opened(tmp_path: Path) -> None:
    """Its database is closed with the provider (left open, only the collector, paused during
    a plan, would close it)."""
    state = tmp_path / "emulator.sqlite3"
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert _list(LocalTarget("local", state, "local")) == 0
        fds = Path("/proc/self/fd")
        opened = {os.readlink(fds / fd) for fd in os.listdir(fds) if (fds / fd).is_symlink()}
        assert state.exists() and not any(path.startswith(str(state)) for path in opened)
    finally:
        if enabled:
            gc.enable()


def test_local_target_over_another_transport_reads_the_emulator_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAFORM_EMULATOR_KEY_ID", "ci-id")
    monkeypatch.setenv("WAFORM_EMULATOR_KEY_SECRET", "ci-secret")
    transport, seen = _recording()
    _list(LocalTarget("local", tmp_path / "unused", "p1"), transport=transport)
    [request] = seen
    assert request.headers["Authorization"] == _basic("ci-id", "ci-secret")
    assert request.url.path == "/v1/projects/p1/whatsapp/templates"


def test_sinch_target_sends_the_configured_credentials_to_its_base_url() -> None:
    transport, seen = _recording()
    target = SinchTarget(
        name="prod",
        project_id="p9",
        base_url="https://templates.example.com",
        auth=BasicAuthConfig(type="basic", keyIdEnv="K_ID", keySecretEnv="K_SECRET"),
    )
    trust = HostTrust.from_sources(["templates.example.com"], environ={})
    _list(target, transport=transport, environ={"K_ID": "id9", "K_SECRET": "secret9"}, trust=trust)
    [request] = seen
    assert str(request.url).startswith("https://templates.example.com/v1/projects/p9/")
    assert request.headers["Authorization"] == _basic("id9", "secret9")
