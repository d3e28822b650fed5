"""List queries: ``pageSize``/``pageToken``, filters, ``fieldMask`` — parsing and projection.

Array parameters (``filterStates``, ``filterStatuses``, ``fieldMask``) are accepted both as
repeated keys (``?fieldMask=name&fieldMask=state``, OpenAPI's default) and comma lists
(``?fieldMask=name,state``), since Sinch does not document which it expects.

Page tokens are opaque to clients; here they are base64url JSON naming the (name, language) key
the next page starts after (``a``) or the previous page ends before (``b``) — keyset pagination,
so a page never skips or repeats rows when templates are created or deleted between requests.
Tokens do not carry filters: send the same filters again with the token. The last page has no
``nextPageToken`` and the first no ``previousPageToken`` (the keys are omitted).

``fieldMask`` paths are Sinch's ``WhatsappTemplateDtoFieldMaskPathsEnum``; ``0`` stands for
"every item" of an array. A masked response keeps only the listed fields (``name`` included only
if asked for), which is what makes it a ``WhatsappPartialTemplateDto``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import QueryParams

from waform.emulator.errors import PapiError, supported
from waform.model.enums import CHANGE_STATUSES, TEMPLATE_STATES

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_ACTIVITY_PAGE_SIZE = 100

_DETAIL_PATHS = (
    "",
    ".components",
    ".components.0.type",
    ".components.0.format",
    ".components.0.text",
    ".components.0.example",
    ".components.0.example.url",
    ".components.0.examples",
    ".components.0.addSecurityRecommendation",
    ".components.0.codeExpirationMinutes",
    ".components.0.buttons",
    ".components.0.buttons.0.type",
    ".components.0.buttons.0.text",
    ".components.0.buttons.0.phoneNumber",
    ".components.0.buttons.0.url",
    ".components.0.buttons.0.example",
    ".components.0.buttons.0.otpType",
    ".components.0.buttons.0.autofillText",
    ".components.0.buttons.0.packageName",
    ".components.0.buttons.0.signatureHash",
    ".components.0.buttons.0.supportedApps",
    ".components.0.buttons.0.supportedApps.0.packageName",
    ".components.0.buttons.0.supportedApps.0.signatureHash",
    ".components.0.buttons.0.zeroTapTermsAccepted",
    ".components.0.buttons.0.flowId",
    ".components.0.buttons.0.flowAction",
    ".components.0.buttons.0.navigateScreen",
    ".components.0.hasExpiration",
    ".messageSendTtlSeconds",
    ".optimization",
)
#: ``WhatsappTemplateDtoFieldMaskPathsEnum``, in Sinch's order.
FIELD_MASK_PATHS: tuple[str, ...] = (
    "whatsappId",
    "state",
    "name",
    "language",
    "category",
    "rejectionCode",
    "qualityScore",
    "changes",
    "changes.status",
    "changes.allowCategoryChange",
    *("changes.details" + p for p in _DETAIL_PATHS),
    *("details" + p for p in _DETAIL_PATHS),
    "analytics",
    "analytics.0.sent",
    "analytics.0.delivered",
    "analytics.0.read",
    "analytics.0.start",
    "analytics.0.end",
    "analytics.0.buttons",
    "analytics.0.buttons.0.type",
    "analytics.0.buttons.0.content",
    "analytics.0.buttons.0.clicks",
    "isMetaGenerated",
)
_FIELD_MASK_SET = frozenset(FIELD_MASK_PATHS)


def multi(query: QueryParams, key: str) -> list[str]:
    """All values of an array parameter, repeated keys and comma lists alike."""
    values: list[str] = []
    for raw in query.getlist(key):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def page_size(query: QueryParams, *, maximum: int = MAX_PAGE_SIZE) -> int:
    raw = query.get("pageSize")
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        value = float(raw)
    except ValueError:
        raise PapiError("invalid_page_size") from None
    if value != value or not value.is_integer() or not 1 <= value <= maximum:
        raise PapiError(
            "invalid_page_size",
            message=f"Page size must be an integer between 1 and {maximum}.",
        )
    return int(value)


def encode_token(direction: str, key: Iterable[Any]) -> str:
    raw = json.dumps({direction: list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None) -> tuple[str, list[Any]] | None:
    """``(direction, key)`` or ``None`` for no token; ``400 invalid_page_token`` if garbled."""
    if token is None or token == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise PapiError("invalid_page_token") from None
    if not isinstance(data, dict) or len(data) != 1:
        raise PapiError("invalid_page_token")
    ((direction, key),) = data.items()
    if direction not in ("a", "b") or not isinstance(key, list) or not key:
        raise PapiError("invalid_page_token")
    return direction, key


def template_key(key: list[Any]) -> tuple[str, str]:
    if len(key) != 2 or not all(isinstance(k, str) for k in key):
        raise PapiError("invalid_page_token")
    return key[0], key[1]


def filter_states(query: QueryParams) -> list[str]:
    values = multi(query, "filterStates")
    if any(v not in TEMPLATE_STATES for v in values):
        raise supported("invalid_filter_states", TEMPLATE_STATES)
    return values


def filter_statuses(query: QueryParams) -> list[str]:
    values = multi(query, "filterStatuses")
    if any(v not in CHANGE_STATUSES for v in values):
        raise supported("invalid_filter_statuses", CHANGE_STATUSES)
    return values


def field_mask(query: QueryParams) -> list[str] | None:
    values = multi(query, "fieldMask")
    if not values:
        return None
    if any(v not in _FIELD_MASK_SET for v in values):
        raise supported("invalid_fields", FIELD_MASK_PATHS)
    return values


def mask_tree(paths: list[str]) -> dict[str, Any]:
    """``["details.components.0.text", "name"]`` → ``{"details": {"components": {"0": {"text":
    {}}}}, "name": {}}``; an empty dict means "the whole value"."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for index, part in enumerate(parts):
            if part in node and not node[part]:
                break  # an ancestor is already selected whole
            if index == len(parts) - 1:
                node[part] = {}
            else:
                node = node.setdefault(part, {})
    return tree


def project(value: Any, tree: dict[str, Any]) -> Any:
    """Keep only the parts of ``value`` named by ``tree`` (see :func:`mask_tree`)."""
    if not tree:
        return value
    if isinstance(value, list):
        sub = tree.get("0")
        if sub is None:
            return []
        return [project(item, sub) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in tree.items():
            if key in value:
                out[key] = project(value[key], sub)
        return out
    return value
