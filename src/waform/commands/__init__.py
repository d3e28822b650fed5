"""One module per subcommand, each with its ``command``; :data:`MODULES` names them.

A command's module is imported only when that command runs (or ``--help`` lists them all):
importing every command's modules cost a third of a second on each start, more than
``waform validate`` takes on a warm cache of 10,000 templates.
"""

from __future__ import annotations

import importlib

import click

#: Command name → the module that defines it.
MODULES = {
    "apply": "waform.commands.apply",
    "drift": "waform.commands.drift",
    "emulator": "waform.commands.emulator",
    "import": "waform.commands.import_",
    "plan": "waform.commands.plan",
    "preview": "waform.commands.preview",
    "rules": "waform.commands.rules",
    "schema": "waform.commands.schema",
    "validate": "waform.commands.validate",
}


def load_command(name: str) -> click.Command | None:
    """The command called ``name`` (``None``: there is none)."""
    module = MODULES.get(name)
    if module is None:
        return None
    command: click.Command = importlib.import_module(module).command
    return command
