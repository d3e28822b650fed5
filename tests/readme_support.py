"""Reading the README's ``console`` examples and running them as a reader would.

An example is a ``$ command`` line and the lines under it (its output, stdout and stderr
interleaved as a terminal shows them). Both sides are normalised the same way before they are
compared, and nothing else may differ:

* durations: ``1.0 s`` → ``N s`` (apply's headline);
* trailing spaces, and blank lines at the end of an output.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
#: The marker of the quickstart section, whose examples run one after another.
QUICKSTART = "<!-- quickstart -->"
#: A fenced block: its fence, language and text (fences of 3+ backticks, closed alike).
FENCED = re.compile(r"^(`{3,})(\w*)\n(.*?)^\1$", re.S | re.M)
#: The volatile parts of an output, as (pattern, replacement) — applied to README and output.
NORMALISE = ((re.compile(r"\b\d+\.\d+ s\b"), "N s"),)


@dataclass(frozen=True)
class Shown:
    command: str
    output: str
    line: int  # the README line of the command, for the failure message


def console_examples(block: str, first_line: int) -> list[Shown]:
    """Every ``$ command`` of one ``console`` block (whose text starts on README line
    ``first_line``), with the lines under it."""
    shown: list[Shown] = []
    for i, raw in enumerate(block.splitlines()):
        if raw.startswith("$ "):
            shown.append(Shown(raw[2:], "", first_line + i))
        elif shown:
            last = shown[-1]
            shown[-1] = Shown(last.command, last.output + raw + "\n", last.line)
        else:
            raise AssertionError(f"README.md:{first_line + i}: output before any `$ command`")
    return shown


def line_of(text: str, offset: int) -> int:
    return text[:offset].count("\n") + 1


def section(text: str, marker: str) -> tuple[int, int]:
    """Where the README section holding ``marker`` (an HTML comment under its heading) starts
    and ends: from the marker to the next ``## `` heading."""
    start = text.index(marker)
    end = text.find("\n## ", start)
    return start, len(text) if end < 0 else end


def quickstart_examples(text: str) -> list[Shown]:
    """Every ``$ command`` of the quickstart's ``console`` blocks, with the lines under it."""
    start, end = section(text, QUICKSTART)
    shown: list[Shown] = []
    for block in FENCED.finditer(text, start, end):
        if block.group(2) == "console":
            shown += console_examples(block.group(3), line_of(text, block.start(3)))
    return shown


#: What names the scenario of the output example right under it.
MARKER = re.compile(r"^<!-- example: ([\w-]+) -->\n", re.M)


def marked_examples(text: str) -> dict[str, list[Shown]]:
    """The ``console`` block right under each ``<!-- example: NAME -->``, by NAME."""
    examples: dict[str, list[Shown]] = {}
    for marker in MARKER.finditer(text):
        block = FENCED.match(text, marker.end())
        where = f"README.md:{line_of(text, marker.start())}"
        assert block and block.group(2) == "console", f"{where}: no console block under it"
        assert marker.group(1) not in examples, f"{where}: a second `{marker.group(1)}`"
        examples[marker.group(1)] = console_examples(block.group(3), line_of(text, block.start(3)))
    return examples


def unmarked_outputs(text: str) -> list[int]:
    """README lines of the ``console``/``text`` blocks outside the quickstart with no marker."""
    start, end = section(text, QUICKSTART)
    return [
        line_of(text, block.start())
        for block in FENCED.finditer(text)
        if block.group(2) in ("console", "text")
        and not start < block.start() < end
        and not MARKER.search(text[: block.start()].rsplit("\n\n", 1)[-1] + "\n")
    ]


def normalised(output: str) -> str:
    for pattern, replacement in NORMALISE:
        output = pattern.sub(replacement, output)
    return "\n".join(line.rstrip() for line in output.splitlines()).rstrip("\n")


def run_shown(command: str, cwd: Path) -> str:
    """The command's output as a terminal shows it: stdout and stderr interleaved, no colour.
    ``waform …`` runs in this process (whose working directory must be ``cwd``), anything
    else in a shell."""
    args = shlex.split(command, comments=True)
    if args[0] == "waform":
        return CliRunner().invoke(cli, args[1:], catch_exceptions=False).output
    done = subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout + done.stderr


def assert_shows(example: Shown, cwd: Path) -> None:
    """``example``'s command prints what the README shows under it (normalised)."""
    actual = normalised(run_shown(example.command, cwd))
    assert actual == normalised(example.output), (
        f"README.md:{example.line}: `{example.command}` prints, in full:\n{actual}"
    )


def reader_environment(monkeypatch: pytest.MonkeyPatch, cwd: Path) -> None:
    """A reader's shell in ``cwd``: no ``WAFORM_*`` variable set, no colour."""
    monkeypatch.chdir(cwd)
    for name in list(os.environ):
        if name.startswith("WAFORM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_COLOR", "1")
