"""`waform plan` end to end: real files, the real CLI, remote states made through the emulator.

Remote states are produced the way they happen in life — templates created and edited through
the Provisioning API, reviews decided by the emulator's control API ("Meta"), Meta-generated
templates added out of band — and the plan is read in all three renderings.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path

import jsonschema
import pytest

from plan_e2e_support import (
    API,
    AUTH,
    EXAMPLES,
    build_every_state,
    details,
    opened_project,
    template_yaml,
    text_of,
)
from waform.loadcache import DATABASE, cache_dir
from waform.plan import plan_json_schema
from waform.render.markdown import PLAN_MARKER


@pytest.fixture
def project(tmp_path, monkeypatch):
    yield from opened_project(tmp_path, monkeypatch)


def test_every_action_and_blocked_item_from_real_remote_states(project):
    build_every_state(project)

    code, out, err = project.plan("--detailed-exitcode")
    assert code == 2, err
    lines = out.splitlines()

    def line(prefix: str) -> str:
        found = [ln for ln in lines if ln.startswith(prefix)]
        assert len(found) == 1, (prefix, out)
        return found[0]

    assert "create (new: create and submit for review)" in line("  + new_submit/EN_US  ")
    assert "create-draft (new: save as draft)" in line("  + new_draft/EN_US  ")
    assert "submit (DRAFT (never submitted);" in line("  > draft_ready/EN_US  ")
    assert "update (APPROVED; content changed" in line("  ~ edited/EN_US  ")
    old, new = text_of("edited"), text_of("edited", 2)
    assert old != new
    assert (
        '      ~ components[BODY].text: "[-Your-]{+Good news:+} order {{1}} (edited) '
        '[-has shipped-]{+is on its way+} and arrives [-on -]{{2}} as [-planned-]{+promised+}."'
    ) in lines
    assert "review-in-progress" in line("  ! in_review/EN_US  ")
    # approved as MARKETING, the file says UTILITY: Meta's recategorisation, a note
    assert "Meta recategorised it UTILITY → MARKETING" in line("  i recategorised/EN_US  ")
    assert "meta-generated" in line("  ! meta_made/EN_US  ")
    assert "rejected-unchanged [REJECTED (INVALID_FORMAT)]" in line("  ! turned_down/EN_US  ")
    assert "not in git; `prune: true`" in line("  ? old_promo/EN_US [APPROVED]  ")
    assert not any("unchanged/EN_US" in ln for ln in lines)
    assert lines[-1].startswith("Plan: 1 to create, 1 to create as draft, 1 to submit, 1 to update")
    assert lines[-1].endswith("3 blocked, 1 unmanaged, 2 unchanged.")

    code, out, err = project.plan("--json")
    assert code == 0, err
    data = json.loads(out)  # stdout is only the JSON document
    jsonschema.validate(data, plan_json_schema())
    assert {(a["action"], a["name"]) for a in data["actions"]} == {
        ("create", "new_submit"),
        ("create-draft", "new_draft"),
        ("submit", "draft_ready"),
        ("update", "edited"),
    }
    assert {(b["kind"], b["name"]) for b in data["blocked"]} == {
        ("review-in-progress", "in_review"),
        ("meta-generated", "meta_made"),
        ("rejected-unchanged", "turned_down"),
    }
    assert [u["name"] for u in data["unmanaged"]] == ["old_promo"]
    assert data["summary"]["noop"] == 2 and data["summary"]["managed"] == 8
    assert [(n["kind"], n["name"]) for n in data["notes"]] == [("recategorised", "recategorised")]
    # One list page, plus the activities of the one approved template it edits (edit limit).
    assert data["requests"] == 2 and data["target"] == "local"
    update = next(a for a in data["actions"] if a["action"] == "update")
    assert update["request"] == {
        "method": "PATCH",
        "path": "/whatsapp/templates/edited/languages/EN_US",
        "query": {},
        "body": {
            "status": "SUBMIT",
            "details": {"components": [{"type": "BODY", "text": new, "examples": EXAMPLES}]},
        },
    }
    assert "edited.yaml" in update["source"]
    assert set(data["fingerprints"]) == {f"{a['name']}/EN_US" for a in data["actions"]}
    assert data["fingerprints"]["new_submit/EN_US"] == "absent"

    code, out, err = project.plan("--markdown")
    assert code == 0, err
    assert out.splitlines()[0] == PLAN_MARKER
    assert "| ~ | `edited` | EN_US | update | APPROVED |" in out
    assert "| ! | `turned_down` | EN_US | rejected-unchanged:" in out
    assert "| `old_promo` | EN_US | APPROVED |" in out
    assert (
        "- `components[BODY].text`: <del>Your</del> <b>Good news:</b> order {{1}} (edited) "
        "<del>has shipped</del> <b>is on its way</b> and arrives <del>on</del> {{2}} as "
        "<del>planned</del> <b>promised</b>."
    ) in out.splitlines()
    assert out.count("<details>") == out.count("</details>") == 7  # 3 blocked + 4 actions
    assert "| `recategorised` | EN_US | Meta recategorised it UTILITY → MARKETING" in out

    prune = project.root / "prune.yaml"
    prune.write_text(project.config.read_text() + "prune: true\n")
    code, out, err = project.plan("--json", config=prune)
    data = json.loads(out)
    delete = [a for a in data["actions"] if a["action"] == "delete"]
    assert [(a["name"], a["request"]["method"], a["request"]["query"]) for a in delete] == [
        ("old_promo", "DELETE", {"deleteSubmitted": "true"})
    ]
    assert data["actions"][-1]["action"] == "delete" and data["unmanaged"] == []


def test_the_plan_is_the_same_from_the_files_and_from_the_load_cache(project):
    """Warm, the templates are decoded from the load cache beside the fetch (with the GIL
    handed over more often meanwhile): the same plan, hash and saved file as from the files."""
    build_every_state(project)
    project.write("with_media", extra="")  # a write-only field: its record is looked up
    (project.templates / "with_media.yaml").write_text(
        template_yaml("with_media").replace(
            "              components:\n",
            "              components:\n"
            "                - {type: HEADER, format: IMAGE,"
            " example: {url: 'https://cdn.example.com/a.png'}}\n",
        )
    )
    # A plan-time finding its file silences: the file is read for its waiver (a warm plan's
    # files are only decoded then).
    (project.templates / "promo_copy.yaml").write_text(
        "# waform: ignore WA-LC8 the old one is deleted next week\n"
        + template_yaml("promo_copy").replace(text_of("promo_copy"), text_of("old_promo"))
    )
    interval = sys.getswitchinterval()
    runs = {}
    for run, options in (("files", ["--no-cache"]), ("cold", []), ("warm", [])):
        saved = project.root / f"{run}.json"
        if run == "warm":  # what the plan needs of the templates is read from the cache
            assert _stored_forms(project.root) == 1
        code, out, err = project.plan("--json", "--out", str(saved), *options)
        assert code == 0, err
        assert (cache_dir(project.root) / DATABASE).exists() == (run != "files")
        runs[run] = [
            _without_time(out),
            _without_time(saved.read_text()),
            err.replace(str(saved), ""),
        ]
    assert runs["files"] == runs["cold"] == runs["warm"]
    assert "WA-LC8" in runs["warm"][2] and "the old one is deleted next week" in runs["warm"][2]
    plan = json.loads(runs["warm"][0])
    assert plan["desiredHash"].startswith("sha256:") and plan["summary"]["create"] == 3
    assert sys.getswitchinterval() == interval


def _stored_forms(root: Path) -> int:
    with sqlite3.connect(cache_dir(root) / DATABASE) as db:
        return db.execute("SELECT count(*) FROM entries WHERE key LIKE 'p%'").fetchone()[0]


def _without_time(plan_json: str) -> str:
    return re.sub(r'"createdAt": "[^"]*"', '"createdAt": ""', plan_json)


def test_edit_limit_is_known_from_the_activities_of_an_approved_template(project):
    project.create("edited_today")  # approved, edited and re-approved within the last 24 h
    project.review("edited_today")
    project.edit("edited_today", 2)
    project.review("edited_today")
    project.write("edited_today", 3)
    project.create("never_edited")  # approved once: its first edit is within the limit
    project.review("never_edited")
    project.write("never_edited", 2)

    code, out, err = project.plan("--json")
    assert code == 0, err
    data = json.loads(out)
    assert [(a["action"], a["name"]) for a in data["actions"]] == [("update", "never_edited")]
    [blocked] = data["blocked"]
    assert (blocked["kind"], blocked["name"]) == ("edit-limit", "edited_today")
    assert "1 edit(s) of an approved template per 24 hours" in blocked["reason"]
    assert blocked["remedy"].startswith("re-run plan after ")
    assert data["requests"] == 3  # one list page + the activities of the two approved edits


def test_edit_limit_counts_only_edits_of_approved_templates_in_server_time(project):
    # a draft's first submission is an edit request, but not an edit of an approved template
    project.create("first_submit", status="DRAFT")
    project.edit("first_submit", 2)
    project.review("first_submit")
    project.write("first_submit", 3)
    # edited today by the server's clock, which then moves a day on (this machine's does not)
    project.create("edited_yesterday")
    project.review("edited_yesterday")
    project.edit("edited_yesterday", 2)
    project.review("edited_yesterday")
    project.write("edited_yesterday", 3)
    code, out, err = project.plan("--json")
    assert [b["name"] for b in json.loads(out)["blocked"]] == ["edited_yesterday"]
    project.control.advance(days=1.01)

    code, out, err = project.plan("--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["blocked"] == []
    assert sorted(a["name"] for a in data["actions"]) == ["edited_yesterday", "first_submit"]


def test_a_foreign_draft_is_named_not_resubmitted(project):
    project.create("dash_edit")  # approved; then someone saves a draft in the dashboard
    project.review("dash_edit")
    body = {"details": details("dash_edit", 2)}
    project.api("PATCH", "/dash_edit/languages/EN_US", json=body)
    project.write("dash_edit")  # git still has the approved content
    code, out, err = project.plan("--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["actions"] == []
    [blocked] = data["blocked"]
    assert (blocked["kind"], blocked["name"]) == ("pending-draft", "dash_edit")
    assert "--discard-draft dash_edit:EN_US" in blocked["remedy"]
    # discarding it as offered: the plan is clean, and nothing was ever resubmitted
    assert project.http.delete(f"{API}/dash_edit/languages/EN_US", auth=AUTH).status_code == 204
    code, out, err = project.plan("--json", "--detailed-exitcode")
    assert code == 0 and json.loads(out)["blocked"] == []
    # a file that changes the content too is an ordinary update of the draft
    project.api("PATCH", "/dash_edit/languages/EN_US", json=body)
    project.write("dash_edit", 3)
    [action] = json.loads(project.plan("--json")[1])["actions"]
    assert action["action"] == "update"
