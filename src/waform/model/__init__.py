"""Typed models of WhatsApp templates: desired state (YAML) and the Sinch API's DTOs."""

from waform.model.components import Button, Component, TemplateDetails
from waform.model.enums import (
    CATEGORIES,
    LANGUAGE_CODES,
    LANGUAGE_SET,
    TTL_RANGES,
    normalize_language,
)
from waform.model.remote import ApiErrorBody, RemoteChanges, RemoteTemplate, RemoteTemplateList
from waform.model.template import DesiredTemplate, LanguageEntry, SourceRef, TemplateFile

__all__ = [
    "ApiErrorBody",
    "Button",
    "CATEGORIES",
    "Component",
    "DesiredTemplate",
    "LANGUAGE_CODES",
    "LANGUAGE_SET",
    "LanguageEntry",
    "RemoteChanges",
    "RemoteTemplate",
    "RemoteTemplateList",
    "SourceRef",
    "TTL_RANGES",
    "TemplateDetails",
    "TemplateFile",
    "normalize_language",
]
