"""Rules on the template's name, language, header, body and footer (N7, L2, H*, B*, F*)."""

from __future__ import annotations

from collections.abc import Iterator

from waform.model.components import LocationHeader, TextHeader
from waform.model.enums import SINCH_LANGUAGE_SET
from waform.rules.context import Hit, KeyLoc, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import (
    AUTHENTICATION,
    BODY,
    FOOTER,
    LOCATION_HEADER,
    MARKETING,
    OFFER,
    TEXT,
    TEXT_HEADER,
    UTILITY,
)
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
def not_the_sample_name(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.name == "test":
        yield (
            ("name",),
            (
                "rename the template: WhatsApp Manager keeps the name `test` for its sample "
                "(body `Hello {{1}}`)"
            ),
        )


@check("WA-L2")
def language_in_sinch_enum(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.language not in SINCH_LANGUAGE_SET:
        yield (
            KeyLoc(("languages", ctx.language)),
            (
                f"Meta supports {ctx.language} but Sinch's language enum does not list it: "
                "Sinch may refuse it (use a listed code such as EN or EN_GB if it does)"
            ),
        )


@check("WA-H1", needs=(BODY,))
def body_has_text(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.is_auth and ctx.body and ctx.body[1].text is None:
        yield (
            ctx.at(ctx.body[0]),
            (
                f"add `text` to the BODY: only AUTHENTICATION bodies are preset ({ctx.category} "
                "templates need their own text)"
            ),
        )


@check("WA-H3", needs=(TEXT_HEADER,))
def header_one_variable(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.texts:
        if site.kind == "header":
            found = len(site.scan.numbers) + len(site.scan.named)
            if found > 1:
                yield site.loc, (f"the header has {found} variables: keep at most one ({{{{1}}}})")


def _text_header(ctx: TemplateContext) -> tuple[int, TextHeader] | None:
    if ctx.header and isinstance(ctx.header[1], TextHeader):
        return ctx.header  # type: ignore[return-value]
    return None


@check("WA-H4", needs=(TEXT_HEADER,))
def header_without_markup(ctx: TemplateContext) -> Iterator[Hit]:
    found = _text_header(ctx)
    if found:
        char = markup_char(found[1].text)
        if char:
            yield (
                ctx.at(found[0], "text"),
                f"remove the formatting character {char!r} from the header text",
            )


@check("WA-H8", needs=(TEXT_HEADER,))
def header_single_line_no_emoji(ctx: TemplateContext) -> Iterator[Hit]:
    found = _text_header(ctx)
    if not found:
        return
    problems = []
    if "\n" in found[1].text:
        problems.append("the line break")
    if has_emoji(found[1].text):
        problems.append("emoji")
    if problems:
        yield ctx.at(found[0], "text"), f"remove {' and '.join(problems)} from the header text"


@check("WA-H7", needs=(LOCATION_HEADER, AUTHENTICATION))
def location_header_category(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.header and isinstance(ctx.header[1], LocationHeader) and ctx.is_auth:
        yield (
            ctx.at(ctx.header[0], "format"),
            ("remove the LOCATION header: it is only allowed in UTILITY and MARKETING templates"),
        )


@check("WA-B1", needs=(OFFER, BODY))
def offer_body_length(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.offer and ctx.body and len(ctx.body_text) > OFFER_BODY_LIMIT:
        yield (
            ctx.at(ctx.body[0], "text"),
            (
                f"shorten the body to {OFFER_BODY_LIMIT} characters (it has {len(ctx.body_text)}): "
                "that is the limit in limited-time offer templates"
            ),
        )


@check("WA-B2", needs=(BODY, MARKETING | UTILITY))
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


@check("WA-B3", needs=(TEXT,))
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


@check("WA-F2", needs=(FOOTER,))
def footer_variables(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.footer and ctx.footer[1].text and not ctx.is_auth:
        if scan(ctx.footer[1].text).any:
            yield (
                ctx.at(ctx.footer[0], "text"),
                ("remove the variable from the footer: footers are fixed text"),
            )


@check("WA-F3", needs=(FOOTER,))
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
