"""``plan`` stores the load cache's new entries in a thread while the fetch waits on the network;
when it returns (or refuses invalid files) they are stored, the same as ``validate`` stores them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from one_template_project import local_project
from test_loadcache_identity import EXAMPLES, snapshot, write_templates
from waform.commands.options import run_sync
from waform.config import load_config
from waform.desired_state import InvalidDesiredStateError
from waform.manager import Manager


def _validated(root: Path, *, cache: bool) -> tuple:
    state = Manager(load_config(None, root), offline=True, use_cache=cache).validate(
        [root / "templates"]
    )
    warm = cache and state._templates is None  # answered by the run's entry
    return warm, snapshot(state)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local_project(tmp_path, monkeypatch, template=False)
    return tmp_path


def test_a_cold_plan_leaves_the_load_cache_filled(project: Path) -> None:
    shutil.copytree(EXAMPLES, project / "templates")
    outcome = run_sync(Manager(load_config(None, project)).plan([project / "templates"]))
    assert outcome.plan.summary.create > 1 and "load" in outcome.timings

    warm, cached = _validated(project, cache=True)
    assert warm, "the plan stored every file and the run before it returned"
    assert cached == _validated(project, cache=False)[1]


def test_a_refused_plan_leaves_the_load_cache_filled(project: Path) -> None:
    write_templates(project / "templates")
    with pytest.raises(InvalidDesiredStateError):
        run_sync(Manager(load_config(None, project)).plan([project / "templates"]))

    warm, cached = _validated(project, cache=True)
    assert warm and cached == _validated(project, cache=False)[1]
