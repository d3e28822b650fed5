"""Enumerations of the Sinch Provisioning API (WhatsApp templates), as plain ``Literal`` types.

Literals rather than ``enum.Enum``: YAML and JSON carry plain strings, pydantic validates literals in
its Rust core (fast), and the generated JSON Schema lists the allowed values for editors.
"""

from __future__ import annotations

from typing import Literal, get_args

#: Sinch's 72 input language codes (``WhatsappInputTemplateLanguagesEnum``), UPPER_SNAKE.
LANGUAGE_CODES: tuple[str, ...] = (
    "AF", "AR", "AZ", "BG", "BN", "CA", "CS", "DA", "DE", "EL", "EN", "EN_GB", "EN_US", "ES",
    "ES_AR", "ES_ES", "ES_MX", "ES_UY", "ET", "FA", "FI", "FIL", "FR", "GA", "GU", "HA", "HE", "HI",
    "HR", "HU", "ID", "IT", "JA", "KA", "KK", "KN", "KO", "KY_KG", "LO", "LT", "LV", "MK", "ML",
    "MR", "MS", "NB", "NL", "PA", "PL", "PT_BR", "PT_PT", "RO", "RU", "RW_RW", "SK", "SL", "SQ",
    "SR", "SV", "SW", "TA", "TE", "TH", "TR", "UK", "UR", "UZ", "VI", "ZH_CN", "ZH_HK", "ZH_TW",
    "ZU",
)  # fmt: skip
SINCH_LANGUAGE_SET = frozenset(LANGUAGE_CODES)
#: Codes on Meta's supported-languages page (May 2026) that Sinch's enum (1.2.117) lacks. Meta
#: approves templates in them; whether Sinch passes them on is unknown, so files may use them and
#: the rule WA-L2 warns.
META_ONLY_LANGUAGE_CODES: tuple[str, ...] = (
    "AR_AE", "AR_EG", "AR_LB", "AR_MA", "AR_QA", "BE_BY", "BN_IN", "DE_AT", "DE_CH", "EN_AE",
    "EN_AU", "EN_CA", "EN_GH", "EN_IE", "EN_IN", "EN_JM", "EN_MY", "EN_NZ", "EN_QA", "EN_SG",
    "EN_UG", "EN_ZA", "ES_CL", "ES_CO", "ES_CR", "ES_DO", "ES_EC", "ES_HN", "ES_PA", "ES_PE",
    "FR_BE", "FR_CA", "FR_CH", "FR_CI", "FR_MA", "NL_BE", "PRS_AF", "PS_AF", "SI_LK",
)  # fmt: skip
#: Every code a template file may use: Sinch's enum plus Meta's (see WA-L1, WA-L2).
LANGUAGE_SET = SINCH_LANGUAGE_SET | frozenset(META_ONLY_LANGUAGE_CODES)

Category = Literal["AUTHENTICATION", "MARKETING", "UTILITY"]
CATEGORIES: tuple[str, ...] = get_args(Category)

#: ``WhatsappActionsEnum``: what a create/update request does with the content.
Action = Literal["DRAFT", "SUBMIT"]
#: ``WhatsappTemplateStatesEnum``: state of the live template at Meta.
TemplateState = Literal["APPROVED", "DISABLED", "PAUSED", "PENDING", "REJECTED"]
TEMPLATE_STATES: tuple[str, ...] = get_args(TemplateState)
#: ``WhatsappTemplateStatusesEnum``: status of the pending ``changes`` layer.
ChangeStatus = Literal["DRAFT", "IN_PROGRESS", "REJECTED"]
CHANGE_STATUSES: tuple[str, ...] = get_args(ChangeStatus)
RejectionCode = Literal[
    "ABUSIVE_CONTENT", "INCORRECT_CATEGORY", "INVALID_FORMAT", "NONE", "SCAM", "UNRECOGNIZED"
]
QualityScore = Literal[
    "QUALITY_SCORE_GREEN",
    "QUALITY_SCORE_YELLOW",
    "QUALITY_SCORE_RED",
    "QUALITY_SCORE_UNKNOWN",
    "UNRECOGNIZED",
]
OtpType = Literal["COPY_CODE", "ONE_TAP", "ZERO_TAP"]
FlowAction = Literal["DATA_EXCHANGE", "NAVIGATE"]
MediaMimeType = Literal["IMAGE/JPEG", "IMAGE/PNG", "APPLICATION/PDF", "VIDEO/3GP", "VIDEO/MP4"]
CardMediaMimeType = Literal["IMAGE/JPEG", "IMAGE/PNG", "VIDEO/3GP", "VIDEO/MP4"]
#: Input spelling of the bid strategy; responses say ``BID_STRATEGY_LOWEST_COST_WITH_BID_CAP``.
InputBidStrategy = Literal["LOWEST_COST_WITH_BID_CAP"]
AnalyticsDateRange = Literal["DAY", "WEEK", "MONTH", "QUARTER"]

#: ``messageSendTtlSeconds`` valid range per category (seconds, inclusive).
TTL_RANGES: dict[str, tuple[int, int]] = {
    "AUTHENTICATION": (10, 900),
    "MARKETING": (43200, 2592000),
    "UTILITY": (30, 43200),
}


def normalize_language(value: str) -> str:
    """Return Sinch's spelling of a language code: ``en_US``/``en-us``/``EN_US`` → ``EN_US``.

    Meta spells codes ``en_US``; Sinch wants ``EN_US``. Accepting both lets teams paste either.
    The result is *not* checked against :data:`LANGUAGE_SET`; callers do that.
    """
    return value.strip().replace("-", "_").upper()
