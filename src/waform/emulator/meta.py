"""What Meta (behind Sinch) does to a template: the rewrites a faithful emulator shows on read.

The reference ``round-trip.md`` lists what comes back different from what was sent, with its
evidence. The emulator applies every row with DOC or OBS evidence unless it runs *literal*
(``EmulatorSettings.literal``, ``waform emulator serve --literal``, or ``PUT
/_emulator/settings {"literal": true}``), which echoes content as it was sent. Two layers:

* **Sinch's DTO** (every read, drafts included): ``mimeType`` of media samples is dropped — the
  response DTO ``WhatsappMediaHeaderExampleDto`` has only ``url`` (row 1); lower-case enums
  sent are stored upper case (row 5); request enum values are therefore accepted in any case.
* **Meta's copy** (what Meta keeps once it has reviewed the content, i.e. live ``details``):
  media samples become Meta CDN URLs, re-signed on *every* read (row 1; see :func:`sign`);
  AUTHENTICATION templates get Meta's generated body, footer and copy-code label in their
  language, body example ``123456`` and the 600 s default TTL (rows 2 and 4); a phone number
  loses the zero after its country code (row 8); a bare-host static URL gains ``/`` (row 9);
  ``flowId`` reads back as a JSON number (row 11). Text is never touched (row 12).

Scenario switches (deterministic, off by default; ``PUT /_emulator/settings``): templates whose
name matches a glob of ``missingExamples`` lose their variable samples (BODY ``examples``, TEXT
header and URL button ``example``) when Meta approves them (row 7); ``percentEncodedUrls``
globs get ``{{``/``}}`` of URL buttons percent-encoded (row 7, single observation).

**Recategorisation** (row 3): at review, a UTILITY template whose body text matches
:data:`PROMOTIONAL` is approved as MARKETING (Meta's rule since 2025-04-09, whatever
``allowCategoryChange`` says) and ``WHATSAPP_TEMPLATE_CATEGORY_UPDATED`` is sent; later changes
come from the control API (``POST …/category``). Literal mode keeps the older rule: rejected
with ``INCORRECT_CATEGORY`` unless ``allowCategoryChange`` is set.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from waform.model.enums import normalize_language
from waform.model.meta_auth import AUTH_BODY_EXAMPLE, AUTH_TTL_SECONDS, AuthTexts, auth_texts
from waform.model.meta_forms import bare_host_slash, encode_variable_braces, phone_number

#: The documented, deterministic trigger for recategorising UTILITY as MARKETING at review.
PROMOTIONAL = re.compile(
    r"\bdiscount\b|\bcoupon\b|\bpromo(?:tion(?:al)?)? code\b|\d+\s?% off\b", re.IGNORECASE
)
#: Enum-valued request fields that Meta accepts in any case and returns upper case.
ENUM_FIELDS = frozenset(
    {"type", "format", "category", "status", "otpType", "flowAction", "bidStrategy", "mimeType"}
)
#: Meta's media CDN; ``_nc_ohc=UNSIGNED`` marks a stored URL that :func:`sign` completes per read.
CDN = "https://scontent.whatsapp.net/v/t61.29466-34/"
_UNSIGNED = "&_nc_ohc=UNSIGNED"
_UNSIGNED_URL = re.compile(re.escape(CDN) + r"(\d+)_n\.(\w+)\?ccb=1-7&_nc_sid=8b1bef" + _UNSIGNED)
_MEDIA_EXTENSIONS = {"IMAGE": "jpg", "VIDEO": "mp4", "DOCUMENT": "pdf"}


@dataclass(frozen=True)
class Rewrites:
    """Which rewrites this emulator applies (see the module docstring)."""

    literal: bool = False
    missing_examples: tuple[str, ...] = ()
    percent_encoded_urls: tuple[str, ...] = ()

    # -------------------------------------------------------------- requests and Sinch's DTO

    def request(self, data: Any) -> Any:
        """A create/update body as Meta reads it: enum values and the language upper case."""
        if self.literal or not isinstance(data, dict):
            return data
        out = _upper_enums(data)
        if isinstance(out.get("language"), str):
            out["language"] = normalize_language(out["language"])
        return out

    def sinch(self, details: dict[str, Any] | None) -> dict[str, Any] | None:
        """Stored ``details`` (any layer) as Sinch's response DTO carries them."""
        if self.literal or details is None:
            return details
        out = copy.deepcopy(details)
        for component in _components(out):
            example = component.get("example")
            if _is_media(component) and isinstance(example, dict):
                example.pop("mimeType", None)
        return out

    # -------------------------------------------------------------- Meta's copy

    def meta(
        self, details: dict[str, Any] | None, *, key: tuple[str, str, str], category: str
    ) -> dict[str, Any] | None:
        """``details`` as Meta keeps (and returns) them once reviewed; ``key`` = project,
        name, language."""
        if self.literal or details is None:
            return details
        out = copy.deepcopy(self.sinch(details))
        assert out is not None
        _, name, language = key
        for component in _components(out):
            if _is_media(component):
                component["example"] = {"url": _cdn_url(key, component)}
            for button in _buttons(component):
                _rewrite_button(button)
        if category == "AUTHENTICATION":
            _authentication(out, auth_texts(language))
        if _matches(name, self.missing_examples):
            _drop_variable_examples(out)
        if _matches(name, self.percent_encoded_urls):
            for component in _components(out):
                for button in _buttons(component):
                    if button.get("type") == "URL" and isinstance(button.get("url"), str):
                        button["url"] = encode_variable_braces(button["url"])
        return out


