"""`waform emulator` (not implemented yet)."""

from __future__ import annotations

import click

from waform.errors import WaformError


@click.command("emulator", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def command(args: tuple[str, ...]) -> None:
    """Not implemented yet."""
    raise WaformError("`waform emulator` is not implemented yet")
