"""`waform plan` end to end through the client: faults are survived, exhausted retries are one
clear line, and the key secret never appears in anything the CLI prints."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.client import RetryPolicy
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator

REPO = Path(__file__).resolve().parents[1]
PROJECT = "cli-proj"
KEY_ID = "cli-key-id"
SECRET = "cli-secret-5e6f7a8b9c0d"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "examples" / "templates", tmp_path / "templates")
    (tmp_path / "waform.yaml").write_text(
        f"targets:\n  local: {{type: local, state: state.sqlite3, projectId: {PROJECT}}}\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plan(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_plan_survives_faults_with_the_same_result(workspace: Path) -> None:
    code, clean, _ = plan("plan", "templates")
    assert code == 0 and "to create" in clean
    with EmulatorControl.in_process(workspace / "state.sqlite3") as control:
        control.clear_requests()
        # (resource_locked is covered in test_client_retries; each backoff here costs real time)
        control.set_faults(script=["error", "drop", "throttle"], retry_after=0)
        code, faulty, err = plan("-v", "plan", "templates")
        log = control.requests(PROJECT)
    assert code == 0, err
    assert faulty == clean
    assert [r["fault"] for r in log] == ["error", "drop:200", "throttle", None]
    assert "retrying listTemplates" in err
    assert "4 request(s)" in err
    assert "→ 200" not in err  # request lines need -vv


def test_verbosity_moves_the_log_level_and_never_touches_stdout(workspace: Path) -> None:
    lines = {}
    for flags in ((), ("-q",), ("-vv",)):
        code, out, err = plan(*flags, "plan", "templates", "--out", "plan.json")
        assert code == 0 and "to create" in out
        lines[flags] = err
    assert "saved the plan to plan.json" in lines[()] and "→ 200" not in lines[()]
    assert lines[("-q",)] == ""
    assert "saved the plan to plan.json" in lines[("-vv",)]
    assert f"GET /v1/projects/{PROJECT}/whatsapp/templates?pageSize=1000 → 200" in lines[("-vv",)]


def test_plan_reports_exhausted_retries_in_one_line(workspace: Path) -> None:
    with EmulatorControl.in_process(workspace / "state.sqlite3") as control:
        control.set_faults(throttle_rate=1.0, retry_after=0)
        code, out, err = plan("plan", "templates")
    assert code == 1 and out == ""
    assert err == (
        f"error: listTemplates GET /v1/projects/{PROJECT}/whatsapp/templates?pageSize=1000: 429 "
        "whatsapp_business_api_request_limit_exceeded: WhatsApp business api request limit "
        "reached. — WhatsApp business API request limits reached. Please try again later. "
        f"(gave up after {RetryPolicy().max_attempts} attempts in {err.rsplit(' in ', 1)[1]}"
    )
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture(scope="module")
def served() -> Iterator[ServedEmulator]:
    settings = EmulatorSettings(state_path=":memory:", key_id=KEY_ID, key_secret=SECRET)
    with ServedEmulator(settings) as emulator:
        yield emulator


@pytest.mark.parametrize("auth", ["oauth2", "basic"])
def test_no_secret_in_any_output_or_log_record(
    workspace: Path,
    served: ServedEmulator,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    auth: str,
) -> None:
    token_url = f", tokenUrl: '{served.url}/oauth2/token'" if auth == "oauth2" else ""
    (workspace / "waform.yaml").write_text(
        "defaultTarget: staging\n"
        "targets:\n"
        "  staging:\n"
        "    type: sinch\n"
        f"    projectId: {PROJECT}\n"
        f"    baseUrl: '{served.url}'\n"
        f"    auth: {{type: {auth}, keyIdEnv: CI_KEY_ID, keySecretEnv: CI_KEY_SECRET{token_url}}}\n"
    )
    env = {"CI_KEY_ID": KEY_ID, "CI_KEY_SECRET": SECRET}
    outputs = []
    with EmulatorControl.connect(served.url) as control:
        control.set_faults(script=["throttle", "drop"], retry_after=0)
        for args in (
            ["-vv", "plan", "templates"],
            ["-vv", "plan", "--json", "templates"],
            ["-vv", "plan", "--markdown", "templates"],
        ):
            code, out, err = plan(*args, env=env)
            assert code == 0, err
            outputs += [out, err]
        code, out, err = plan("-vv", "plan", "templates", env={**env, "CI_KEY_SECRET": SECRET[:-1]})
        assert code == 1
        assert "401" in err and "check CI_KEY_ID / CI_KEY_SECRET" in err
        outputs += [out, err]
        code, out, err = plan("plan", "templates", env={"CI_KEY_ID": KEY_ID})
        assert (code, err) == (
            1,
            "error: environment variable CI_KEY_SECRET is not set "
            "(named by targets.staging.auth.keySecretEnv in waform.yaml)\n",
        )
        control.clear_faults()
    captured = capfd.readouterr()
    records = [f"{r.getMessage()} {r.args!r}" for r in caplog.records]
    assert any("/whatsapp/templates?pageSize=1000 → 200" in r for r in records)
    everything = "\n".join([*outputs, captured.out, captured.err, *records])
    assert "→ 200" in everything  # -vv request lines were captured
    assert SECRET not in everything
    assert SECRET[:-1] not in everything
