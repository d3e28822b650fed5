"""Word-level differences between two texts: the one comparison behind every "what changed in
this text" view — the plan's text and Markdown outputs and the preview page's highlights.

A text is split into tokens that join back to it exactly: a word or ``{{n}}`` variable with the
WhatsApp formatting markers around it (so ``order`` → ``*order*`` is a changed word), runs of
whitespace, and single marks. :func:`word_diff` compares the token lists; :func:`excerpt` keeps
a few words of context around each change so a long body shows only what moved.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

TOKEN = re.compile(r"[*_~`]*(?:\{\{[^{}]*\}\}|\w+)[*_~`]*|\s+|[^\w\s]")
#: Beyond this many token pairs the comparison is not attempted (SequenceMatcher is quadratic):
#: the whole text counts as replaced. Template texts (≤ 1,024 characters) are far below it.
MAX_PAIRS = 4_000_000
_WORDLIKE = re.compile(r"\w")

PieceOp = Literal["equal", "delete", "insert", "skip"]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of tokens that both texts share (``equal``), only the old one has (``delete``) or
    only the new one has (``insert``); ``skip`` stands for context left out by :func:`excerpt`."""

    op: PieceOp
    text: str


def tokens(text: str) -> list[str]:
    """``text`` as tokens; ``"".join(tokens(text)) == text``."""
    return TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """``old`` → ``new`` as pieces in reading order (a replacement: its delete, then its insert).

    Joining the ``equal`` and ``delete`` pieces gives ``old``; ``equal`` and ``insert``, ``new``.
    Whitespace alone between two changes joins them (``[-a b-]{+x y+}``, not ``[-a-]{+x+} …``).
    """
    a, b = tokens(old), tokens(new)
    if len(a) * len(b) > MAX_PAIRS:
        return [p for p in (Piece("delete", old), Piece("insert", new)) if p.text]
    runs: list[tuple[PieceOp, list[str], list[str]]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        runs.append(("equal" if op == "equal" else "delete", a[i1:i2], b[j1:j2]))
    return _pieces(_join_changes(runs))


def _join_changes(
    runs: list[tuple[PieceOp, list[str], list[str]]],
) -> list[tuple[PieceOp, list[str], list[str]]]:
    """Merge changes separated only by whitespace (the whitespace counts as changed)."""
    out: list[tuple[PieceOp, list[str], list[str]]] = []
    for i, run in enumerate(runs):
        between = 0 < i < len(runs) - 1 and run[0] == "equal" and "".join(run[1]).isspace()
        kind: PieceOp = "delete" if between else run[0]
        if out and kind == "delete" and out[-1][0] == "delete":
            out[-1] = ("delete", out[-1][1] + run[1], out[-1][2] + run[2])
        else:
            out.append((kind, list(run[1]), list(run[2])))
    return out


def _pieces(runs: list[tuple[PieceOp, list[str], list[str]]]) -> list[Piece]:
    pieces: list[Piece] = []
    for kind, old, new in runs:
        if kind == "equal":
            pieces.append(Piece("equal", "".join(old)))
            continue
        if old:
            pieces.append(Piece("delete", "".join(old)))
        if new:
            pieces.append(Piece("insert", "".join(new)))
    return pieces


def _word_positions(toks: list[str]) -> list[int]:
    return [i for i, tok in enumerate(toks) if _WORDLIKE.search(tok)]


def excerpt(pieces: list[Piece], context: int = 4) -> list[Piece]:
    """``pieces`` with only ``context`` words of unchanged text kept on each side of a change;
    each cut is a ``skip`` piece. A text without changes is returned whole."""
    if all(p.op == "equal" for p in pieces):
        return list(pieces)
    out: list[Piece] = []
    for i, piece in enumerate(pieces):
        toks = tokens(piece.text) if piece.op == "equal" else []
        words = _word_positions(toks)
        head = context if i > 0 else 0  # words kept after the change before it
        tail = context if i < len(pieces) - 1 else 0  # and before the change after it
        if piece.op != "equal" or len(words) <= head + tail + 2:  # cut only what saves room
            out.append(piece)
            continue
        # Keep the space right after the head and right before the tail: "arrive … by".
        cut = words[head - 1] + 1 if head else 0
        cut += cut < len(toks) and toks[cut].isspace() if head else 0
        resume = words[len(words) - tail] if tail else len(toks)
        resume -= resume > 0 and toks[resume - 1].isspace() if tail else 0
        if cut:
            out.append(Piece("equal", "".join(toks[:cut])))
        out.append(Piece("skip", "…"))
        if resume < len(toks):
            out.append(Piece("equal", "".join(toks[resume:])))
    return out


def changed_mask(text: str, other: str | None) -> list[bool]:
    """Per character of ``text``: is it part of a word that differs from ``other``?

    ``other is None`` means there is nothing to compare with (not a diff view): nothing is
    marked. An empty ``other`` (the text is new) marks everything.
    """
    if other is None or other == text:
        return [False] * len(text)
    mask: list[bool] = []
    for piece in word_diff(other, text):
        if piece.op != "delete":
            mask.extend([piece.op == "insert"] * len(piece.text))
    return mask
