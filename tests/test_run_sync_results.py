"""The CLI's one way into the async pipeline (``run_sync``) never formats its results.

On exit, ``asyncio.run`` restores the SIGINT handler; Python's ``signal`` module then builds an
error message with ``repr()`` of the previous handler, which holds the main task and, through
it, the task's result. For a 10,000-action plan that was two full reprs (~10 MB of text each,
0.35 s) after the plan was already built. The results are observed here with a counting
``__repr__`` on the result classes; nothing in the pipeline is replaced.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from one_template_project import local_project
from waform.commands.options import run_sync
from waform.config import load_config
from waform.drift_report import DriftReport
from waform.importer import ImportResult
from waform.manager import Manager
from waform.plan_outcome import PlanOutcome


@pytest.fixture
def manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Manager:
    local_project(tmp_path, monkeypatch)
    return Manager(load_config(None, tmp_path))


@pytest.fixture
def reprs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for cls in (PlanOutcome, DriftReport, ImportResult):
        original = cls.__repr__

        def counting(self: object, _original=original) -> str:
            seen.append(type(self).__name__)
            return _original(self)

        monkeypatch.setattr(cls, "__repr__", counting)
    return seen


def test_plan_drift_and_import_results_are_not_formatted(
    manager: Manager, tmp_path: Path, reprs: list[str]
) -> None:
    outcome = run_sync(manager.plan(["templates"]))
    assert outcome.plan.summary.create == 1
    report = run_sync(manager.drift(["templates"]))
    assert report.findings
    result = run_sync(manager.import_(tmp_path / "imported", dry_run=True))
    assert result.files == []
    assert reprs == []
