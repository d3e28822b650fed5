"""Options shared by the commands that talk to a target (``plan``, ``drift``, ``import``, …).

One definition each, so ``--config``/``--target`` read and behave the same everywhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from waform.diagnostics import DiagnosticReport
from waform.errors import ConfigError, PlanError
from waform.render import render

if TYPE_CHECKING:
    from waform.config import Config
    from waform.config.trust import HostTrust
    from waform.differ import NamedKeys
    from waform.manager import Manager
    from waform.plan import Plan
    from waform.plan_outcome import PlanOutcome

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., object])
T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``: the commands' one way into :class:`~waform.manager.Manager`'s async
    pipeline (the CLI is its only synchronous edge), without formatting the result.

    On exit ``asyncio.run`` restores the SIGINT handler, and Python's ``signal`` module builds
    (and discards) an error message holding ``repr()`` of the previous handler — which refers to
    the main task and so to its result. For a 10,000-action plan that is two ~10 MB reprs
    (0.35 s) after the work is done; here the main task returns ``None`` instead.
    """
    box: list[T] = []

    async def main() -> None:
        box.append(await coro)

    asyncio.run(main())
    return box[0]


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


def host_trust() -> HostTrust:
    """The hosts credentials may go to: Sinch's, ``WAFORM_TRUSTED_HOSTS`` and ``--trust-host``
    (before or after the subcommand; never from ``waform.yaml``, which a pull request can
    change)."""
    from waform.config.trust import HostTrust

    root = click.get_current_context().find_root()
    return HostTrust.from_sources(root.params.get("trust_host") or ())


def open_manager(
    paths: Sequence[Path],
    *,
    config_path: Path | None,
    target: str | None = None,
    no_cache: bool = False,
) -> tuple[Manager, tuple[Path, ...]]:
    """The :class:`Manager` of a command that talks to a target, and the template paths it
    reads (``PATH...``, else the ``templates:`` of ``waform.yaml``)."""
    from waform.manager import Manager

    manager = Manager.from_options(
        paths,
        config_path=config_path,
        target=target,
        use_cache=not no_cache,
        trust=host_trust(),
    )
    return manager, templates_paths(paths, manager.config)


def templates_paths(paths: Sequence[Path], config: Config) -> tuple[Path, ...]:
    """``PATH...`` as given, else the ``templates:`` of ``waform.yaml`` (a usage error when
    neither names any)."""
    if paths:
        return tuple(paths)
    if config.path is None:
        raise ConfigError(
            "no PATH given, and no waform.yaml (in this directory or above) names the "
            "templates; give PATH..., or add `templates: DIR` to a waform.yaml"
        )
    if not config.templates:
        raise ConfigError(
            f"no PATH given, and {config.display_path} names no templates "
            "(add `templates: DIR` to it, or give PATH...)"
        )
    return tuple(config.templates_paths())


def output_options(json_help: str, markdown_help: str) -> Callable[[F], F]:
    """``--json`` and ``--markdown`` (read together by :func:`output_format`)."""

    def decorate(command: F) -> F:
        command = click.option("--markdown", is_flag=True, help=markdown_help)(command)
        return click.option("--json", "as_json", is_flag=True, help=json_help)(command)

    return decorate


def planning_options(strict_help: str) -> Callable[[F], F]:
    """What making a plan takes, for ``plan`` and ``apply``: ``--force``, ``--strict``,
    ``--replace``, ``--discard-draft`` and ``--no-cache``."""
    options = [
        click.option("--force", is_flag=True, help="Accept a plan over the safety thresholds."),
        click.option("--strict", is_flag=True, help=strict_help),
        replace_option(),
        discard_draft_option(),
        no_cache_option,
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def no_cache_option(command: F) -> F:
    """``--no-cache``: every file is read and checked again; the load cache is left alone."""
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Read and check every file again; neither read nor write the load cache.",
    )(command)


def output_format(as_json: bool, markdown: bool) -> str:
    """The renderer ``--json`` / ``--markdown`` name (``text`` without either); both at once is
    a usage error."""
    if as_json and markdown:
        raise click.UsageError("--json and --markdown are mutually exclusive")
    return "json" if as_json else "markdown" if markdown else "text"


def echo(text: str, *, err: bool = False) -> None:
    """Print a rendering with exactly one final newline (Markdown ends with its own)."""
    click.echo(text, err=err, nl=not text.endswith("\n"))


@contextmanager
def showing_file_problems() -> Iterator[None]:
    """Print every ``path:line:col`` problem of the files (stderr) before the one-line error."""
    from waform.desired_state import InvalidDesiredStateError

    try:
        yield
    except InvalidDesiredStateError as exc:
        if exc.diagnostics or exc.silenced:
            report = DiagnosticReport(exc.diagnostics, silenced=exc.silenced)
            echo(render(report, "text"), err=True)
        raise


def plan_showing_diagnostics(
    manager: Manager,
    paths: Sequence[Path],
    *,
    strict: bool,
    force: bool,
    named: NamedKeys | None = None,
) -> PlanOutcome:
    """``Manager.plan`` for a command: file problems, rule warnings and the findings the
    templates silenced go to stderr."""
    from waform.differ import NamedKeys

    with showing_file_problems():
        outcome = run_sync(
            manager.plan(paths, strict=strict, force=force, named=named or NamedKeys())
        )
    if outcome.diagnostics or outcome.silenced:
        report = DiagnosticReport(outcome.diagnostics, silenced=outcome.silenced)
        echo(render(report, "text"), err=True)
    for unused in (named or NamedKeys()).unused(outcome.plan):
        log.warning("note: %s", unused)
    return outcome


def read_plan_file(path: Path) -> Plan:
    """A saved plan (``plan --out``); a one-line error naming the file when it is not one."""
    from waform.plan import Plan

    try:
        text = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Plan.from_json(text, source=str(path))


def _keys_option(flag: str, dest: str, help: str) -> Callable[[F], F]:
    """A repeatable ``NAME[:LANG]`` option (``Manager.plan`` parses the values)."""
    return click.option(flag, dest, multiple=True, metavar="NAME[:LANG]", help=help)


def replace_option() -> Callable[[F], F]:
    """``--replace NAME[:LANG]``: resubmit a template even when nothing differs."""
    return _keys_option(
        "--replace",
        "replace_keys",
        "Resubmit this template (all its languages, or LANG) even when nothing differs: "
        "for a media sample or OTP label the API cannot show back. Repeatable.",
    )


def discard_draft_option() -> Callable[[F], F]:
    """``--discard-draft NAME[:LANG]``: drop a draft change made outside git."""
    return _keys_option(
        "--discard-draft",
        "discard_keys",
        "Discard the draft change made outside git (e.g. in the dashboard) of this template "
        "(all its languages, or LANG) when it differs from git; the live template stays. "
        "Repeatable.",
    )


def refuse_with_saved_plan(saved: bool, named: NamedKeys) -> None:
    """``--replace`` / ``--discard-draft`` make a new plan: a usage error with a saved one."""
    for flag, values in (("--replace", named.replace), ("--discard-draft", named.discard_draft)):
        if saved and values:
            raise click.UsageError(f"{flag} makes a new plan: give PATH..., not a saved plan")
