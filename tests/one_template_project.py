"""A one-template project on the default target, for the CLI tests of bad options and input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli

TEMPLATE = """\
name: qa_hello
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hello {{1}}, your order is ready for pickup at the store."
          examples: ["Anna"]
"""


def local_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, template: bool = True
) -> Path:
    """``tmp_path`` as the working directory, with no waform.yaml (so the embedded ``local``
    target on ``.waform/emulator.sqlite3``), no ``WAFORM_EMULATOR_*`` variables, and
    ``templates/qa_hello.yaml`` unless ``template=False``."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("WAFORM_EMULATOR_"):
            monkeypatch.delenv(name)
    if template:
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "qa_hello.yaml").write_text(TEMPLATE)
    return tmp_path


def one_error_line(err: str) -> str:
    """The single ``error: …`` line of a failed command's stderr (no traceback, nothing else)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``waform ARGS…`` in-process: exit code, stdout, stderr (exceptions propagate)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr
