"""`plan` and `drift` over more than one list page: the sweep is read in name-prefix parts at once
(by the desired names) when that provably gives the whole list, else page after page — with the
same plan and the same drift report either way.

The emulator runs in-process; "page after page" is forced by a server whose ``templateName``
filter is not a prefix filter (the emulator behind a transport that drops the parameter).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from emulator_remote import Tracking
from test_fetcher_parts import IgnoresNameFilter
from waform.commands.options import run_sync
from waform.config import load_config
from waform.emulator import embedded_transport
from waform.manager import Manager
from waform.render import render

PROJECT = "local"
FILES = 560  # two languages each: 1,120 template-languages, two pages of 1,000
LANGUAGES = ("EN_US", "DE")


def text(index: int, language: str) -> str:
    return f"{'Hello' if language == 'EN_US' else 'Hallo'} {{{{1}}}}, order {index} has shipped."


def template_file(name: str, index: int) -> str:
    lines = [f"name: {name}", "category: UTILITY", "languages:"]
    for language in LANGUAGES:
        body = f'{{type: BODY, text: "{text(index, language)}", examples: ["Anna"]}}'
        lines += [f"  {language}:", f"    details: {{components: [{body}]}}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files, and a target holding every other one as it is, one changed, one missing."""
    root = tmp_path_factory.mktemp("parts")
    (root / "templates").mkdir()
    (root / "waform.yaml").write_text(
        f"targets:\n  local: {{type: local, state: emulator.sqlite3, projectId: {PROJECT}}}\n"
    )
    transport = embedded_transport(root / "emulator.sqlite3")
    for index in range(FILES):
        name = f"order_{index:03d}"
        (root / "templates" / f"{name}.yaml").write_text(template_file(name, index))
        for language in LANGUAGES if index % 2 == 0 else ():
            body = text(index if index != 10 else -1, language)
            transport.emulator.meta_add(
                PROJECT,
                name=name,
                language=language,
                category="UTILITY",
                details={"components": [{"type": "BODY", "text": body, "examples": ["Anna"]}]},
            )
    return root


def manager(
    project: Path, state: Path | None = None, *, prefix_filter: bool = True
) -> tuple[Manager, Tracking]:
    """The project's manager on its target (or on the emulator state file ``state``)."""
    tracking = Tracking(embedded_transport(state or project / "emulator.sqlite3"))
    transport = tracking if prefix_filter else IgnoresNameFilter(tracking)
    return Manager(load_config(None, project), transport=transport), tracking


def listed(tracking: Tracking) -> int:
    """``listTemplates`` requests sent (the rest: the changed template's edit history)."""
    return sum(1 for url in tracking.sent if url.path.endswith("/whatsapp/templates"))


def fetch_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "waform.fetcher"]


def test_plan_and_drift_read_in_parts_as_the_ordinary_sweep_does(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="waform.fetcher")
    templates = [project / "templates"]
    parts, tracking = manager(project)
    plan = run_sync(parts.plan(templates)).plan
    assert fetch_lines(caplog) == [
        "fetch: read in 6 parts at once (560 templates in 6 parts, the whole list)"
    ]
    # order_0…order_5, at most 200 each (one page), and one request for the total.
    assert (listed(tracking), plan.requests) == (6 + 1, len(tracking.sent))
    assert (plan.summary.create, plan.summary.update, plan.summary.noop) == (560, 2, 558)

    caplog.clear()
    ordinary, tracking = manager(project, prefix_filter=False)
    same = run_sync(ordinary.plan(templates)).plan
    assert fetch_lines(caplog)[0].startswith("fetch: the 6 parts are not used (listing names")
    assert same.requests == len(tracking.sent) > plan.requests
    assert render(same, "text") == render(plan, "text")
    made = {"requests", "created_at"}
    assert same.model_dump(exclude=made) == plan.model_dump(exclude=made)

    drift = run_sync(parts.drift(templates))
    assert drift.requests == 6 + 1  # and no other request
    same_drift = run_sync(ordinary.drift(templates))
    assert render(same_drift, "text") == render(drift, "text")


def test_templates_outside_the_files_names_are_swept_page_after_page_and_planned(
    project: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG, logger="waform.fetcher")
    state = tmp_path / "emulator.sqlite3"
    with sqlite3.connect(project / "emulator.sqlite3") as source, sqlite3.connect(state) as copy:
        source.backup(copy)  # the module's target stays as it is
    managed, tracking = manager(project, state)
    tracking.emulator.meta_add(
        PROJECT,
        name="legacy_promo",
        language="EN_US",
        category="MARKETING",
        details={"components": [{"type": "BODY", "text": "Old news"}]},
    )
    plan = run_sync(managed.plan([project / "templates"])).plan
    assert fetch_lines(caplog) == [
        "fetch: the 6 parts are not used (560 templates in 6 parts, 561 in the whole list); "
        "page after page"
    ]
    # The parts and the total, then the one page of the ordinary sweep.
    assert (listed(tracking), plan.requests) == ((6 + 1) + 1, len(tracking.sent))
    assert [(u.name, u.language) for u in plan.unmanaged] == [("legacy_promo", "EN_US")]
