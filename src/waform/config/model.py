"""The whole of ``waform.yaml`` (:class:`Config`), with its safety thresholds and rule settings."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)

from waform.config.base import CONFIG_FILENAME, StrictModel, TargetName, display
from waform.config.scope import Ignore, Scope
from waform.config.targets import LocalTarget, LocalTargetConfig, SinchTarget, Target, TargetConfig
from waform.errors import ConfigError
from waform.validation_errors import NodeFinder, closest, did_you_mean
from waform.yamlsafe import Node

RuleSetting = Literal["off", "warning", "error"]
TemplatePaths = Annotated[str, Field(min_length=1, max_length=4096)]


def _known_rule(rule_id: str) -> str:
    """Refuse a rule id the registry does not have, at its key (a typo must not pass)."""
    from waform.rules.registry import RULES  # the registry imports nothing of waform

    if rule_id not in RULES:
        close = closest(rule_id, RULES)
        hint = f"; did you mean {close!r}?" if close else ""
        raise ValueError(f"unknown rule{hint} (`waform rules` lists the ids)")
    return rule_id


RuleId = Annotated[str, Field(pattern=r"^WA-[A-Z]+[0-9]+$"), AfterValidator(_known_rule)]


class Safety(StrictModel):
    """octoDNS-style brakes: refuse a plan that changes too much of a large managed set."""

    maxDeletePercent: Annotated[float, Field(ge=0, le=100)] = Field(
        30.0, description="Refuse plans deleting more than this % of the managed templates."
    )
    maxUpdatePercent: Annotated[float, Field(ge=0, le=100)] = Field(
        30.0, description="Refuse plans updating more than this % of the managed templates."
    )
    minManaged: Annotated[int, Field(ge=0)] = Field(
        10, description="Thresholds apply only when at least this many templates are managed."
    )

    @field_validator("maxDeletePercent", "maxUpdatePercent", mode="before")
    @classmethod
    def _int_percent(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def violations(self, *, managed: int, updates: int, deletes: int) -> list[str]:
        """Why a plan is refused (empty when it is within the thresholds); ``--force`` overrides."""
        if managed < self.minManaged or managed == 0:
            return []
        out = []
        for verb, count, limit in (
            ("updates", updates, self.maxUpdatePercent),
            ("deletes", deletes, self.maxDeletePercent),
        ):
            percent = 100.0 * count / managed
            if percent > limit:
                out.append(
                    f"plan {verb} {count} of {managed} managed templates "
                    f"({math.floor(percent * 10) / 10:g} % > {limit:g} %)"
                )
        return out


def _local_target() -> TargetConfig:
    """The built-in target: the embedded emulator."""
    return LocalTargetConfig(type="local")


class Config(StrictModel):
    """The whole of ``waform.yaml``. ``root`` is the directory relative paths start from."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="waform.yaml",
        json_schema_extra={
            "description": "waform configuration: targets, scope, safety thresholds and rules.",
        },
    )

    targets: Annotated[dict[TargetName, TargetConfig], Field(min_length=1)] = Field(
        default_factory=lambda: {"local": _local_target()},
        description="Where templates are reconciled to, by name (--target NAME picks one).",
    )
    templates: TemplatePaths | list[TemplatePaths] | None = Field(
        None,
        description="Template files or directories, relative to this file's directory: what "
        "validate, plan, apply, drift and preview read when given no PATH.",
    )
    defaultTarget: TargetName | None = Field(
        None, description="Target used without --target (default: the only target)."
    )
    scope: Scope = Field(
        default_factory=Scope, description="Which remote templates waform manages."
    )
    prune: bool = Field(False, description="Delete managed remote templates that are not in git.")
    ignore: Ignore = Field(
        default_factory=Ignore, description="Templates, languages and fields left alone."
    )
    safety: Safety = Field(
        default_factory=Safety, description="Thresholds that stop large plans without --force."
    )
    rules: dict[RuleId, RuleSetting] = Field(
        default_factory=dict, description="Rule id (e.g. WA-V9) → off | warning | error."
    )

    _root: Path = PrivateAttr(default_factory=Path.cwd)
    _path: Path | None = PrivateAttr(default=None)
    _source: Node | None = PrivateAttr(default=None)

    @field_validator("defaultTarget")
    @classmethod
    def _default_target_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        targets = info.data.get("targets")
        if value is not None and targets is not None and value not in targets:
            raise ValueError(
                f"{value!r} is not one of the targets ({', '.join(sorted(targets))})"
                f"{did_you_mean(value, targets)}"
            )
        return value

    @property
    def root(self) -> Path:
        return self._root

    @property
    def path(self) -> Path | None:
        """The file this came from (``None`` for the built-in default)."""
        return self._path

    @property
    def display_path(self) -> str:
        return display(self._path) if self._path else CONFIG_FILENAME

    def templates_paths(self) -> list[Path]:
        """``templates`` as paths (relative to the working directory when below it)."""
        listed = [self.templates] if isinstance(self.templates, str) else self.templates or []
        return [Path(display(self._root / os.path.expanduser(entry))) for entry in listed]

    def target(self, name: str | None = None) -> Target:
        """The target ``--target NAME`` picks (``None``: the default target), resolved."""
        if name is None:
            name = self.defaultTarget
            if name is None:
                if len(self.targets) != 1:
                    raise ConfigError(
                        f"{self.display_path}: several targets ({', '.join(sorted(self.targets))}) "
                        "and no defaultTarget; pass --target NAME"
                    )
                name = next(iter(self.targets))
        spec = self.targets.get(name)
        if spec is None:
            raise ConfigError(
                f"unknown target {name!r}{did_you_mean(name, self.targets)}; "
                f"{self.display_path} defines: {', '.join(sorted(self.targets))}"
            )
        if isinstance(spec, LocalTargetConfig):
            state = Path(os.path.expanduser(spec.state))
            return LocalTarget(
                name=name,
                state_path=state if state.is_absolute() else self._root / state,
                project_id=spec.projectId,
            )
        return SinchTarget(
            name=name,
            project_id=spec.projectId,
            base_url=spec.baseUrl,
            auth=spec.auth,
            timeout=spec.timeout,
            config_path=self.display_path,
            places=tuple(
                (field, self.located("targets", name, *field.split(".")))
                for field in ("baseUrl", "auth.tokenUrl")
            ),
        )

    def located(self, *path: str) -> str:
        """``file:line:col`` of the value at ``path`` (or of the nearest enclosing key)."""
        if self._source is None:
            return self.display_path
        line, column = NodeFinder(self._source, ()).position(path)
        return f"{self.display_path}:{line}:{column}"

    def manages(self, name: str, language: str | None = None) -> bool:
        """In scope and not ignored: the templates waform may create, change or delete."""
        return self.scope.manages(name) and not self.ignore.ignores(name, language)
