"""Rules of the MARKETING-only formats: carousel (K*), limited-time offer and coupon (O*)."""

from __future__ import annotations

from collections.abc import Iterator

from waform.model.components import CopyCodeButton
from waform.rules.context import Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import CAROUSEL, COPY_CODE_BUTTON, OFFER
from waform.rules.text import COUPON_CODE

MIN_CARDS = 2
COUPON_MAX = 15


@check("WA-K1", needs=(CAROUSEL,))
def carousel_marketing(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.carousel:
        return
    index, carousel = ctx.carousel
    if ctx.category != "MARKETING":
        yield (
            ctx.at(index, "type"),
            (
                f"remove the CAROUSEL or make the template MARKETING: carousels are not allowed in "
                f"{ctx.category} templates"
            ),
        )
    if len(carousel.cards) < MIN_CARDS:
        yield (
            ctx.at(index, "cards"),
            (f"add cards: a carousel has {MIN_CARDS} to 10 cards (it has {len(carousel.cards)})"),
        )


@check("WA-K2", needs=(CAROUSEL,))
def carousel_card_parts(ctx: TemplateContext) -> Iterator[Hit]:
    shapes = ctx.card_shapes
    any_body = any("BODY" in shape for _, shape in shapes)
    for loc, shape in shapes:
        if "HEADER" not in shape:
            yield (*loc, "components"), "add a HEADER (IMAGE or VIDEO) to the card: cards need one"
        if any_body and "BODY" not in shape:
            yield (
                (*loc, "components"),
                ("add a BODY to the card: when one card has a body, every card needs one"),
            )


@check("WA-K3", needs=(CAROUSEL,))
def carousel_uniform(ctx: TemplateContext) -> Iterator[Hit]:
    shapes = ctx.card_shapes
    if len(shapes) < 2:
        return
    _, first = shapes[0]
    for k, (loc, shape) in enumerate(shapes[1:], start=2):
        if "HEADER" in first and "HEADER" in shape and first["HEADER"][1] != shape["HEADER"][1]:
            yield (
                (*loc, "components", shape["HEADER"][0], "format"),
                (
                    f"use header format {first['HEADER'][1]} as in card 1: all cards need the same "
                    f"components (card {k} has {shape['HEADER'][1]})"
                ),
            )
        want = first["BUTTONS"][1] if "BUTTONS" in first else ()
        have = shape["BUTTONS"][1] if "BUTTONS" in shape else ()
        if want != have:
            where = (
                (*loc, "components", shape["BUTTONS"][0])
                if "BUTTONS" in shape
                else (*loc, "components")
            )
            yield (
                where,
                (
                    f"give card {k} the same buttons as card 1 ({', '.join(want) or 'none'}; it has "
                    f"{', '.join(have) or 'none'})"
                ),
            )


@check("WA-O1", needs=(OFFER,))
def limited_time_offer(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.offer:
        return
    index, _ = ctx.offer
    if ctx.category != "MARKETING":
        yield (
            ctx.at(index, "type"),
            (
                f"remove the LIMITED_TIME_OFFER or make the template MARKETING: offers are not "
                f"allowed in {ctx.category} templates"
            ),
        )
    if ctx.footer:
        yield ctx.at(ctx.footer[0]), "remove the FOOTER: limited-time offers have no footer"
    if ctx.header and ctx.header[1].format not in ("IMAGE", "VIDEO"):
        yield (
            ctx.at(ctx.header[0], "format"),
            (
                f"use an IMAGE or VIDEO header (or none): limited-time offers take no "
                f"{ctx.header[1].format} header"
            ),
        )


@check("WA-O2", needs=(COPY_CODE_BUTTON,))
def coupon_code(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.top_buttons:
        button = site.button
        if isinstance(button, CopyCodeButton) and not COUPON_CODE.fullmatch(button.example):
            yield (
                (*site.loc, "example"),
                (f"use a code of at most {COUPON_MAX} letters and digits (got {button.example!r})"),
            )
