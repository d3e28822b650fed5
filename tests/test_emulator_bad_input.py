"""Hostile input to the emulator — its flags, variables and state file — is one line, exit 1.

Covers ``waform emulator serve|review|reset`` and the embedded emulator behind the ``local``
target of ``waform plan`` (same state file, same settings). None of these may print a
traceback or touch a file that is not an emulator state file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from one_template_project import local_project, one_error_line, run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with one template and no waform.yaml: the default ``local`` target."""
    return local_project(tmp_path, monkeypatch)


def corrupt(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = os.urandom(8192)
    path.write_bytes(data)
    return data


def test_serve_on_a_corrupt_state_file_is_one_line(project: Path) -> None:
    data = corrupt(project / "junk.sqlite3")
    code, _, err = run("emulator", "serve", "--port", "0", "--state", "junk.sqlite3")
    assert code == 1
    assert "junk.sqlite3: not an emulator state file" in one_error_line(err)
    assert (project / "junk.sqlite3").read_bytes() == data


def test_plan_on_a_corrupt_embedded_state_file_is_one_line(project: Path) -> None:
    corrupt(project / ".waform" / "emulator.sqlite3")
    code, out, err = run("plan", "templates")
    assert code == 1 and out == ""
    assert "emulator.sqlite3: not an emulator state file" in one_error_line(err)


def test_a_foreign_sqlite_database_is_refused_and_left_alone(project: Path) -> None:
    foreign = project / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
    before = foreign.read_bytes()
    code, _, err = run("emulator", "reset", "--state", "other.db")
    assert code == 1
    assert "other.db: not an emulator state file" in one_error_line(err)
    assert foreign.read_bytes() == before


def test_a_state_path_that_cannot_be_created_is_named(project: Path) -> None:
    (project / "afile").write_text("x")
    code, _, err = run("emulator", "serve", "--port", "0", "--state", "afile/state.sqlite3")
    line = one_error_line(err)
    assert code == 1 and "afile/state.sqlite3" in line and "listen" not in line
    code, _, err = run("emulator", "serve", "--port", "0", "--state", str(project))
    assert code == 1 and str(project) in one_error_line(err)


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_an_out_of_range_port_is_a_usage_error(project: Path, port: str) -> None:
    code, _, err = run("emulator", "serve", "--port", port)
    assert code == 1 and "Traceback" not in err
    assert "--port" in err and "0<=x<=65535" in err


@pytest.mark.parametrize("delay", ["-5", "nan", "inf"])
def test_a_bad_review_delay_is_refused(project: Path, delay: str) -> None:
    code, _, err = run("emulator", "serve", "--port", "0", "--review-delay", delay)
    assert code == 1 and "review" in err.lower() and "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WAFORM_EMULATOR_REVIEW_DELAY", "abc"),
        ("WAFORM_EMULATOR_REVIEW_DELAY", "-1"),
        ("WAFORM_EMULATOR_TOKEN_TTL", "soon"),
        ("WAFORM_EMULATOR_AUTH", "maybe"),
    ],
)
def test_bad_emulator_variables_are_one_line_for_plan_and_serve(
    project: Path, variable: str, value: str
) -> None:
    code, out, err = run("plan", "templates", env={variable: value})
    assert code == 1 and out == ""
    assert variable in one_error_line(err)
    code, _, err = run("emulator", "serve", "--port", "0", env={variable: value})
    assert code == 1 and variable in one_error_line(err)


def test_auth_variable_spellings(project: Path) -> None:
    from waform.emulator.settings import EmulatorSettings

    assert EmulatorSettings.from_env({"WAFORM_EMULATOR_AUTH": "0"}).auth is False
    assert EmulatorSettings.from_env({"WAFORM_EMULATOR_AUTH": "off"}).auth is False
    assert EmulatorSettings.from_env({"WAFORM_EMULATOR_AUTH": "1"}).auth is True
    assert EmulatorSettings.from_env({"WAFORM_EMULATOR_AUTH": " TRUE "}).auth is True


def test_two_plans_at_once_share_a_fresh_embedded_state_file(project: Path) -> None:
    """Two CLI runs racing to create and read ``.waform/emulator.sqlite3`` both succeed."""
    command = [sys.executable, "-m", "waform", "plan", "templates", "--detailed-exitcode"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAFORM_EMULATOR_")}
    for _ in range(2):  # a fresh file (schema creation races), then an existing one
        runs = [
            subprocess.Popen(
                command,
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
        for code, out, err in results:
            assert code == 2, err
            assert "locked" not in err and "+ qa_hello/EN_US  create" in out
