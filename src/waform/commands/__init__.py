"""One module per subcommand; :func:`register_commands` attaches them to the group."""

from __future__ import annotations

import click


def register_commands(group: click.Group) -> None:
    from waform.commands import (
        apply,
        drift,
        emulator,
        import_,
        plan,
        preview,
        rules,
        schema,
        validate,
    )

    for module in (validate, schema, rules, plan, preview, apply, drift, import_, emulator):
        group.add_command(module.command)
