"""Apply when the API commits a write but answers only after the client has given up.

The emulator's ``late`` fault processes (commits) the request and holds the answer back:
served, the client's read timeout runs out; in-process the transport raises the timeout at
once. The outcome is unknown to the client, so apply must verify before writing again — the
request log proves no template was created twice and the final state is exactly the files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from apply_support import API, Project, template_yaml, text_of
from waform.cli import cli
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator

NAMES = [f"late_{i:02d}" for i in range(6)]


def processed_creates(log: list[dict], path: str = API) -> list[str]:
    """Creates the API committed, whether or not the client heard the answer."""
    out = []
    for entry in log:
        kind, _, inner = (entry["fault"] or "").partition(":")
        status = int(inner) if inner else entry["status"]
        if entry["method"] == "POST" and entry["path"] == path and 200 <= status < 300:
            assert kind in ("", "late"), entry
            out.append(kind)
    return out


def test_in_process_apply_survives_late_answers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path)
    try:
        for name in NAMES:
            project.write(name)
        project.control.set_faults(seed=7, late_rate=0.5, methods=["POST"])
        mark = len(project.log())
        result = project.apply("--auto-approve", "--json")
        project.control.clear_faults()
        assert result.exit_code == 0, result.stdout[-2000:] + result.stderr[-2000:]
        report = json.loads(result.stdout)
        assert report["summary"]["create"] == len(NAMES) and report["summary"]["failed"] == 0
        log = project.log()[mark:]
        creates = processed_creates(log)
        assert len(creates) == len(NAMES), "every template created exactly once"
        assert creates.count("late") >= 2, "some answers came too late"
        assert not [e for e in log if e["status"] == 409], "no template_exists"
        remote = project.remote()
        assert set(remote) == {(name, "EN_US") for name in NAMES}
        for name in NAMES:
            body = remote[(name, "EN_US")]["changes"]["details"]["components"][0]
            assert body["text"] == text_of(name)
    finally:
        project.close()


@pytest.fixture
def served() -> Iterator[ServedEmulator]:
    settings = EmulatorSettings(state_path=":memory:", key_id="k", key_secret="s3cr3t-late")
    with ServedEmulator(settings) as emulator:
        yield emulator


def test_served_apply_survives_an_answer_after_its_timeout(
    tmp_path: Path, monkeypatch, served: ServedEmulator
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SINCH_KEY_ID", "k")
    monkeypatch.setenv("SINCH_KEY_SECRET", "s3cr3t-late")
    (tmp_path / "templates").mkdir()
    for name in NAMES[:2]:
        (tmp_path / "templates" / f"{name}.yaml").write_text(template_yaml(name), encoding="utf-8")
    (tmp_path / "waform.yaml").write_text(
        "targets:\n"
        f"  served: {{type: sinch, projectId: local, baseUrl: '{served.url}', timeout: 1,\n"
        "           auth: {type: basic}}\n",
        encoding="utf-8",
    )
    control = EmulatorControl.connect(served.url)
    # the first create is committed, then answered 3 s later: after the client's 1 s timeout
    control.set_faults(script=["late"], late_ms=3000, methods=["POST"])
    result = CliRunner().invoke(
        cli, ["apply", "templates", "--auto-approve", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output[-3000:]
    log = control.requests("local")
    creates = processed_creates(log)
    assert sorted(creates) == ["", "late"], "each template created once, one answered late"
    assert not [e for e in log if e["status"] == 409]
    listed = control.client.get(API, auth=("k", "s3cr3t-late")).json()["templates"]
    assert sorted(t["name"] for t in listed) == NAMES[:2]
