"""Apply under an unreliable API: lost responses, 500s, 429s, resource_locked — and a rate limit.

The emulator's faults are deterministic (seeded) and hit every API request, reads included. The
request log tells what the API actually processed: a create it processed answers 201 (or was
processed and then its response lost — ``drop:201`` / ``error_after:201``), so the number of
processed creates is the number of templates created, and a create sent twice for the same key
would show up as a genuine ``409 template_exists``.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from apply_support import API, Project, text_of


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proj = Project(tmp_path, prune=True)
    yield proj
    proj.close()


def processed(entry: dict) -> bool:
    """The API carried the request out (whether or not the client got the answer)."""
    fault = entry["fault"] or ""
    status = int(fault.split(":")[1]) if ":" in fault else entry["status"]
    return fault.split(":")[0] in ("", "drop", "error_after") and 200 <= status < 300


def test_200_templates_under_faults_end_exactly_in_the_desired_state(project: Project):
    names = [f"bulk_{i:03d}" for i in range(200)]
    for name in names:
        project.write(name)
    updated = [f"kept_{i:02d}" for i in range(10)]
    pruned = [f"gone_{i:02d}" for i in range(10)]
    for name in updated + pruned:
        project.create(name)
        project.approve(name)
    for name in updated:
        project.write(name, 2)
    # Planned before the faults (planning under faults is the plan's own test); everything
    # apply sends — the stale check's reads, writes, verifications — meets them.
    assert project.plan("--out", "plan.json").exit_code == 0
    project.control.set_faults(
        seed=20240601,
        drop_rate=0.2,  # processed, then the connection is dropped
        error_rate=0.05,  # 500 before processing
        error_after_rate=0.05,  # processed, then 500
        throttle_rate=0.1,  # 429 + Retry-After
        locked_rate=0.05,  # 409 resource_locked
        retry_after=1,
    )
    mark = len(project.log())

    result = project.run("apply", "plan.json", "--json")
    assert result.exit_code == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["summary"] == {
        "create": 200,
        "create-draft": 0,
        "submit": 0,
        "update": 10,
        "delete": 10,
        "discard-draft": 0,
        "already": 0,
        "failed": 0,
    }
    assert sum(1 for a in report["actions"] if a["verified"]) > 10, "lost responses were verified"

    log = project.log()[mark:]
    faults = Counter((e["fault"] or "none").split(":")[0] for e in log)
    assert faults["drop"] > 40 and faults["throttle"] > 20 and faults["locked"] > 5
    assert faults["error"] > 5 and faults["error_after"] > 5

    creates = [e for e in log if e["method"] == "POST" and e["path"] == API]
    assert sum(1 for e in creates if processed(e)) == 200, "every template created exactly once"
    assert not [e for e in creates if e["status"] == 409 and not e["fault"]], "no template_exists"
    patches = Counter(e["path"] for e in log if e["method"] == "PATCH" and processed(e))
    assert patches == {f"{API}/{name}/languages/EN_US": 1 for name in updated}
    deletes = {e["path"] for e in log if e["method"] == "DELETE"}
    assert deletes == {f"{API}/{name}/languages/EN_US" for name in pruned}, "no other deletes"

    project.control.clear_faults()
    remote = project.remote()
    assert set(remote) == {(name, "EN_US") for name in names + updated}
    for name in updated:
        changes = remote[(name, "EN_US")]["changes"]
        assert changes["details"]["components"][0]["text"] == text_of(name, 2)
    replan = project.plan("--detailed-exitcode")
    assert replan.exit_code == 0, replan.stdout


def test_rate_limited_api_is_followed_without_failures(project: Project):
    """A small version of bench/apply_bench.py: the limit is found, nothing fails."""
    for i in range(60):
        project.write(f"paced_{i:02d}")
    project.control.set_rate_limit(40)
    mark = len(project.log())

    result = project.apply("--auto-approve", "--json")
    project.control.clear_rate_limit()
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["create"] == 60 and report["summary"]["failed"] == 0
    log = project.log()[mark:]
    refused = [e for e in log if e["status"] == 429]
    assert report["throttled"] == len(refused)
    # The applier slows down instead of hammering: most requests go through.
    assert len(refused) < len(log) / 3
    assert sum(1 for e in log if e["method"] == "POST" and e["status"] == 201) == 60
