"""``waform`` command line: a click group; each subcommand lives in :mod:`waform.commands`.

Commands stay thin: they parse options, call :mod:`waform.manager`, and print. Any
:class:`~waform.errors.WaformError` becomes ``error: <one line>`` and its exit code.
"""

from __future__ import annotations

import sys

import click

from waform import __version__
from waform.commands import register_commands
from waform.console import Console
from waform.errors import WaformError


class WaformGroup(click.Group):
    """The root group: one-line errors, and exit 1 (not click's 2) for usage errors.

    Exit 2 means "changes present" for ``plan --detailed-exitcode`` and "drift found" for
    ``drift``; a mistyped option must not be mistaken for either, so usage errors exit 1.
    """

    def main(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        kwargs.pop("standalone_mode", None)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[arg-type]
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
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=WaformGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="waform")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the requested output.")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, no_color: bool) -> None:
    """WhatsApp message templates as code: validate, plan, apply, drift, import."""
    ctx.obj = Console.create(verbose=verbose, quiet=quiet, no_color=no_color)


register_commands(cli)


def main() -> None:
    cli(prog_name="waform")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
