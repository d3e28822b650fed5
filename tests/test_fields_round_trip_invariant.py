"""The round-trip invariant against the faithful emulator, in-process and over HTTP.

apply → Meta's review approves → plan shows no change (three reads: media URLs are signed anew
each time) → drift is clean → import writes files that validate and plan clean → a second merge a
day later writes nothing. The templates: every example (all component and button types) plus a
set made to trigger each rewrite of docs/round-trip.md (phone trunk zero, bare-host URL, FLOW id,
DOCUMENT sample, AUTHENTICATION texts in Spanish, Indonesian and a fallback language, a
promotional UTILITY template that Meta recategorises), once with every variable sample lost on
read (the ``missingExamples`` scenario).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from waform.cli import cli
from waform.emulator import EmulatorControl, EmulatorSettings
from waform.emulator.server import ServedEmulator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "templates"
FIXTURES = Path(__file__).parent / "fixtures" / "round_trip"
WRITES = {"POST", "PATCH", "DELETE"}
KEY_ID, SECRET = "rt-key", "rt-secret-0a9b8c7d"


class Repo:
    """templates/ + waform.yaml on one emulator, driven through the real CLI."""

    def __init__(self, root: Path, target: str, control: EmulatorControl, project: str) -> None:
        self.root, self.control, self.project = root, control, project
        (root / "waform.yaml").write_text(
            f"defaultTarget: t\ntargets:\n  t: {target}\nsafety: {{minManaged: 100000}}\n",
            encoding="utf-8",
        )
        shutil.copytree(EXAMPLES, root / "templates")
        for extra in FIXTURES.glob("*.yaml"):
            shutil.copy(extra, root / "templates" / extra.name)

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--config", str(self.root / "waform.yaml")])

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.control.requests(self.project) if r["method"] in WRITES]


@pytest.fixture(params=["in-process", "served"])
def repo(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> Iterator[Repo]:
    monkeypatch.chdir(tmp_path)
    if request.param == "in-process":
        state = tmp_path / "state.sqlite3"
        control = EmulatorControl.in_process(state)
        try:
            yield Repo(tmp_path, f"{{type: local, state: {state.name}}}", control, "local")
        finally:
            control.close()
        return
    monkeypatch.setenv("SINCH_KEY_ID", KEY_ID)
    monkeypatch.setenv("SINCH_KEY_SECRET", SECRET)
    settings = EmulatorSettings(state_path=":memory:", key_id=KEY_ID, key_secret=SECRET)
    with ServedEmulator(settings) as served, EmulatorControl.connect(served.url) as control:
        target = f"{{type: sinch, projectId: rt, baseUrl: '{served.url}', auth: {{type: basic}}}}"
        yield Repo(tmp_path, target, control, "rt")


def _clean_plan(repo: Repo, *paths: str) -> dict[str, Any]:
    result = repo.run("plan", *(paths or ("templates",)), "--json", "--detailed-exitcode")
    assert result.exit_code == 0, result.output[-4000:]
    return json.loads(result.stdout)


def _apply_and_approve(repo: Repo) -> None:
    applied = repo.run("apply", "templates", "--auto-approve")
    assert applied.exit_code == 0, applied.output[-4000:]
    decided = repo.control.complete_reviews(repo.project)
    assert decided and all(t["state"] == "APPROVED" for t in decided)


@pytest.mark.parametrize("samples", ["kept", "lost"])
def test_apply_review_plan_drift_import_and_next_merge_are_quiet(repo: Repo, samples: str) -> None:
    if samples == "lost":
        repo.control.set_rewrites(missing_examples=["*"])
    _apply_and_approve(repo)
    first = repo.control.client.get(
        f"/v1/projects/{repo.project}/whatsapp/templates/spring_sale/languages/EN_US",
        auth=(KEY_ID, SECRET) if repo.project == "rt" else ("local", "local"),
    ).json()
    assert "scontent.whatsapp.net" in json.dumps(first), "the faithful emulator rewrote it"

    for _ in range(3):  # three reads, three different signed URLs: still no change
        plan = _clean_plan(repo)
        assert plan["actions"] == [] and plan["blocked"] == []
    notes = {(n["name"], n["language"], n["kind"]) for n in plan["notes"]}
    assert notes == {("coupon_reminder", "EN_US", "recategorised")}

    drift = repo.run("drift", "templates", "--json")
    assert drift.exit_code == 0, drift.output[-4000:]
    kinds = {(f["name"], f["kind"], f["code"]) for f in json.loads(drift.stdout)["findings"]}
    assert ("coupon_reminder", "note", "recategorised") in kinds
    assert {k for _, k, _ in kinds} <= {"note", "health"}, kinds

    imported = repo.root / "imported"
    imported.mkdir()  # an existing empty directory
    result = repo.run("import", str(imported))
    assert result.exit_code == 0, result.output[-4000:]
    assert repo.run("validate", str(imported)).exit_code == 0
    _clean_plan(repo, str(imported))

    # the next merge, a day later: a saved plan is still current and applying it writes nothing
    repo.control.advance(days=1)
    before = len(repo.writes())
    saved = repo.run("plan", "templates", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output[-4000:]
    applied = repo.run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output[-4000:]
    assert repo.writes()[before:] == []


def test_a_saved_plan_stays_current_although_every_read_re_signs_the_media_urls(
    repo: Repo,
) -> None:
    _apply_and_approve(repo)
    path = repo.root / "templates" / "spring_sale.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("our spring sale has started", "our spring sale starts now", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    saved = repo.run("plan", "templates", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output[-4000:]
    planned = json.loads((repo.root / "plan.json").read_text(encoding="utf-8"))
    assert [a["name"] for a in planned["actions"]] and {a["name"] for a in planned["actions"]} == {
        "spring_sale"
    }
    applied = repo.run("apply", "plan.json")
    assert applied.exit_code == 0, applied.output[-4000:]
    assert "stale" not in applied.output
