"""``waform emulator``: run the local Sinch Provisioning API, or act on its state file.

``serve`` runs it over HTTP (uvicorn); ``review`` decides pending reviews now and ``reset``
empties a state file — both work on the same file the embedded ``local`` target uses, so a
quickstart can show the whole lifecycle without a server.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from waform.console import Console
from waform.emulator.settings import DEFAULT_STATE_PATH, EmulatorSettings
from waform.errors import WaformError

if TYPE_CHECKING:
    from waform.emulator.service import Emulator

_STATE_HELP = f"SQLite state file (':memory:' for none). Default: {DEFAULT_STATE_PATH}"

log = logging.getLogger(__name__)


@click.group("emulator")
def command() -> None:
    """A local Sinch Provisioning API (WhatsApp templates) for tests, demos and CI."""


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port.",
)
@click.option("--state", "state", default=None, help=_STATE_HELP)
@click.option("--key-id", default=None, help="Accepted key id [env WAFORM_EMULATOR_KEY_ID; local].")
@click.option(
    "--key-secret",
    default=None,
    help="Accepted key secret [env WAFORM_EMULATOR_KEY_SECRET; local].",
)
@click.option("--no-auth", is_flag=True, help="Accept any (or no) credentials.")
@click.option(
    "--review-delay",
    type=float,
    default=None,
    help="Seconds before Meta's verdict [env WAFORM_EMULATOR_REVIEW_DELAY; 2].",
)
@click.option(
    "--strict-projects",
    is_flag=True,
    default=None,
    help="Answer unknown projects with project_not_initialized.",
)
@click.option("--project", "projects", multiple=True, help="A known project (repeatable).")
@click.option(
    "--literal",
    is_flag=True,
    default=None,
    help="Echo templates as sent instead of showing Meta's rewrites [env WAFORM_EMULATOR_LITERAL].",
)
@click.option(
    "--control-token",
    default=None,
    help="Token other hosts than loopback must send to use the control API "
    "[env WAFORM_EMULATOR_CONTROL_TOKEN; none: loopback only].",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="warning",
    show_default=True,
)
@click.pass_obj
def serve(
    console: Console,
    host: str,
    port: int,
    state: str | None,
    key_id: str | None,
    key_secret: str | None,
    no_auth: bool,
    review_delay: float | None,
    strict_projects: bool | None,
    projects: tuple[str, ...],
    literal: bool | None,
    control_token: str | None,
    log_level: str,
) -> None:
    """Serve the emulator over HTTP until interrupted."""
    from waform.emulator.server import serve as run

    settings = _settings(
        state,
        key_id=key_id,
        key_secret=key_secret,
        auth=False if no_auth else None,
        review_delay=review_delay,
        strict_projects=strict_projects,
        projects=projects or None,
        literal=literal,
        control_token=control_token,
    )

    def announce(url: str) -> None:
        mode = "literal (echo)" if settings.literal else "faithful (Meta's rewrites on read)"
        log.info("waform emulator listening on %s (state: %s; %s)", url, settings.state_path, mode)
        who = "loopback clients" + (
            ", and others sending the control token" if settings.control_token else " only"
        )
        log.info("control API %s/_emulator answers %s", url, who)

    try:
        run(settings, host=host, port=port, log_level=log_level, announce=announce)
    except OSError as exc:
        raise WaformError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@command.command("review")
@click.option("--state", "state", default=None, help=_STATE_HELP)
@click.option("--project", default=None, help="Only this project (default: all).")
@click.pass_obj
def review(console: Console, state: str | None, project: str | None) -> None:
    """Decide every pending review now (Meta's documented rules) and print the outcomes."""
    emulator = _open(state)
    try:
        count = 0
        for proj in [project] if project else emulator.store.projects_with_pending_reviews():
            for dto in emulator.complete_reviews(proj):
                count += 1
                outcome = (dto.get("changes") or {}).get("status") or dto.get("state")
                console.out(f"{proj} {dto['name']} {dto['language']}: {outcome}")
        log.info("%d review(s) decided", count)
    finally:
        emulator.close()


@command.command("reset")
@click.option("--state", "state", default=None, help=_STATE_HELP)
@click.pass_obj
def reset(console: Console, state: str | None) -> None:
    """Forget every template, webhook, fault and log in the state file."""
    emulator = _open(state)
    try:
        emulator.store.reset()
    finally:
        emulator.close()
    log.info("emulator state %s reset", emulator.settings.state_path)


def _settings(state: str | None, **overrides: Any) -> EmulatorSettings:
    if state is None and "WAFORM_EMULATOR_STATE" not in os.environ:
        state = str(DEFAULT_STATE_PATH)
    try:
        return EmulatorSettings.from_env(state_path=state, **overrides)
    except ValueError as exc:
        raise WaformError(f"invalid emulator setting: {exc}") from None


def _open(state: str | None) -> Emulator:
    from waform.emulator.service import Emulator

    settings = _settings(state)
    path = Path(str(settings.state_path))
    if not settings.in_memory and not path.exists():
        raise WaformError(f"{path}: no emulator state file here")
    return Emulator(settings.with_(background=False))  # a bad file: EmulatorSetupError