def sign(text: str) -> str:
    """Give every stored CDN URL in ``text`` a fresh signature: no two reads are equal.

    Meta's signed URLs differ per read in ``_nc_ohc``, ``_nc_gid``, ``oh`` and ``oe`` (expiry,
    a day ahead); cheap when there is nothing to sign (one substring test).
    """
    if _UNSIGNED not in text:
        return text
    expiry = f"{int(time.time()) + 86_400:X}"

    def signed(match: re.Match[str]) -> str:
        asset, ext = match.group(1), match.group(2)
        return (
            f"{CDN}{asset}_n.{ext}?ccb=1-7&_nc_sid=8b1bef&_nc_ohc={secrets.token_urlsafe(12)}"
            f"&_nc_gid={secrets.token_urlsafe(16)}&oh=01_{secrets.token_urlsafe(32)}&oe={expiry}"
        )

    return _UNSIGNED_URL.sub(signed, text)


# ---------------------------------------------------------------- helpers


def _upper_enums(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: v.upper() if k in ENUM_FIELDS and isinstance(v, str) else _upper_enums(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_upper_enums(v) for v in value]
    return value


def _components(details: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every component of ``details``, carousel cards' components included."""
    for component in details.get("components", []):
        if not isinstance(component, dict):
            continue
        yield component
        for card in component.get("cards", []) or []:
            yield from (c for c in card.get("components", []) if isinstance(c, dict))


def _buttons(component: dict[str, Any]) -> list[dict[str, Any]]:
    if component.get("type") != "BUTTONS":
        return []
    return [b for b in component.get("buttons", []) if isinstance(b, dict)]


def _is_media(component: dict[str, Any]) -> bool:
    return component.get("type") == "HEADER" and component.get("format") in _MEDIA_EXTENSIONS


def _cdn_url(key: tuple[str, str, str], component: dict[str, Any]) -> str:
    """A stable asset id per (template, sample URL); the signature is added per read."""
    example = component.get("example")
    sent = example.get("url", "") if isinstance(example, dict) else ""
    digest = hashlib.sha256("/".join((*key, sent)).encode()).hexdigest()
    asset = str(10**16 + int(digest[:14], 16) % (9 * 10**16))
    return (
        f"{CDN}{asset}_n.{_MEDIA_EXTENSIONS[component['format']]}?ccb=1-7&_nc_sid=8b1bef{_UNSIGNED}"
    )


def _rewrite_button(button: dict[str, Any]) -> None:
    kind = button.get("type")
    if kind == "PHONE_NUMBER" and isinstance(button.get("phoneNumber"), str):
        button["phoneNumber"] = phone_number(button["phoneNumber"])
    elif kind == "URL" and isinstance(button.get("url"), str):
        button["url"] = bare_host_slash(button["url"])
    elif kind == "FLOW" and str(button.get("flowId", "")).isdigit():
        button["flowId"] = int(button["flowId"])


def _authentication(details: dict[str, Any], texts: AuthTexts) -> None:
    """Meta writes the body, footer and copy-code label itself (custom labels are refused)."""
    for component in details.get("components", []):
        kind = component.get("type")
        if kind == "BODY":
            security = texts.security if component.get("addSecurityRecommendation") else ""
            component["text"] = texts.body + security
            component["examples"] = [AUTH_BODY_EXAMPLE]
        elif kind == "FOOTER" and component.get("codeExpirationMinutes") is not None:
            component["text"] = texts.footer.format(n=component["codeExpirationMinutes"])
        for button in _buttons(component):
            if button.get("type") == "OTP":
                button["text"] = texts.copy_code
    details.setdefault("messageSendTtlSeconds", AUTH_TTL_SECONDS)


def _drop_variable_examples(details: dict[str, Any]) -> None:
    for component in _components(details):
        if component.get("type") == "BODY":
            component.pop("examples", None)
        elif component.get("type") == "HEADER" and component.get("format") == "TEXT":
            component.pop("example", None)
        for button in _buttons(component):
            if button.get("type") == "URL":
                button.pop("example", None)


def _matches(name: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, glob) for glob in globs)


__all__ = ["PROMOTIONAL", "Rewrites", "sign"]
