"""A template text as WhatsApp shows it: variables filled in, formatting parsed, changes marked.

The result is a tree of plain values (:class:`Line` of :class:`Text`, :class:`Var` and
:class:`Styled` nodes) that the page's Jinja2 macros turn into HTML with autoescape on, so no
piece of template text is ever written into the page unescaped.

WhatsApp's formatting: ``*bold*``, ``_italic_``, ``~strike~``, ```` ```mono``` ````,
`` `inline code` ``, and at the start of a line ``* ``/``- `` (bullet), ``1. `` (numbered
list) and ``> `` (quote). A marker opens only before a non-space and after a space, punctuation
or the line start, and closes only after a non-space: ``2*3*4`` stays as written. Variables
are replaced before formatting applies (WhatsApp formats the sent text), so ``*{{1}}*`` shows the
example in bold; a variable is one unit, its example is never parsed for markers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from waform.worddiff import changed_mask

#: A positional variable; anything else in braces is left as written (the rules report it).
VARIABLE = re.compile(r"\{\{([1-9][0-9]*)\}\}")
_STYLES = {"*": "bold", "_": "italic", "~": "strike", "`": "code"}
_NUMBERED = re.compile(r"(\d{1,3})\. ")

Style = Literal["bold", "italic", "strike", "code", "mono"]


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    changed: bool = False
    kind: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class Var:
    """A variable shown as its example (``value``), or as written when it has none."""

    raw: str
    value: str | None
    changed: bool = False
    kind: Literal["var"] = "var"


@dataclass(frozen=True, slots=True)
class Styled:
    style: Style
    children: tuple[Text | Var | Styled, ...]
    kind: Literal["styled"] = "styled"


Node = Text | Var | Styled


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text: a paragraph line, a list item or a quote (``marker``: ``•``, ``2.``)."""

    nodes: tuple[Node, ...]
    kind: Literal["line", "bullet", "number", "quote"] = "line"
    marker: str = ""


@dataclass(frozen=True, slots=True)
class _Atom:
    """One character of template text, or one whole variable (``var`` set)."""

    char: str
    changed: bool
    var: Var | None = None

    @property
    def space(self) -> bool:
        return self.var is None and self.char.isspace()

    @property
    def word(self) -> bool:
        return self.var is not None or self.char.isalnum()


