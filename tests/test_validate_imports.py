"""``waform validate`` runs on every commit (a pre-commit hook): it imports what reads and checks
the files, and nothing of the network, the plan, drift or apply (about 0.1 s of the command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from one_template_project import TEMPLATE

PROBE = """
import runpy
import sys

sys.argv = ["waform", "validate", sys.argv[1]]
try:
    runpy.run_module("waform", run_name="__main__")
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
loaded = sorted(m for m in sys.modules if m in {MODULES})
print("loaded:", *loaded)
"""

NOT_FOR_VALIDATE = (
    "httpx",
    "waform.client.http",
    "waform.plan",
    "waform.differ",
    "waform.sides",
    "waform.drift_report",
    "waform.apply.runner",
    "waform.render.html",
    "phonenumbers",
)


def test_validate_imports_no_network_plan_drift_or_apply_module(tmp_path: Path) -> None:
    path = tmp_path / "qa_hello.yaml"
    path.write_text(TEMPLATE)
    probe = PROBE.replace("{MODULES}", repr(set(NOT_FOR_VALIDATE)))
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].split() == ["loaded:"], done.stdout


def test_the_probe_sees_what_a_plan_imports(tmp_path: Path) -> None:
    """The check above can fail: rendering a plan's text imports the plan's module."""
    probe = (
        "import sys\nfrom waform.render.text import plan_text\n"
        "from waform.plan import Plan\nprint('waform.plan' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr[-2000:]
