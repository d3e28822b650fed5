"""What a command imports is part of its time. ``waform validate`` runs on every commit (a
pre-commit hook): it imports what reads and checks the files, and nothing of the network, the
plan, drift or apply's runner (about 0.15 s of the command). ``waform plan`` imports the preview
page (Jinja2) only for ``--html``."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from one_template_project import TEMPLATE

#: Run in a fresh interpreter: ``waform validate`` twice (cold, then warm from the load cache)
#: with the arguments given, then the modules of NOT_FOR_VALIDATE it imported.
PROBE = """
import runpy
import sys

for _ in range(2):
    sys.argv = ["waform", "validate", *sys.argv[1:]]
    try:
        runpy.run_module("waform", run_name="__main__")
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
    sys.argv = ["probe", *sys.argv[2:]]
print("loaded:", *sorted(m for m in sys.modules if m in {MODULES}))
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

CONFIG = """\
defaultTarget: prod
targets:
  prod: {type: sinch, projectId: p-1, auth: {type: oauth2}}
  local: {type: local}
"""


def test_every_module_named_exists() -> None:
    """A misspelt name would never be imported, and the check below would pass for nothing."""
    assert [m for m in NOT_FOR_VALIDATE if importlib.util.find_spec(m) is None] == []


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_validate_imports_no_network_plan_drift_or_apply_module(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "waform.yaml").write_text(CONFIG)
    path = tmp_path / "qa_hello.yaml"
    path.write_text(TEMPLATE)
    probe = PROBE.replace("{MODULES}", repr(set(NOT_FOR_VALIDATE)))
    done = subprocess.run(
        [sys.executable, "-c", probe, "--format", fmt, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].split() == ["loaded:"], done.stdout[-2000:]


PLAN_PROBE = """
import sys
from click.testing import CliRunner
from waform.cli import cli

result = CliRunner().invoke(cli, ["plan", "templates"])
assert result.exit_code == 0, result.output
print("loaded:", *sorted(m for m in sys.modules if m in {"jinja2", "waform.preview", "waform.render.html"}))
"""


def test_plan_imports_the_preview_page_only_for_html(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "qa_hello.yaml").write_text(TEMPLATE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAFORM_")}
    done = subprocess.run(
        [sys.executable, "-c", PLAN_PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].split() == ["loaded:"], done.stdout[-2000:]
