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
# whose every request is refused (403: not retried).
REFUSED = textwrap.dedent(
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
    """
)

# A plan in a fresh process, cancelled while its load runs in a thread (a program that gives up
# on a plan goes on).
CANCELLED = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from pathlib import Path
    from waform.config import load_config
    from waform.manager import Manager

    root = Path(sys.argv[1])
    manager = Manager(load_config(None, root))

    async def main():
        plan = asyncio.ensure_future(manager.plan([root / "templates"]))
        await asyncio.sleep(0.01)
        during = not plan.done()
        plan.cancel()
        try:
            await plan
        except asyncio.CancelledError:
            print("cancelled", "during the load" if during else "after it")

    asyncio.run(main())
    """
)

# Then: is any child left unreaped (ended, and never waited for: a zombie)?
ZOMBIES = textwrap.dedent(
    """
    def children(ended):  # of this process: running, or ended and never reaped (zombies)
        found = []
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(parent) == os.getpid() and (state == "Z") == ended:
                found.append(int(entry))
        return found

    deadline = time.monotonic() + 10  # a child may still be storing, then be reaped by a thread
    while (children(False) or children(True)) and time.monotonic() < deadline:
        time.sleep(0.05)
    print("left behind:", children(True) or "none")
    """
)


def _project(root: Path, files: int = 1) -> None:
    (root / "waform.yaml").write_text("targets:\n  local: {type: local, state: emulator.sqlite3}\n")
    (root / "templates").mkdir()
    for n in range(files):
        (root / "templates" / f"order_note_{n}.yaml").write_text(
            f"name: order_note_{n}\ncategory: UTILITY\nlanguages:\n  en_US:\n    details:\n"
            f"      components:\n        - {{type: BODY, text: 'Your order {{{{1}}}} is ready"
            f" at desk {n}.', examples: [A-1]}}\n"
        )


def _run(script: str, root: Path) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", script + ZOMBIES, str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


@pytest.mark.skipif(not can_fork(), reason="the writers are forked on Linux only")
def test_a_plan_whose_fetch_fails_leaves_no_process_behind(tmp_path: Path) -> None:
    _project(tmp_path)
    assert _run(REFUSED, tmp_path) == ["failed: ApiError", "left behind: none"]


@pytest.mark.skipif(not can_fork(), reason="the writers are forked on Linux only")
def test_a_plan_cancelled_during_its_load_leaves_no_process_behind(tmp_path: Path) -> None:
    """The load's thread cannot be stopped: it goes on and forks the process that stores the
    entries, which is waited for once the load is done."""
    _project(tmp_path, files=40)
    assert _run(CANCELLED, tmp_path) == ["cancelled during the load", "left behind: none"]
