"""`waform import`: write the target's templates as YAML files, ready to commit."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

import click

from waform.commands.options import host_trust, run_sync, target_options
from waform.console import Console
from waform.manager import Manager
from waform.model.enums import LANGUAGE_CODES, LANGUAGE_SET, normalize_language

log = logging.getLogger(__name__)


def _languages(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Sinch's spelling of each ``--language``; an unknown code would silently import nothing."""
    out = []
    for value in values:
        code = normalize_language(value)
        if code not in LANGUAGE_SET:
            close = difflib.get_close_matches(code, LANGUAGE_CODES, n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else "not a language Sinch knows"
            raise click.BadParameter(f"unknown language {value!r}: {hint}", ctx=ctx, param=param)
        out.append(code)
    return tuple(out)


@click.command("import")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@target_options("DIRECTORY")
@click.option(
    "--name",
    "patterns",
    multiple=True,
    metavar="PREFIX|GLOB",
    help="Only names starting with PREFIX, or matching GLOB (has * ? [). Repeatable.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    callback=_languages,
    metavar="CODE",
    help="Only this language (en_US or EN_US spelling). Repeatable.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--schema",
    metavar="PATH|URL",
    help="What the `$schema=` header points at (default: the nearest "
    "schemas/template.schema.json above DIRECTORY, relative to it).",
)
@click.option("--dry-run", is_flag=True, help="List the files that would be written; write none.")
@click.pass_context
def command(
    ctx: click.Context,
    directory: Path,
    config_path: Path | None,
    target: str | None,
    patterns: tuple[str, ...],
    languages: tuple[str, ...],
    force: bool,
    schema: str | None,
    dry_run: bool,
) -> None:
    """Write the target's templates into DIRECTORY, one YAML file per template name.

    Files are in the repository format (`plan` against the same target then shows no
    changes). Meta-generated templates are skipped with a note. An existing file is never
    overwritten without --force, and nothing is written if any would be.
    """
    console: Console = ctx.obj or Console()
    manager = Manager.from_options(
        [directory], config_path=config_path, target=target, trust=host_trust()
    )
    result = run_sync(
        manager.import_(
            directory,
            patterns=patterns,
            languages=languages,
            force=force,
            schema=schema,
            dry_run=dry_run,
        )
    )
    for note in result.notes:
        log.warning("note: %s", note.render())
    verb = "would write" if dry_run else "wrote"
    for item in result.files:
        console.out(f"{item.path}  ({', '.join(item.languages)})")
    log.info(
        "%s %d file(s), %d template language(s) from target %r%s",
        verb,
        len(result.files),
        result.language_count,
        manager.target.name,
        f"; {len(result.notes)} note(s)" if result.notes else "",
    )
