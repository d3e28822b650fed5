"""The emulator at its HTTP edges: who may use the control API, 405s, clients that go away."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from emulator_helpers import API, AUTH, create_body
from waform.emulator import EmulatorControl, EmulatorSettings, create_app
from waform.emulator.server import ServedEmulator
from waform.emulator.settings import CONTROL_TOKEN_HEADER


def control_status(client_host: str, *, token: str | None, sent: str | None) -> int:
    """Status of ``GET /_emulator/health`` from ``client_host`` through the real app."""
    app = create_app(EmulatorSettings(control_token=token, background=False))
    transport = httpx.ASGITransport(app=app, client=(client_host, 40000))
    headers = {CONTROL_TOKEN_HEADER: sent} if sent is not None else {}

    async def call() -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://emu") as client:
            return (await client.get("/_emulator/health", headers=headers)).status_code

    try:
        return asyncio.run(call())
    finally:
        app.emulator.close()


@pytest.mark.parametrize(
    ("host", "token", "sent", "status"),
    [
        ("127.0.0.1", None, None, 200),
        ("::1", None, None, 200),
        ("127.0.0.1", "tok-123", None, 200),  # loopback never needs the token
        ("192.0.2.7", None, None, 403),  # another address and no token set: refused
        ("192.0.2.7", None, "anything", 403),
        ("192.0.2.7", "tok-123", None, 403),
        ("192.0.2.7", "tok-123", "wrong", 403),
        ("192.0.2.7", "tok-123", "tok-123", 200),
    ],
)
def test_control_api_answers_loopback_or_the_token(
    host: str, token: str | None, sent: str | None, status: int
) -> None:
    assert control_status(host, token=token, sent=sent) == status


def test_templates_api_is_not_behind_the_control_token() -> None:
    app = create_app(EmulatorSettings(control_token="tok", background=False))
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 40000))

    async def call() -> int:
        async with httpx.AsyncClient(transport=transport, base_url="http://e", auth=AUTH) as c:
            return (await c.get(API)).status_code

    try:
        assert asyncio.run(call()) == 200
    finally:
        app.emulator.close()


def _serve_announcement(*args: str) -> str:
    proc = subprocess.Popen(
        [sys.executable, "-m", "waform", "emulator", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = []
        assert proc.stderr is not None
        while len(lines) < 2:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
        return "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_states_who_may_use_the_control_api() -> None:
    local = _serve_announcement("--state", ":memory:")
    assert "faithful" in local
    assert "/_emulator answers loopback clients only" in local
    wide = _serve_announcement("--host", "0.0.0.0", "--state", ":memory:", "--literal")
    assert "literal (echo)" in wide and "loopback clients only" in wide
    tokened = _serve_announcement("--state", ":memory:", "--control-token", "secret-tok-9")
    assert "others sending the control token" in tokened
    assert "secret-tok-9" not in tokened


# ------------------------------------------------------------------ 405


@pytest.fixture
def served() -> Iterator[ServedEmulator]:
    with ServedEmulator(EmulatorSettings(state_path=":memory:")) as emulator:
        yield emulator


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", API, {"GET", "HEAD", "POST"}),
        ("POST", API + "/greeting/languages/EN_US", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("PATCH", API + "/greeting", {"GET", "HEAD", "DELETE"}),
        ("DELETE", API + "/greeting/languages/EN_US/activities", {"GET", "HEAD"}),
    ],
)
def test_405_lists_every_allowed_method(
    served: ServedEmulator, method: str, path: str, allowed: set[str]
) -> None:
    response = httpx.request(method, served.url + path, auth=AUTH, json={})
    assert response.status_code == 405
    assert response.json()["errorCode"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


# ------------------------------------------------------------------ a client that goes away


def test_a_client_that_disconnects_is_not_an_emulator_error(
    served: ServedEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    caplog.set_level(logging.INFO, logger="waform.emulator")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            (
                f"POST {API} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic bG9jYWw6bG9jYWw=\r\n"
                'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":'
            ).encode()
        )
    control = EmulatorControl.connect(served.url)
    deadline = time.monotonic() + 10
    while not control.requests() and time.monotonic() < deadline:
        time.sleep(0.05)
    [entry] = control.requests()
    assert entry["status"] == 499 and entry["method"] == "POST"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "client disconnected" in caplog.text
    # and nothing was created
    assert httpx.get(served.url + API, auth=AUTH).json()["totalSize"] == 0
    assert httpx.post(served.url + API, auth=AUTH, json=create_body("ok_now")).status_code == 201
