"""`waform drift` against the emulator: every kind of finding, created through the control API.

Each test starts from a clean baseline — the git files' content added at the target as APPROVED
templates through the control API — checks that drift is clean, then makes one thing happen the
way it happens in real life (a dashboard edit, Meta re-categorising, pausing, a quality drop…)
and runs the real CLI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from waform.cli import cli
from waform.emulator.transport import EMBEDDED_BASE_URL, SyncEmbeddedTransport
from waform.model.template import TemplateFile

PROJECT = "local"
API = f"/v1/projects/{PROJECT}/whatsapp/templates"

ORDER = """\
name: order_shipped
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hi {{1}}, your order {{2}} has shipped and is on its way."
          examples: ["Anna", "A-1042"]
        - type: FOOTER
          text: "Example Shop"
  DE:
    details:
      components:
        - type: BODY
          text: "Hallo {{1}}, deine Bestellung {{2}} ist unterwegs zu dir."
          examples: ["Anna", "A-1042"]
"""
PROMO = """\
name: spring_news
category: MARKETING
languages:
  EN:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "Spring is here"
        - type: BODY
          text: "Hello {{1}}, our spring collection has arrived in all stores."
          examples: ["Anna"]
        - type: BUTTONS
          buttons:
            - type: URL
              text: "Shop now"
              url: "https://example.com/spring"
"""


class Emulator:
    """The same emulator state the CLI uses, driven through the Sinch API and the control API."""

    def __init__(self, state: Path) -> None:
        self.transport = SyncEmbeddedTransport.open(state)
        self.http = httpx.Client(
            transport=self.transport, base_url=EMBEDDED_BASE_URL, auth=("local", "local")
        )

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"/_emulator{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json()

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"{API}{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def key(self, name: str, language: str) -> str:
        return f"/projects/{PROJECT}/templates/{name}/languages/{language}"

    def add(self, name: str, language: str, category: str, details: dict, **extra: Any) -> None:
        self.control(
            "POST",
            f"/projects/{PROJECT}/templates",
            {"name": name, "language": language, "category": category, "details": details, **extra},
        )

    def close(self) -> None:
        self.http.close()
        self.transport.close()


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[tuple[Path, Emulator]]:
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  local: {type: local, state: state.sqlite3}\n", encoding="utf-8"
    )
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "order_shipped.yaml").write_text(ORDER, encoding="utf-8")
    (templates / "spring_news.yaml").write_text(PROMO, encoding="utf-8")
    emulator = Emulator(tmp_path / "state.sqlite3")
    for text in (ORDER, PROMO):
        for desired in TemplateFile.model_validate(YAML(typ="safe").load(text)).desired():
            emulator.add(desired.name, desired.language, desired.category, desired.details_wire())
    try:
        yield templates, emulator
    finally:
        emulator.close()


def drift(templates: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["drift", str(templates), *args], catch_exceptions=False)


def findings(templates: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = drift(templates, "--json", *args)
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_clean_baseline_exits_0_and_only_reads(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    emu.control("DELETE", "/requests")
    result = drift(templates)
    assert result.exit_code == 0, result.output
    assert "No drift on target 'local'" in result.stdout
    assert "3 in git, 3 at the target" in result.stdout
    methods = {r["method"] for r in emu.control("GET", "/requests")["requests"]}
    assert methods == {"GET"}  # drift never writes to the API


def test_out_of_band_edit_is_pending_then_content_drift(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    edited = {
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, order {{2}} shipped today.",
                "examples": ["A", "B"],
            },
            {"type": "FOOTER", "text": "Example Shop"},
        ]
    }
    emu.api("PATCH", "/order_shipped/languages/EN_US", {"status": "SUBMIT", "details": edited})
    code, found = findings(templates)
    assert code == 2
    assert [(f["kind"], f["code"], f["name"], f["language"]) for f in found] == [
        ("pending", "pending-edit", "order_shipped", "EN_US")
    ]
    assert "components[BODY].text" in [d["path"] for d in found[0]["differences"]]
    assert "IN_PROGRESS" in found[0]["message"]

    emu.control("POST", f"/projects/{PROJECT}/reviews/complete", {"outcome": "APPROVED"})
    code, found = findings(templates)
    assert code == 2
    [finding] = found
    assert (finding["kind"], finding["code"]) == ("content", "live-content")
    assert finding["source"].startswith(str(templates / "order_shipped.yaml"))
    assert finding["differences"] == [
        {"path": "components[BODY].examples[0]", "git": "Anna", "remote": "A"},
        {"path": "components[BODY].examples[1]", "git": "A-1042", "remote": "B"},
        {
            "path": "components[BODY].text",
            "git": "Hi {{1}}, your order {{2}} has shipped and is on its way.",
            "remote": "Hi {{1}}, order {{2}} shipped today.",
        },
    ]
    text = drift(templates).stdout
    assert "order_shipped/EN_US  content    the live template differs from git" in text
    assert "~ components[BODY].text: git " in text


def test_meta_recategorisation_is_a_note_not_drift(repo: tuple[Path, Emulator]) -> None:
    """Meta's UTILITY → MARKETING move cannot be undone: named, but drift still exits 0."""
    templates, emu = repo
    emu.control("POST", emu.key("order_shipped", "DE") + "/category", {"category": "MARKETING"})
    code, found = findings(templates)
    assert code == 0
    [finding] = found
    assert (finding["kind"], finding["code"], finding["language"]) == (
        "note",
        "recategorised",
        "DE",
    )
    assert "UTILITY → MARKETING" in finding["message"]
    assert drift(templates, "--fail-on", "note").exit_code == 2


