"""The README's quickstart is what the commands print: each ``$ command`` of its ``console``
blocks is run, in order, in a copy of examples/ against a fresh embedded emulator, and its
output compared with the lines shown under it (normalised as ``readme_support`` says).

The reader edits a file between two plans and takes longer than the emulator's review delay
(2 s) to do it; here reviews end at once (``WAFORM_EMULATOR_REVIEW_DELAY=0``) instead.
Commands other than ``waform …`` (the edit) run in a shell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from readme_support import (
    README,
    REPO,
    assert_shows,
    normalised,
    quickstart_examples,
    reader_environment,
    run_shown,
)


@pytest.fixture
def examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``examples/`` (without any local state or cache) under a fresh working directory."""
    shutil.copytree(REPO / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".*"))
    reader_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("WAFORM_EMULATOR_REVIEW_DELAY", "0")
    return tmp_path


def test_the_quickstart_shows_what_the_commands_print(examples_copy: Path) -> None:
    shown = quickstart_examples(README.read_text(encoding="utf-8"))
    commands = [s.command for s in shown]
    assert sum(c.startswith("waform apply") for c in commands) == 1, commands
    for example in shown:
        assert_shows(example, examples_copy)


def test_a_drifted_readme_fails() -> None:
    """The comparison sees a changed line (a README that drifted cannot pass)."""
    text = "x\n<!-- quickstart -->\n```console\n$ waform --version\nwaform 0.0\n```\n## Next\n"
    (example,) = quickstart_examples(text)
    assert (example.command, example.line) == ("waform --version", 4)
    assert normalised(run_shown(example.command, Path.cwd())) != normalised(example.output)
    assert normalised("done (1 action, 2.5 s).  \n\n") == "done (1 action, N s)."
