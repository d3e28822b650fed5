"""Text analysis shared by the rules: variables, emoji, words, URLs, phone numbers.

Every pattern is compiled once at import time and each text is scanned once per check run
(:func:`scan` results are cached on the template context), because validate must stay within 2×
the loader's time on 10,000 template-languages.
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple
from urllib.parse import urlsplit

# ---------------------------------------------------------------- variables

#: ``{{…}}`` with no brace inside; what is inside decides whether it is a valid variable.
_TOKEN = re.compile(r"\{\{([^{}]*)\}\}")
_POSITIONAL = re.compile(r"[1-9][0-9]*")
_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VALID_TOKEN = r"\{\{[1-9][0-9]*\}\}"
_NUMBERED = re.compile(r"\{\{([1-9][0-9]*)\}\}")
_STARTS_WITH_VAR = re.compile(_VALID_TOKEN)
_ENDS_WITH_VAR = re.compile(_VALID_TOKEN + r"$")
_ADJACENT = re.compile(_VALID_TOKEN + _VALID_TOKEN)
_SPACED = re.compile(_VALID_TOKEN + r"\s+" + _VALID_TOKEN)
_ADJOINING = re.compile(_VALID_TOKEN + r"\s*" + _VALID_TOKEN)
#: ``{1}`` or ``{name}``: a variable written with single braces (INVALID_FORMAT at Meta).
_SINGLE_BRACED = re.compile(r"(?<!\{)\{\s*(?:[0-9]+|[A-Za-z_][A-Za-z0-9_]*)\s*\}(?!\})")
#: Punctuation and markup that does not count as text before the first / after the last variable.
_EDGE = " \t\r\n.,!?;:…。！？、，()[]\"'«»“”‘’„¡¿-–—*_~"


class Scan(NamedTuple):
    """The variables of one text.

    A named tuple: immutable (:func:`scan` shares it through its cache) and built in a fraction
    of a frozen dataclass's time, which counted on every template. What the checks ask of it is
    worked out once, here, and read as a field.
    """

    numbers: tuple[int, ...] = ()
    """Valid positional variables in order of appearance (repeats kept)."""
    named: tuple[str, ...] = ()
    """``{{name}}`` tokens (Sinch's API takes positional variables only)."""
    malformed: tuple[str, ...] = ()
    """Other ``{{…}}`` tokens and unbalanced braces, as written."""
    in_order: bool = True
    """The distinct numbers are 1..n in order of first use (WA-V2 and WA-V13 have nothing to say)."""
    edge: str | None = None
    """``start``/``end``: a variable with only whitespace before/after it (WA-V7, WA-V14)."""
    behind: str | None = None
    """``start``/``end``: a variable with only punctuation before/after it (WA-V12)."""
    distinct: tuple[int, ...] = ()
    """The numbers in order of first use, each once: as many as the text needs examples (gaps
    are WA-V2's)."""
    any: bool = False
    """Any variable at all, or something like one (numbered, named or malformed)."""
    adjoining: bool = False
    """Two variables with nothing or only whitespace between them (WA-V8, WA-V11): one search
    of the text here spares those two checks theirs on every text whose variables are apart."""


EMPTY_SCAN = Scan()


@functools.lru_cache(maxsize=4096)  # a button's URL is scanned by two rules, labels recur
def scan(text: str | None) -> Scan:
    """Find the variables of ``text``.

    Fast paths: no brace at all, or every brace part of a well-written ``{{n}}`` (as in nearly
    every template), which the token walk of :func:`_tokens` would find exactly so.
    """
    if not text or ("{" not in text and "}" not in text):
        return EMPTY_SCAN
    found = _NUMBERED.findall(text)
    named: tuple[str, ...] = ()
    malformed: tuple[str, ...] = ()
    if found and text.count("{") == text.count("}") == 2 * len(found):
        numbers, distinct, in_order = _numbered(tuple(found))
    else:
        walked, named_list, malformed_list = _tokens(text)
        numbers, named, malformed = tuple(walked), tuple(named_list), tuple(malformed_list)
        distinct, in_order = _ordered(numbers)
    if not numbers:
        return Scan((), named, malformed, any=bool(named or malformed))
    edge = variable_at_edge(text)
    behind = None if edge else _edge(text.strip(_EDGE))
    adjoining = len(numbers) > 1 and _ADJOINING.search(text) is not None
    return Scan(numbers, named, malformed, in_order, edge, behind, distinct, True, adjoining)


def _ordered(numbers: tuple[int, ...]) -> tuple[tuple[int, ...], bool]:
    """The distinct numbers in order of first use, and whether they are 1..n in that order."""
    distinct = tuple(dict.fromkeys(numbers))
    return distinct, distinct == tuple(range(1, len(distinct) + 1))


@functools.lru_cache(maxsize=256)
def _numbered(found: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...], bool]:
    """Numbers, distinct numbers and their order from the digits of well-written variables:
    the same few sequences (``1``, ``1 2``, ``1 2 3``) recur in text after text."""
    numbers = tuple(map(int, found))
    return (numbers, *_ordered(numbers))


