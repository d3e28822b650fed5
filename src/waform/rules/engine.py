"""Runs the registered rules over loaded files and turns findings into located diagnostics.

Fast path: each template-language is wrapped once in a :class:`TemplateContext` and the enabled
checks that can fire on its shape (:mod:`waform.rules.shape`) run over it; locations are resolved
(``file.locate``) only for findings, which are rare.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from waform.diagnostics import Diagnostic, Severity, sort_diagnostics
from waform.errors import ConfigError
from waform.gcpause import collector_paused
from waform.inventory import Inventory
from waform.model.template import DesiredTemplate, SourceRef, TemplateFile
from waform.rules import auth, buttons, components, marketing, ttl, variables  # noqa: F401
from waform.rules.context import KeyLoc, Loc, TemplateContext
from waform.rules.cross import Wording, wordings
from waform.rules.plan import plan_hits
from waform.rules.registry import (
    CROSS_CHECKS,
    RULES,
    SETTINGS,
    TEMPLATE_CHECKS,
    TEMPLATE_NEEDS,
    Setting,
)
from waform.rules.shape import ChecksByShape
from waform.rules.silence import Silenced, silences

if TYPE_CHECKING:
    from waform.plan import Plan


class LoadedFileLike(Protocol):
    """What the rules need of :class:`waform.loader.LoadedFile`."""

    path: str
    template: TemplateFile

    def locate(self, loc: tuple[str | int, ...]) -> tuple[int, int]: ...


@dataclass(frozen=True)
class RuleSettings:
    """How rules are applied in this run.

    ``overrides`` comes from ``waform.yaml`` (``rules: {WA-V9: off, WA-F2: error}``); a template's
    own ``rules:`` key wins over it. ``strict`` reports rule warnings as errors (``--strict``).
    """

    overrides: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False

    def __post_init__(self) -> None:
        for rule_id, setting in self.overrides.items():
            if rule_id not in RULES:
                raise ConfigError(
                    f"rules: unknown rule {rule_id!r} (`waform rules` lists the ids, e.g. WA-V9)"
                )
            if setting not in SETTINGS:
                raise ConfigError(
                    f"rules: {rule_id}: {setting!r} is not one of off, warning, error"
                )

    def setting(self, rule_id: str, template_rules: Mapping[str, str] | None = None) -> Setting:
        """Effective setting: the template's ``rules:``, else ``waform.yaml``, else the default."""
        if template_rules and rule_id in template_rules:
            return template_rules[rule_id]  # type: ignore[return-value]
        if rule_id in self.overrides:
            return self.overrides[rule_id]  # type: ignore[return-value]
        return RULES[rule_id].default

    def severity(self, setting: Setting) -> Severity:
        return "error" if self.strict or setting == "error" else "warning"


@dataclass
class RuleReport:
    """Everything one run of the rules found."""

    diagnostics: list[Diagnostic]
    failed: set[tuple[str, str]]
    """(name, language) pairs with at least one error (after ``strict``): plan refuses them."""
    silenced: list[Silenced] = field(default_factory=list)
    """Findings the templates silenced (``ignore:``), with their reasons; they fail nothing."""

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.severity == "error" for d in self.diagnostics)


def _locate(file: Any, loc: Loc) -> tuple[int, int]:
    if isinstance(loc, KeyLoc) and hasattr(file, "locate_key"):
        return file.locate_key(tuple(loc))
    return file.locate(tuple(loc))


def run_rules(files: Sequence[LoadedFileLike], settings: RuleSettings | None = None) -> RuleReport:
    """Check every template-language of ``files`` plus the cross-file rules."""
    settings = settings or RuleSettings()
    with collector_paused():  # see waform.gcpause
        out = _Findings(settings)
        found = [wordings(out.check_file(file)) for file in files]
        out.check_across(files, found)
    return out.report()


class FileRules:
    """The rules that look at one file alone (what the load cache keeps per file), for many
    files under the same settings; each file's check also sorts out what the rules across files
    compare of it (:func:`waform.rules.cross.wordings`)."""

    def __init__(self, settings: RuleSettings) -> None:
        self.settings = settings
        self._enabled: dict[frozenset, ChecksByShape] = {}

    def check(self, file: LoadedFileLike) -> tuple[RuleReport, list[Wording]]:
        out = _Findings(self.settings, self._enabled)
        found = wordings(out.check_file(file))
        return out.report(), found


