"""How plan and drift values are written in text and Markdown (one line, escaped, shortened),
and which changes are shown word by word (:func:`text_edit`)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import click

from waform.worddiff import Piece, excerpt, word_diff

if TYPE_CHECKING:
    from waform.plan import FieldChange

#: Values longer than this are cut in the middle (a 1,024-character body stays readable).
MAX_VALUE_CHARS = 2_000
_BACKTICKS = re.compile(r"`+")
#: Characters that mean something inline in GitHub Markdown: emphasis, links, HTML, entities,
#: tables and math (``$``).
_MARKDOWN_INLINE = re.compile(r"([\\`*_~\[\]<>&|$])")
#: GitHub links ``@name`` and ``#123`` in rendered text whatever the escaping: an invisible
#: zero-width space after the sign keeps a template's "@shop" from pinging a user.
_REFERENCE = re.compile(r"([@#])")
#: Words of unchanged text shown on each side of a changed one.
TEXT_CONTEXT = 4


def show_value(value: Any, *, limit: int = MAX_VALUE_CHARS) -> str:
    """``"text"`` / ``5`` / ``{"a": 1}`` on one line; newlines stay escaped as ``\\n``."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > limit:
        half = limit // 2
        text = f"{text[:half]} … {text[-half:]}"
    return text


def text_edit(change: FieldChange) -> list[Piece] | None:
    """A changed text field (``…text``: body, header, footer, button label) as its word diff,
    only the changed words with a little context; ``None`` for any other change."""
    if change.op != "change":
        return None
    return text_words_between(change.path, change.old, change.new)


def text_words_between(path: str, old: Any, new: Any) -> list[Piece] | None:
    """The word diff of ``old`` → ``new`` when ``path`` is a text field and both are texts (a
    plan's change, or drift's git → target); ``None`` otherwise."""
    if not (path == "text" or path.endswith(".text")):
        return None
    if not isinstance(old, str) or not isinstance(new, str):
        return None
    return excerpt(word_diff(old, new), TEXT_CONTEXT)


def drift_value(value: Any) -> str:
    """A short one-line rendering of a drift finding's field value (``(absent)`` for none)."""
    if value is None:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text if len(text) <= 200 else text[:197] + "…"


def markdown_text(text: str | None, *, empty: str = "—", newline: str = " ") -> str:
    """Text safe in a Markdown table cell (and in an issue body): no pipes, HTML or newlines."""
    if not text:
        return empty
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", newline)
    )


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """``text`` as an inline code span that reads exactly as written once rendered.

    Nothing inside a code span is interpreted — no HTML, no entities, no emphasis — so nothing
    is HTML-escaped (``&amp;`` would show as such). The fence is one backtick longer than any
    run inside, padded with a space when the text starts or ends with a backtick or a space.
    In a GFM table a pipe still ends the cell, even in code, so it is escaped there (GitHub
    shows it without the backslash).
    """
    if not text:
        return "—"
    body = text.replace("\r", " ").replace("\n", " ")
    if in_table:
        body = body.replace("|", "\\|")
    fence = backtick_fence(body)
    pad = " " if body[0] in "` " or body[-1] in "` " else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def backtick_fence(text: str, *, minimum: int = 1) -> str:
    """A run of backticks longer than any in ``text`` (at least ``minimum``): a safe fence."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(minimum, longest + 1)


# ---------------------------------------------------------------- word changes (text_edit)


def text_words(pieces: list[Piece], color: bool) -> str:
    """A text change as one quoted string: ``[-removed-]{+added+}`` (red struck / green when
    coloured), the unchanged words around them, ``…`` for what was left out."""
    out = []
    for piece in pieces:
        shown = json.dumps(piece.text, ensure_ascii=False)[1:-1] if piece.op != "skip" else "…"
        if piece.op == "delete":
            shown = click.style(shown, fg="red", strikethrough=True) if color else f"[-{shown}-]"
        elif piece.op == "insert":
            shown = click.style(shown, fg="green", bold=True) if color else f"{{+{shown}+}}"
        out.append(shown)
    return '"' + "".join(out) + '"'


def markdown_words(pieces: list[Piece]) -> str:
    """A text change as Markdown: ``… unchanged <del>removed</del> <b>added</b> unchanged …``."""
    out = []
    for i, piece in enumerate(pieces):
        if piece.op == "delete":
            out.append(_marked(piece.text, "del"))
            if i + 1 < len(pieces) and pieces[i + 1].op == "insert":
                out.append(" ")
        elif piece.op == "insert":
            out.append(_marked(piece.text, "b"))
        else:
            out.append(markdown_inline(piece.text) if piece.op == "equal" else "…")
    return "".join(out)


def _marked(text: str, tag: str) -> str:
    """``<del>old</del>`` / ``<b>new</b>``: HTML tags, because GitHub's ``~~``/``**`` do not
    apply next to punctuation (``**<b>**store``). A change of spaces alone shows as ``␣``."""
    shown = markdown_inline(text)
    core = shown.strip()
    lead, trail = shown[: len(shown) - len(shown.lstrip())], shown[len(shown.rstrip()) :]
    return f"{lead}<{tag}>{core or '␣' * len(shown)}</{tag}>{trail if core else ''}"


def markdown_inline(text: str) -> str:
    """``text`` as literal Markdown inline text on one line (newlines shown as ``\\n``), with
    no @mention or issue reference."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text).replace("\r", "\\r").replace("\n", "\\n")
    return _REFERENCE.sub("\\1\u200b", escaped)
