"""Request bodies, validated with waform's own models and reported the way Sinch reports them.

Create and PATCH bodies go through :class:`waform.model.components.TemplateDetails` (the same
models the YAML files use), so the emulator and the validator cannot disagree about what a
component is. A failure becomes ``400 invalid_input`` with ``validationErrors``: one string per
problem, phrased like Sinch's (class-validator) messages where the mapping is obvious —
``category must be one of the following values: AUTHENTICATION, MARKETING, UTILITY`` — and
``<path>: <pydantic message>`` otherwise. Paths use the wire names joined by dots
(``details.components.2.example``); pydantic's union tags (``HEADER_MEDIA``, ``URL``…) are
dropped from them.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator

from waform.emulator.errors import PapiError, invalid_input
from waform.model.base import WireModel
from waform.model.components import Component, Optimization, TemplateDetails, _unique_types
from waform.model.enums import (
    CATEGORIES,
    LANGUAGE_CODES,
    TTL_RANGES,
    Action,
    Category,
)
from waform.model.template import TemplateName

_UNION_TAGS = frozenset(
    {
        "HEADER_TEXT",
        "HEADER_MEDIA",
        "HEADER_LOCATION",
        "BODY",
        "FOOTER",
        "BUTTONS",
        "CAROUSEL",
        "LIMITED_TIME_OFFER",
        "PHONE_NUMBER",
        "URL",
        "QUICK_REPLY",
        "OTP",
        "FLOW",
        "REQUEST_CONTACT_INFO",
        "ORDER_DETAILS",
        "COPY_CODE",
    }
)
#: Hosts Sinch refuses synchronously in URL buttons (409 template_restricted_Domain_for_button_url).
#: ``wa.me`` is *not* here: in the emulator it is Meta's review that rejects it (INVALID_FORMAT).
RESTRICTED_URL_HOSTS = ("whatsapp.com",)
#: What the emulator takes as a language code: Sinch's enum and anything spelled like one
#: (``xx``, ``xxx``, ``xx_YY``, ``xx-Yyyy``…), since Meta's list is longer than Sinch's.
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?$")

M = TypeVar("M", bound=WireModel)


class CreateTemplateBody(WireModel):
    """``WhatsappTemplateInputDto``. ``status`` defaults to SUBMIT, as the schema says."""

    name: TemplateName
    language: str
    category: Category
    status: Action = "SUBMIT"
    saveDraftOnFailure: bool = False
    allowCategoryChange: bool = False
    details: TemplateDetails | None = None

    @field_validator("language")
    @classmethod
    def _plausible_language(cls, value: str) -> str:
        if not LANGUAGE_PATTERN.match(value):
            raise ValueError("must be a language code such as " + ", ".join(LANGUAGE_CODES[:3]))
        return value


class UpdateDetails(WireModel):
    """``WhatsappUpdateTemplateDetailsInputDto``: every field optional; ``optimization: null``
    clears dynamic pricing (``model_fields_set`` tells "null" from "absent")."""

    components: Annotated[list[Component], Field(min_length=1)] | None = None
    messageSendTtlSeconds: int | None = None
    optimization: Optimization | None = None

    @field_validator("components")
    @classmethod
    def _one_of_each_with_body(cls, components: list[Any] | None) -> list[Any] | None:
        if components is not None:
            _unique_types(components)
            if not any(c.type == "BODY" for c in components):
                raise ValueError("a BODY component is required")
        return components


class UpdateTemplateBody(WireModel):
    """``WhatsappUpdateTemplateInputDto``. ``status`` defaults to DRAFT, as the schema says."""

    status: Action = "DRAFT"
    category: Category | None = None
    allowCategoryChange: bool | None = None
    details: UpdateDetails | None = None


class CommentBody(WireModel):
    comment: Annotated[str, Field(min_length=1, max_length=65535)]


def parse_json(raw: bytes) -> Any:
    """The request body as JSON, or ``400 invalid_payload``."""
    if not raw.strip():
        raise PapiError("invalid_payload", message="Request body is required.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PapiError("invalid_payload", message=f"Invalid JSON payload: {exc}.") from None


def parse_model(model: type[M], data: Any) -> M:
    """Validate ``data`` (parsed JSON) against ``model`` or raise ``400 invalid_input``."""
    if not isinstance(data, dict):
        raise invalid_input(["body must be an object"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(validation_messages(exc)) from None


def validation_messages(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[str]:
    out: list[str] = []
    for error in exc.errors(include_url=False):
        path = _path(prefix + tuple(error["loc"]))
        out.append(_message(path, error))
    return out


def _path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for index, part in enumerate(loc):
        if (
            isinstance(part, str)
            and part in _UNION_TAGS
            and index
            and isinstance(loc[index - 1], int)
        ):
            continue
        if isinstance(part, str) and part.startswith("function-after["):
            continue
        parts.append(str(part))
    return ".".join(parts)


def _one_of(values: tuple[str, ...] | list[str]) -> str:
    return "must be one of the following values: " + ", ".join(values)


def _message(path: str, error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    subject = path or "body"
    if kind == "extra_forbidden":
        return f"property {path} should not exist"
    if kind == "missing":
        return f"{subject} should not be empty"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        values = [v.strip().strip("'") for v in expected.replace(" or ", ", ").split(",")]
        if path.endswith("category"):
            values = list(CATEGORIES)
        return f"{subject} " + _one_of([v for v in values if v])
    if kind == "string_too_long":
        return f"{subject} must be shorter than or equal to {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"{subject} should not be empty"
        return f"{subject} must be longer than or equal to {ctx.get('min_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{subject} must match {ctx.get('pattern')} regular expression"
    if kind in ("too_short", "too_long"):
        return f"{subject}: {error['msg']}"
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return f"{subject} {message}" if message.startswith("must ") else f"{subject}: {message}"
    return f"{subject}: {error['msg']}"


# ---------------------------------------------------------------- cross-field checks


def ttl_errors(category: str, details: dict[str, Any] | None) -> list[str]:
    """``messageSendTtlSeconds`` must lie in the category's range (``TTL_RANGES``)."""
    if not details or details.get("messageSendTtlSeconds") is None:
        return []
    ttl = details["messageSendTtlSeconds"]
    low, high = TTL_RANGES[category]
    if low <= ttl <= high:
        return []
    return [
        f"details.messageSendTtlSeconds must be between {low} and {high} seconds for "
        f"{category} templates"
    ]


def url_buttons(details: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every URL button of ``details``, carousel cards included."""
    found: list[dict[str, Any]] = []

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if component.get("type") == "BUTTONS":
                found.extend(b for b in component.get("buttons", []) if b.get("type") == "URL")
            elif component.get("type") == "CAROUSEL":
                for card in component.get("cards", []):
                    walk(card.get("components", []))

    walk((details or {}).get("components", []))
    return found


def url_host(url: str) -> str:
    candidate = url if "//" in url else "https://" + url
    try:
        return (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return ""


def host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def check_restricted_domains(details: dict[str, Any] | None) -> None:
    for button in url_buttons(details):
        host = url_host(str(button.get("url", "")))
        if any(host_matches(host, d) for d in RESTRICTED_URL_HOSTS):
            raise PapiError("template_restricted_Domain_for_button_url")
