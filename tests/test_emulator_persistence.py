"""State survives restarts and crashes; concurrent writers stay consistent."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from emulator_helpers import API, AUTH, client, contract_hooks, create_body
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator


def all_templates(http: httpx.Client) -> list[dict]:
    out, token = [], None
    while True:
        params = {"pageSize": 1000, **({"pageToken": token} if token else {})}
        page = http.get(API, params=params)
        assert page.status_code == 200, page.text
        out += page.json()["templates"]
        token = page.json().get("nextPageToken")
        if not token:
            return out


def test_a_restart_with_the_same_file_keeps_everything(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    settings = EmulatorSettings(state_path=state, review_delay=3600)
    with (
        ServedEmulator(settings) as served,
        httpx.Client(base_url=served.url, auth=AUTH, event_hooks=contract_hooks()) as http,
    ):
        for i in range(30):
            assert http.post(API, json=create_body(f"kept_{i:02d}")).status_code == 201
        http.post(f"{API}/kept_00/languages/EN_US/comments", json={"comment": "still here?"})
        EmulatorControl(http).complete_reviews("p1", "kept_01")
        before = all_templates(http)
    with (
        ServedEmulator(settings) as served,
        httpx.Client(base_url=served.url, auth=AUTH, event_hooks=contract_hooks()) as http,
    ):
        assert all_templates(http) == before
        activities = http.get(f"{API}/kept_00/languages/EN_US/activities").json()
        assert activities["notifications"][0]["comment"] == "still here?"
        assert http.get(f"{API}/kept_01/languages/EN_US").json()["state"] == "APPROVED"
        assert http.post(API, json=create_body("kept_05")).status_code == 409


def _start_server(state: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "WAFORM_EMULATOR_REVIEW_DELAY": "3600"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "waform", "emulator", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    line = b""
    while time.monotonic() < deadline and b"\n" not in line:
        ready, _, _ = select.select([proc.stderr], [], [], 0.2)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    text = line.decode()
    assert "listening on http://" in text, text
    url = text.split("listening on ", 1)[1].split()[0]
    # wait until it answers
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_emulator/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("emulator did not come up")


@pytest.fixture
def killed_server(tmp_path: Path) -> Iterator[tuple[Path, set[str]]]:
    """Hammer a served emulator with creates from 4 threads, then SIGKILL it mid-stream."""
    state = tmp_path / "state.sqlite3"
    proc, url = _start_server(state)
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def hammer(worker: int) -> None:
        with httpx.Client(base_url=url, auth=AUTH, timeout=5) as http:
            i = 0
            while not stop.is_set():
                name = f"w{worker}_{i:05d}"
                i += 1
                try:
                    response = http.post(API, json=create_body(name))
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged.add(name)

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
    yield state, acknowledged


def test_kill_9_during_writes_leaves_a_consistent_store(
    killed_server: tuple[Path, set[str]],
) -> None:
    state, acknowledged = killed_server
    assert len(acknowledged) > 20, "the hammer did not get going"
    with sqlite3.connect(state) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with client(state, contract=False) as http:  # restart (in-process) on the same file
        listed = all_templates(http)
        names = {t["name"] for t in listed}
        assert acknowledged <= names  # nothing acknowledged was lost
        assert len(names) == len(listed) <= len(acknowledged) + 4  # at most one in flight each
        for template in listed:
            got = http.get(f"{API}/{template['name']}/languages/EN_US")
            assert got.status_code == 200 and got.json() == template
            assert template["changes"]["details"]["components"][0]["type"] == "BODY"
            activity = http.get(f"{API}/{template['name']}/languages/EN_US/activities").json()
            assert [n["type"] for n in activity["notifications"]] == ["IN_PROGRESS", "CREATED"]


def test_concurrent_requests_are_safe() -> None:
    limits = httpx.Limits(max_connections=8)
    with (
        ServedEmulator() as served,
        httpx.Client(base_url=served.url, auth=AUTH, limits=limits) as shared,
    ):

        def create(args: tuple[int, str]) -> int:
            _, name = args
            return shared.post(API, json=create_body(name)).status_code

        jobs = [(w, f"same_{i:02d}") for w in range(6) for i in range(15)]
        jobs += [(w, f"own_{w}_{i:02d}") for w in range(6) for i in range(10)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(create, jobs))
        same = statuses[: 6 * 15]
        assert same.count(201) == 15 and same.count(409) == 75
        assert statuses[6 * 15 :] == [201] * 60
        assert shared.get(API).json()["totalSize"] == 75
        assert served.emulator.store.integrity_ok()
