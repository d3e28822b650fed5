"""What a plan stores beside its fetch (the load cache's entries, the next plan's forms, each
in a forked process) is waited for however the plan ends: no process is left behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from waform.workshare import can_fork

# A plan in a fresh process (no other child of it to confuse the count), against a target
# whose every request is refused (403: not retried), then: is any child left unreaped
# (ended, and never waited for: a zombie)?
SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import httpx
    from waform.commands.options import run_sync
    from waform.config import load_config
    from waform.errors import WaformError
    from waform.manager import Manager

    root = Path(sys.argv[1])
    refused = httpx.MockTransport(
        lambda request: httpx.Response(
            403, json={"errorCode": "forbidden", "message": "no", "resolution": ""}
        )
    )
    manager = Manager(load_config(None, root), transport=refused)
    try:
        run_sync(manager.plan([root / "templates"]))
        print("planned")
    except WaformError as exc:
        print("failed:", type(exc).__name__)

    def zombies():  # children of this process that ended and were never reaped
        found = []
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(parent) == os.getpid() and state == "Z":
                found.append(int(entry))
        return found

    deadline = time.monotonic() + 5  # a child may be reaped by a thread, a moment later
    while zombies() and time.monotonic() < deadline:
        time.sleep(0.05)
    print("left behind:", zombies() or "none")
    """
)


@pytest.mark.skipif(not can_fork(), reason="the writers are forked on Linux only")
def test_a_plan_whose_fetch_fails_leaves_no_process_behind(tmp_path: Path) -> None:
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  local: {type: local, state: emulator.sqlite3}\n"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "order_note.yaml").write_text(
        "name: order_note\ncategory: UTILITY\nlanguages:\n  en_US:\n    details:\n"
        "      components:\n        - {type: BODY, text: 'Your order {{1}} is ready.',"
        " examples: [A-1]}\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert run.stdout.splitlines() == ["failed: ApiError", "left behind: none"], run.stderr
