"""`waform apply` end to end: the real CLI against the emulator, remote states made through its
API, results read back from the API and the emulator's request log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apply_support import API, Project, text_of
from waform.emulator import EmulatorControl


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proj = Project(tmp_path, prune=True)
    yield proj
    proj.close()


def body_text(template: dict, *, pending: bool = True) -> str:
    layer = template.get("changes") if pending and template.get("changes") else template
    return next(c["text"] for c in layer["details"]["components"] if c["type"] == "BODY")


def test_every_action_end_to_end_and_a_second_apply_is_a_no_op(project: Project):
    project.write("new_submit", languages=("en_US", "de", "fr"))  # → 3 creates, in order
    project.write("new_draft", extra="status: draft")  # → create-draft
    project.create("draft_ready", status="DRAFT")  # never-submitted draft → submit
    project.write("draft_ready")
    project.create("edited")  # approved, file changed → update
    project.approve("edited")
    project.write("edited", 2)
    project.create("unchanged")  # approved, same → nothing
    project.approve("unchanged")
    project.write("unchanged")
    project.create("old_promo")  # approved, not in git, prune → delete (deleteSubmitted)
    project.approve("old_promo")
    project.create("old_draft", status="DRAFT")  # draft, not in git → delete (draft only)
    mark = len(project.log())

    result = project.apply("--auto-approve")
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    for line in (
        "  + new_submit/DE created",
        "  + new_submit/EN_US created",
        "  + new_submit/FR created",
        "  + new_draft/EN_US created as draft",
        "  > draft_ready/EN_US submitted",
        "  ~ edited/EN_US updated",
        "  - old_promo/EN_US deleted",
        "  - old_draft/EN_US deleted",
    ):
        assert line in out, result.stdout
    assert out[-1].startswith("Apply complete: 3 created, 1 created as draft, 1 submitted, ")
    assert "1 updated, 2 deleted (8 actions," in out[-1]

    remote = project.remote()
    assert set(remote) == {
        ("new_submit", "DE"),
        ("new_submit", "EN_US"),
        ("new_submit", "FR"),
        ("new_draft", "EN_US"),
        ("draft_ready", "EN_US"),
        ("edited", "EN_US"),
        ("unchanged", "EN_US"),
    }
    for lang in ("DE", "EN_US", "FR"):
        created = remote[("new_submit", lang)]
        assert created["changes"]["status"] == "IN_PROGRESS"
        assert body_text(created).startswith(text_of("new_submit"))
    assert remote[("new_draft", "EN_US")]["changes"]["status"] == "DRAFT"
    assert "state" not in remote[("new_draft", "EN_US")]
    assert remote[("draft_ready", "EN_US")]["changes"]["status"] == "IN_PROGRESS"
    edited = remote[("edited", "EN_US")]
    assert edited["state"] == "APPROVED" and edited["changes"]["status"] == "IN_PROGRESS"
    assert body_text(edited) == text_of("edited", 2)

    writes = project.writes(mark)
    keys = [(w["method"], w["path"].removeprefix(API), w["query"]) for w in writes]
    assert len(keys) == 8 and len(set(keys)) == 5  # the 4 POSTs share the collection path
    deletes = [i for i, w in enumerate(writes) if w["method"] == "DELETE"]
    assert deletes == [6, 7], "deletes run last"
    assert ("DELETE", "/old_promo/languages/EN_US", "deleteSubmitted=true") in keys
    assert ("DELETE", "/old_draft/languages/EN_US", "") in keys  # a draft: no deleteSubmitted

    again = project.apply("--auto-approve")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == "Nothing to apply: the remote already matches the desired state."
    assert len(project.writes(mark)) == 8, "the second apply wrote nothing"
    assert project.plan("--detailed-exitcode").exit_code == 0


def test_a_saved_plan_applies_once_and_is_stale_afterwards(project: Project):
    project.write("alpha")
    project.write("beta", languages=("en_US", "de"))
    assert project.plan("--out", "plan.json").exit_code == 0

    first = project.run("apply", "plan.json")
    assert first.exit_code == 0, first.stderr
    assert "3 created" in first.stdout
    mark = len(project.log())

    second = project.run("apply", "plan.json")
    assert second.exit_code == 1
    assert "error: plan is stale: alpha/EN_US now exists on the remote" in second.stderr
    assert "run `waform plan` again" in second.stderr
    assert project.writes(mark) == []


def test_stale_plan_is_refused_when_the_remote_changed(project: Project):
    project.write("alpha")
    project.write("beta")
    project.create("gamma")
    project.approve("gamma")
    project.write("gamma", 2)
    assert project.plan("--out", "plan.json").exit_code == 0
    project.create("alpha")  # someone else creates it meanwhile
    project.api(  # and edits gamma
        "PATCH",
        "/gamma/languages/EN_US",
        json={"status": "DRAFT", "details": {"components": [{"type": "BODY", "text": "x y"}]}},
    )
    mark = len(project.log())

    result = project.run("apply", "plan.json")
    assert result.exit_code == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message == (
        "error: plan is stale: alpha/EN_US now exists on the remote, gamma/EN_US changed on the "
        "remote; run `waform plan` again"
    )
    assert project.writes(mark) == [], "nothing was written"
    assert ("beta", "EN_US") not in project.remote()


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_stale_plan_is_refused_when_the_files_changed(project: Project, change: str):
    project.write("alpha")
    project.write("beta")
    assert project.plan("--out", "plan.json").exit_code == 0
    if change == "edit":
        project.write("alpha", 2)
        expected = "alpha/EN_US changed in templates/alpha.yaml"
    elif change == "add":
        project.write("delta")
        expected = "templates outside this plan's actions changed under templates"
    else:
        (project.templates / "beta.yaml").unlink()
        expected = "beta/EN_US is no longer in the files"
    mark = len(project.log())

    result = project.run("apply", "plan.json")
    assert result.exit_code == 1
    assert f"error: plan is stale: {expected}; run `waform plan` again" in result.stderr
    assert project.writes(mark) == []
    assert project.remote() == {}


def test_a_plan_for_another_target_or_format_is_refused_in_one_line(project: Project):
    project.write("alpha")
    assert project.plan("--out", "plan.json").exit_code == 0
    data = json.loads(Path("plan.json").read_text())

    Path("other.json").write_text(json.dumps({**data, "target": "production"}))
    result = project.run("apply", "other.json", "--target", "local")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: plan was made for target 'production', not 'local'; "
        "run `waform plan --target local` instead\n"
    )
    result = project.run("apply", "other.json")  # the plan's own target, unknown here
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown target 'production'")

    Path("future.json").write_text(json.dumps({**data, "formatVersion": 2}))
    result = project.run("apply", "future.json")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: future.json: plan formatVersion 2 is not supported")

    Path("broken.json").write_text("{not json")
    result = project.run("apply", "broken.json")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "broken.json: not a plan file: invalid JSON" in result.stderr
    assert project.remote() == {}


def test_dry_run_prints_the_exact_requests_and_sends_no_write(project: Project):
    project.write("alpha")
    (project.templates / "banner.yaml").write_text(
        "name: banner\ncategory: MARKETING\nlanguages:\n  en_US:\n    details:\n"
        "      components:\n"
        "        - type: HEADER\n          format: IMAGE\n          example:\n"
        "            url: https://cdn.example.com/b.png?X-Amz-Signature=s3cr3tsig&w=1\n"
        "        - type: BODY\n          text: 'New arrivals for {{1}} are in store this week.'\n"
        "          examples: ['Anna']\n",
        encoding="utf-8",
    )
    project.create("gone")
    project.approve("gone")
    mark = len(project.log())

    result = project.apply("--dry-run")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Dry run: 3 requests would be sent (none were).\n")
    assert f"POST {API}\n" in out
    assert '"name": "alpha"' in out and '"status": "SUBMIT"' in out
    assert f"DELETE {API}/gone/languages/EN_US?deleteSubmitted=true" in out
    assert out.index("DELETE") > out.rindex("POST"), "deletes are listed last"
    assert "X-Amz-Signature=***" in out and "s3cr3tsig" not in out

    as_json = project.apply("--dry-run", "--json")
    assert as_json.exit_code == 0
    requests = json.loads(as_json.stdout)["requests"]
    assert [(r["method"], r["name"]) for r in requests] == [
        ("POST", "alpha"),
        ("POST", "banner"),
        ("DELETE", "gone"),
    ]
    assert requests[2]["query"] == {"deleteSubmitted": "true"}
    assert project.writes(mark) == [], "a dry run sends no write"


def test_without_a_terminal_apply_path_needs_auto_approve(project: Project):
    project.write("alpha")
    result = project.apply()
    assert result.exit_code == 1
    assert "stdin is not a terminal; re-run with --auto-approve" in result.stderr
    assert "+ alpha/EN_US" in result.stderr, "the plan was shown before asking"
    assert project.remote() == {}


def test_a_failed_action_is_reported_and_does_not_stop_the_others(project: Project):
    project.create("reused")  # deleted within 30 days: Sinch refuses to re-create the name
    project.approve("reused")
    project.api("DELETE", "/reused/languages/EN_US", params={"deleteSubmitted": "true"})
    for name in ("able", "reused", "zeta"):
        project.write(name)

    result = project.apply("--auto-approve", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["summary"]["create"] == 2 and report["summary"]["failed"] == 1
    failed = [a for a in report["actions"] if a["result"] == "failed"]
    assert [(a["name"], a["error"]["status"]) for a in failed] == [("reused", 409)]
    assert failed[0]["error"]["errorCode"] in (
        "template_language_recently_deleted",
        "template_name_recently_used",
    )
    assert failed[0]["error"]["resolution"]
    assert {k for k in project.remote()} == {("able", "EN_US"), ("zeta", "EN_US")}

    text = project.apply("--auto-approve")
    assert text.exit_code == 1
    lines = text.stdout.splitlines()
    assert lines[0].startswith("Apply finished with errors: nothing changed; 1 failed")
    assert lines[1] == "Failed:"
    assert lines[2].startswith("  ✗ reused/EN_US: create failed: 409 template_")
    assert lines[2].count(" — ") == 1 and lines[3:] == []  # one line, the advice said once


def test_wait_reports_approved_and_rejected_with_codes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path, review_delay=0.3)
    try:
        # The rule before 2025-04-09 (a literal emulator keeps it): promotional UTILITY content
        # is rejected INCORRECT_CATEGORY instead of being approved as MARKETING.
        project.control.set_rewrites(literal=True)
        project.write("fine_notice")
        # A UTILITY body that reads as promotional: Meta (the emulator) rejects the category.
        project.write(
            "promo_notice",
            text="Use the discount code {{1}} on your next order {{2}} from our shop.",
        )
        result = project.apply("--auto-approve", "--wait", "--poll-interval", "0.2s", "--markdown")
        assert result.exit_code == 1, result.stderr
        md = result.stdout
        assert md.startswith("### ❌ waform apply")
        assert "**Review (" in md and "1 approved, 1 rejected." in md
        assert "- ✗ promo_notice/EN_US rejected: INCORRECT_CATEGORY" in md
        remote = project.remote()
        assert remote[("fine_notice", "EN_US")]["state"] == "APPROVED"
    finally:
        project.close()


def test_wait_with_every_template_approved_exits_zero(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path, review_delay=0.2)
    try:
        project.write("fine_notice", languages=("en_US", "de"))
        project.write("draft_only", extra="status: draft")  # not submitted: not waited for
        result = project.apply("--auto-approve", "--wait", "--poll-interval", "0.1s")
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "Review (" in result.stdout and "2 approved, 0 rejected." in result.stdout
    finally:
        project.close()


def test_wait_gives_up_at_the_timeout(project: Project):
    project.write("slow_review")  # the fixture's reviews never end by themselves
    result = project.apply(
        "--auto-approve", "--wait", "--wait-timeout", "0.4s", "--poll-interval", "0.1s", "--json"
    )
    assert result.exit_code == 1
    review = json.loads(result.stdout)["review"]
    assert review["timedOut"] is True
    assert review["summary"]["in_review"] == 1


def test_comment_is_posted_once_on_every_changed_template(project: Project):
    project.write("alpha")
    project.write("beta", languages=("en_US", "de"))
    result = project.apply("--auto-approve", "--comment", "deployed from commit 3f2a9c1")
    assert result.exit_code == 0, result.stderr
    for name, lang in (("alpha", "EN_US"), ("beta", "EN_US"), ("beta", "DE")):
        activities = project.api("GET", f"/{name}/languages/{lang}/activities")["notifications"]
        comments = [a for a in activities if a["type"] == "COMMENT_ADDED"]
        assert [c["comment"] for c in comments] == ["deployed from commit 3f2a9c1"]


def test_bad_options_are_one_line_errors(project: Project):
    project.write("alpha")
    result = project.apply("--auto-approve", "--wait-timeout", "soon")
    assert result.exit_code == 1 and "'soon' is not a duration" in result.stderr
    result = project.apply("--auto-approve", "--json", "--markdown")
    assert result.exit_code == 1 and "mutually exclusive" in result.stderr
    assert project.remote() == {}


def test_a_saved_plan_is_applied_to_the_target_it_was_made_for(project: Project):
    other_state = project.root / "other.sqlite3"
    project.config.write_text(
        "defaultTarget: local\n"
        f"targets:\n  local: {{type: local, state: {project.state.name}}}\n"
        f"  other: {{type: local, state: {other_state.name}, projectId: other}}\n"
        "safety: {minManaged: 100000}\n"
    )
    project.write("alpha")
    assert project.plan("--target", "other", "--out", "plan.json").exit_code == 0
    saved = json.loads(Path("plan.json").read_text())
    assert (saved["target"], saved["targetAddress"]) == ("other", "local/other")

    result = project.run("apply", "plan.json")
    assert result.exit_code == 0, result.stderr
    assert project.remote() == {}  # the default target was not touched
    other = EmulatorControl.in_process(other_state)
    try:
        listed = other.client.get(
            "/v1/projects/other/whatsapp/templates", auth=("local", "local")
        ).json()
    finally:
        other.close()
    assert [(t["name"], t["language"]) for t in listed["templates"]] == [("alpha", "EN_US")]


def test_a_plan_is_refused_when_its_target_now_reaches_another_project(project: Project):
    project.write("alpha")
    assert project.plan("--out", "plan.json").exit_code == 0
    text = project.config.read_text()
    project.config.write_text(
        text.replace("state: state.sqlite3", "state: state.sqlite3, projectId: p2")
    )
    mark = len(project.log())

    result = project.run("apply", "plan.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: plan was made for target 'local' at local/local, but 'local' now reaches "
        "local/p2; run `waform plan` again\n"
    )
    assert project.writes(mark) == [] and project.remote() == {}
