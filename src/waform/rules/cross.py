"""Rules that compare templates with each other across all files of a run (LC8).

(WA-N3, a (name, language) defined twice, is the loader's: such files do not load.)

What they compare of each file is sorted out where the file is checked (:func:`wordings`, in
the process that loads it, a helper process too), so the process that gathers every file only
compares: that part runs while nothing else can (the fetch waits for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from waform.rules.context import Loc, TemplateContext
from waform.rules.registry import check

Wording = tuple[str, Loc, tuple[str, str]]
"""What WA-LC8 compares of one template-language: ``(language, location of its body text,
its body and footer wording as Meta compares them)`` (:func:`content_key`)."""


@dataclass(slots=True)
class Across:
    """What the rules across files see of one file: its template's name and :func:`wordings`."""

    path: str
    name: str
    wordings: Sequence[Wording]


CrossHit = tuple[int, str, Loc, str]
"""``(index of the file, language, loc, message)``."""


def content_key(body: str | None, footer: str | None) -> tuple[str, str]:
    """Body + footer wording, whitespace-insensitive: what Meta compares for duplicates."""
    return (" ".join((body or "").split()), " ".join((footer or "").split()))


def wordings(contexts: Iterable[TemplateContext]) -> list[Wording]:
    """The wording of each of one file's template-languages WA-LC8 compares: those with a body
    text, not AUTHENTICATION (whose body Meta writes)."""
    found: list[Wording] = []
    for ctx in contexts:
        if ctx.is_auth or not ctx.body or not ctx.body_text:
            continue
        footer = ctx.footer[1].text if ctx.footer else None
        key = content_key(ctx.body_text, footer)
        found.append((ctx.language, ctx.at(ctx.body[0], "text"), key))
    return found


@check("WA-LC8")
def no_duplicate_content(files: Sequence[Across]) -> Iterator[CrossHit]:
    owner: dict[tuple[str, str], int] = {}  # wording → the file it was first seen in
    for index, file in enumerate(files):
        for language, loc, key in file.wordings:
            other = files[owner.setdefault(key, index)]
            if other.name != file.name:
                yield (
                    index,
                    language,
                    loc,
                    (
                        f"reword the body or footer: template {other.name} ({other.path}) has the "
                        "same text, and Meta rejects duplicate content"
                    ),
                )
