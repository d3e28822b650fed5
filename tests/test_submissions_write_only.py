"""Write-only fields (media samples, OTP labels): the read never shows them, edits still show.

apply leaves a ``waform:write-only …`` comment with what it submitted; plan compares the file
with it. Without one, plan says the field cannot be compared and ``--replace`` resubmits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from waform.cli import cli
from waform.emulator import EmulatorControl

PROJECT = "local"
API = f"/v1/projects/{PROJECT}/whatsapp/templates"
AUTH = ("local", "local")

TEMPLATE = """\
name: product_photo
category: MARKETING
languages:
  en_US:
    details:
      components:
        - type: HEADER
          format: IMAGE
          example:
            url: "{url}"
            mimeType: IMAGE/JPEG
        - type: BODY
          text: "Hi {{{{1}}}}, the new collection has arrived in our shop."
          examples: ["Ann"]
"""


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "templates").mkdir()
        (root / "waform.yaml").write_text(
            "targets:\n  local: {type: local, state: state.sqlite3}\n", encoding="utf-8"
        )
        self.control = EmulatorControl.in_process(root / "state.sqlite3")

    def write(self, url: str) -> None:
        path = self.root / "templates" / "product_photo.yaml"
        path.write_text(TEMPLATE.format(url=url), encoding="utf-8")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def plan(self, *args: str) -> dict:
        result = self.run("plan", "templates", "--json", *args)
        assert result.exit_code == 0, result.output[-3000:]
        return json.loads(result.stdout)

    def writes(self) -> list[dict]:
        return [r for r in self.control.requests(PROJECT) if r["method"] in ("POST", "PATCH")]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    r = Repo(tmp_path)
    yield r
    r.control.close()


def test_a_changed_media_sample_is_an_update_although_the_read_never_shows_it(repo: Repo) -> None:
    repo.write("https://example.com/a.jpg")
    assert repo.run("apply", "templates", "--auto-approve").exit_code == 0
    repo.control.complete_reviews(PROJECT)
    assert repo.plan()["actions"] == [] and repo.plan()["notes"] == []

    repo.write("https://example.com/b.jpg")
    [action] = repo.plan()["actions"]
    assert action["action"] == "update"
    [change] = action["changes"]
    assert change["path"] == "writeOnly.components[HEADER:MEDIA].example.url"
    assert (change["old"], change["new"]) == (
        "https://example.com/a.jpg",
        "https://example.com/b.jpg",
    )

    assert repo.run("apply", "templates", "--auto-approve").exit_code == 0
    repo.control.advance(days=1)
    repo.control.complete_reviews(PROJECT)
    assert repo.plan("--detailed-exitcode")["actions"] == []


def test_without_a_record_plan_says_so_and_replace_resubmits(repo: Repo) -> None:
    details = {
        "components": [
            {
                "type": "HEADER",
                "format": "IMAGE",
                "example": {"url": "https://example.com/a.jpg", "mimeType": "IMAGE/JPEG"},
            },
            {
                "type": "BODY",
                "text": "Hi {{1}}, the new collection has arrived in our shop.",
                "examples": ["Ann"],
            },
        ]
    }
    repo.control.add_template(PROJECT, "product_photo", "EN_US", "MARKETING", details)
    repo.write("https://example.com/a.jpg")
    plan = repo.plan("--detailed-exitcode")  # nothing to apply, but a note
    [note] = plan["notes"]
    assert note["kind"] == "write-only-unverified"
    assert "--replace product_photo:EN_US" in note["message"]
    shown = repo.run("plan", "templates")
    assert "cannot be compared" in shown.stdout

    before = len(repo.writes())
    assert (
        repo.run(
            "apply", "templates", "--auto-approve", "--replace", "product_photo:en_US"
        ).exit_code
        == 0
    )
    [patch] = [w["method"] for w in repo.writes()[before:] if w["method"] == "PATCH"]
    assert patch == "PATCH"
    repo.control.complete_reviews(PROJECT)
    assert repo.plan("--detailed-exitcode")["notes"] == []  # the record exists now


def test_replace_needs_a_fresh_plan(repo: Repo) -> None:
    repo.write("https://example.com/a.jpg")
    assert repo.run("plan", "templates", "--out", "plan.json").exit_code == 0
    result = repo.run("apply", "plan.json", "--replace", "product_photo")
    assert result.exit_code == 1 and "--replace makes a new plan" in result.output