@dataclass(frozen=True, slots=True)
class RichText:
    """A whole text ready for the page; ``raw`` is the text as written (for counts)."""

    raw: str
    lines: tuple[Line, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return any(_has_change(node) for line in self.lines for node in line.nodes)


def _has_change(node: Node) -> bool:
    if isinstance(node, Styled):
        return any(_has_change(child) for child in node.children)
    return node.changed


def rich_text(
    text: str | None,
    examples: Sequence[str] | None = None,
    *,
    against: str | None = None,
    inline: bool = False,
) -> RichText | None:
    """``text`` as lines of nodes; ``{{n}}`` → ``examples[n-1]``; words differing from
    ``against`` marked. ``inline``: no line-level markup (button labels, footers)."""
    if text is None:
        return None
    atoms = _atoms(text, examples or (), changed_mask(text, against))
    lines: list[Line] = []
    start = 0
    for index in [*(i for i, a in enumerate(atoms) if a.var is None and a.char == "\n"), None]:
        end = len(atoms) if index is None else index
        lines.append(_line(atoms[start:end], inline=inline))
        start = end + 1
    return RichText(text, tuple(lines))


def _atoms(text: str, examples: Sequence[str], mask: list[bool]) -> list[_Atom]:
    atoms: list[_Atom] = []
    position = 0
    for match in VARIABLE.finditer(text):
        start, end = match.span()
        atoms.extend(_Atom(ch, mask[position + i]) for i, ch in enumerate(text[position:start]))
        number = int(match.group(1))
        value = examples[number - 1] if number <= len(examples) else None
        changed = any(mask[start:end])
        atoms.append(_Atom("", changed, Var(match.group(0), value, changed)))
        position = end
    atoms.extend(_Atom(ch, mask[position + i]) for i, ch in enumerate(text[position:]))
    return atoms


def _line(atoms: list[_Atom], *, inline: bool) -> Line:
    if inline:
        return Line(tuple(_inline(atoms, 0, len(atoms))))
    prefix = "".join(a.char if a.var is None else "\0" for a in atoms[:6])
    if prefix.startswith(("* ", "- ")):
        return Line(tuple(_inline(atoms, 2, len(atoms))), "bullet", "•")
    if prefix.startswith("> "):
        return Line(tuple(_inline(atoms, 2, len(atoms))), "quote")
    numbered = _NUMBERED.match(prefix)
    if numbered:
        skip = numbered.end()
        return Line(tuple(_inline(atoms, skip, len(atoms))), "number", f"{numbered.group(1)}.")
    return Line(tuple(_inline(atoms, 0, len(atoms))))


def _opens(atoms: list[_Atom], i: int) -> bool:
    before = atoms[i - 1] if i > 0 else None
    after = atoms[i + 1] if i + 1 < len(atoms) else None
    return (before is None or not before.word) and after is not None and not after.space


def _closes(atoms: list[_Atom], j: int, marker: str) -> bool:
    atom = atoms[j]
    if atom.var is not None or atom.char != marker or atoms[j - 1].space:
        return False
    after = atoms[j + 1] if j + 1 < len(atoms) else None
    return after is None or not after.word


def _inline(atoms: list[_Atom], start: int, end: int) -> list[Node]:
    """Nodes for ``atoms[start:end]`` (markers look at their neighbours in the whole line)."""
    nodes: list[Node] = []
    plain: list[_Atom] = []
    i = start
    while i < end:
        atom = atoms[i]
        if atom.var is None and _run(atoms, i, end, "```"):
            close = _find(atoms, i + 3, end, "```")
            if close is not None and close > i + 3:
                nodes.extend(_plain(plain))
                plain = []
                nodes.append(Styled("mono", tuple(_plain(atoms[i + 3 : close]))))
                i = close + 3
                continue
        marker = atom.char if atom.var is None else ""
        if marker in _STYLES and _opens(atoms, i):
            close = next((j for j in range(i + 2, end) if _closes(atoms, j, marker)), None)
            if close is not None:
                nodes.extend(_plain(plain))
                plain = []
                inner = (
                    _plain(atoms[i + 1 : close]) if marker == "`" else _inline(atoms, i + 1, close)
                )
                nodes.append(Styled(_STYLES[marker], tuple(inner)))  # type: ignore[arg-type]
                i = close + 1
                continue
        plain.append(atom)
        i += 1
    nodes.extend(_plain(plain))
    return nodes


def _run(atoms: list[_Atom], i: int, end: int, chars: str) -> bool:
    return i + len(chars) <= end and all(
        atoms[i + k].var is None and atoms[i + k].char == ch for k, ch in enumerate(chars)
    )


def _find(atoms: list[_Atom], start: int, end: int, chars: str) -> int | None:
    return next((j for j in range(start, end) if _run(atoms, j, end, chars)), None)


def _plain(atoms: Sequence[_Atom]) -> list[Node]:
    """Characters merged into :class:`Text` runs of equal ``changed``; variables as they are."""
    nodes: list[Node] = []
    run: list[str] = []
    run_changed = False
    for atom in atoms:
        if atom.var is not None or (run and atom.changed != run_changed):
            if run:
                nodes.append(Text("".join(run), run_changed))
                run = []
        if atom.var is not None:
            nodes.append(atom.var)
            continue
        run_changed = atom.changed if not run else run_changed
        run.append(atom.char)
    if run:
        nodes.append(Text("".join(run), run_changed))
    return nodes
