"""Rules on buttons: counts, grouping, labels, URLs and phone numbers (BT*)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any

from waform.model.components import OtpButton, PhoneNumberButton, UrlButton
from waform.rules.context import ButtonSite, Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import (
    ANY_BUTTON,
    BUTTONS,
    COPY_CODE_BUTTON,
    PHONE_BUTTON,
    QUICK_REPLY_BUTTON,
    THREE_BUTTONS,
    URL_BUTTON,
)
from waform.rules.text import (
    blocked_host,
    has_emoji,
    markup_char,
    scan,
    surely_plain,
    valid_phone,
    variable_in_host,
)

MAX_BUTTONS = 10
MAX_URL = 2000


@check("WA-BT1", needs=(THREE_BUTTONS,))
def button_total(ctx: TemplateContext) -> Iterator[Hit]:
    if ctx.buttons and len(ctx.buttons[1].buttons) > MAX_BUTTONS:
        total = len(ctx.buttons[1].buttons)
        yield (
            ctx.at(ctx.buttons[0], "buttons", MAX_BUTTONS),
            (
                f"remove {total - MAX_BUTTONS} button(s): a template has at most {MAX_BUTTONS} "
                f"(it has {total})"
            ),
        )


@check("WA-BT2", needs=(QUICK_REPLY_BUTTON, THREE_BUTTONS))
def quick_replies_grouped(ctx: TemplateContext) -> Iterator[Hit]:
    """Quick replies form one run (their count is bounded by WA-BT1's total of 10)."""
    if not ctx.buttons:
        return
    index, component = ctx.buttons
    groups = 0
    previous_qr = False
    for j, button in enumerate(component.buttons):
        is_qr = button.type == "QUICK_REPLY"
        if is_qr and not previous_qr:
            groups += 1
            if groups == 2:
                yield (
                    ctx.at(index, "buttons", j),
                    (
                        "move this quick reply next to the other quick replies: quick replies "
                        "must be one group, before or after the other buttons"
                    ),
                )
        previous_qr = is_qr


def _beyond_limit(ctx: TemplateContext, kind: str, limit: int) -> Iterator[Hit]:
    count = 0
    for site in ctx.top_buttons:
        if site.button.type == kind:
            count += 1
            if count == limit + 1:
                plural = "s" if limit > 1 else ""
                yield (
                    site.loc,
                    (
                        f"remove this {kind} button: a template has at most {limit} {kind} button{plural}"
                    ),
                )


@check("WA-BT3", needs=(URL_BUTTON, THREE_BUTTONS))
def at_most_two_url_buttons(ctx: TemplateContext) -> Iterator[Hit]:
    return _beyond_limit(ctx, "URL", 2)


@check("WA-BT5", needs=(COPY_CODE_BUTTON,))
def at_most_one_copy_code_button(ctx: TemplateContext) -> Iterator[Hit]:
    return _beyond_limit(ctx, "COPY_CODE", 1)


@check("WA-BT4", needs=(PHONE_BUTTON,))
def phone_buttons(ctx: TemplateContext) -> Iterator[Hit]:
    count = 0
    for site in ctx.all_buttons:
        button = site.button
        if not isinstance(button, PhoneNumberButton):
            continue
        if site.card is None:
            count += 1
            if count == 2:
                yield site.loc, "remove this PHONE_NUMBER button: a template has at most 1"
        if not valid_phone(button.phoneNumber):
            yield (
                (*site.loc, "phoneNumber"),
                (
                    f"write {button.phoneNumber!r} as an international number with country code, "
                    "e.g. +4930123456 (digits, optional +, spaces or dashes)"
                ),
            )


_LABEL_FIELDS: dict[type, tuple[str, ...]] = {}


def _label_fields_of(kind: type) -> tuple[str, ...]:
    fields = _LABEL_FIELDS.get(kind)
    if fields is None:
        declared = getattr(kind, "model_fields", {})
        fields = _LABEL_FIELDS[kind] = tuple(f for f in ("text", "autofillText") if f in declared)
    return fields


def label_fields(button: object) -> Iterator[tuple[str, str]]:
    """``(field, label)`` of a button: ``text``, and ``autofillText`` on OTP buttons."""
    for field in _label_fields_of(type(button)):
        value = getattr(button, field)
        if value:
            yield field, value


def label_text(button: Any) -> str | None:
    """The button's ``text`` label (``None`` when its type has none or it is left out)."""
    return button.text if "text" in _label_fields_of(type(button)) else None


@check("WA-BT8", needs=(ANY_BUTTON,))
def plain_labels(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        for field, label in label_fields(button):
            if surely_plain(label):
                continue
            problems = []
            if scan(label).any:
                problems.append("the variable")
            char = markup_char(label)
            if char:
                problems.append(f"the formatting character {char!r}")
            if "\n" in label:
                problems.append("the line break")
            if has_emoji(label) and not isinstance(button, OtpButton):
                problems.append("emoji")  # OTP buttons: WA-A4 (an error there)
            if problems:
                yield (*site.loc, field), f"remove {' and '.join(problems)} from the button label"


def _groups(ctx: TemplateContext) -> list[list[ButtonSite]]:
    """The buttons that must differ from each other: the template's, then each card's."""
    groups = [ctx.top_buttons] if ctx.top_buttons else []
    if ctx.carousel is not None:
        cards: dict[int, list[ButtonSite]] = {}
        for site in ctx.all_buttons:
            if site.card is not None:
                cards.setdefault(site.card, []).append(site)
        groups.extend(cards.values())
    return groups


@check("WA-BT9", needs=(ANY_BUTTON,))
def distinct_labels(ctx: TemplateContext) -> Iterator[Hit]:
    for group in _groups(ctx):
        seen: set[str] = set()
        for site in group:
            label = label_text(site.button)
            if not label:
                continue
            key = " ".join(label.casefold().split())
            if key in seen:
                yield (
                    (*site.loc, "text"),
                    f"give this button a label no other button has ({label!r})",
                )
            seen.add(key)


@check("WA-BT10", needs=(URL_BUTTON,))
def url_length(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        if not isinstance(button, UrlButton) or button.example is None:
            continue
        example = button.example
        full = example if "://" in example else button.url.replace("{{1}}", example)
        if len(full) > MAX_URL:
            yield (
                (*site.loc, "example"),
                (
                    f"shorten the URL: with the example filled in it has {len(full)} characters, the "
                    f"limit is {MAX_URL}"
                ),
            )


@check("WA-BT11", needs=(URL_BUTTON,))
def url_variable_at_end(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        if isinstance(button, UrlButton):
            message = url_variable_problem(button.url)
            if message is not None:
                yield (*site.loc, "url"), message


@functools.lru_cache(maxsize=4096)  # the same URLs recur across languages and cards
def url_variable_problem(url: str) -> str | None:
    """What is wrong with the variable of a URL button's ``url`` (``None``: nothing)."""
    found = scan(url)
    if not found.any:
        return None
    tokens = len(found.numbers) + len(found.named) + len(found.malformed)
    if tokens > 1:
        return f"use at most one variable in the URL (it has {tokens}), {{{{1}}}} at the end"
    if found.numbers != (1,):
        return "write the URL's variable as {{1}}"
    if not url.endswith("{{1}}"):
        return "move {{1}} to the very end of the URL"
    if variable_in_host(url):
        return "keep the domain fixed: the URL's variable may only follow a path or query"
    return None


def _blocked_urls(ctx: TemplateContext, kind: str) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        if isinstance(button, UrlButton) and blocked_host(button.url) == kind:
            yield (
                (*site.loc, "url"),
                f"link to your own domain: a {kind} is rejected in URL buttons",
            )


@check("WA-BT12", needs=(URL_BUTTON,))
def url_not_whatsapp(ctx: TemplateContext) -> Iterator[Hit]:
    return _blocked_urls(ctx, "WhatsApp link")


@check("WA-BT14", needs=(URL_BUTTON,))
def url_not_shortened(ctx: TemplateContext) -> Iterator[Hit]:
    return _blocked_urls(ctx, "URL shortener")


@check("WA-BT13", needs=(BUTTONS,))
def desktop_rendering(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.buttons:
        return
    index, component = ctx.buttons
    kinds = Counter(button.type for button in component.buttons)
    mixed = kinds.get("QUICK_REPLY", 0) and len(kinds) > 1
    if len(component.buttons) >= 4 or mixed:
        yield (
            ctx.at(index, "buttons"),
            (
                "WhatsApp desktop will not show these buttons (4 or more, or quick replies mixed with "
                "other types); use fewer or one kind if desktop users matter"
            ),
        )
