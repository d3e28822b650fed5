"""The README's ``sh`` synopses name only commands and options waform has.

They are syntax, not output (their values are placeholders), so they are not run; but each
``waform …`` in them must name a real command, and each ``--option`` (on its line, on the
indented lines under it, or in the comments beside them) one that command or the global
options accept.
"""

from __future__ import annotations

import re

import click

from readme_support import FENCED, README, line_of
from waform.cli import cli

OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def options_of(command: click.Command) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


def resolve(words: list[str]) -> tuple[str, click.Command]:
    """The (sub)command ``waform WORDS…`` runs, and its name as typed."""
    command: click.Command = cli
    names: list[str] = []
    for word in words:
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        sub = command.get_command(click.Context(command), word)  # loaded on first use
        if sub is None:
            break
        command, names = sub, [*names, word]
    return " ".join(names), command


def synopsis_options() -> list[tuple[int, str, click.Command, str]]:
    """(README line, command as typed, command, option) for every option in a ``sh`` block."""
    text = README.read_text(encoding="utf-8")
    found: list[tuple[int, str, click.Command, str]] = []
    for block in FENCED.finditer(text):
        if block.group(2) != "sh":
            continue
        current: tuple[str, click.Command] | None = None
        for i, line in enumerate(block.group(3).splitlines()):
            if not line.startswith((" ", "#")):
                current = None  # a new command line: which command is decided below
            for segment in re.split(r"&&|\|", line):
                words = segment.split()
                if words[:1] == ["waform"]:
                    current = resolve(words[1:])
                if current is not None:
                    where = line_of(text, block.start(3)) + i
                    found += [(where, *current, opt) for opt in OPTION.findall(segment)]
    return found


def test_every_synopsis_option_exists() -> None:
    shown = synopsis_options()
    assert {name for _, name, _, _ in shown} >= {"plan", "apply", "drift", "emulator serve"}
    unknown = [
        f"README.md:{line}: `waform {name}` has no option {option}"
        for line, name, command, option in shown
        if option not in options_of(command) | options_of(cli)
    ]
    assert unknown == []
