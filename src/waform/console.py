"""Terminal output: command data on stdout (:class:`Console`), log records on stderr
(:class:`StderrHandler`, installed by :mod:`waform.cli`).

Library modules never print: they log to ``logging.getLogger(__name__)``. So
``waform plan --json > plan.json`` never mixes the two, and ``-v``/``-q`` only move the level.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import NoReturn

import click
from rich.console import Console as RichConsole


@dataclass
class Console:
    """A command's output: what it prints as its result, and how (colour, detail)."""

    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    color: bool = True

    @classmethod
    def create(cls, *, verbose: int, quiet: bool, no_color: bool) -> Console:
        return cls(verbosity=-1 if quiet else verbose, color=use_color(no_color, sys.stdout))

    def out(self, text: str = "", *, fg: str | None = None, bold: bool = False) -> None:
        """Write data to stdout (styled only on a TTY with colour enabled)."""
        if self.color and (fg or bold):
            text = click.style(text, fg=fg, bold=bold)
        click.echo(text)


#: Set by the console script (:func:`waform.cli.main`): its process may end at once.
_ENDS_AT_ONCE: list[bool] = []


def ending_at_once() -> None:
    """This process is the console script's: :func:`end` may end it at once."""
    _ENDS_AT_ONCE.append(True)


def end(ctx: click.Context, code: int = 0) -> NoReturn:
    """End the command with exit code ``code``.

    In the console script's process, the output is flushed and the process ends at once,
    without freeing what the command holds object by object (a plan of 10,000 templates holds
    about 100 MB of small objects: 0.1 s spent on nothing, the way Clang skips freeing its own
    at exit); elsewhere (click's test runner, a program using waform) as ``ctx.exit``."""
    if not _ENDS_AT_ONCE:
        ctx.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(code)


def use_color(no_color: bool, stream: object) -> bool:
    """Colour only on a terminal, and never with ``--no-color`` or ``NO_COLOR`` set."""
    isatty = getattr(stream, "isatty", None)
    return not no_color and "NO_COLOR" not in os.environ and bool(isatty and isatty())


class StderrHandler(logging.Handler):
    """Log records as plain lines on stderr, through rich (colour by level on a terminal).

    One line per record, never wrapped or padded: messages are often pasted into tickets, and
    tests compare them exactly. The stream is looked up at each record, so a test runner that
    swaps ``sys.stderr`` gets the lines.
    """

    STYLES = {logging.WARNING: "yellow", logging.ERROR: "red", logging.CRITICAL: "bold red"}

    def __init__(self, *, color: bool) -> None:
        super().__init__()
        self._console = RichConsole(
            stderr=True,
            soft_wrap=True,
            highlight=False,
            emoji=False,
            no_color=not color,
            color_system="auto" if color else None,
        )

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            self._console.print(text, markup=False, style=self.STYLES.get(record.levelno))
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)