def test_a_category_change_that_is_not_meta_s_is_content_drift(
    repo: tuple[Path, Emulator],
) -> None:
    templates, emu = repo
    emu.control("POST", emu.key("spring_news", "EN") + "/category", {"category": "UTILITY"})
    code, found = findings(templates)
    assert code == 2
    [finding] = found
    assert (finding["kind"], finding["code"], finding["language"]) == ("content", "category", "EN")
    assert finding["differences"] == [{"path": "category", "git": "MARKETING", "remote": "UTILITY"}]
    # only the categories count for --fail-on health: exit 0
    assert drift(templates, "--fail-on", "health").exit_code == 0


@pytest.mark.parametrize(
    ("state", "code", "words"),
    [("PAUSED", "paused", "paused by Meta"), ("DISABLED", "disabled", "disabled by Meta")],
)
def test_paused_and_disabled_are_unhealthy(
    repo: tuple[Path, Emulator], state: str, code: str, words: str
) -> None:
    templates, emu = repo
    emu.control("POST", emu.key("spring_news", "EN") + "/state", {"state": state})
    exit_code, found = findings(templates)
    assert exit_code == 2
    assert [(f["kind"], f["code"], f["name"]) for f in found] == [("health", code, "spring_news")]
    assert words in found[0]["message"]


