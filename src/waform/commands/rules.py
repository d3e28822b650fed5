"""`waform rules`: list Meta's template rules that validate and plan check.

Reads only the registry (:mod:`waform.rules.registry`), so the listing, the checks and the README
table always agree. ``--config`` shows the severities a repository's ``waform.yaml`` sets.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from waform.console import Console
from waform.errors import ConfigError
from waform.rules import RULES, RuleSettings
from waform.rules.registry import Rule, render_json, render_markdown, render_text


def _effective(config_path: Path | None) -> list[Rule]:
    """The rules with the severities of the repository's ``waform.yaml`` applied."""
    from waform.config import load_config

    config = load_config(config_path, Path.cwd())
    try:
        settings = RuleSettings(overrides=dict(config.rules))
    except ConfigError as exc:
        raise ConfigError(f"{config.display_path}: {exc}") from None
    return [replace(rule, severity=settings.setting(rule.id)) for rule in RULES.values()]


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text: one rule a line; json: for tools; markdown: the README table.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="waform.yaml whose `rules:` overrides to apply (default: found upward from here).",
)
@click.option("--defaults", is_flag=True, help="Ignore waform.yaml: show default severities.")
@click.pass_obj
def command(console: Console, fmt: str, config_path: Path | None, defaults: bool) -> None:
    """List every rule: id, severity, status (DOC/API/UI/3P/UNCONFIRMED), where it is checked
    and its source.

    Severity: error fails validate/plan; warning is printed (fails with --strict); off is skipped.
    Change it per repository in waform.yaml (`rules: {WA-V9: off}`) or per template with the
    same `rules:` key in the template's YAML.
    """
    rules = list(RULES.values()) if defaults else _effective(config_path)
    if fmt == "json":
        console.out(render_json(rules))
    elif fmt == "markdown":
        console.out(render_markdown(rules))
    else:
        console.out(render_text(rules))
