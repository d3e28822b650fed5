"""How Meta rewrites single values of a template, written once for both sides of a round trip.

The emulator calls these to rewrite what it stores (as Meta does), and the differ calls the same
functions to compare: Meta's form *is* the canonical form, so ``f(sent) == read`` whenever the
server only did what these functions describe. Evidence: ``round-trip.md`` rows 8, 9 and 7 of
the reference, and the docs/round-trip.md page of this project.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

_NOT_DIGIT = re.compile(r"\D")


@functools.cache
def _country_codes() -> frozenset[str]:
    # phonenumbers takes 20 ms to import: only when a phone number is compared or stored.
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)


def phone_number(number: str) -> str:
    """``+44 07700 900123`` → ``+447700900123``: digits only, ``+`` kept, the zero after the
    country code dropped ("the leading zero will be stripped", Meta's components page).

    Country codes are prefix-free, so the first 1–3 digits that form one are the code.
    Spaces, dashes and brackets carry no meaning to Meta; a number without a known country
    code keeps its digits as they are.
    """
    digits = _NOT_DIGIT.sub("", number)
    plus = "+" if number.strip().startswith("+") else ""
    country_codes = _country_codes()
    for size in (1, 2, 3):
        code = digits[:size]
        if code in country_codes:
            rest = digits[size:]
            if rest.startswith("0"):
                rest = rest[1:]
            return plus + code + rest
    return plus + digits


def bare_host_slash(url: str) -> str:
    """``https://example.com`` → ``https://example.com/``; any URL with a path, query,
    fragment or variable is returned unchanged (reads show a bare host with a trailing ``/``)."""
    if "{{" in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme and parts.netloc and not parts.path and not parts.query and not parts.fragment:
        return url + "/"
    return url


def encode_variable_braces(url: str) -> str:
    """``…/{{1}}`` → ``…/%7B%7B1%7D%7D`` — how one URL read back once (observed, single case)."""
    return url.replace("{", "%7B").replace("}", "%7D")


def decode_variable_braces(url: str) -> str:
    """Undo :func:`encode_variable_braces` (and any other percent-encoding) for comparison."""
    return unquote(url) if "%" in url else url


def url_form(url: str) -> str:
    """The one form two URLs are compared in: percent-decoded, bare host with ``/``."""
    return bare_host_slash(decode_variable_braces(url))


__all__ = [
    "bare_host_slash",
    "decode_variable_braces",
    "encode_variable_braces",
    "phone_number",
    "url_form",
]
