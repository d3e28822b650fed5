"""The shipped GitHub workflows, the action and the pre-commit hook: valid, hardened, and working.

The workflows run here step by step (``tests/workflow_runner.py``) against the embedded
emulator and a fake GitHub: a pull request is planned and its plan uploaded as an artifact, the
merge applies that artifact, and every outcome leaves a comment naming the commit and the run.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml as pyyaml

from waform.cli import cli
from waform.emulator.control import EmulatorControl
from waform.github_action import ActionInputs, command_line, comment_body, outcome_of
from workflow_runner import BIN, ROOT, WAFORM_ACTION, WorkflowRunner, load_yaml

WORKFLOWS = ROOT / "examples" / "ci" / "github"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
PLAN, APPLY, DRIFT = (WORKFLOWS / f"waform-{n}.yml" for n in ("plan", "apply", "drift"))
EXAMPLES = ROOT / "examples" / "templates"
_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(j, job, s) for j, job in workflow["jobs"].items() for s in job.get("steps", [])]


def test_the_three_workflows_exist() -> None:
    assert WORKFLOW_FILES == [APPLY, DRIFT, PLAN]


def test_workflows_and_action_match_githubs_schemas() -> None:
    for schema, files in (
        ("vendor.github-workflows", [str(p) for p in WORKFLOW_FILES]),
        ("vendor.github-actions", [str(ROOT / "action.yml")]),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *files],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_hardening(path: Path) -> None:
    workflow = load_yaml(path)
    assert workflow["permissions"] == {}, "write permissions only per job"
    for _, job, step in _steps(workflow):
        assert "permissions" in job
        if "uses" in step:
            assert _PINNED.match(step["uses"]), f"not pinned by a full commit SHA: {step['uses']}"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        if "run" in step:
            # values reach scripts only through env:, never pasted into the script
            assert "${{" not in step["run"], step
    for job in workflow["jobs"].values():
        if "secrets." in str(job):
            assert job.get("environment"), "credentials come from an environment"
        if "pull-requests: write" in str(job) or job["permissions"].get("issues") == "write":
            assert job["permissions"]["contents"] == "read"


def test_apply_only_from_main_and_never_cancelled() -> None:
    apply = load_yaml(APPLY)
    assert apply["on"]["push"]["branches"] == ["main"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["concurrency"]["queue"] == "max"  # a pending apply is not replaced by a newer one
    assert apply["jobs"]["apply"]["if"] == "github.ref == 'refs/heads/main'"
    # the path filter names the files the docs tell users to create
    assert set(apply["on"]["push"]["paths"]) == {"templates/**", "waform.yaml"}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_action_command_lines_parse_with_the_real_cli(path: Path) -> None:
    """Every waform invocation the workflows make through the action is a valid command line."""
    action = load_yaml(ROOT / "action.yml")
    seen = 0
    for _, _, step in _steps(load_yaml(path)):
        if not step.get("uses", "").startswith(WAFORM_ACTION):
            continue
        given = {k: str(v) for k, v in step["with"].items() if k in action["inputs"]}
        env = {f"WAFORM_ACTION_{k.upper().replace('-', '_')}": v for k, v in given.items()}
        argv = command_line(ActionInputs.from_env(env))
        argv = [a.replace("${{ env.TEMPLATES }}", "templates") for a in argv]
        argv = [a.replace("${{ env.WAFORM_TARGET }}", "production") for a in argv]
        argv = [re.sub(r"\$\{\{.*\}\}", "plan.json", a) for a in argv]
        name, *args = argv
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, f"{path.name}: unknown command waform {name}"
        command.make_context(name, args, resilient_parsing=False)
        seen += 1
    assert seen >= 1


def test_action_installs_from_its_own_checkout(tmp_path: Path) -> None:
    """The action's install step builds waform from GITHUB_ACTION_PATH, not from an index."""
    action = load_yaml(ROOT / "action.yml")
    [install] = [s for s in action["runs"]["steps"] if s["name"].startswith("Install")]
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    checkout = tmp_path / "action"  # what `uses: OWNER/waform@SHA` checks out
    checkout.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md", "src"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, checkout / name)
    target = tmp_path / "site"
    proc = subprocess.run(
        ["bash", "-c", install["run"]],
        env={
            "PATH": f"{BIN}:/usr/bin:/bin",
            "GITHUB_ACTION_PATH": str(checkout),
            "HOME": str(tmp_path),
            "PIP_NO_INDEX": "1",  # nothing from a package index
            "PIP_NO_DEPS": "1",
            "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this one inverted: 0 = no isolation
            "PIP_TARGET": str(target),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = (target / "waform" / "github_action.py").read_text(encoding="utf-8")
    assert installed == (ROOT / "src" / "waform" / "github_action.py").read_text(encoding="utf-8")


# ------------------------------------------------------------------ running the workflows


def _pr(number: int, head: str, *, labels: tuple[str, ...] = (), fork: bool = False) -> dict:
    owner = "someone" if fork else "acme"
    return {
        "number": number,
        "state": "open",
        "head": {"sha": head, "repo": {"full_name": f"{owner}/templates"}},
        "labels": [{"name": label} for label in labels],
        "merged_at": None,
        "merge_commit_sha": None,
    }


@pytest.fixture
def runner(tmp_path: Path) -> WorkflowRunner:
    """A templates repository (examples, target `production` = local emulator), fake GitHub."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo / "templates")
    (repo / "waform.yaml").write_text(
        "defaultTarget: production\n"
        "targets:\n"
        "  production: {type: local, state: .waform/production.sqlite3}\n",
        encoding="utf-8",
    )
    github = {"pulls": [], "comments": [], "issues": [], "artifacts": [], "branches": {}}
    return WorkflowRunner(repo, github)


def _open(runner: WorkflowRunner, pr: dict) -> dict:
    runner.github["pulls"] = [p for p in runner.github["pulls"] if p["number"] != pr["number"]]
    runner.github["pulls"].append(pr)
    return pr


def _live(runner: WorkflowRunner, pr: dict) -> dict:
    """The fake GitHub's copy of the pull request (scripts rewrite the state as JSON)."""
    [live] = [p for p in runner.github["pulls"] if p["number"] == pr["number"]]
    return live


def _plan(runner: WorkflowRunner, pr: dict) -> dict[str, int]:
    pr = _live(runner, pr)
    results = runner.run(PLAN, event="pull_request", sha="f" * 40, payload={"pull_request": pr})
    return {r.name: r.code for r in results}


def _merge(runner: WorkflowRunner, pr: dict, merge_sha: str, *, main: str | None = None) -> dict:
    pr = _live(runner, pr)
    pr.update(state="closed", merged_at="2026-12-01T10:00:00Z", merge_commit_sha=merge_sha)
    runner.github["branches"]["main"] = main or merge_sha
    results = runner.run(APPLY, event="push", sha=merge_sha)
    return {r.name: r.code for r in results}


def _comments(runner: WorkflowRunner, number: int) -> list[str]:
    return [c["body"] for c in runner.github["comments"] if c["issue_number"] == number]


def _edit_body(repo: Path, new: str) -> None:
    path = repo / "templates" / "welcome_coupon.yaml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r'text: "(Thanks for joining us[^"]*)"', text)
    assert old
    path.write_text(text.replace(old.group(1), new), encoding="utf-8")


def test_pull_request_plan_then_merge_applies_that_plan(runner: WorkflowRunner) -> None:
    pr = _open(runner, _pr(7, "a" * 40))
    steps = _plan(runner, pr)
    assert steps["Verdict"] == 0, runner.log()
    [artifact] = [a for a in runner.github["artifacts"] if a["name"].startswith("waform-plan-")]
    assert artifact["name"] == f"waform-plan-{'a' * 40}"
    [comment] = _comments(runner, 7)
    assert comment.startswith("<!-- waform-plan -->\n📝 **waform plan: changes to apply on merge**")
    assert f"commit `{'a' * 12}`" in comment and "/acme/templates/actions/runs/1001" in comment
    assert "33 to create" in comment and "33 to create" in runner.summary  # summary has the plan
    # the preview of the changed templates is a second artifact, linked from both
    [preview] = [a for a in runner.github["artifacts"] if a["name"].startswith("waform-preview-")]
    assert preview["name"] == f"waform-preview-{'a' * 40}"
    link = f"https://github.com/acme/templates/actions/runs/1001/artifacts/{preview['id']}"
    assert f"**Preview:** [the changed templates as WhatsApp shows them]({link})" in comment
    assert link in runner.summary
    page = (runner.store / str(preview["id"]) / "preview.html").read_text(encoding="utf-8")
    assert page.count('class="change"') == 36 and "<script" not in page  # 33 + 3 drafts

    # a second push to the pull request edits the one comment instead of adding another
    _live(runner, pr)["head"]["sha"] = "b" * 40
    _plan(runner, pr)
    assert len(_comments(runner, 7)) == 1 and f"`{'b' * 12}`" in _comments(runner, 7)[0]

    steps = _merge(runner, pr, "c" * 40)
    assert steps.get("Apply the reviewed plan") == 0 and steps["Verdict"] == 0, runner.log()
    applied = _comments(runner, 7)[-1]
    assert applied.startswith("<!-- waform-apply -->\n✅ **waform apply: applied**")
    assert f"commit `{'c' * 12}`" in applied and "Apply complete: 33 created" in applied
    assert "/actions/runs/1003" in applied

    # the next pull request without a template change: no changes, and the check passes
    pr2 = _open(runner, _pr(8, "d" * 40))
    assert _plan(runner, pr2)["Verdict"] == 0
    assert "✅ **waform plan: no changes**" in _comments(runner, 8)[0]


def test_the_load_cache_is_kept_between_runs(runner: WorkflowRunner) -> None:
    pr = _open(runner, _pr(7, "a" * 40))
    assert _plan(runner, pr)["Verdict"] == 0, runner.log()
    assert list(runner.caches) == ["waform-load-cache-1001"], runner.log()
    saved = runner.caches["waform-load-cache-1001"] / "load-cache.sqlite3"
    with contextlib.closing(sqlite3.connect(saved)) as db:
        (entries,) = db.execute("SELECT count(*) FROM entries").fetchone()
    assert entries > len(list(EXAMPLES.rglob("*.yaml")))  # one per file, one per run
    # the next run starts without it (a fresh runner), restores it, and saves its own
    results = runner.run(
        PLAN, event="pull_request", sha="f" * 40, payload={"pull_request": _live(runner, pr)}
    )
    [restore] = [r for r in results if r.name == "Restore the load cache"]
    assert restore.outputs == {"cache-hit": "false", "cache-matched-key": "waform-load-cache-1001"}
    assert list(runner.caches) == ["waform-load-cache-1001", "waform-load-cache-1002"]


def test_a_stale_plan_is_refused_with_a_comment_and_the_schedule_catches_up(
    runner: WorkflowRunner,
) -> None:
    pr = _open(runner, _pr(7, "a" * 40))
    assert _plan(runner, pr)["Verdict"] == 0
    # the target changes after the review: someone applies one template by hand
    manual = runner.repo.parent / "manual"
    (manual / "templates").mkdir(parents=True)
    shutil.copy(runner.repo / "waform.yaml", manual / "waform.yaml")
    shutil.copy(runner.repo / "templates" / "login_code.yaml", manual / "templates")
    (manual / ".waform").symlink_to(runner.repo / ".waform")
    proc = subprocess.run(
        [str(BIN / "waform"), "apply", str(manual / "templates"), "--auto-approve"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr

    steps = _merge(runner, pr, "c" * 40)
    assert steps["Apply the reviewed plan"] == 0 and steps["Verdict"] == 1, runner.log()
    refused = _comments(runner, 7)[-1]
    assert refused.startswith("<!-- waform-apply -->\n🛑 **waform apply refused")
    assert "plan is stale: login_code/" in refused and f"`{'c' * 12}`" in refused
    assert "Run workflow" in refused  # what to do

    # main moved on before this run started: refused without touching the target
    steps = _merge(runner, pr, "c" * 40, main="e" * 40)
    assert "Apply the reviewed plan" not in steps and steps["Verdict"] == 1
    assert "main has moved on to eeeeeeeeeeee" in _comments(runner, 7)[-1]
    assert "/actions/runs/" in _comments(runner, 7)[-1]

    # the scheduled run plans main as it is and applies it
    runner.github["branches"]["main"] = "c" * 40
    results = runner.run(APPLY, event="schedule", sha="c" * 40)
    assert {r.name: r.code for r in results}["Verdict"] == 0, runner.log()
    assert "Apply complete: 30 created" in runner.summary


def test_blocked_changes_fail_the_check_unless_labelled_and_land_on_schedule(
    runner: WorkflowRunner,
) -> None:
    pr = _open(runner, _pr(7, "a" * 40))
    _plan(runner, pr)
    assert _merge(runner, pr, "c" * 40)["Verdict"] == 0, runner.log()

    # Meta is still reviewing welcome_coupon: the edit is blocked
    _edit_body(runner.repo, "Welcome, {{1}}! Here is 15% off your first order with the code below.")
    pr2 = _open(runner, _pr(8, "d" * 40))
    assert _plan(runner, pr2)["Verdict"] == 1, runner.log()
    blocked = _comments(runner, 8)[0]
    assert blocked.startswith("<!-- waform-plan -->\n⛔ **waform plan: some changes are blocked**")
    assert "review-in-progress" in blocked and "`waform-blocked-ok`" in blocked

    _live(runner, pr2)["labels"] = [{"name": "waform-blocked-ok"}]
    assert _plan(runner, pr2)["Verdict"] == 0, runner.log()
    assert _merge(runner, pr2, "e" * 40)["Verdict"] == 0, runner.log()

    # the review ends; the scheduled apply lands the blocked change
    with EmulatorControl.in_process(runner.repo / ".waform" / "production.sqlite3") as control:
        control.complete_reviews("local")
    runner.run(APPLY, event="schedule", sha="e" * 40)
    assert "1 updated" in runner.summary, runner.log()
    pr3 = _open(runner, _pr(9, "f" * 40))
    _plan(runner, pr3)
    assert "no changes" in _comments(runner, 9)[0]


def test_a_failed_plan_says_so_in_the_comment(runner: WorkflowRunner) -> None:
    (runner.repo / "templates" / "broken.yaml").write_text("name: broken\ncategory: NOPE\n")
    pr = _open(runner, _pr(7, "a" * 40))
    steps = _plan(runner, pr)
    assert steps["Verdict"] == 1 and "Plan" not in steps
    [comment] = _comments(runner, 7)
    assert comment.startswith("<!-- waform-plan -->\n❌ **waform validate failed**")
    assert "broken.yaml:2:" in comment and f"`{'a' * 12}`" in comment
    assert runner.github["artifacts"] == []


def test_a_fork_is_validated_only_with_a_note(runner: WorkflowRunner) -> None:
    pr = _open(runner, _pr(7, "a" * 40, fork=True))
    results = runner.run(PLAN, event="pull_request", sha="f" * 40, payload={"pull_request": pr})
    assert {r.job for r in results} == {"validate-fork"}
    assert all(r.code == 0 for r in results), runner.log()
    assert "validated, not planned" in runner.summary
    # a maintainer plans it on demand
    results = runner.run(PLAN, event="workflow_dispatch", sha="f" * 40, inputs={"pr": 7})
    assert {r.name: r.code for r in results}["Verdict"] == 0, runner.log()
    assert runner.github["artifacts"][0]["name"] == f"waform-plan-{'a' * 40}"


def test_drift_opens_updates_and_closes_one_issue(runner: WorkflowRunner) -> None:
    runner.github["branches"]["main"] = "c" * 40
    runner.run(DRIFT, event="schedule", sha="c" * 40)
    [issue] = runner.github["issues"]
    assert issue["body"].startswith("<!-- waform-drift -->") and issue["labels"] == []
    runner.run(DRIFT, event="schedule", sha="c" * 40)
    assert len(runner.github["issues"]) == 1  # found again by its marker
    results = runner.run(APPLY, event="schedule", sha="c" * 40)
    assert results[-1].code == 0, runner.log()
    with EmulatorControl.in_process(runner.repo / ".waform" / "production.sqlite3") as control:
        control.complete_reviews("local")
    runner.run(DRIFT, event="schedule", sha="c" * 40)
    [issue] = runner.github["issues"]
    assert issue["state"] == "closed", runner.log()


# ------------------------------------------------------------------ pre-commit


def test_pre_commit_hook_validates_the_whole_directory_once(tmp_path: Path) -> None:
    [hook] = pyyaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "waform-validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    files = re.compile(hook["files"])
    assert files.search("templates/order_shipped.yaml") and files.search("waform.yaml")
    assert not files.search("charts/web/templates/deployment.yaml")  # Helm's templates/
    assert not files.search(".github/workflows/plan.yml")

    # a duplicate across files is only seen when the whole directory is validated
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo / "templates")
    shutil.copy(repo / "templates" / "login_code.yaml", repo / "templates" / "login_copy.yaml")
    entry = shlex.split(hook["entry"]) + hook["args"]
    proc = subprocess.run(
        [str(BIN / entry[0]), *entry[1:]], cwd=repo, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "login_copy.yaml:" in proc.stdout + proc.stderr


def test_a_failed_apply_keeps_its_report_and_errors_in_the_comment() -> None:
    inputs = ActionInputs(command="apply", sha="c" * 40, run_url="https://github.com/a/b/runs/5")
    report = "### ❌ waform apply\n\nApply finished with errors: 1 created; 1 failed.\n"
    errors = "error: 1 of 2 actions failed\n"
    assert outcome_of(inputs, 1, report, {}) == "failed"
    assert outcome_of(inputs, 1, "", {}) == "refused"  # one error line, nothing written
    body = comment_body(inputs, "failed", report, errors)
    assert body.startswith("<!-- waform-apply -->\n❌ **waform apply failed**")
    assert "`cccccccccccc`" in body and "(https://github.com/a/b/runs/5)" in body
    assert "error: 1 of 2 actions failed" in body and "1 failed." in body
