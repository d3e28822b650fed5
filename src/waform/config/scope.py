"""Which templates waform manages (:class:`Scope`) and what it leaves alone (:class:`Ignore`)."""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Any

from pydantic import Field, field_validator

from waform.config.base import Glob, StrictModel
from waform.model.enums import LANGUAGE_SET, normalize_language

FIELD_PATH_PATTERN = (
    r"^[A-Za-z][A-Za-z0-9]*(\[(\*|[0-9]+)\])*(\.[A-Za-z][A-Za-z0-9]*(\[(\*|[0-9]+)\])*)*$"
)


class Scope(StrictModel):
    """Which remote template names waform manages (``fnmatch`` globs, case-sensitive)."""

    include: list[Glob] = Field(
        default_factory=lambda: ["*"],
        description='Name globs waform manages, e.g. ["shop_*", "otp_login"].',
    )
    exclude: list[Glob] = Field(
        default_factory=list, description="Name globs removed from include."
    )

    def manages(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, g) for g in self.include) and not any(
            fnmatch.fnmatchcase(name, g) for g in self.exclude
        )

    def name_prefix(self) -> str | None:
        """The literal prefix every managed name starts with, if the scope is one ``prefix*``.

        The fetcher passes it as ``templateName`` (a prefix filter) to list fewer templates.
        """
        if len(self.include) != 1:
            return None
        glob = self.include[0]
        head = re.split(r"[*?\[]", glob, maxsplit=1)[0]
        if head and glob == head + "*":
            return head
        return None


class Ignore(StrictModel):
    """Like Terraform's ``ignore_changes``: what waform neither changes nor reports as drift."""

    names: list[Glob] = Field(
        default_factory=list, description="Template name globs to leave alone."
    )
    languages: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z]{2})?$")]] = Field(
        default_factory=list, description="Language codes to leave alone (EN_US or en_US)."
    )
    fields: list[Annotated[str, Field(pattern=FIELD_PATH_PATTERN)]] = Field(
        default_factory=list,
        description='Paths inside `details` whose differences are ignored, e.g. "components[*].example".',
    )

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        out = []
        for code in value:
            norm = normalize_language(code)
            if norm not in LANGUAGE_SET:
                raise ValueError(
                    f"unknown language code {code!r} (Sinch codes look like EN_US, DE)"
                )
            out.append(norm)
        return out

    def ignores(self, name: str, language: str | None = None) -> bool:
        """True if (name, language) is left alone entirely."""
        if any(fnmatch.fnmatchcase(name, g) for g in self.names):
            return True
        return language is not None and normalize_language(language) in self.languages

    def field_paths(self) -> list[tuple[str | int, ...]]:
        """``"components[*].example"`` → ``("components", "*", "example")``."""
        return [parse_field_path(p) for p in self.fields]

    def strip(self, details: Any) -> Any:
        """A copy of ``details`` without the ignored fields (apply to both sides before diffing)."""
        for path in self.field_paths():
            details = _strip_path(details, path)
        return details


def parse_field_path(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for segment in path.split("."):
        name, *indexes = segment.replace("]", "").split("[")
        parts.append(name)
        parts.extend("*" if i == "*" else int(i) for i in indexes)
    return tuple(parts)


def _strip_path(value: Any, path: tuple[str | int, ...]) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and isinstance(head, str) and head in value:
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _strip_path(value[head], rest)}
    if isinstance(value, list) and (head == "*" or isinstance(head, int)):
        return [
            (_strip_path(item, rest) if head == "*" or i == head else item)
            for i, item in enumerate(value)
            if rest or not (head == "*" or i == head)
        ]
    return value
