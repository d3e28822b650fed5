"""Rules on the template's name, header, body and footer (N7, H*, B*, F*)."""

from __future__ import annotations

from collections.abc import Iterator

from waform.model.components import LocationHeader, TextHeader
from waform.rules.context import Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.text import (
    emoji_count,
    has_emoji,
    markup_char,
    scan,
    too_many_line_breaks,
)

#: Body emoji limits per category (WhatsApp Manager).
EMOJI_LIMITS = {"MARKETING": 10, "UTILITY": 6}
OFFER_BODY_LIMIT = 600


@check("WA-N7")
def test_template_body(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.name == "test" and ctx.body and ctx.body_text != "Hello {{1}}":
        index = ctx.body[0]
        yield (
            ctx.at(index, "text"),
            (
                "a template named `test` must have the body `Hello {{1}}`: rename the template or "
                "use that body"
            ),
        )


@check("WA-H1")
def body_has_text(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.is_auth and ctx.body and ctx.body[1].text is None:
        yield (
            ctx.at(ctx.body[0]),
            (
                f"add `text` to the BODY: only AUTHENTICATION bodies are preset ({ctx.category} "
                "templates need their own text)"
            ),
        )


@check("WA-H3")
def header_one_variable(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.kind == "header":
            found = len(site.scan.numbers) + len(site.scan.named)
            if found > 1:
                yield site.loc, (f"the header has {found} variables: keep at most one ({{{{1}}}})")


@check("WA-H4")
def header_plain_text(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.header or not isinstance(ctx.header[1], TextHeader):
        return
    index, header = ctx.header
    problems = []
    char = markup_char(header.text)
    if char:
        problems.append(f"the formatting character {char!r}")
    if "\n" in header.text:
        problems.append("a line break")
    if has_emoji(header.text):
        problems.append("emoji")
    if problems:
        yield ctx.at(index, "text"), f"remove {' and '.join(problems)} from the header text"


@check("WA-H7")
def location_header_category(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.header and isinstance(ctx.header[1], LocationHeader) and ctx.is_auth:
        yield (
            ctx.at(ctx.header[0], "format"),
            ("remove the LOCATION header: it is only allowed in UTILITY and MARKETING templates"),
        )


@check("WA-B1")
def offer_body_length(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.offer and ctx.body and len(ctx.body_text) > OFFER_BODY_LIMIT:
        yield (
            ctx.at(ctx.body[0], "text"),
            (
                f"shorten the body to {OFFER_BODY_LIMIT} characters (it has {len(ctx.body_text)}): "
                "that is the limit in limited-time offer templates"
            ),
        )


@check("WA-B2")
def body_emoji(ctx: TemplateContext) -> Iterator[Hit]:
    limit = EMOJI_LIMITS.get(ctx.category)
    if limit is None or not ctx.body:
        return
    count = emoji_count(ctx.body_text)
    if count > limit:
        yield (
            ctx.at(ctx.body[0], "text"),
            (f"use at most {limit} emoji in a {ctx.category} body (it has {count})"),
        )


@check("WA-B3")
def body_line_breaks(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.kind != "header" and too_many_line_breaks(site.text):
            yield (
                site.loc,
                (
                    f"the {site.kind} has more than two line breaks in a row: keep at most one blank "
                    "line between paragraphs"
                ),
            )


@check("WA-F2")
def footer_variables(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.footer and ctx.footer[1].text and not ctx.is_auth:
        if scan(ctx.footer[1].text).any:
            yield (
                ctx.at(ctx.footer[0], "text"),
                ("remove the variable from the footer: footers are fixed text"),
            )


@check("WA-F3")
def footer_plain_text(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.footer or not ctx.footer[1].text or ctx.is_auth:
        return
    text = ctx.footer[1].text
    problems = []
    if "\n" in text:
        problems.append("the line break")
    if has_emoji(text):
        problems.append("emoji")
    if problems:
        yield ctx.at(ctx.footer[0], "text"), f"remove {' and '.join(problems)} from the footer"