def check_across(
    files: Sequence[LoadedFileLike],
    settings: RuleSettings,
    found: Sequence[Sequence[Wording] | None] = (),
) -> RuleReport:
    """The rules that compare the templates of all ``files`` with each other (``found``: per
    file, the wordings :meth:`FileRules.check` sorted out, or ``None``: sorted out here)."""
    out = _Findings(settings)
    out.check_across(files, found or [None] * len(files))
    return out.report()


class _Findings:
    """What one run of the rules found: diagnostics, failed (name, language) pairs, silenced."""

    def __init__(
        self,
        settings: RuleSettings,
        enabled: dict[frozenset, ChecksByShape] | None = None,
    ) -> None:
        self.settings = settings
        self.diagnostics: list[Diagnostic] = []
        self.failed: set[tuple[str, str]] = set()
        self.silenced: list[Silenced] = []
        #: Enabled checks per distinct per-template ``rules:`` (most files share the empty one).
        self._enabled = {} if enabled is None else enabled

    def report(self) -> RuleReport:
        return RuleReport(sort_diagnostics(self.diagnostics), self.failed, self.silenced)

    def emit(
        self, file: Any, waiver: Mapping[str, str], loc: Loc | int, setting: Setting,
        rule_id: str, message: str, keys: Iterable,
    ) -> None:  # fmt: skip
        line, column = (loc, 1) if isinstance(loc, int) else _locate(file, loc)
        severity = self.settings.severity(setting)
        self.add(Diagnostic(file.path, line, column, severity, message, rule_id), waiver, keys)

    def add(self, diagnostic: Diagnostic, waiver: Mapping[str, str], keys: Iterable) -> None:
        """A located finding: silenced when ``waiver`` names its rule, else reported."""
        reason = waiver.get(diagnostic.code)
        if reason is not None:
            self.silenced.append(Silenced(diagnostic, reason))
        else:
            self.diagnostics.append(diagnostic)
            if diagnostic.severity == "error":
                self.failed.update(keys)

    def _checks(self, overrides: Mapping[str, str]) -> ChecksByShape:
        key = frozenset(overrides.items())
        checks = self._enabled.get(key)
        if checks is None:
            enabled = []
            for rule_id, fn in TEMPLATE_CHECKS.items():
                setting = self.settings.setting(rule_id, overrides)
                if setting != "off":
                    enabled.append((rule_id, fn, setting))
            checks = self._enabled[key] = ChecksByShape(enabled, TEMPLATE_NEEDS)
        return checks

    def check_file(self, file: LoadedFileLike) -> list[TemplateContext]:
        """The per-template checks over one file; the contexts they saw (for the cross
        rules)."""
        template = file.template
        waiver, problems = silences(template, getattr(file, "text", "") or "")
        every_language = [(template.name, code) for code in template.languages]
        for problem in problems:  # a wrong waiver is never itself silenced
            self.emit(file, {}, problem.where, "error", "ignore", problem.message, every_language)
        overrides = template.rules
        checks = self._checks(overrides)
        for rule_id in overrides:
            if rule_id not in RULES:
                message = f"unknown rule {rule_id!r} in `rules:` (`waform rules` lists the ids)"
                loc = KeyLoc(("rules", rule_id))
                self.emit(file, {}, loc, "error", "unknown-rule", message, every_language)
        contexts = []
        for code, entry in template.languages.items():
            ctx = TemplateContext(template.name, template.category, code, entry.details)
            contexts.append(ctx)
            for rule_id, fn, setting in checks.for_shape(ctx.shape):
                for loc, message in fn(ctx):
                    keys = ((template.name, code),)
                    self.emit(file, waiver, loc, setting, rule_id, message, keys)
        return contexts

    def check_across(
        self, files: Sequence[LoadedFileLike], found: Sequence[Sequence[Wording] | None]
    ) -> None:
        """The rules across ``files``; ``found``: each file's wordings (``None``: sorted out
        here). A file's waivers are read only when a finding needs them (findings are rare)."""
        every = [
            of if of is not None else _wordings(file) for file, of in zip(files, found, strict=True)
        ]
        waivers: dict[int, Mapping[str, str]] = {}
        for rule_id, fn in CROSS_CHECKS.items():
            for index, language, loc, message in fn(files, every):
                file = files[index]
                setting = self.settings.setting(rule_id, file.template.rules)
                if setting == "off":
                    continue
                waiver = waivers.get(index)
                if waiver is None:
                    waiver = waivers[index] = _waiver(file)
                keys = ((file.template.name, language),)
                self.emit(file, waiver, loc, setting, rule_id, message, keys)


