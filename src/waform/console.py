"""Terminal output shared by every command: verbosity, colour, and where logs go.

Data (plans, JSON, diagnostics) goes to stdout; progress and logs go to stderr, so
``waform plan --json > plan.json`` never mixes the two.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click


@dataclass
class Console:
    verbosity: int = 0  # -1 quiet, 0 normal, 1+ verbose
    color: bool = True

    @classmethod
    def create(cls, *, verbose: int, quiet: bool, no_color: bool) -> Console:
        color = not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()
        return cls(verbosity=-1 if quiet else verbose, color=color)

    def out(self, text: str = "", *, fg: str | None = None, bold: bool = False) -> None:
        """Write data to stdout (styled only on a TTY with colour enabled)."""
        if self.color and (fg or bold):
            text = click.style(text, fg=fg, bold=bold)
        click.echo(text)

    def info(self, text: str) -> None:
        """A progress/status line on stderr; hidden by ``--quiet``."""
        if self.verbosity >= 0:
            click.echo(text, err=True)

    def debug(self, text: str) -> None:
        """Detail shown only with ``--verbose``."""
        if self.verbosity >= 1:
            click.echo(text, err=True)

    def warn(self, text: str) -> None:
        click.echo(text, err=True)

    def error(self, text: str) -> None:
        click.echo(f"error: {text}", err=True)