def _tokens(text: str) -> tuple[list[int], list[str], list[str]]:
    """Positional numbers, named tokens and malformed ones (stray and single braces too)."""
    numbers: list[int] = []
    named: list[str] = []
    malformed: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        inner = match.group(1)
        gap = text[last:start]
        last = end
        if "{{" in gap or "}}" in gap:
            malformed.append(_stray(gap))
        if (start > 0 and text[start - 1] == "{") or (end < len(text) and text[end] == "}"):
            malformed.append(text[max(start - 1, 0) : end + 1])
        elif _POSITIONAL.fullmatch(inner):
            numbers.append(int(inner))
        elif _NAMED.fullmatch(inner):
            named.append(match.group(0))
        else:
            malformed.append(match.group(0))
    tail = text[last:]
    if "{{" in tail or "}}" in tail:
        malformed.append(_stray(tail))
    tokens = len(numbers) + len(named) + len(malformed)
    if text.count("{") > 2 * tokens or text.count("}") > 2 * tokens:  # else no single brace
        malformed.extend(match.group(0) for match in _SINGLE_BRACED.finditer(text))
    return numbers, named, malformed


def _stray(segment: str) -> str:
    index = segment.find("{{")
    if index < 0:
        index = segment.find("}}")
    return segment[max(index - 8, 0) : index + 10].strip()


def numbering_gap(numbers: tuple[int, ...]) -> str | None:
    """What to change when positional numbers are not exactly 1..n (WA-V2)."""
    distinct = set(numbers)
    if not distinct or distinct == set(range(1, len(distinct) + 1)):
        return None
    missing = min(set(range(1, max(distinct) + 1)) - distinct)
    return (
        f"number the variables {{{{1}}}}..{{{{{len(distinct)}}}}} without gaps "
        f"({{{{{missing}}}}} is missing)"
    )


def numbering_order(numbers: tuple[int, ...]) -> str | None:
    """What to change when 1..n are first used out of order (WA-V13; gaps are WA-V2's)."""
    distinct = list(dict.fromkeys(numbers))
    if set(distinct) != set(range(1, len(distinct) + 1)):
        return None
    for position, number in enumerate(distinct, start=1):
        if number != position:
            return (
                f"number the variables in order of first use ({{{{{number}}}}} comes before "
                f"{{{{{position}}}}})"
            )
    return None


def _edge(text: str) -> str | None:
    """``text`` comes stripped (of whitespace at least), so ``$`` has no final newline to skip
    and ``endswith`` spares the search along the whole text."""
    if text.startswith("{{") and _STARTS_WITH_VAR.match(text):
        return "start"
    return "end" if text.endswith("}}") and _ENDS_WITH_VAR.search(text) else None


def variable_at_edge(text: str) -> str | None:
    """``"start"``/``"end"`` when only whitespace separates a variable from the text's edge."""
    return _edge(text.strip())


def variable_behind_punctuation(text: str) -> str | None:
    """``"start"``/``"end"`` when only punctuation or markup separates a variable from the edge
    (and :func:`variable_at_edge` does not already say so)."""
    return None if variable_at_edge(text) else _edge(text.strip(_EDGE))


def adjacent_variables(text: str) -> str | None:
    """Two variables with nothing at all between them (``{{1}}{{2}}``)."""
    match = _ADJACENT.search(text)
    return match.group(0) if match else None


def space_separated_variables(text: str) -> str | None:
    """Two variables with only whitespace between them (``{{1}} {{2}}``)."""
    match = _SPACED.search(text)
    return match.group(0) if match else None


# ---------------------------------------------------------------- words (V9)

_WORD = re.compile(r"\w+")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: ASCII byte → ``a`` for a word character (as ``_WORD`` says), a space for any other: an ASCII
#: text's words are then its space-separated runs, counted in C (a quarter of ``findall``'s time).
_ASCII_WORD_CHARS = bytes(
    ord("a") if i < 128 and _WORD.match(chr(i)) else ord(" ") for i in range(256)
)


def word_count(text: str) -> int:
    """Words as WhatsApp Manager counts them, roughly: variables count as words.

    Scripts written without spaces would look like one long word: Thai counts one word per 7
    characters (as Meta's client does), Chinese/Japanese one per 2 characters (our assumption).
    """
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_WORD_CHARS).split())
    words = 0
    thai = len(_THAI.findall(text))
    if thai:
        words += math.ceil(thai / 7)
        text = _THAI.sub(" ", text)
    cjk = len(_CJK.findall(text))
    if cjk:
        words += math.ceil(cjk / 2)
        text = _CJK.sub(" ", text)
    return words + len(_WORD.findall(text))


