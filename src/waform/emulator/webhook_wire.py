"""Webhook request bodies (``WebhookWebhookInputDto`` and its update) and trigger names."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from waform.model.base import WireModel

TEMPLATE_TRIGGERS = (
    "WHATSAPP_TEMPLATE_APPROVED",
    "WHATSAPP_TEMPLATE_REJECTED",
    "WHATSAPP_TEMPLATE_STATUS_UPDATED",
    "WHATSAPP_TEMPLATE_DELETED",
    "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
    "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
    "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
    "WHATSAPP_TEMPLATE_COMMENT_ADDED",
)
#: ``WebhookWebhookTriggersEnum``: every trigger Sinch accepts (only template ones fire here).
TRIGGERS = (
    "ALL",
    "BUNDLE_DONE",
    "KAKAOTALK_SENDER_ACTIVE",
    "KAKAOTALK_SENDER_COMMENT_ADDED",
    "KAKAOTALK_SENDER_INACTIVE",
    "KAKAOTALK_SENDER_REJECTED",
    "KAKAOTALK_TEMPLATE_APPROVED",
    "KAKAOTALK_TEMPLATE_COMMENT_ADDED",
    "KAKAOTALK_TEMPLATE_REJECTED",
    "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
    "RCS_SENDER_COMMENT_ADDED",
    "RCS_SENDER_OPERATOR_STATUS_UPDATED",
    "RCS_SENDER_STATUS_UPDATED",
    "RCS_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED",
    "WHATSAPP_ACCOUNT_ONBOARDED",
    "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
    "WHATSAPP_ACCOUNT_REJECTED",
    "WHATSAPP_WABA_ACCOUNT_CHANGED",
    "WHATSAPP_SENDER_ACTIVE",
    "WHATSAPP_SENDER_COMMENT_ADDED",
    "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED",
    "WHATSAPP_SENDER_DELETED",
    "WHATSAPP_SENDER_DISPLAY_NAME_UPDATED",
    "WHATSAPP_SENDER_ERROR",
    "WHATSAPP_SENDER_INACTIVE",
    "WHATSAPP_SENDER_PENDING_VERIFICATION",
    "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
    "WHATSAPP_SENDER_REJECTED",
    "WHATSAPP_SENDER_USERNAME_UPDATED",
    *TEMPLATE_TRIGGERS,
)
_TRIGGER_SET = frozenset(TRIGGERS)

Trigger = Literal[TRIGGERS]  # type: ignore[valid-type]


class WebhookInput(WireModel):
    """``WebhookWebhookInputDto``."""

    target: Annotated[str, Field(min_length=1, max_length=742, pattern=r"^https?://\S+$")]
    secret: Annotated[str, Field(min_length=1, max_length=128)]
    triggers: Annotated[list[str], Field(min_length=1)]

    @field_validator("triggers")
    @classmethod
    def _known_unique(cls, triggers: list[str]) -> list[str]:
        return _check_triggers(triggers)


class WebhookUpdate(WireModel):
    """``WebhookUpdateWebhookInputDto``: every field optional."""

    target: (
        Annotated[str, Field(min_length=1, max_length=742, pattern=r"^https?://\S+$")] | None
    ) = None
    secret: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    triggers: Annotated[list[str], Field(min_length=1)] | None = None

    @field_validator("triggers")
    @classmethod
    def _known_unique(cls, triggers: list[str] | None) -> list[str] | None:
        return None if triggers is None else _check_triggers(triggers)


def _check_triggers(triggers: list[str]) -> list[str]:
    unknown = [t for t in triggers if t not in _TRIGGER_SET]
    if unknown:
        raise ValueError("must be one of the following values: " + ", ".join(TRIGGERS))
    if len(set(triggers)) != len(triggers):
        raise ValueError("must contain unique values")
    return triggers
