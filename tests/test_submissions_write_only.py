"""Write-only fields (media samples, OTP labels): the read never shows them, edits still show.

apply leaves a ``waform:write-only …`` comment with what it submitted; plan and drift compare the
file with it (one check, :mod:`waform.submissions`). Without one, both say the field cannot be
compared and ``--replace`` resubmits. The emulator runs faithful: media samples come back as CDN
URLs signed anew on every read.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from emulator_fixtures import write_target
from waform.cli import cli
from waform.emulator import EmulatorSettings
from waform.emulator.server import ServedEmulator
from waform.gcpause import collector_paused
from waform.model.components import TemplateDetails
from waform.submissions import of

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

#: The template's content as the API takes it (added at the target without waform).
DETAILS = {
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


class Repo:
    def __init__(self, root: Path, served: ServedEmulator | None = None) -> None:
        self.root = root
        (root / "templates").mkdir()
        self.control = write_target(root, served)  # served: the same checks over HTTP

    def write(self, url: str) -> None:
        path = self.root / "templates" / "product_photo.yaml"
        path.write_text(TEMPLATE.format(url=url), encoding="utf-8")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def plan(self, *args: str) -> dict:
        result = self.run("plan", "templates", "--json", *args)
        assert result.exit_code == 0, result.output[-3000:]
        return json.loads(result.stdout)

    def drift(self) -> tuple[int, dict]:
        result = self.run("drift", "templates", "--json")
        assert result.exit_code in (0, 2), result.output[-3000:]
        return result.exit_code, json.loads(result.stdout)

    def writes(self) -> list[dict]:
        return [r for r in self.control.requests(PROJECT) if r["method"] in ("POST", "PATCH")]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    r = Repo(tmp_path)
    yield r
    r.control.close()


@pytest.fixture(params=["in-process", "served"])
def either(request, tmp_path: Path, monkeypatch) -> Repo:
    """A repository on the in-process emulator, or on one served over HTTP."""
    monkeypatch.chdir(tmp_path)
    if request.param == "in-process":
        r = Repo(tmp_path)
        yield r
        r.control.close()
        return
    monkeypatch.setenv("SINCH_KEY_ID", "local")
    monkeypatch.setenv("SINCH_KEY_SECRET", "local")
    with ServedEmulator(EmulatorSettings(state_path=":memory:")) as served:
        r = Repo(tmp_path, served)
        yield r
        r.control.close()


def _media_url(template: dict) -> str:
    [header] = [c for c in template["details"]["components"] if c["type"] == "HEADER"]
    return header["example"]["url"]


def test_plan_and_drift_both_notice_a_media_sample_edit_and_are_quiet_without_one(
    either: Repo,
) -> None:
    repo = either
    repo.write("https://example.com/a.jpg")
    assert repo.run("apply", "templates", "--auto-approve").exit_code == 0
    repo.control.complete_reviews(PROJECT)
    # faithful: every read shows a differently signed CDN URL, never the URL sent
    reads = [
        _media_url(
            repo.control.client.get(f"{API}/product_photo/languages/EN_US", auth=AUTH).json()
        )
        for _ in range(2)
    ]
    assert reads[0] != reads[1] and "example.com" not in reads[0]
    plan = repo.plan("--detailed-exitcode")
    assert (plan["actions"], plan["blocked"], plan["notes"]) == ([], [], [])
    code, report = repo.drift()
    assert (code, report["findings"]) == (0, [])

    repo.write("https://example.com/b.jpg")
    [action] = repo.plan()["actions"]
    [change] = action["changes"]
    code, report = repo.drift()
    assert code == 2
    [finding] = report["findings"]
    assert (finding["kind"], finding["code"]) == ("content", "live-content")
    [difference] = finding["differences"]
    assert difference["path"] == change["path"] == "writeOnly.components[HEADER:MEDIA].example.url"
    assert (difference["git"], difference["remote"]) == (change["new"], change["old"])
    assert (change["old"], change["new"]) == (
        "https://example.com/a.jpg",
        "https://example.com/b.jpg",
    )

    repo.write("https://example.com/a.jpg")  # back to what was submitted: both quiet again
    assert repo.plan()["actions"] == []
    assert repo.drift()[0] == 0


def test_drift_says_when_a_media_sample_cannot_be_compared(repo: Repo) -> None:
    repo.control.add_template(PROJECT, "product_photo", "EN_US", "MARKETING", DETAILS)
    repo.write("https://example.com/a.jpg")
    code, report = repo.drift()
    assert code == 0  # a note: nothing is known to differ
    [finding] = report["findings"]
    assert (finding["kind"], finding["code"]) == ("note", "write-only-unverified")
    assert "--replace product_photo:EN_US" in finding["message"]
    [note] = repo.plan()["notes"]
    assert note["message"] == finding["message"]


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
    repo.control.add_template(PROJECT, "product_photo", "EN_US", "MARKETING", DETAILS)
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


def test_the_write_only_check_makes_no_reference_cycles() -> None:
    """``plan`` checks every template with the cyclic collector paused: a cycle per check
    would keep each check's objects until the plan ends (9 MB for 10,000 templates)."""
    wire = {
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"url": "https://cdn.example/a.png"}},
            {"type": "BODY", "text": "Hi {{1}}.", "examples": ["Ann"]},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Shop",
                        "url": "https://shop.example/{{1}}",
                        "example": "https://shop.example/a",
                    },
                    {"type": "QUICK_REPLY", "text": "Stop"},
                ],
            },
        ]
    }
    model = TemplateDetails.model_validate(wire)
    gc.collect()
    with collector_paused():
        checked = [of(details, "MARKETING") for details in (wire, model) * 50]
        assert gc.collect() == 0
    assert (
        checked[0]
        == checked[1]
        == {"components[HEADER:MEDIA].example": wire["components"][0]["example"]}
    )
