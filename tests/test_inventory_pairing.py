"""One canonical key per template, one pairing: a language the API spells ``en_US`` is ``EN_US``.

The remote side is served by a scripted peer (``httpx.MockTransport``) that spells languages the
way Meta does (``en_US``, ``de``); the emulator always answers in Sinch's spelling. Before the
key was normalised where ``RemoteTemplate`` is built, the differ paired such a template with
the file while the plan-time rules did not, and warned that an existing language was new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from waform.commands.options import run_sync
from waform.config import Config, load_config
from waform.inventory import pair, processors
from waform.manager import Manager
from waform.model.remote import RemoteTemplate
from waform.model.template import SourceRef, TemplateFile

BODY = "Your order {{1}} has shipped and will arrive tomorrow."
TEMPLATE_FILE = f"""\
name: order_shipped
category: MARKETING
languages:
  EN_US:
    details:
      components:
        - type: BODY
          text: "{BODY}"
          examples: ["A-1042"]
"""


def _remote(language: str, category: str) -> dict[str, Any]:
    return {
        "name": "order_shipped",
        "language": language,
        "category": category,
        "state": "APPROVED",
        "details": {
            "components": [{"type": "BODY", "text": BODY, "examples": ["A-1042"]}],
        },
        "analytics": [],
        "isMetaGenerated": False,
    }


def _peer(*templates: dict[str, Any]) -> httpx.MockTransport:
    """The list endpoint (one page) and the by-name endpoint, nothing else."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET", request
        listed = list(templates)
        return httpx.Response(
            200, json={"totalSize": len(listed), "pageSize": 1000, "templates": listed}
        )

    return httpx.MockTransport(handler)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "order_shipped.yaml").write_text(TEMPLATE_FILE)
    return tmp_path


def _manager(project: Path, transport: httpx.MockTransport) -> Manager:
    return Manager(load_config(None, project), transport=transport)


def test_a_language_spelled_like_meta_pairs_in_the_plan_and_its_rules(project: Path) -> None:
    # EN_US exists (as en_US, same content): nothing to do. DE holds another category; had the
    # rules not paired en_US with EN_US, WA-C4 would warn that EN_US is a new language.
    peer = _peer(_remote("en_US", "MARKETING"), _remote("de", "UTILITY"))
    outcome = run_sync(_manager(project, peer).plan([project / "templates"]))
    plan = outcome.plan
    assert (plan.summary.noop, plan.actions, plan.blocked) == (1, [], [])
    assert [(u.name, u.language) for u in plan.unmanaged] == [("order_shipped", "DE")]
    assert [d.code for d in outcome.diagnostics] == []


def test_a_language_spelled_like_meta_pairs_in_drift_and_import(project: Path) -> None:
    peer = _peer(_remote("en_US", "MARKETING"), _remote("de", "UTILITY"))
    manager = _manager(project, peer)
    report = run_sync(manager.drift([project / "templates"]))
    assert [(f.kind, f.language) for f in report.findings] == [("unmanaged", "DE")]
    imported = run_sync(manager.import_(project / "imported", dry_run=True))
    assert [f.languages for f in imported.files] == [("DE", "EN_US")]


@pytest.mark.parametrize("spelling", ["en_US", "en-us", "EN_US", " en_us "])
def test_every_spelling_of_a_language_is_one_key(spelling: str) -> None:
    remote = RemoteTemplate.model_validate(_remote(spelling, "MARKETING"))
    assert remote.key == ("order_shipped", "EN_US")
    [desired] = TemplateFile.model_validate(
        {
            "name": "order_shipped",
            "category": "MARKETING",
            "languages": {
                spelling.strip(): {"details": {"components": [{"type": "BODY", "text": "Hi"}]}}
            },
        }
    ).desired(SourceRef("t.yaml", 1, 1))
    [matched] = pair([desired], [remote]).matched
    assert (matched.desired, matched.remote) == (desired, remote)


def test_scope_and_ignore_give_each_key_one_verdict_for_both_sides() -> None:
    config = Config.model_validate(
        {"scope": {"include": ["order_*"]}, "ignore": {"languages": ["de"]}}
    )
    remote = [
        RemoteTemplate.model_validate({**_remote(lang, "UTILITY"), "name": name})
        for name, lang in [("order_shipped", "en_US"), ("order_shipped", "de"), ("promo", "EN_US")]
    ]
    inventory = pair([], remote, processors(config))
    assert [(p.key, p.verdict) for p in inventory.pairs] == [
        (("order_shipped", "DE"), "ignored"),
        (("order_shipped", "EN_US"), "managed"),
        (("promo", "EN_US"), "out-of-scope"),
    ]
    assert [p.key for p in inventory.remote_only] == [("order_shipped", "EN_US")]
