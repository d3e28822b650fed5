"""`--discard-draft NAME[:LANG]`: a draft made outside git (the dashboard) is discarded, never
resubmitted; the live template stays, and the next plan converges.

The real CLI against the emulator, in-process and (one test) served over HTTP. The draft is made
the way a person makes it: a PATCH without ``status`` on an approved template.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from apply_support import API, AUTH, PROJECT, details, template_yaml
from emulator_fixtures import write_target
from waform.cli import cli
from waform.emulator import EmulatorSettings
from waform.emulator.server import ServedEmulator
from waform.github_action import plan_counts

KEY = "/dash_edit/languages/EN_US"

LIVE = "Your order {{1}} has shipped and arrives on {{2}} as planned."
DASHBOARD = "Good news: order {{1}} is on its way and arrives {{2}} as promised."
NEWER = "Order {{1}} is on its way to you and arrives {{2}}, as we promised."


class Repo:
    """A repository with one template, applied and approved, on an emulator."""

    def __init__(self, root: Path, served: ServedEmulator | None = None) -> None:
        self.root = root
        (root / "templates").mkdir()
        self.control = write_target(root, served)
        self.write(LIVE)
        assert self.run("apply", "templates", "--auto-approve").exit_code == 0
        self.control.complete_reviews(PROJECT)

    @property
    def http(self) -> httpx.Client:
        client = self.control.client
        assert isinstance(client, httpx.Client)
        return client

    def write(self, text: str) -> None:
        path = self.root / "templates" / "dash_edit.yaml"
        path.write_text(template_yaml("dash_edit", text=text), encoding="utf-8")

    def dashboard_draft(self, text: str = DASHBOARD) -> None:
        body = {"details": details("dash_edit", text=text)}
        response = self.http.patch(API + KEY, json=body, auth=AUTH)  # no status: a draft
        assert response.status_code == 200, response.text

    def remote(self) -> dict[str, Any]:
        return self.http.get(API + KEY, auth=AUTH).json()

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def plan(self, *args: str) -> dict[str, Any]:
        result = self.run("plan", "templates", "--json", *args)
        assert result.exit_code in (0, 2), result.output[-3000:]
        return json.loads(result.stdout)

    def deletes(self) -> list[dict[str, Any]]:
        return [r for r in self.control.requests(PROJECT) if r["method"] == "DELETE"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    monkeypatch.chdir(tmp_path)
    r = Repo(tmp_path)
    yield r
    r.control.close()


def test_the_plan_offers_it_in_every_rendering(repo: Repo) -> None:
    repo.dashboard_draft()
    [blocked] = repo.plan()["blocked"]
    assert blocked["kind"] == "pending-draft"
    assert "waform apply --discard-draft dash_edit:EN_US" in blocked["remedy"]

    plan = repo.plan("--discard-draft", "dash_edit:en_us")
    assert plan["blocked"] == [] and plan["summary"]["discardDraft"] == 1
    [action] = plan["actions"]
    assert action["action"] == "discard-draft"
    assert action["request"] == {
        "method": "DELETE",
        "path": "/whatsapp/templates/dash_edit/languages/EN_US",
        "query": {},  # never deleteSubmitted: that deletes the approved template
        "body": None,
    }
    [change] = action["changes"]
    assert (change["old"], change["new"]) == (DASHBOARD, LIVE)

    text = repo.run("plan", "templates", "--discard-draft", "dash_edit").stdout
    assert "x dash_edit/EN_US  discard-draft (APPROVED, change DRAFT; discard the draft" in text
    assert "1 draft(s) to discard." in text
    markdown = repo.run("plan", "templates", "--markdown", "--discard-draft", "dash_edit").stdout
    assert "| x | `dash_edit` | EN_US | discard-draft | APPROVED, change DRAFT |" in markdown
    page = repo.root / "plan.html"
    html = repo.run("plan", "templates", "--html", str(page), "--discard-draft", "dash_edit")
    assert html.exit_code == 0, html.output
    shown = page.read_text(encoding="utf-8")
    assert 'data-action="discard-draft"' in shown and "the live one stays" in shown
    drift = repo.run("drift", "templates", "--json")
    [finding] = json.loads(drift.stdout)["findings"]
    assert (drift.exit_code, finding["code"]) == (2, "pending-edit")
    assert "`waform apply --discard-draft dash_edit:EN_US` drops it" in finding["message"]
    assert repo.deletes() == []  # planning never writes


def test_apply_discards_only_the_draft_and_a_rerun_converges(repo: Repo) -> None:
    repo.dashboard_draft()
    dry = repo.run("apply", "templates", "--dry-run", "--discard-draft", "dash_edit")
    assert dry.exit_code == 0 and f"DELETE /v1/projects/{PROJECT}/whatsapp/templates{KEY}\n" in (
        dry.stdout + "\n"
    )
    assert "deleteSubmitted" not in dry.stdout and repo.deletes() == []

    args = ("apply", "templates", "--auto-approve", "--discard-draft", "dash_edit:EN_US")
    result = repo.run(*args)
    assert result.exit_code == 0, result.output
    assert "1 draft(s) discarded" in result.stdout
    [delete] = repo.deletes()
    assert (delete["path"], delete["query"], delete["status"]) == (API + KEY, "", 204)
    remote = repo.remote()
    assert remote["state"] == "APPROVED" and not (remote.get("changes") or {}).get("status")
    assert remote["details"]["components"][0]["text"] == LIVE

    assert repo.run("plan", "templates", "--detailed-exitcode").exit_code == 0
    # as Sinch documents it: without a draft, the same DELETE is refused, the template stays
    refused = repo.http.delete(API + KEY, auth=AUTH)
    assert (refused.status_code, refused.json()["errorCode"]) == (
        409,
        "template_not_deletable_due_to_input_config",
    )
    assert repo.remote()["state"] == "APPROVED"
    again = repo.run(*args)  # the same command again: nothing left to discard
    assert again.exit_code == 0 and "Nothing to apply" in again.stdout
    assert "note: --discard-draft dash_edit:EN_US: no draft made outside git to discard" in (
        again.stderr
    )
    assert len(repo.deletes()) == 2  # the refused one above; apply sent no other


def test_when_git_moved_on_too_the_discard_comes_first_then_the_ordinary_update(
    repo: Repo,
) -> None:
    repo.dashboard_draft()
    repo.write(NEWER)
    [action] = repo.plan()["actions"]  # without the option: git's content replaces the draft
    assert (action["action"], action["request"]["body"]["status"]) == ("update", "SUBMIT")

    args = ("apply", "templates", "--auto-approve", "--discard-draft", "dash_edit")
    assert repo.run(*args).exit_code == 0
    assert repo.remote()["details"]["components"][0]["text"] == LIVE  # the live one stayed
    [action] = repo.plan("--discard-draft", "dash_edit")["actions"]
    assert (action["action"], action["reason"]) == (
        "update",
        "content changed: edit and submit for review",
    )
    assert repo.run(*args).exit_code == 0
    repo.control.complete_reviews(PROJECT)
    assert repo.run("plan", "templates", "--detailed-exitcode").exit_code == 0
    assert repo.remote()["details"]["components"][0]["text"] == NEWER


def test_a_saved_plan_with_a_discard_is_checked_for_staleness(repo: Repo) -> None:
    repo.dashboard_draft()
    out = str(repo.root / "plan.json")
    assert (
        repo.run("plan", "templates", "--discard-draft", "dash_edit", "--out", out).exit_code == 0
    )
    counts = plan_counts(out)  # the GitHub Action's outputs
    assert (counts["changes"], counts["update"], counts["delete"]) == (1, 0, 0)
    refused = repo.run("apply", out, "--discard-draft", "dash_edit")
    assert refused.exit_code == 1 and "--discard-draft makes a new plan" in refused.output

    repo.write(NEWER)  # the file changed since: the discard may no longer be what git wants
    stale = repo.run("apply", out)
    assert stale.exit_code == 1 and repo.deletes() == []
    assert "plan is stale: templates changed under templates (maybe dash_edit/EN_US in " in (
        stale.output
    )
    repo.write(LIVE)

    repo.dashboard_draft(NEWER)  # the person edits the draft again after the review of the plan
    stale = repo.run("apply", out)
    assert stale.exit_code == 1
    assert "plan is stale: dash_edit/EN_US changed on the remote" in stale.output
    assert repo.deletes() == []

    assert (
        repo.run("plan", "templates", "--discard-draft", "dash_edit", "--out", out).exit_code == 0
    )
    assert repo.run("apply", out).exit_code == 0
    assert len(repo.deletes()) == 1
    assert repo.run("plan", "templates", "--detailed-exitcode").exit_code == 0


def test_a_lost_answer_is_confirmed_by_reading_back_not_sent_again(repo: Repo) -> None:
    repo.dashboard_draft()
    repo.control.set_faults(script=["drop"], methods=["DELETE"])
    args = ("apply", "templates", "--auto-approve", "--discard-draft", "dash_edit", "--json")
    result = repo.run(*args)
    assert result.exit_code == 0, result.output
    [step] = json.loads(result.stdout)["actions"]
    assert (step["action"], step["verified"], step["attempts"]) == ("discard-draft", True, 1)
    [delete] = repo.deletes()
    assert delete["fault"] == "drop:204"  # processed, answer lost
    assert repo.remote()["state"] == "APPROVED"
    assert repo.run("plan", "templates", "--detailed-exitcode").exit_code == 0


def test_served_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SINCH_KEY_ID", "local")
    monkeypatch.setenv("SINCH_KEY_SECRET", "local")
    with ServedEmulator(EmulatorSettings(state_path=":memory:")) as served:
        repo = Repo(tmp_path, served)
        repo.dashboard_draft()
        assert repo.plan()["blocked"][0]["kind"] == "pending-draft"
        args = ("apply", "templates", "--auto-approve", "--discard-draft", "dash_edit")
        assert repo.run(*args).exit_code == 0
        [delete] = repo.deletes()
        assert (delete["query"], delete["status"]) == ("", 204)
        assert repo.remote()["details"]["components"][0]["text"] == LIVE
        assert repo.run("plan", "templates", "--detailed-exitcode").exit_code == 0
        repo.control.close()


def test_a_name_that_changes_nothing_is_said_not_refused(repo: Repo) -> None:
    """A typo in --replace or --discard-draft would otherwise go unnoticed; the plan stays
    what it would be without the option (a rerun after a discard must converge)."""
    repo.dashboard_draft()
    result = repo.run(
        "plan", "templates", "--replace", "dash_edt", "--discard-draft", "dash_edit:DE"
    )
    assert result.exit_code == 0, result.output
    assert "note: --replace dash_edt: no template in the files has that name" in result.stderr
    assert "note: --discard-draft dash_edit:DE: no draft made outside git to discard" in (
        result.stderr
    )
    assert "pending-draft" in result.stdout  # the plan itself is unchanged
    used = repo.run("plan", "templates", "--replace", "dash_edit", "--discard-draft", "dash_edit")
    assert used.exit_code == 0 and "note:" not in used.stderr, used.stderr
