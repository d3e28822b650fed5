"""``waform emulator serve|review|reset`` through the real CLI."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from emulator_helpers import API, client, create_body
from waform.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_review_decides_pending_reviews_in_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with client(state) as http:
        http.post(API, json=create_body("good_one"))
        http.post(API, json=create_body("bad_one", text="{{1}} is a bad start."))
        http.post(API, json=create_body("drafted", status="DRAFT"))
    code, out, err = run("emulator", "review", "--state", str(state))
    assert code == 0, err
    assert out.splitlines() == ["p1 bad_one EN_US: REJECTED", "p1 good_one EN_US: APPROVED"]
    assert "2 review(s) decided" in err
    with client(state) as http:
        assert http.get(f"{API}/good_one/languages/EN_US").json()["state"] == "APPROVED"


def test_reset_empties_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with client(state) as http:
        http.post(API, json=create_body("good_one"))
    code, _, err = run("emulator", "reset", "--state", str(state))
    assert code == 0 and "reset" in err
    with client(state) as http:
        assert http.get(API).json()["totalSize"] == 0


def test_default_state_is_under_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WAFORM_EMULATOR_STATE", raising=False)
    with client(".waform/emulator.sqlite3") as http:
        http.post(API, json=create_body("good_one"))
    code, out, _ = run("emulator", "review")
    assert code == 0 and out.strip() == "p1 good_one EN_US: APPROVED"


def test_bad_state_files_are_one_line_errors(tmp_path: Path) -> None:
    code, _, err = run("emulator", "review", "--state", str(tmp_path / "missing.sqlite3"))
    assert (
        code == 1
        and err.strip() == f"error: {tmp_path / 'missing.sqlite3'}: no emulator state file here"
    )
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 100)
    code, _, err = run("emulator", "reset", "--state", str(junk))
    assert code == 1 and err.startswith(f"error: {junk}: not an emulator state file")
    assert len(err.strip().splitlines()) == 1


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, _, err = run(
            "emulator", "serve", "--port", str(port), "--state", str(tmp_path / "s.sqlite3")
        )
    assert code == 1
    assert err.strip().startswith(f"error: cannot listen on 127.0.0.1:{port}:")
    assert "Traceback" not in err


def test_help_lists_the_subcommands() -> None:
    code, out, _ = run("emulator", "--help")
    assert code == 0
    for name in ("serve", "review", "reset"):
        assert name in out
