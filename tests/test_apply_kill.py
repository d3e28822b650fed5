"""SIGKILL in the middle of an apply, then apply again: the end state is exactly the desired one.

Two ways the process can die: talking to a served API (``sinch`` target over HTTP, like
production), and on the default ``local`` target, where the apply process itself writes the
emulator's SQLite state file — the kill must not corrupt it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from apply_support import API, AUTH, PROJECT, Project, template_yaml, text_of
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator
from waform.emulator.store import Store

COUNT = 60
SRC = Path(__file__).resolve().parents[1] / "src"


def run_waform(*args: str, cwd: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SINCH_KEY_ID": "local",
        "SINCH_KEY_SECRET": "local",
        "PYTHONPATH": str(SRC),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "waform", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def processed_creates(control: EmulatorControl) -> int:
    return sum(
        1
        for e in control.requests(PROJECT)
        if e["method"] == "POST"
        and e["path"] == API
        and (e["status"] == 201 or (e["fault"] or "").endswith(":201"))
    )


def kill_mid_run(proc: subprocess.Popen, control: EmulatorControl, *, after: int) -> int:
    """SIGKILL ``proc`` once the API has processed ``after`` creates; returns how many it had."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = processed_creates(control)
        if done >= after:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return done
        if proc.poll() is not None:
            pytest.fail(f"apply ended before it could be killed: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("apply made no progress")


def assert_converged(control: EmulatorControl, remote: dict, *, unlogged: int = 0) -> None:
    """Every template once, with its content; ``unlogged``: creates that may be committed
    without their request-log line (the in-process emulator writes the line after answering,
    and the killed process may die in between)."""
    names = [f"kill_{i:02d}" for i in range(COUNT)]
    assert set(remote) == {(name, "EN_US") for name in names}
    for name in names:
        template = remote[(name, "EN_US")]
        layer = template.get("changes") or template
        assert layer["details"]["components"][0]["text"] == text_of(name)
    created = processed_creates(control)
    assert COUNT - unlogged <= created <= COUNT, "no template was created twice"


def test_sigkill_against_a_served_api_then_apply_again(tmp_path: Path):
    with ServedEmulator(EmulatorSettings(state_path=":memory:", review_delay=10**6)) as served:
        config = tmp_path / "waform.yaml"
        config.write_text(
            "defaultTarget: served\n"
            "targets:\n"
            f"  served: {{type: sinch, projectId: {PROJECT}, baseUrl: '{served.url}', "
            "auth: {type: basic}}\n"
            "safety: {minManaged: 100000}\n",
            encoding="utf-8",
        )
        templates = tmp_path / "templates"
        templates.mkdir()
        for i in range(COUNT):
            name = f"kill_{i:02d}"
            (templates / f"{name}.yaml").write_text(template_yaml(name), encoding="utf-8")
        with httpx.Client(base_url=served.url, auth=AUTH, timeout=30) as http:
            control = EmulatorControl(http)
            control.set_faults(latency_ms=40, methods=["POST"])  # slow enough to be caught
            proc = run_waform(
                "apply", "templates", "--auto-approve", "--parallelism", "2", cwd=tmp_path
            )
            killed_at = kill_mid_run(proc, control, after=15)
            assert killed_at < COUNT
            control.clear_faults()

            again = run_waform("apply", "templates", "--auto-approve", cwd=tmp_path)
            out, err = again.communicate(timeout=120)
            assert again.returncode == 0, err
            remote = {
                (t["name"], t["language"]): t
                for t in http.get(API, params={"pageSize": 1000}).json()["templates"]
            }
            assert_converged(control, remote)
            replan = run_waform("plan", "templates", "--detailed-exitcode", cwd=tmp_path)
            replan.communicate(timeout=60)
            assert replan.returncode == 0


def test_sigkill_on_the_local_target_leaves_a_sound_state_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path)
    try:
        for i in range(COUNT):
            project.write(f"kill_{i:02d}")
        project.control.set_faults(latency_ms=40, methods=["POST"])
        proc = run_waform(
            "apply", "templates", "--auto-approve", "--parallelism", "2", cwd=tmp_path
        )
        assert kill_mid_run(proc, project.control, after=15) < COUNT
        project.control.clear_faults()

        store = Store(project.state)
        try:
            assert store.integrity_ok(), "SQLite state survived the kill"
        finally:
            store.close()

        again = run_waform("apply", "templates", "--auto-approve", cwd=tmp_path)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert_converged(project.control, project.remote(), unlogged=1)
        replan = project.plan("--detailed-exitcode")
        assert replan.exit_code == 0, replan.stdout + replan.stderr
    finally:
        project.close()
