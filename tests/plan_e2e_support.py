"""The `waform plan` end-to-end tests' project: template files, the real CLI, and remote
states made through the in-process emulator the way they happen in life."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.emulator import EmulatorControl

PROJECT = "local"
AUTH = ("local", "local")
API = f"/v1/projects/{PROJECT}/whatsapp/templates"


def text_of(name: str, version: int = 1) -> str:
    """A body that passes Meta's rules and is unique per template (and version)."""
    words = name.replace("_", " ")
    if version == 1:
        return f"Your order {{{{1}}}} ({words}) has shipped and arrives on {{{{2}}}} as planned."
    if version == 2:
        return (
            f"Good news: order {{{{1}}}} ({words}) is on its way and arrives {{{{2}}}} as promised."
        )
    return (
        f"Order {{{{1}}}} ({words}, revision {version}) is on its way and arrives {{{{2}}}} today."
    )


EXAMPLES = ["A-1042", "Monday"]


def details(name: str, version: int = 1) -> dict:
    return {"components": [{"type": "BODY", "text": text_of(name, version), "examples": EXAMPLES}]}


def template_yaml(
    name: str, version: int = 1, *, category: str = "UTILITY", extra: str = ""
) -> str:
    return textwrap.dedent(
        f"""\
        name: {name}
        category: {category}
        {extra}
        languages:
          en_US:
            details:
              components:
                - type: BODY
                  text: "{text_of(name, version)}"
                  examples: {json.dumps(EXAMPLES)}
        """
    )


class Project:
    """A scratch repository: templates/, waform.yaml, and the emulator state file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates = root / "templates"
        self.templates.mkdir()
        self.state = root / "state.sqlite3"
        self.config = root / "waform.yaml"
        self.config.write_text(f"targets:\n  local: {{type: local, state: {self.state.name}}}\n")
        self.control = EmulatorControl.in_process(self.state)
        self.control.set_review_delay(10**6)  # reviews end only when the test says so
        self.http: httpx.Client = self.control.client

    def write(self, name: str, version: int = 1, **kw) -> None:
        (self.templates / f"{name}.yaml").write_text(template_yaml(name, version, **kw))

    def api(self, method: str, path: str = "", **kw) -> dict:
        response = self.http.request(method, API + path, auth=AUTH, **kw)
        assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    def create(self, name: str, version: int = 1, *, status: str = "SUBMIT", category="UTILITY"):
        body = {
            "name": name,
            "language": "EN_US",
            "category": category,
            "status": status,
            "details": details(name, version),
        }
        return self.api("POST", json=body)

    def edit(self, name: str, version: int) -> dict:
        body = {"status": "SUBMIT", "details": details(name, version)}
        return self.api("PATCH", f"/{name}/languages/EN_US", json=body)

    def review(self, name: str, outcome: str = "APPROVED", **kw) -> None:
        done = self.control.complete_reviews(PROJECT, name, "EN_US", outcome=outcome, **kw)
        assert done, f"no review was pending for {name}"

    def plan(self, *args: str, config: Path | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(
            cli,
            ["plan", str(self.templates), "--config", str(config or self.config), *args],
            catch_exceptions=False,
        )
        return result.exit_code, result.stdout, result.stderr


def opened_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The ``project`` fixture: a :class:`Project` in ``tmp_path`` (the working directory), its
    emulator closed after the test."""
    monkeypatch.chdir(tmp_path)
    proj = Project(tmp_path)
    yield proj
    proj.control.close()


def build_every_state(p: Project) -> None:
    """One template per row of the decision table, each in its real remote state."""
    p.write("new_submit")  # absent → create
    p.write("new_draft", extra="status: draft")  # absent → create-draft

    p.create("draft_ready", status="DRAFT")  # never-submitted draft, same content → submit
    p.write("draft_ready")

    p.create("edited")  # approved, file changed → update
    p.review("edited")
    p.write("edited", 2)

    p.create("unchanged")  # approved, same → no-op
    p.review("unchanged")
    p.write("unchanged")

    p.create("in_review")  # submitted, review pending, file changed → blocked
    p.write("in_review", 2)

    p.create("recategorised", category="MARKETING")  # approved as MARKETING, file says UTILITY
    p.review("recategorised", category="MARKETING")
    p.write("recategorised")

    p.control.add_template(
        PROJECT, "meta_made", "EN_US", "UTILITY", details("meta_made"), meta_generated=True
    )
    p.write("meta_made", 2)  # Meta-generated → read-only

    p.create("turned_down")  # rejected, file unchanged → blocked
    p.review("turned_down", "REJECTED", rejection_code="INVALID_FORMAT")
    p.write("turned_down")

    p.create("old_promo")  # approved, in no file → unmanaged / delete with prune
    p.review("old_promo")
