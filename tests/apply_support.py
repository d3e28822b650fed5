"""Helpers for the apply tests: a scratch repository wired to an emulator state file.

Remote states are produced through the emulator's API (creates, edits) and its control API
(reviews, faults, rate limits); ``waform`` runs through the real CLI (click's ``CliRunner``), so
every test crosses the same code paths as a user.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from waform.apply.executor import Executor
from waform.apply.matcher import make_matcher
from waform.apply.results import StepResult
from waform.apply.steps import WriteStep
from waform.apply.throttle import AdaptiveThrottle
from waform.cli import cli
from waform.client import RetryPolicy
from waform.connect import open_provider
from waform.emulator import EmulatorControl, embedded_transport

PROJECT = "local"
AUTH = ("local", "local")
API = f"/v1/projects/{PROJECT}/whatsapp/templates"
EXAMPLES = ["A-1042", "Monday"]
WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})


def text_of(name: str, version: int = 1) -> str:
    """A body that passes Meta's rules and is unique per template and version."""
    words = name.replace("_", " ")
    return f"Order {{{{1}}}} ({words}, version {version}) arrives on {{{{2}}}} as planned."


def details(name: str, version: int = 1, text: str | None = None) -> dict[str, Any]:
    return {
        "components": [
            {"type": "BODY", "text": text or text_of(name, version), "examples": EXAMPLES}
        ]
    }


def template_yaml(
    name: str,
    version: int = 1,
    *,
    category: str = "UTILITY",
    languages: tuple[str, ...] = ("en_US",),
    text: str | None = None,
    extra: str = "",
) -> str:
    body = text or text_of(name, version)
    langs = "".join(
        textwrap.indent(
            textwrap.dedent(
                f"""\
                {code}:
                  details:
                    components:
                      - type: BODY
                        text: {json.dumps(body + ("" if i == 0 else f" [{code}]"))}
                        examples: {json.dumps(EXAMPLES)}
                """
            ),
            "  ",
        )
        for i, code in enumerate(languages)
    )
    head = f"name: {name}\ncategory: {category}\n" + (f"{extra}\n" if extra else "")
    return head + "languages:\n" + langs


class Project:
    """templates/, waform.yaml (local target on ``state.sqlite3``) and a control handle."""

    def __init__(self, root: Path, *, prune: bool = False, review_delay: float = 10**6) -> None:
        self.root = root
        self.templates = root / "templates"
        self.templates.mkdir()
        self.state = root / "state.sqlite3"
        self.config = root / "waform.yaml"
        self.config.write_text(
            f"targets:\n  local: {{type: local, state: {self.state.name}}}\n"
            f"prune: {'true' if prune else 'false'}\n"
            "safety: {minManaged: 100000}\n",
            encoding="utf-8",
        )
        self.control = EmulatorControl.in_process(self.state)
        self.control.set_review_delay(review_delay)
        self.http: httpx.Client = self.control.client

    # ------------------------------------------------------------------ files

    def write(self, name: str, version: int = 1, **kw: Any) -> Path:
        path = self.templates / f"{name}.yaml"
        path.write_text(template_yaml(name, version, **kw), encoding="utf-8")
        return path

    # ------------------------------------------------------------------ remote

    def api(self, method: str, path: str = "", **kw: Any) -> dict[str, Any]:
        response = self.http.request(method, API + path, auth=AUTH, **kw)
        assert response.status_code < 300, response.text
        return response.json() if response.content else {}

    def create(
        self,
        name: str,
        version: int = 1,
        *,
        status: str = "SUBMIT",
        category: str = "UTILITY",
        language: str = "EN_US",
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "language": language,
            "category": category,
            "status": status,
            "details": details(name, version),
        }
        return self.api("POST", json=body)

    def approve(self, name: str, language: str = "EN_US") -> None:
        done = self.control.complete_reviews(PROJECT, name, language, outcome="APPROVED")
        assert done, f"no review pending for {name}/{language}"

    def remote(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every template of the project, by (name, language)."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        token = None
        while True:
            params = {"pageSize": 1000, **({"pageToken": token} if token else {})}
            page = self.api("GET", params=params)
            for t in page["templates"]:
                out[(t["name"], t["language"])] = t
            token = page.get("nextPageToken")
            if not token or not page["templates"]:
                return out

    def log(self) -> list[dict[str, Any]]:
        return self.control.requests(PROJECT)

    def writes(self, since: int = 0) -> list[dict[str, Any]]:
        """Write requests the API received (after log position ``since``)."""
        return [r for r in self.log()[since:] if r["method"] in WRITE_METHODS]

    # ------------------------------------------------------------------ CLI

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    def apply(self, *args: str) -> Result:
        return self.run("apply", str(self.templates.name), "--config", str(self.config), *args)

    def plan(self, *args: str) -> Result:
        return self.run("plan", str(self.templates.name), "--config", str(self.config), *args)

    def close(self) -> None:
        self.control.close()


# ------------------------------------------------------------------ the executor alone

#: The default bounds without the waiting (Retry-After is 0 in these tests).
INSTANT = RetryPolicy(base_delay=0, max_delay=0)


def create_step(name: str, version: int = 1, *, index: int = 0, status: str = "SUBMIT"):
    body = {
        "name": name,
        "language": "EN_US",
        "category": "UTILITY",
        "status": status,
        "details": details(name, version),
    }
    kind = "create" if status == "SUBMIT" else "create-draft"
    return WriteStep(
        kind, name, "EN_US", "POST", "/whatsapp/templates", body, "UTILITY", index=index
    )


def run_steps(
    state: Path, config: Any, steps: list[WriteStep], *, comment: str | None = None, retry=INSTANT
) -> list[StepResult]:
    """``steps`` through the real executor and client, on the emulator at ``state``."""

    async def go() -> list[StepResult]:
        transport = embedded_transport(state)
        async with open_provider(
            config.target(None), transport=transport, throttle=AdaptiveThrottle(), retry=retry
        ) as client:
            executor = Executor(client, make_matcher(), comment=comment)
            return await executor.run(steps)

    return asyncio.run(go())


class FakeTime:
    """A clock that moves only when someone sleeps (throttle and progress tests)."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)
