"""The example GitHub workflows and the pre-commit hook: valid, and their commands really work.

GitHub itself is not involved: each workflow is checked against the GitHub workflow JSON Schema
(vendored by check-jsonschema), every ``waform`` command line in it is parsed by the real CLI,
and its ``run:`` steps are executed in bash, in order, in a temporary repository whose
``production`` target is the embedded emulator. ``uses:`` steps (checkout, setup-python, the
github-script comment/issue steps) and the install step are skipped; ``${{ … }}`` expressions
are replaced with local values the way the runner would, and ``$GITHUB_OUTPUT`` /
``$GITHUB_STEP_SUMMARY`` are real files. A broken command line in a workflow fails here.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml as pyyaml

from waform.cli import cli

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "examples" / "ci" / "github"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
EXAMPLES = ROOT / "examples" / "templates"
BIN = Path(sys.executable).parent
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _load(path: Path) -> dict[str, Any]:
    data = pyyaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML (YAML 1.1) reads the key `on` as True
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(job id, job, step) for every step of every job, in order."""
    return [
        (job_id, job, step)
        for job_id, job in workflow["jobs"].items()
        for step in job.get("steps", [])
    ]


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in WORKFLOW_FILES] == ["apply.yml", "drift.yml", "plan.yml"]


def test_workflows_match_the_github_workflow_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(p) for p in WORKFLOW_FILES],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_shape() -> None:
    plan, apply, drift = (_load(WORKFLOWS / f"{n}.yml") for n in ("plan", "apply", "drift"))
    assert "pull_request" in plan["on"]
    assert apply["on"]["push"]["branches"] == ["main"]
    assert apply["concurrency"]["cancel-in-progress"] is False  # two applies never overlap
    assert "schedule" in drift["on"]
    for workflow in (plan, apply, drift):
        for _, _, step in _steps(workflow):
            if "run" in step:
                # secrets reach commands only through env:, never pasted into a script
                assert "${{" not in step["run"], step
                assert not re.search(r"(^|\s)gh\s", step["run"]), "use a separate uses: step"


def _waform_command_lines(script: str) -> list[list[str]]:
    """``waform …`` invocations in a script, as argv (redirections and pipes cut off)."""
    out = []
    for line in script.splitlines():
        line = line.strip()
        if not line.startswith("waform "):
            continue
        argv = shlex.split(line, comments=True)
        for i, word in enumerate(argv):
            if word in (">", ">>", "|", "2>&1", "&&", "||") or word.startswith((">", "2>")):
                argv = argv[:i]
                break
        out.append(argv[1:])
    return out


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_commands_parse_with_the_real_cli(path: Path) -> None:
    """Every command and option a workflow uses exists (click parses it without running)."""
    seen = 0
    for _, _, step in _steps(_load(path)):
        for argv in _waform_command_lines(step.get("run", "")):
            name, *args = argv
            command = cli.get_command(click.Context(cli), name)
            assert command is not None, f"{path.name}: unknown command waform {name}"
            args = [os.path.expandvars(a.replace("$TEMPLATES", "templates")) for a in args]
            command.make_context(name, args, resilient_parsing=False)
            seen += 1
    assert seen >= 1


# ------------------------------------------------------------------ running the steps


