"""Options shared by the commands that talk to a target (``plan``, ``drift``, ``import``, …).

One definition each, so ``--config``/``--target`` read and behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def target_options(above: str = "PATH") -> Callable[[F], F]:
    """``--config FILE`` (default: the ``waform.yaml`` nearest ``above``) and ``--target NAME``."""

    def decorate(command: F) -> F:
        command = click.option(
            "--target", help="Target from waform.yaml (default: defaultTarget)."
        )(command)
        return click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"waform.yaml to use (default: the nearest one above {above}).",
        )(command)

    return decorate


def one_format(as_json: bool, markdown: bool) -> None:
    """``--json`` and ``--markdown`` choose one output; both at once is a usage error."""
    if as_json and markdown:
        raise click.UsageError("--json and --markdown are mutually exclusive")
