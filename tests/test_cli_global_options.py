"""The group's -v/-q/--no-color mean the same before and after the subcommand."""

import shutil
import subprocess
from pathlib import Path

import pytest

from cli_support import run_waform

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path / "examples"


def _waform(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_waform(project, *args, timeout=120)


def test_verbose_after_the_subcommand_logs_like_before_it(project: Path) -> None:
    plain = _waform(project, "plan", "templates")
    before = _waform(project, "-v", "plan", "templates")
    after = _waform(project, "plan", "templates", "-v")
    assert plain.returncode == before.returncode == after.returncode == 0, after.stderr
    assert "plan: load" not in plain.stderr
    assert "plan: load" in before.stderr
    assert "plan: load" in after.stderr
    assert after.stdout == before.stdout


def test_counted_verbosity_adds_up_across_both_places(project: Path) -> None:
    # -vv also logs each request; one -v on each side is the same as -vv before.
    both = _waform(project, "-v", "validate", "templates", "-v")
    after = _waform(project, "validate", "templates", "-vv")
    assert both.returncode == after.returncode == 0, both.stderr
    twice = _waform(project, "-v", "plan", "templates", "-v")
    assert "GET" in twice.stderr, twice.stderr
    assert "GET" not in _waform(project, "plan", "templates", "-v").stderr


def test_quiet_and_no_color_are_accepted_after_the_subcommand(project: Path) -> None:
    result = _waform(project, "plan", "templates", "-q", "--no-color")
    assert result.returncode == 0, result.stderr
    assert "Plan:" in result.stdout


def test_nested_subcommands_accept_them_too(project: Path) -> None:
    result = _waform(project, "emulator", "review", "--state", ":memory:", "-q")
    assert result.returncode == 0, result.stderr
