"""Rules that compare templates with each other across all files of a run (LC8).

(WA-N3, a (name, language) defined twice, is the loader's: such files do not load.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from waform.rules.context import Loc, TemplateContext
from waform.rules.registry import check


@dataclass(slots=True)  # not frozen: one per template-language, built at a third of the cost
class Entry:
    """One template-language and the file it came from."""

    file: int
    path: str
    ctx: TemplateContext


CrossHit = tuple[int, Loc, str]
"""``(index into entries, loc, message)``."""


def content_key(body: str | None, footer: str | None) -> tuple[str, str]:
    """Body + footer wording, whitespace-insensitive: what Meta compares for duplicates."""
    return (" ".join((body or "").split()), " ".join((footer or "").split()))


@check("WA-LC8")
def no_duplicate_content(entries: Sequence[Entry]) -> Iterator[CrossHit]:
    owner: dict[tuple[str, str], Entry] = {}
    for index, entry in enumerate(entries):
        ctx = entry.ctx
        if ctx.is_auth or not ctx.body or not ctx.body_text:
            continue
        footer = ctx.footer[1].text if ctx.footer else None
        key = content_key(ctx.body_text, footer)
        other = owner.setdefault(key, entry)
        if other.ctx.name != ctx.name:
            yield (
                index,
                ctx.at(ctx.body[0], "text"),
                (
                    f"reword the body or footer: template {other.ctx.name} ({other.path}) has the "
                    "same text, and Meta rejects duplicate content"
                ),
            )
