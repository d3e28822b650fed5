"""`waform schema`: write (or check) the JSON Schemas generated from the models."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from waform.console import Console
from waform.errors import WaformError
from waform.schema import SCHEMAS, stale_schemas, write_schemas

log = logging.getLogger(__name__)


@click.command("schema")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Directory to write the schema files into.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if a schema file in the directory is missing or out of date.",
)
@click.pass_obj
def command(console: Console, output: Path, check: bool) -> None:
    """Write the JSON Schemas of waform's files (template.schema.json, …).

    Editors use them through a `# yaml-language-server: $schema=…` line; CI runs
    `waform schema --check` to catch a schema that was not regenerated after a model change.
    """
    if check:
        stale = stale_schemas(output)
        for path, reason in stale.items():
            log.warning("%s: %s", path, reason)
        if stale:
            noun = "file is" if len(stale) == 1 else "files are"
            raise WaformError(
                f"{len(stale)} schema {noun} not up to date; run `waform schema --output {output}`"
            )
        log.info("%d schema file(s) in %s are up to date", len(SCHEMAS), output)
        return
    try:
        changed = write_schemas(output)
    except OSError as exc:
        where = exc.filename or output
        raise WaformError(f"cannot write schemas to {where}: {exc.strerror or exc}") from None
    for path, did_change in changed.items():
        log.info("%s %s", "wrote" if did_change else "unchanged", path)
