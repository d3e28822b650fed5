"""``waform`` command line: a click group; each subcommand lives in :mod:`waform.commands`.

Commands stay thin: they parse options, call :mod:`waform.manager`, and print. Any
:class:`~waform.errors.WaformError` becomes ``error: <one line>`` and its exit code. This is the
only place that decides where log records go (:func:`configure_logging`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from waform import __version__
from waform.commands import MODULES, load_command
from waform.console import Console, StderrHandler, ending_at_once, use_color
from waform.errors import WaformError

#: What writing the output may fail with: the reader has gone, the disk is full.
_OUTPUT_ERRORS = (errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

#: Every request and its answer (``-vv`` only; ``-v`` shows retries but not the traffic).
WIRE_LOGGER = "waform.client.http.requests"


def configure_logging(*, verbose: int, quiet: bool, no_color: bool) -> None:
    """``-q`` → warnings only, default → progress (INFO), ``-v`` → detail (DEBUG) without the
    request lines, ``-vv`` → everything. One stderr handler on the ``waform`` logger, replaced
    (not added to) on each invocation."""
    level = logging.WARNING if quiet else logging.INFO if verbose == 0 else logging.DEBUG
    root = logging.getLogger("waform")
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    handler = StderrHandler(color=use_color(no_color, sys.stderr))
    handler.setFormatter(logging.Formatter("%(message)s"))
    if verbose < 2:
        handler.addFilter(lambda record: not record.name.startswith(WIRE_LOGGER))
    root.addHandler(handler)
    root.setLevel(level)


class WaformGroup(click.Group):
    """The root group: one-line errors, and exit 1 (not click's 2) for usage errors.

    Exit 2 means "changes present" for ``plan --detailed-exitcode`` and "drift found" for
    ``drift``; a mistyped option must not be mistaken for either, so usage errors exit 1.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command, its module imported on first use (:mod:`waform.commands`)."""
        command = self.commands.get(cmd_name)
        if command is None:
            command = load_command(cmd_name)
            if command is None:
                return None
            _accept_global_options_after(command)
            self.add_command(command, cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, but a mistyped command is matched against every command's name (click
        suggests from the commands loaded so far: none, as they are loaded on first use)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            names = self.list_commands(ctx)
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=names, ctx=ctx
            ) from None

    def main(  # type: ignore[override]  # one signature for click's two overloads
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            exc.show()
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except WaformError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRORS:
                raise
            # stdout is gone (`| head`) or full (`> /dev/full`): said on stderr in one line,
            # and stdout is pointed at nowhere so that its last flush at exit cannot fail too.
            with contextlib.suppress(OSError, ValueError):  # no file behind it (a test)
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            if exc.errno != errno.EPIPE:
                click.echo(f"error: cannot write the output: {exc.strerror}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=WaformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="waform")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the requested output.")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.option(
    "--trust-host",
    multiple=True,
    metavar="HOST",
    help="Also send credentials to HOST (api.example.com, *.example.com, 127.0.0.1); "
    "Sinch's hosts are always trusted. Repeatable; see also WAFORM_TRUSTED_HOSTS.",
)
@click.pass_context
def cli(
    ctx: click.Context, verbose: int, quiet: bool, no_color: bool, trust_host: tuple[str, ...]
) -> None:
    """WhatsApp message templates as code: validate, plan, apply, drift, import."""
    configure_logging(verbose=verbose, quiet=quiet, no_color=no_color)
    ctx.obj = Console.create(verbose=verbose, quiet=quiet, no_color=no_color)


_GLOBAL_OPTIONS = ("verbose", "quiet", "no_color", "trust_host")


def _after_subcommand(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """``waform plan -q`` means ``waform -q plan``: fold the value into the root's choice and set
    up logging and the console again, before the subcommand runs."""
    if not value or param.name is None:
        return
    root = ctx.find_root().params
    if param.name == "verbose":
        root["verbose"] = root.get("verbose", 0) + value
    elif param.name == "trust_host":
        assert isinstance(value, tuple)
        root["trust_host"] = (*root.get("trust_host", ()), *value)
    else:
        root[param.name] = value
    configure_logging(verbose=root["verbose"], quiet=root["quiet"], no_color=root["no_color"])
    ctx.obj = Console.create(
        verbose=root["verbose"], quiet=root["quiet"], no_color=root["no_color"]
    )


def _accept_global_options_after(command: click.Command) -> None:
    """Give every subcommand the group's options, so they may come after it too."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options_after(sub)
        return
    for option in cli.params:
        if isinstance(option, click.Option) and option.name in _GLOBAL_OPTIONS:
            command.params.append(
                click.Option(
                    option.opts,
                    count=option.count,
                    multiple=option.multiple,
                    metavar=option.metavar,
                    is_flag=option.is_flag and not option.count,
                    help=option.help,
                    expose_value=False,
                    callback=_after_subcommand,
                )
            )


def main() -> None:
    """The console script (``waform``): its commands may end the process at once
    (:func:`waform.console.end`)."""
    ending_at_once()
    cli(prog_name="waform")


if __name__ == "__main__":  # pragma: no cover
    main()
