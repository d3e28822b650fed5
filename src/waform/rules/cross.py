"""Rules that compare templates with each other across all files of a run (LC8).

(WA-N3, a (name, language) defined twice, is the loader's: such files do not load.)

What they compare of each file is sorted out where the file is checked (:func:`wordings`, in
the process that loads it, a helper process too), so the process that gathers every file only
compares: that part runs while nothing else can (the fetch waits for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from waform.rules.context import Loc, TemplateContext, details_loc
from waform.rules.registry import check

if TYPE_CHECKING:
    from waform.rules.engine import LoadedFileLike

Wording = tuple[str, int, str]
"""What WA-LC8 compares of one template-language: ``(language, index of its body component,
its body and footer as Meta compares them)`` (:func:`content_key`)."""

CrossHit = tuple[int, str, Loc, str]
"""``(index of the file, language, loc, message)``."""


def content_key(body: str | None, footer: str | None) -> str:
    """Body + footer wording, whitespace-insensitive: what Meta compares for duplicates (one
    string: no line break is left in either)."""
    return f"{' '.join((body or '').split())}\n{' '.join((footer or '').split())}"


def wordings(contexts: Iterable[TemplateContext]) -> list[Wording]:
    """The wording of each of one file's template-languages WA-LC8 compares: those with a body
    text, not AUTHENTICATION (whose body Meta writes)."""
    found: list[Wording] = []
    for ctx in contexts:
        if ctx.is_auth or not ctx.body or not ctx.body_text:
            continue
        footer = ctx.footer[1].text if ctx.footer else None
        found.append((ctx.language, ctx.body[0], content_key(ctx.body_text, footer)))
    return found


@check("WA-LC8")
def no_duplicate_content(
    files: Sequence[LoadedFileLike], found: Sequence[Sequence[Wording]]
) -> Iterator[CrossHit]:
    """``found``: the wordings of each of ``files``."""
    owner: dict[str, int] = {}  # wording → the first file it is in
    for index, of_file in enumerate(found):
        for language, body, key in of_file:
            first = owner.setdefault(key, index)
            if first == index:  # the same file: the same template
                continue
            other = files[first]
            if other.template.name != files[index].template.name:
                yield (
                    index,
                    language,
                    (*details_loc(language), "components", body, "text"),
                    (
                        f"reword the body or footer: template {other.template.name} "
                        f"({other.path}) has the same text, and Meta rejects duplicate content"
                    ),
                )
