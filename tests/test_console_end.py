"""How the ``waform`` command ends its process (:func:`waform.console.end`): at once, without
freeing what a plan holds object by object, once everything it printed and logged is out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apply_support import template_yaml
from cli_support import run_waform

COUNT = 400  # plan --json of these is about 200 KB: far more than a pipe's buffer


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "waform.yaml").write_text(
        "defaultTarget: local\ntargets:\n  local: {type: local, state: state.sqlite3}\n"
    )
    templates = tmp_path / "templates"
    templates.mkdir()
    for i in range(COUNT):
        name = f"order_note_{i:03d}"
        (templates / f"{name}.yaml").write_text(template_yaml(name))
    return tmp_path


@pytest.mark.parametrize("detailed", [False, True])
def test_a_plan_ends_with_all_of_its_output_and_its_exit_code(
    project: Path, detailed: bool
) -> None:
    """Everything printed (stdout) and logged (stderr) before the process ends is out, and the
    exit code is the command's: 2 with --detailed-exitcode and changes, else 0."""
    options = ["--detailed-exitcode"] if detailed else []
    run = run_waform(project, "plan", "templates", "--json", "--html", "page.html", *options)
    assert run.returncode == (2 if detailed else 0), run.stderr
    plan = json.loads(run.stdout)  # complete: the last byte was flushed
    assert [a["action"] for a in plan["actions"]] == ["create"] * COUNT
    assert "wrote page.html" in run.stderr  # a log line from just before the end
    assert (project / "page.html").read_text().rstrip().endswith("</html>")


def test_in_process_a_plan_ends_as_click_commands_do(project: Path, monkeypatch) -> None:
    """Run in-process (click's test runner, a program using waform), the command returns its
    exit code the ordinary way and the process goes on."""
    from click.testing import CliRunner

    from waform.cli import cli

    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["plan", "templates", "--detailed-exitcode"])
    assert result.exit_code == 2, result.output
