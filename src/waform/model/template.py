"""Desired state: one YAML file per template name, and the per-language API bodies it yields.

File shape (see README "The YAML format")::

    name: order_shipped
    category: UTILITY
    languages:
      en_US:
        details:
          components:
            - type: BODY
              text: "Hi {{1}}, order {{2}} has shipped."
              examples: ["Anna", "A-1042"]

Reconciler-only keys (``status``, ``allowCategoryChange``, ``saveDraftOnFailure``) may be set for
the whole file and overridden per language. ``rules`` tunes Meta-rule checks for this template;
``ignore`` silences one for it, with the reason why.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from waform.model.base import WireModel
from waform.model.components import TemplateDetails
from waform.model.enums import LANGUAGE_SET, TTL_RANGES, Category, normalize_language

NAME_PATTERN = r"^[a-z0-9][a-z0-9_]*[a-z0-9]$"
TemplateName = Annotated[str, Field(pattern=NAME_PATTERN, max_length=512)]
#: ``submit`` sends the content to Meta for review; ``draft`` only stores it at Sinch.
DesiredStatus = Literal["submit", "draft"]
RuleSetting = Literal["off", "warning", "error"]
RuleId = Annotated[str, Field(pattern=r"^WA-[A-Z]+[0-9]+$")]


class LanguageEntry(WireModel):
    """One language of a template: its content plus optional per-language overrides."""

    status: DesiredStatus | None = None
    allowCategoryChange: bool | None = None
    saveDraftOnFailure: bool | None = None
    details: TemplateDetails


class TemplateFile(WireModel):
    """The whole content of one desired-state YAML file."""

    name: TemplateName
    category: Category
    status: DesiredStatus = "submit"
    allowCategoryChange: bool = False
    saveDraftOnFailure: bool = False
    rules: dict[RuleId, RuleSetting] = Field(
        default_factory=dict,
        description="Per-template rule overrides: rule id (e.g. WA-V9) → off | warning | error.",
    )
    ignore: dict[RuleId, Annotated[str, Field(pattern=r"\S")]] = Field(
        default_factory=dict,
        description=(
            "Rules silenced for this template, each with the reason (WA-V8: approved by Meta on "
            "2026-03-02). Also as a comment: `# waform: ignore WA-V8 <reason>`."
        ),
    )
    languages: Annotated[dict[str, LanguageEntry], Field(min_length=1)]

    @field_validator("languages", mode="before")
    @classmethod
    def _normalise_language_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        normalised: dict[Any, Any] = {}
        for key, entry in value.items():
            if not isinstance(key, str):
                raise ValueError(f"language code must be a string, got {key!r}")
            code = normalize_language(key)
            if code not in LANGUAGE_SET:
                raise ValueError(
                    f"unknown language code {key!r} (Sinch codes look like EN_US, DE, PT_BR)"
                )
            if code in normalised:
                raise ValueError(f"language {code} is defined twice in this file")
            normalised[code] = entry
        return normalised

    @staticmethod
    def without_failed(
        data: dict[str, Any], errors: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        """``data`` without the languages (and optional top-level keys) that ``errors`` name.

        So one broken language does not hide what the schema and the rules find in the others:
        the loader validates what is left again. ``None`` when ``name`` or ``category`` is
        itself invalid, or nothing would be left.
        """
        failed_top = {err["loc"][0] for err in errors if err["loc"]}
        languages = data.get("languages")
        if failed_top & {"name", "category"} or not isinstance(languages, dict):
            return None
        failed = {
            normalize_language(str(err["loc"][1]))
            for err in errors
            if len(err["loc"]) > 1 and err["loc"][0] == "languages"
        }
        kept: dict[str, Any] = {}
        seen: set[str] = set()
        for key, entry in languages.items():
            code = normalize_language(key) if isinstance(key, str) else ""
            if code in LANGUAGE_SET and code not in failed and code not in seen:
                seen.add(code)
                kept[key] = entry
        rest = {k: v for k, v in data.items() if k not in failed_top or k == "languages"}
        if not kept or (len(kept) == len(languages) and len(rest) == len(data)):
            return None  # nothing left, or nothing removed (the same errors again)
        return {**rest, "languages": kept}

    def cross_field_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Checks that span fields (so pydantic cannot place them): ``(loc, message)`` pairs.

        The loader turns each ``loc`` into ``path:line:col``; the emulator into validationErrors.
        """
        errors: list[tuple[tuple[str | int, ...], str]] = []
        low, high = TTL_RANGES[self.category]
        for code, entry in self.languages.items():
            ttl = entry.details.messageSendTtlSeconds
            if ttl is not None and not low <= ttl <= high:
                errors.append(
                    (
                        ("languages", code, "details", "messageSendTtlSeconds"),
                        f"messageSendTtlSeconds {ttl} is outside {low}..{high} seconds, "
                        f"the range for {self.category} templates",
                    )
                )
        return errors

    def desired(self, source: SourceRef | None = None) -> list[DesiredTemplate]:
        """Flatten into one :class:`DesiredTemplate` per language, overrides applied."""
        out = []
        for code, entry in self.languages.items():
            allow = entry.allowCategoryChange
            save = entry.saveDraftOnFailure
            # Positional: every load builds one per template-language, and keywords made the
            # call half as dear again (1.8 µs instead of 1.1).
            out.append(
                DesiredTemplate(
                    self.name,
                    code,
                    self.category,
                    entry.status or self.status,
                    self.allowCategoryChange if allow is None else allow,
                    self.saveDraftOnFailure if save is None else save,
                    entry.details,
                    dict(self.rules),
                    source,
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a desired template came from, for messages: ``path:line:col``."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class DesiredTemplate:
    """One (name, language) as git wants it. The unit the differ and applier work on."""

    name: str
    language: str
    category: str
    status: str
    allow_category_change: bool
    save_draft_on_failure: bool
    details: TemplateDetails
    rules: dict[str, str] = field(default_factory=dict)
    source: SourceRef | None = None

    @functools.cached_property
    def key(self) -> tuple[str, str]:
        """Made once: pairing, the forms and the differ each ask, for every template."""
        return (self.name, self.language)

    def text_of(self, kind: str) -> str | None:
        """The text of its ``kind`` component (BODY, FOOTER), if it has one."""
        for component in self.details.components:
            if component.type == kind:
                text = getattr(component, "text", None)
                return text if isinstance(text, str) else None
        return None

    def details_wire(self) -> dict[str, Any]:
        return self.details.to_wire()

    def create_body(self, *, status: str | None = None) -> dict[str, Any]:
        """Body of ``POST …/whatsapp/templates`` (``WhatsappTemplateInputDto``).

        ``status`` is always sent explicitly: the spec contradicts itself on its default.
        """
        body: dict[str, Any] = {
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "status": (status or ("SUBMIT" if self.status == "submit" else "DRAFT")),
            "details": self.details_wire(),
        }
        if self.allow_category_change:
            body["allowCategoryChange"] = True
        if self.save_draft_on_failure:
            body["saveDraftOnFailure"] = True
        return body

    def update_body(self, *, include_category: bool = False) -> dict[str, Any]:
        """Body of ``PATCH …/languages/{code}`` (``WhatsappUpdateTemplateInputDto``)."""
        body: dict[str, Any] = {
            "status": "SUBMIT" if self.status == "submit" else "DRAFT",
            "details": self.details_wire(),
        }
        if include_category:
            body["category"] = self.category
            body["allowCategoryChange"] = self.allow_category_change
        return body
