"""`waform import` against the emulator: import into an empty directory, then plan shows nothing.

The remote holds every component and button type the model supports (the example templates plus
a video carousel with phone buttons), in several languages and in every lifecycle state an
import meets: approved, paused, quality-red, an unsubmitted draft, a review in progress, a
rejected template, a live template with a pending draft edit, and a Meta-generated template.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from waform.cli import cli
from waform.emulator.transport import EMBEDDED_BASE_URL, SyncEmbeddedTransport
from waform.fields import compared
from waform.model.template import DesiredTemplate, TemplateFile
from waform.normalize import canonical_details

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "templates"
PROJECT = "local"
API = f"/v1/projects/{PROJECT}/whatsapp/templates"


def _examples() -> list[DesiredTemplate]:
    out = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out += TemplateFile.model_validate(YAML(typ="safe").load(path.read_text())).desired()
    return out


def _video_carousel(base: DesiredTemplate) -> dict[str, Any]:
    """summer_carousel with VIDEO card headers and PHONE_NUMBER card buttons (not in examples)."""
    details = copy.deepcopy(base.details_wire())
    for component in details["components"]:
        for i, card in enumerate(component.get("cards", [])):
            for part in card["components"]:
                if part["type"] == "HEADER":
                    part["format"] = "VIDEO"
                    part["example"] = {
                        "url": f"https://example.com/v{i}.mp4",
                        "mimeType": "VIDEO/MP4",
                    }
                if part["type"] == "BUTTONS":
                    part["buttons"][0] = {
                        "type": "PHONE_NUMBER",
                        "text": "Call us",
                        "phoneNumber": "+15550100",
                    }
    return details


def _types(details: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for component in details["components"]:
        found.add(component["type"] + ":" + component.get("format", ""))
        for button in component.get("buttons", []):
            found.add("button:" + button["type"] + ":" + button.get("otpType", ""))
        for card in component.get("cards", []):
            found |= {"card-" + t for t in _types(card)}
    return found


class Emulator:
    def __init__(self, state: Path) -> None:
        self.transport = SyncEmbeddedTransport.open(state)
        self.http = httpx.Client(
            transport=self.transport, base_url=EMBEDDED_BASE_URL, auth=("local", "local")
        )

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def close(self) -> None:
        self.http.close()
        self.transport.close()


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[tuple[Path, Emulator, list[DesiredTemplate]]]:
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  local: {type: local, state: state.sqlite3}\n", encoding="utf-8"
    )
    emu = Emulator(tmp_path / "state.sqlite3")
    emu.call("PUT", "/_emulator/settings", {"reviewDelaySeconds": 86_400})
    examples = _examples()
    carousel = next(d for d in examples if d.name == "summer_carousel")
    added: list[DesiredTemplate] = []

    def add(name: str, lang: str, category: str, details: dict[str, Any], **extra: Any) -> None:
        emu.call(
            "POST",
            f"/_emulator/projects/{PROJECT}/templates",
            {"name": name, "language": lang, "category": category, "details": details, **extra},
        )

    for d in examples:
        add(d.name, d.language, d.category, d.details_wire())
        added.append(d)
    for lang in ("EN_US", "DE"):
        add("video_carousel", lang, "MARKETING", _video_carousel(carousel))

    key = "/_emulator/projects/local/templates/{}/languages/{}"
    # lifecycle states an import meets
    emu.call("POST", key.format("spring_sale", "FR") + "/state", {"state": "PAUSED"})
    emu.call(
        "POST",
        key.format("spring_sale", "ES_MX") + "/quality",
        {"qualityScore": "QUALITY_SCORE_RED"},
    )
    emu.call(
        "POST",
        key.format("login_code", "DE") + "/state",
        {"state": "REJECTED", "rejectionCode": "INVALID_FORMAT"},
    )
    body = {
        "components": [
            {"type": "BODY", "text": "Your parcel has been handed to the courier today."}
        ]
    }
    emu.call(
        "POST",
        API,
        {
            "name": "courier_update",
            "language": "EN",
            "category": "UTILITY",
            "status": "DRAFT",
            "details": body,
        },
    )
    emu.call(
        "POST",
        API,
        {
            "name": "courier_update",
            "language": "FR",
            "category": "UTILITY",
            "status": "SUBMIT",
            "details": {
                "components": [{"type": "BODY", "text": "Votre colis a été remis au transporteur."}]
            },
        },
    )
    edit = copy.deepcopy(
        next(d for d in examples if d.key == ("invoice_available", "DE")).details_wire()
    )
    edit["components"][0 if edit["components"][0]["type"] == "BODY" else 1]["text"] += " Danke!"
    emu.call("PATCH", f"{API}/invoice_available/languages/DE", {"status": "DRAFT", "details": edit})
    add("meta_sample", "EN", "UTILITY", body, isMetaGenerated=True)
    try:
        yield tmp_path, emu, added
    finally:
        emu.close()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_remote_covers_every_component_and_button_type(remote: Any) -> None:
    _, emu, _ = remote
    listed = emu.call("GET", f"{API}?pageSize=1000")["templates"]
    types: set[str] = set()
    for template in listed:
        types |= _types(template.get("details") or template["changes"]["details"])
    expected = {
        "HEADER:TEXT", "HEADER:IMAGE", "HEADER:VIDEO", "HEADER:DOCUMENT", "HEADER:LOCATION",
        "BODY:", "FOOTER:", "BUTTONS:", "CAROUSEL:", "LIMITED_TIME_OFFER:",
        "button:PHONE_NUMBER:", "button:URL:", "button:QUICK_REPLY:", "button:OTP:COPY_CODE",
        "button:OTP:ONE_TAP", "button:OTP:ZERO_TAP", "button:FLOW:", "button:REQUEST_CONTACT_INFO:",
        "button:ORDER_DETAILS:", "button:COPY_CODE:",
        "card-HEADER:IMAGE", "card-HEADER:VIDEO", "card-BODY:", "card-BUTTONS:",
        "card-button:URL:", "card-button:QUICK_REPLY:", "card-button:PHONE_NUMBER:",
    }  # fmt: skip
    assert expected <= types, expected - types
    languages = {t["language"] for t in listed}
    assert len(languages) >= 5


def test_import_then_plan_shows_zero_changes(remote: Any) -> None:
    root, _, added = remote
    out = root / "templates"
    result = invoke("import", str(out))
    assert result.exit_code == 0, result.output
    assert "note: meta_sample/EN: skipped: generated by Meta" in result.output
    assert "note: login_code/DE: rejected by Meta (INVALID_FORMAT)" in result.output
    assert not (out / "meta_sample.yaml").exists()
    assert len(list(out.glob("*.yaml"))) == 17  # 15 examples + video_carousel + courier_update

    plan = invoke("plan", str(out), "--detailed-exitcode", "--json")
    assert plan.exit_code == 0, plan.output
    data = json.loads(plan.stdout)
    assert data["actions"] == [] and data["blocked"] == []
    assert data["summary"]["noop"] == len(added) + 2 + 2  # + video_carousel, courier_update

    # what was imported is the content that was added (canonically equal), language by language
    imported = {}
    for path in out.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=")
        for d in TemplateFile.model_validate(YAML(typ="safe").load(text)).desired():
            imported[d.key] = d
    for d in added:
        if d.key == ("invoice_available", "DE"):
            continue  # holds the pending draft edit instead
        # equal as the differ compares them (a media sample reads back as Meta's CDN URL)
        mine, theirs = compared(
            canonical_details(d.details, category=d.category),
            canonical_details(imported[d.key].details, category=d.category),
            d.category,
        )
        assert mine == theirs, d.key
    assert imported[("courier_update", "EN")].status == "draft"
    assert imported[("courier_update", "FR")].status == "submit"
    assert imported[("invoice_available", "DE")].status == "draft"


def test_import_refuses_to_overwrite_and_filters(remote: Any) -> None:
    root, _, _ = remote
    out = root / "templates"
    out.mkdir()
    mine = out / "order_shipped.yaml"
    mine.write_text("# my own edits\n", encoding="utf-8")
    result = invoke("import", str(out))
    assert result.exit_code == 1
    assert "order_shipped.yaml" in result.output and "--force" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["order_shipped.yaml"]  # nothing written
    assert mine.read_text() == "# my own edits\n"

    result = invoke("import", str(out), "--name", "order_", "--language", "en_US", "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["order_shipped.yaml"]
    data = YAML(typ="safe").load(mine.read_text())
    assert list(data["languages"]) == ["EN_US"]

    result = invoke("import", str(out), "--name", "*_carousel", "--dry-run")
    assert result.exit_code == 0
    assert "summer_carousel.yaml" in result.stdout and "video_carousel.yaml" in result.stdout
    assert not (out / "summer_carousel.yaml").exists()


def test_names_defined_in_other_files_are_not_duplicated(remote: Any) -> None:
    """Adopting the rest of a project: templates already in git (any file name) are skipped."""
    root, _, _ = remote
    out = root / "templates"
    (out / "team").mkdir(parents=True)
    kept = out / "team" / "shipping.yaml"
    kept.write_text((EXAMPLES / "order_shipped.yaml").read_text(), encoding="utf-8")
    result = invoke("import", str(out))
    assert result.exit_code == 0, result.output
    assert f"note: order_shipped: skipped: already defined in {kept}" in result.output
    assert not (out / "order_shipped.yaml").exists()
    assert (out / "spring_sale.yaml").exists()
    assert invoke("validate", str(out)).exit_code == 0