def too_few_words(text: str, variables: int) -> int | None:
    """The word count when it is below ``3 × variables + 1`` (the digest's warning threshold)."""
    if not variables:
        return None
    words = word_count(text)
    return words if words < 3 * variables + 1 else None


# ---------------------------------------------------------------- emoji, markup, whitespace

_PICTO = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u2934\u2935\u3030\u303d\u3297\u3299"
)
#: Characters that are text by default and emoji only with the emoji variation selector.
_TEXT_DEFAULT = "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u24c2\u25aa-\u25fe"
_EMOJI_UNIT = (
    rf"(?:[{_PICTO}]|[{_TEXT_DEFAULT}](?=\ufe0f)|[#*0-9]\ufe0f?\u20e3)"
    r"\ufe0f?[\U0001f3fb-\U0001f3ff]?[\U000e0020-\U000e007f]*"
)
#: One emoji as a user sees it: flag pair, or a unit with modifiers and ZWJ-joined units.
_EMOJI = re.compile(rf"[\U0001f1e6-\U0001f1ff]{{2}}|{_EMOJI_UNIT}(?:\u200d{_EMOJI_UNIT})*")


def emoji_count(text: str) -> int:
    if text.isascii():
        return 0
    return len(_EMOJI.findall(text))


def has_emoji(text: str) -> bool:
    return not text.isascii() and _EMOJI.search(text) is not None


_MARKUP_CHARS = "*_~`"
_MARKUP = re.compile(f"[{_MARKUP_CHARS}]")


def markup_char(text: str) -> str | None:
    match = _MARKUP.search(text)
    return match.group(0) if match else None


#: A brace (of a variable or not), a formatting character or a line break.
_MAYBE_MARKED = re.compile(f"[{{}}\n{_MARKUP_CHARS}]")


def surely_plain(text: str) -> bool:
    """``text`` holds no variable, formatting character, line break or emoji: an ASCII text
    without a brace, ``*_~`` or a line break. One search tells most labels apart, where asking
    each question costs four."""
    return text.isascii() and _MAYBE_MARKED.search(text) is None


_BLANK_LINES = re.compile(r"\n[ \t]*\n[ \t]*\n")


def too_many_line_breaks(text: str) -> bool:
    return "\n" in text and _BLANK_LINES.search(text) is not None


def bad_param_whitespace(value: str) -> bool:
    """A line break, a tab or a run of five spaces (three substring tests cost less than one
    regular expression search, and every example of every template is tested)."""
    return "\n" in value or "\t" in value or "     " in value


# ---------------------------------------------------------------- URLs, phones, Android apps

_URL_IN_TEXT = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|me|ly|co)\b", re.I)


def contains_url(text: str) -> bool:
    return _URL_IN_TEXT.search(text) is not None


WHATSAPP_HOSTS = frozenset({"wa.me", "whatsapp.com", "api.whatsapp.com", "web.whatsapp.com",
                            "chat.whatsapp.com", "whatsapp.net"})  # fmt: skip
SHORTENER_HOSTS = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly",
    "rebrand.ly", "cutt.ly", "shorturl.at", "rb.gy", "t.ly", "tiny.cc", "bl.ink", "s.id", "v.gd",
    "lnkd.in", "wa.link", "shorte.st", "soo.gd", "tiny.one", "u.to", "y2u.be", "qrco.de",
})  # fmt: skip


def url_host(url: str) -> str:
    try:
        host = urlsplit(url.replace("{{1}}", "x")).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@functools.lru_cache(maxsize=4096)  # the same URLs recur across languages and cards
def blocked_host(url: str) -> str | None:
    """``"WhatsApp link"`` / ``"URL shortener"`` when the URL's host is refused, else ``None``."""
    host = url_host(url)
    if host in WHATSAPP_HOSTS or host.endswith(".whatsapp.com"):
        return "WhatsApp link"
    if host in SHORTENER_HOSTS:
        return "URL shortener"
    return None


def variable_in_host(url: str) -> bool:
    """True when the variable sits in the scheme/host part rather than in path/query/fragment."""
    index = url.find("{{")
    if index < 0:
        return False
    prefix = url[:index]
    scheme = prefix.find("://")
    rest = prefix[scheme + 3 :] if scheme >= 0 else prefix
    return "/" not in rest and "?" not in rest and "#" not in rest


_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?[1-9][0-9]{6,14}")


def valid_phone(number: str) -> bool:
    """International number: optional ``+``, country code, 7–15 digits; spaces/dashes allowed."""
    return _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", number)) is not None


PACKAGE_NAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_]*\.)+[A-Za-z][A-Za-z0-9_]*")
SIGNATURE_HASH = re.compile(r"[A-Za-z0-9+/=]{11}")
COUPON_CODE = re.compile(r"[A-Za-z0-9]{1,15}")
