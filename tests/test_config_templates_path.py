"""``templates:`` in waform.yaml: commands given no PATH read the templates it names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cli_support import run_waform

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _waform(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_waform(cwd, *args)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "wa" / "templates")
    (tmp_path / "waform.yaml").write_text(
        "templates: wa/templates\ntargets:\n  local: {type: local}\n"
    )
    return tmp_path


def test_every_command_reads_the_named_templates_without_a_path(repo: Path) -> None:
    inside = repo / "wa" / "templates"  # the file is found upward from the working directory
    validated = _waform(inside, "validate")
    assert validated.returncode == 0, validated.stderr
    assert "36 template-languages in 15 files: valid" in validated.stderr

    planned = _waform(repo, "plan", "--out", "plan.json")
    assert planned.returncode == 0, planned.stderr
    assert "Plan: 33 to create, 3 to create as draft." in planned.stdout
    assert _waform(repo, "apply", "plan.json").returncode == 0

    again = _waform(inside, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _waform(repo, "drift", "--fail-on", "content").returncode == 0
    assert _waform(repo, "apply", "--auto-approve").returncode == 0


def test_a_path_on_the_command_line_wins(repo: Path) -> None:
    result = _waform(repo, "validate", "wa/templates/login_code.yaml")
    assert result.returncode == 0, result.stderr
    assert "in 1 file: valid" in result.stderr


def test_a_list_of_paths_is_read_in_full(repo: Path) -> None:
    (repo / "waform.yaml").write_text(
        "templates: [wa/templates/login_code.yaml, wa/templates/order_shipped.yaml]\n"
    )
    result = _waform(repo, "validate")
    assert result.returncode == 0, result.stderr
    assert "in 2 files: valid" in result.stderr


def test_no_path_and_no_templates_setting_is_one_line(repo: Path, tmp_path: Path) -> None:
    (repo / "waform.yaml").write_text("targets:\n  local: {type: local}\n")
    result = _waform(repo, "plan")
    assert result.returncode == 1
    assert result.stderr == (
        "error: no PATH given, and waform.yaml names no templates "
        "(add `templates: DIR` to it, or give PATH...)\n"
    )
    (repo / "waform.yaml").unlink()
    result = _waform(repo, "validate")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: no PATH given, and no waform.yaml")


def test_a_wrong_templates_value_is_placed_in_the_file(repo: Path) -> None:
    (repo / "waform.yaml").write_text("templates: {dir: x}\n")
    result = _waform(repo, "validate")
    assert result.returncode == 1
    assert result.stderr.startswith("error: waform.yaml:1:12: templates"), result.stderr
