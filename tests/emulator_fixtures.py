"""Pytest fixtures for the emulator, shared by every area (imported by ``conftest.py``).

* ``emulator_state`` — a fresh state file path in ``tmp_path`` (what a ``local`` target with
  ``state: <that path>`` would use; CLI runs and these fixtures then share templates).
* ``emulator_http`` — a sync ``httpx.Client`` on an in-process emulator over that file,
  authenticated as ``local:local``. No port, no thread per request.
* ``emulator_control`` — :class:`waform.emulator.EmulatorControl` over the same client.
* ``emulator_transport`` — an async in-process transport on that file (for
  ``httpx.AsyncClient`` / ``waform.client.open_provider(..., transport=…)``); base URL
  :data:`waform.emulator.EMBEDDED_BASE_URL`.
* ``served_emulator`` — a real uvicorn server in a thread on a free loopback port
  (``served_emulator.url``, ``served_emulator.emulator``), state in ``:memory:``.
* ``served_http`` / ``served_control`` — a client and a control helper for it.
* ``api`` / ``control`` — a client on an in-process emulator of its own (in memory), each
  response checked against Sinch's OpenAPI (``emulator_helpers.client``), and a control helper.

:func:`write_target` writes a ``waform.yaml`` for either kind of emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from waform.emulator import (
    EMBEDDED_BASE_URL,
    EmbeddedTransport,
    EmulatorControl,
    EmulatorSettings,
    SyncEmbeddedTransport,
    embedded_transport,
)
from waform.emulator.server import ServedEmulator

EMULATOR_AUTH = ("local", "local")


def write_target(root: Path, served: ServedEmulator | None = None) -> EmulatorControl:
    """``root/waform.yaml`` with one target, and a control client for its emulator: a ``local``
    target on ``root/state.sqlite3``, or a ``sinch`` target on ``served`` over HTTP (basic auth:
    the caller sets ``SINCH_KEY_ID`` / ``SINCH_KEY_SECRET``)."""
    if served is None:
        target = "local: {type: local, state: state.sqlite3}"
        control = EmulatorControl.in_process(root / "state.sqlite3")
    else:
        target = (
            f"served: {{type: sinch, projectId: local, baseUrl: '{served.url}', "
            "auth: {type: basic}}"
        )
        control = EmulatorControl.connect(served.url)
    (root / "waform.yaml").write_text(f"targets:\n  {target}\n", encoding="utf-8")
    return control


@pytest.fixture
def emulator_state(tmp_path: Path) -> Path:
    return tmp_path / "emulator.sqlite3"


@pytest.fixture
def emulator_http(emulator_state: Path) -> Iterator[httpx.Client]:
    transport = SyncEmbeddedTransport.open(emulator_state)
    with httpx.Client(
        transport=transport, base_url=EMBEDDED_BASE_URL, auth=EMULATOR_AUTH
    ) as client:
        yield client


@pytest.fixture
def emulator_control(emulator_http: httpx.Client) -> EmulatorControl:
    return EmulatorControl(emulator_http)


@pytest.fixture
def emulator_transport(emulator_state: Path) -> EmbeddedTransport:
    return embedded_transport(emulator_state)


@pytest.fixture
def served_emulator() -> Iterator[ServedEmulator]:
    with ServedEmulator(EmulatorSettings(state_path=":memory:")) as served:
        yield served


@pytest.fixture
def served_http(served_emulator: ServedEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served_emulator.url, auth=EMULATOR_AUTH, timeout=30) as client:
        yield client


@pytest.fixture
def served_control(served_http: httpx.Client) -> EmulatorControl:
    return EmulatorControl(served_http)


@pytest.fixture
def api() -> Iterator[httpx.Client]:
    from emulator_helpers import client

    with client() as http:
        yield http


@pytest.fixture
def control(api: httpx.Client) -> EmulatorControl:
    return EmulatorControl(api)