def test_quality_drop_is_unhealthy(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    emu.control(
        "POST", emu.key("spring_news", "EN") + "/quality", {"qualityScore": "QUALITY_SCORE_YELLOW"}
    )
    emu.control(
        "POST", emu.key("order_shipped", "DE") + "/quality", {"qualityScore": "QUALITY_SCORE_RED"}
    )
    emu.control(
        "POST",
        emu.key("order_shipped", "EN_US") + "/quality",
        {"qualityScore": "QUALITY_SCORE_GREEN"},
    )
    code, found = findings(templates)
    assert code == 2
    assert sorted((f["code"], f["name"], f["language"]) for f in found) == [
        ("quality-red", "order_shipped", "DE"),
        ("quality-yellow", "spring_news", "EN"),
    ]


def test_rejected_names_the_rejection_code(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    emu.control(
        "POST",
        emu.key("order_shipped", "EN_US") + "/state",
        {"state": "REJECTED", "rejectionCode": "SCAM"},
    )
    code, found = findings(templates)
    assert code == 2
    [finding] = found
    assert (finding["kind"], finding["code"]) == ("health", "rejected")
    assert finding["message"] == "rejected by Meta (SCAM)"


def test_stale_review(repo: tuple[Path, Emulator]) -> None:
    """A submission made (emulator time) 30 hours ago that Meta still has not decided on."""
    templates, emu = repo
    emu.api("DELETE", "/spring_news")  # leaves the name blocked; use a new language instead
    (templates / "spring_news.yaml").write_text(PROMO.replace("  EN:", "  FR:"), encoding="utf-8")
    emu.control("PUT", "/settings", {"reviewDelaySeconds": 10 * 86_400})
    emu.control("POST", "/clock/set", {"now": time.time() - 30 * 3600})
    details = TemplateFile.model_validate(YAML(typ="safe").load(PROMO)).desired()[0].details_wire()
    emu.api(
        "POST",
        "",
        {
            "name": "spring_news",
            "language": "FR",
            "category": "MARKETING",
            "status": "SUBMIT",
            "details": details,
        },
    )
    emu.control("POST", "/clock/set", {"now": time.time()})

    code, found = findings(templates)
    assert code == 2
    assert [(f["kind"], f["code"]) for f in found] == [
        ("review", "in-review"),
        ("health", "stale-review"),
    ]
    assert found[1]["message"].startswith("in review for 30 h (since ")
    # under the threshold: only the informational review finding, which does not fail by default
    code, found = findings(templates, "--stale-review", "48")
    assert code == 0
    assert [f["code"] for f in found] == ["in-review"]
    assert drift(templates, "--stale-review", "48", "--fail-on", "review").exit_code == 2


def test_unmanaged_and_meta_generated(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    body = {"components": [{"type": "BODY", "text": "Your code is ready to use."}]}
    emu.add("made_in_dashboard", "EN", "UTILITY", body, qualityScore="QUALITY_SCORE_RED")
    emu.add("meta_sample", "EN", "UTILITY", body, isMetaGenerated=True)
    result = drift(templates, "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [(f["kind"], f["code"], f["name"]) for f in report["findings"]] == [
        ("unmanaged", "unmanaged", "made_in_dashboard"),
        ("health", "quality-red", "made_in_dashboard"),
    ]
    assert "waform import" in report["findings"][0]["message"]
    assert report["notes"] == ["1 Meta-generated template language(s) not checked (read-only)"]
    assert drift(templates, "--fail-on", "content,missing").exit_code == 0


def test_the_unmanaged_hint_is_a_command_that_works(repo: tuple[Path, Emulator]) -> None:
    """The hint is run as printed (DIR = the templates directory), in a repository that already
    has files (a bare `waform import DIR` refuses there); afterwards nothing is unmanaged."""
    templates, emu = repo
    body = {"components": [{"type": "BODY", "text": "Your code is ready to use."}]}
    emu.add("made_in_dashboard", "EN", "UTILITY", body)
    _, before = findings(templates)
    (hint,) = [f["message"] for f in before if f["kind"] == "unmanaged"]
    command = hint.split("`")[1].replace("DIR", str(templates)).split()
    assert command[:2] == ["waform", "import"], hint
    imported = CliRunner().invoke(cli, command[1:], catch_exceptions=False)
    assert imported.exit_code == 0, imported.output
    assert (templates / "made_in_dashboard.yaml").exists()
    status, after = findings(templates)
    assert (status, after) == (0, [])


def test_unmanaged_respects_scope(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    config = templates.parent / "waform.yaml"
    config.write_text(config.read_text() + "scope: {include: ['order_*', 'spring_*']}\n")
    emu.add("other_team", "EN", "UTILITY", {"components": [{"type": "BODY", "text": "Not ours."}]})
    assert drift(templates).exit_code == 0


def test_missing_language(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    path = templates / "order_shipped.yaml"
    path.write_text(
        ORDER
        + "  FR:\n    details:\n      components:\n        - type: BODY\n"
        + '          text: "Bonjour, votre commande est partie."\n',
        encoding="utf-8",
    )
    code, found = findings(templates)
    assert code == 2
    assert [(f["kind"], f["name"], f["language"]) for f in found] == [
        ("missing", "order_shipped", "FR")
    ]
    assert found[0]["source"].startswith(str(path))


def test_unsubmitted_draft(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    path = templates / "order_shipped.yaml"
    path.write_text(
        ORDER
        + "  IT:\n    details:\n      components:\n        - type: BODY\n"
        + '          text: "Ciao, il tuo ordine è partito."\n',
        encoding="utf-8",
    )
    details = {"components": [{"type": "BODY", "text": "Ciao, il tuo ordine è partito."}]}
    emu.api(
        "POST",
        "",
        {
            "name": "order_shipped",
            "language": "IT",
            "category": "UTILITY",
            "status": "DRAFT",
            "details": details,
        },
    )
    code, found = findings(templates)
    assert code == 2
    assert [(f["kind"], f["code"], f["language"]) for f in found] == [
        ("health", "unsubmitted-draft", "IT")
    ]
    # the file says it is meant to be a draft: nothing to report
    path.write_text(
        path.read_text().replace("  IT:\n", "  IT:\n    status: draft\n"), encoding="utf-8"
    )
    assert findings(templates) == (0, [])


def test_markdown_issue_body(repo: tuple[Path, Emulator]) -> None:
    templates, emu = repo
    emu.control("POST", emu.key("spring_news", "EN") + "/category", {"category": "UTILITY"})
    result = drift(templates, "--markdown")
    assert result.exit_code == 2
    assert result.stdout.startswith(
        "<!-- waform-drift -->\n## ⚠️ waform drift: 1 finding on `local`"
    )
    assert '| `category` | `"MARKETING"` | `"UTILITY"` |' in result.stdout


def test_errors_exit_1_without_traceback(repo: tuple[Path, Emulator]) -> None:
    templates, _ = repo
    (templates / "broken.yaml").write_text("name: broken\ncategory: UTILITY\nlanguages: [\n")
    result = drift(templates)
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output and "Traceback" not in result.output
    assert "drift was not checked" in result.output
    (templates / "broken.yaml").unlink()
    result = CliRunner().invoke(cli, ["drift", str(templates), "--fail-on", "bogus"])
    assert result.exit_code != 0 and "unknown finding kind 'bogus'" in result.output