def _waiver(file: LoadedFileLike) -> dict[str, str]:
    """What ``file`` silences (rule id → reason)."""
    return silences(file.template, getattr(file, "text", "") or "")[0]


def _wordings(file: LoadedFileLike) -> list[Wording]:
    """What the rules across files compare of a file whose per-file check this run did not
    make (its outcome was read from the load cache)."""
    template = file.template
    return wordings(
        TemplateContext(template.name, template.category, code, entry.details)
        for code, entry in template.languages.items()
    )


def check_files(
    files: Sequence[LoadedFileLike], settings: RuleSettings | None = None
) -> list[Diagnostic]:
    """Meta's rules over loaded files: sorted diagnostics, each with its rule id as ``code``."""
    return run_rules(files, settings).diagnostics


def check_plan(
    inventory: Inventory[DesiredTemplate],
    settings: RuleSettings | None = None,
    *,
    removed: Collection[tuple[str, str]] = (),
    files: Sequence[LoadedFileLike] | Callable[[], Sequence[LoadedFileLike]] = (),
) -> RuleReport:
    """Plan-time rules (WA-C2, WA-C4, WA-LC4, WA-LC5, WA-LC8 against remote templates).

    ``inventory``: every key (:func:`waform.inventory.pair`), managed or not.
    ``removed``: keys the plan deletes (so they do not count towards the template limit).
    ``files``: the loaded files (or what returns them, asked only when there is a finding),
    whose ``ignore:`` and ``# waform: ignore`` silence plan-time findings too (matched by the
    desired template's ``source`` path).
    Located at each desired template's ``source`` (``name (language)`` when it has none).
    """
    settings = settings or RuleSettings()
    out = _Findings(settings)
    by_path: dict[str, LoadedFileLike] | None = None
    waivers: dict[str, Mapping[str, str]] = {}
    for rule_id, template, message in plan_hits(inventory, removed):
        setting = settings.setting(rule_id, template.rules)
        if setting == "off":
            continue
        source = template.source or SourceRef(f"{template.name} ({template.language})")
        waiver = waivers.get(source.path)
        if waiver is None:  # only files with a finding are scanned for waivers
            if by_path is None:  # only then are they needed (a warm plan's are not decoded)
                by_path = {file.path: file for file in (files() if callable(files) else files)}
            file = by_path.get(source.path)
            waiver = _waiver(file) if file is not None else {}
            waivers[source.path] = waiver
        severity = settings.severity(setting)
        diagnostic = Diagnostic(source.path, source.line, source.column, severity, message, rule_id)
        out.add(diagnostic, waiver, (template.key,))
    return out.report()


def check_planned(
    plan: Plan,
    inventory: Inventory[DesiredTemplate],
    settings: RuleSettings,
    files: Sequence[LoadedFileLike] | Callable[[], Sequence[LoadedFileLike]] = (),
) -> RuleReport:
    """:func:`check_plan` over a finished plan: what it deletes does not count towards the
    template limit, and what it reports blocked (with reason and remedy) is not checked again
    — apply leaves it alone, and WA-C2 would only repeat "category-change". Every other key,
    managed or not, is checked: WA-LC4 counts every remote template, and Meta rejects wording
    that duplicates *any* template (WA-LC8)."""
    removed = {a.key for a in plan.actions if a.action == "delete"}
    blocked = {(b.name, b.language) for b in plan.blocked}
    return check_plan(inventory.without_desired(blocked), settings, removed=removed, files=files)
