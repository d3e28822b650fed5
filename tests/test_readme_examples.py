"""The README's quickstart is what the commands print: each ``$ command`` of its ``console``
blocks is run, in order, in a copy of examples/ against a fresh embedded emulator, and its
output compared with the lines shown under it.

What may differ, and nothing else (both sides are normalised the same way):

* durations: ``1.0 s`` → ``N s`` (apply's headline);
* trailing spaces, and blank lines at the end of an output.

The reader edits a file between two plans and takes longer than the emulator's review delay
(2 s) to do it; here reviews end at once (``WAFORM_EMULATOR_REVIEW_DELAY=0``) instead.
Commands other than ``waform …`` (the edit) run in a shell.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SECTION = "<!-- quickstart -->"
_CONSOLE = re.compile(r"^(`{3,})console\n(.*?)^\1$", re.S | re.M)
#: The volatile parts of an output, as (pattern, replacement) — applied to README and output.
NORMALISE = ((re.compile(r"\b\d+\.\d+ s\b"), "N s"),)


@dataclass(frozen=True)
class Shown:
    command: str
    output: str
    line: int  # the README line of the command, for the failure message


def quickstart_examples(text: str) -> list[Shown]:
    """Every ``$ command`` of the quickstart's ``console`` blocks, with the lines under it."""
    start = text.index(SECTION)
    end = text.find("\n## ", start)
    section = text[start:end]
    first_line = text[:start].count("\n") + 1
    shown: list[Shown] = []
    for block in _CONSOLE.finditer(section):
        line = first_line + section[: block.start(2)].count("\n")
        for i, raw in enumerate(block.group(2).splitlines()):
            if raw.startswith("$ "):
                shown.append(Shown(raw[2:], "", line + i))
            elif shown:
                last = shown[-1]
                shown[-1] = Shown(last.command, last.output + raw + "\n", last.line)
            else:
                raise AssertionError(f"README.md:{line + i}: output before any `$ command`")
    return shown


def normalised(output: str) -> str:
    for pattern, replacement in NORMALISE:
        output = pattern.sub(replacement, output)
    return "\n".join(line.rstrip() for line in output.splitlines()).rstrip("\n")


def run_shown(command: str, cwd: Path) -> str:
    """The command's output as a terminal shows it: stdout and stderr interleaved, no colour."""
    args = shlex.split(command, comments=True)
    if args[0] == "waform":
        return CliRunner().invoke(cli, args[1:], catch_exceptions=False).output
    done = subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout + done.stderr


@pytest.fixture
def examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``examples/`` (without any local state or cache) under a fresh working directory."""
    shutil.copytree(REPO / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".*"))
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("WAFORM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WAFORM_EMULATOR_REVIEW_DELAY", "0")
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_the_quickstart_shows_what_the_commands_print(examples_copy: Path) -> None:
    shown = quickstart_examples(README.read_text(encoding="utf-8"))
    commands = [s.command for s in shown]
    assert sum(c.startswith("waform apply") for c in commands) == 1, commands
    for example in shown:
        actual = normalised(run_shown(example.command, examples_copy))
        assert actual == normalised(example.output), (
            f"README.md:{example.line}: `{example.command}` prints, in full:\n{actual}"
        )


def test_a_drifted_readme_fails() -> None:
    """The comparison sees a changed line (a README that drifted cannot pass)."""
    text = "x\n<!-- quickstart -->\n```console\n$ waform --version\nwaform 0.0\n```\n## Next\n"
    (example,) = quickstart_examples(text)
    assert (example.command, example.line) == ("waform --version", 4)
    assert normalised(run_shown(example.command, Path.cwd())) != normalised(example.output)
    assert normalised("done (1 action, 2.5 s).  \n\n") == "done (1 action, N s)."