class Runner:
    """Runs a workflow's ``run:`` steps like a GitHub runner would, against the emulator."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.outputs: dict[str, dict[str, str]] = {}
        self.logs: list[str] = []

    def _expression(self, expr: str) -> str:
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if match:
            return self.outputs.get(match.group(1), {}).get(match.group(2), "")
        if expr.startswith("secrets."):
            return "not-used-by-a-local-target"
        known = {
            "github.event.pull_request.number": "7",
            "github.sha": "0" * 40,
            "github.ref": "refs/heads/main",
            "github.workspace": str(self.repo),
        }
        assert expr in known, f"expression not known to the local runner: {expr}"
        return known[expr]

    def _substitute(self, value: Any) -> str:
        return _EXPR.sub(lambda m: self._expression(m.group(1)), str(value))

    def run(self, path: Path) -> list[tuple[str, int]]:
        """Run every runnable step; returns (step name, exit code) and stops at a failure."""
        workflow = _load(path)
        results = []
        for job_id, job, step in _steps(workflow):
            if "run" not in step:
                continue  # uses: steps (checkout, setup-python, github-script)
            if "pip install" in step["run"]:
                continue  # waform is already installed in this virtualenv
            name = step.get("name", step["run"].splitlines()[0])
            env = dict(os.environ)
            env.pop("NO_COLOR", None)
            for scope in (workflow.get("env", {}), job.get("env", {}), step.get("env", {})):
                env.update({k: self._substitute(v) for k, v in scope.items()})
            output = self.repo / f".github_output_{job_id}_{len(results)}"
            output.write_text("")
            env.update(
                PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                GITHUB_OUTPUT=str(output),
                GITHUB_STEP_SUMMARY=str(self.repo / ".step_summary.md"),
                GITHUB_WORKSPACE=str(self.repo),
                CI="true",
            )
            proc = subprocess.run(
                [
                    "bash",
                    "--noprofile",
                    "--norc",
                    "-eo",
                    "pipefail",
                    "-c",
                    self._substitute(step["run"]),
                ],
                cwd=self.repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            self.logs.append(f"$ {name}\n{proc.stdout}{proc.stderr}")
            if "id" in step:
                values = dict(
                    line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
                )
                self.outputs[step["id"]] = values
            results.append((name, proc.returncode))
            if proc.returncode != 0:
                break
        return results


@pytest.fixture
def ci_repo(tmp_path: Path) -> Path:
    """A repository as the workflows expect it: templates/ and a waform.yaml with `production`."""
    shutil.copytree(EXAMPLES, tmp_path / "templates")
    (tmp_path / "waform.yaml").write_text(
        "defaultTarget: production\n"
        "targets:\n"
        "  production: {type: local, state: .waform/production.sqlite3}\n",
        encoding="utf-8",
    )
    return tmp_path


def test_workflow_steps_run_against_the_emulator(
    ci_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An echoing emulator until the differ knows Meta's rewrites (the round-trip invariant).
    monkeypatch.setenv("WAFORM_EMULATOR_LITERAL", "1")
    runner = Runner(ci_repo)

    def run(name: str) -> list[tuple[str, int]]:
        results = runner.run(WORKFLOWS / f"{name}.yml")
        assert results and all(code == 0 for _, code in results), "\n".join(runner.logs)
        return results

    # a pull request against an empty target: validate passes, plan finds changes (exit 2)
    steps = run("plan")
    assert [s for s, _ in steps] == ["Validate", "Plan"]
    assert runner.outputs["plan"]["exitcode"] == "2"
    assert (ci_repo / "plan.md").read_text().strip()

    # the merge: plan saved, then applied
    steps = run("apply")
    assert [s for s, _ in steps] == ["Validate", "Plan", "Apply"]
    assert runner.outputs["apply"]["exitcode"] == "0"
    assert (ci_repo / "plan.json").is_file()
    assert "waform apply" in (ci_repo / "apply.md").read_text()  # the merged PR's comment

    # the next pull request with no template change: nothing to do (exit 0)
    run("plan")
    assert runner.outputs["plan"]["exitcode"] == "0"

    # the nightly drift check: an issue body with the marker, exit 0 or 2 (never 1)
    run("drift")
    assert runner.outputs["drift"]["exitcode"] in ("0", "2")
    assert (ci_repo / "drift.md").read_text().startswith("<!-- waform-drift -->")
    assert "waform drift" in (ci_repo / ".step_summary.md").read_text()


def test_a_failing_command_fails_the_step(ci_repo: Path) -> None:
    """Exit 1 (an error, here an invalid file) must fail the job, not pass as "changes"."""
    (ci_repo / "templates" / "broken.yaml").write_text("name: broken\ncategory: NOPE\n")
    runner = Runner(ci_repo)
    results = runner.run(WORKFLOWS / "drift.yml")
    assert results[-1][1] != 0, "\n".join(runner.logs)
    results = runner.run(WORKFLOWS / "plan.yml")
    assert results == [("Validate", 1)], "\n".join(runner.logs)


def test_a_usage_error_is_not_mistaken_for_drift(ci_repo: Path, tmp_path: Path) -> None:
    """A bad option must fail the step (waform exits 1 on usage errors), not report drift."""
    broken = tmp_path / "drift.yml"
    text = (WORKFLOWS / "drift.yml").read_text(encoding="utf-8")
    assert "--stale-review 24" in text
    broken.write_text(text.replace("--stale-review 24", "--stale-review -1"), encoding="utf-8")
    runner = Runner(ci_repo)
    results = runner.run(broken)
    assert results == [("Drift", 1)], "\n".join(runner.logs)
    assert runner.outputs["drift"]["exitcode"] == "1"
    assert "waform drift failed (exit 1)" in runner.logs[-1]


# ------------------------------------------------------------------ pre-commit


def test_pre_commit_hook_runs_waform_validate(tmp_path: Path) -> None:
    hooks = pyyaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "waform-validate" and hook["language"] == "python"
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["waform", "validate"]
    files = re.compile(hook["files"])
    assert files.search("templates/order_shipped.yaml")
    assert not files.search(".github/workflows/plan.yml")

    # pre-commit runs `entry` with the staged file names appended
    good = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))[:3]]
    proc = subprocess.run(
        [str(BIN / entry[0]), *entry[1:], *good], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "templates" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("name: Bad Name\ncategory: UTILITY\nlanguages: {}\n", encoding="utf-8")
    proc = subprocess.run(
        [str(BIN / entry[0]), *entry[1:], *good, str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "bad.yaml:" in proc.stdout + proc.stderr
