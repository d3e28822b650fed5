"""`waform rules [WA-XX…]`: list Meta's template rules, or explain some in full.

Reads only the registry (:mod:`waform.rules.registry`), so the listing, the checks and the README
table always agree. ``--config`` shows the severities a repository's ``waform.yaml`` sets.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from waform.console import Console
from waform.errors import ConfigError, WaformError
from waform.render import render
from waform.rules import RULES, RuleSettings
from waform.rules.listing import RuleListing
from waform.rules.rule import Rule


def _effective(config_path: Path | None) -> list[Rule]:
    """The rules with the severities of the repository's ``waform.yaml`` applied."""
    from waform.config import load_config

    config = load_config(config_path, Path.cwd())
    try:
        settings = RuleSettings(overrides=dict(config.rules))
    except ConfigError as exc:
        raise ConfigError(f"{config.display_path}: {exc}") from None
    return [replace(rule, severity=settings.setting(rule.id)) for rule in RULES.values()]


def rule_by_id(rule_id: str) -> Rule:
    """The rule ``rule_id`` (``WA-V7``, ``wa-v7`` or ``V7``), or a usage error naming the ids."""
    wanted = rule_id.strip().upper()
    rule = RULES.get(wanted) or RULES.get(f"WA-{wanted}")
    if rule is None:
        raise WaformError(f"unknown rule {rule_id!r} (`waform rules` lists the ids, e.g. WA-V7)")
    return rule


@click.command("rules")
@click.argument("rule_ids", nargs=-1, metavar="[WA-XX]...")
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
def command(
    console: Console, rule_ids: tuple[str, ...], fmt: str, config_path: Path | None, defaults: bool
) -> None:
    """List every rule: id, severity, evidence (DOC/API/UI/3P/UNCONFIRMED/CONFLICT), where it
    is checked and its source. With rule ids (`waform rules WA-V7`), explain those rules: the
    evidence with its source links, a template that passes and one that fails.

    Severity: error fails validate/plan; warning is printed (fails with --strict); off is skipped.
    Change it per repository in waform.yaml (`rules: {WA-V9: off}`) or per template with the
    same `rules:` key in the template's YAML.
    """
    rules = list(RULES.values()) if defaults else _effective(config_path)
    if rule_ids:
        wanted = {rule_by_id(rule_id).id for rule_id in rule_ids}
        rules = [rule for rule in rules if rule.id in wanted]
        if fmt == "text":
            console.out("\n\n".join(render(rule, fmt) for rule in rules))
            return
    console.out(render(RuleListing(tuple(rules)), fmt))
