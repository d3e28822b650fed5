"""What a rule sees: one template-language, its components sorted out in a single pass.

Checks are pure functions ``check(ctx) -> Iterable[(loc, message)]``. ``loc`` is a pydantic-style
path from the file's root (``("languages", "EN_US", "details", "components", 1, "text")``) that the
loader turns into ``path:line:col``; the engine adds the rule id and severity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from waform.model.components import (
    Body,
    Buttons,
    Carousel,
    Footer,
    LimitedTimeOffer,
    LocationHeader,
    MediaHeader,
    TextHeader,
    TemplateDetails,
)
from waform.rules.text import Scan, scan

Loc = tuple[str | int, ...]
Hit = tuple[Loc, str]


class KeyLoc(tuple):
    """A :data:`Loc` whose finding belongs on the mapping *key* (``en_US:``), not its value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class TextSite:
    """A text that may hold variables, with the examples that go with it."""

    kind: str  # "header" | "body" | "card body"
    loc: Loc  # of the text
    owner: Loc  # of the component holding it
    text: str
    scan: Scan
    examples: tuple[str, ...] | None
    examples_loc: Loc


@dataclass(frozen=True, slots=True)
class ButtonSite:
    """A button of the template (``card`` is the carousel card index, else ``None``)."""

    loc: Loc
    button: Any
    card: int | None = None


class TemplateContext:
    """One (name, language) of a file. Cheap to build; derived views are cached."""

    __slots__ = (
        "name", "category", "language", "details", "base",
        "header", "body", "footer", "buttons", "carousel", "offer", "__dict__",
    )  # fmt: skip

    def __init__(self, name: str, category: str, language: str, details: TemplateDetails) -> None:
        self.name = name
        self.category = category
        self.language = language
        self.details = details
        self.base: Loc = ("languages", language, "details")
        self.header: tuple[int, TextHeader | MediaHeader | LocationHeader] | None = None
        self.body: tuple[int, Body] | None = None
        self.footer: tuple[int, Footer] | None = None
        self.buttons: tuple[int, Buttons] | None = None
        self.carousel: tuple[int, Carousel] | None = None
        self.offer: tuple[int, LimitedTimeOffer] | None = None
        for index, component in enumerate(details.components):
            kind = component.type
            if kind == "HEADER":
                self.header = (index, component)
            elif kind == "BODY":
                self.body = (index, component)
            elif kind == "FOOTER":
                self.footer = (index, component)
            elif kind == "BUTTONS":
                self.buttons = (index, component)
            elif kind == "CAROUSEL":
                self.carousel = (index, component)
            elif kind == "LIMITED_TIME_OFFER":
                self.offer = (index, component)

    def at(self, index: int, *rest: str | int) -> Loc:
        """Location of component ``index`` (or a field inside it)."""
        return (*self.base, "components", index, *rest)

    @property
    def components_loc(self) -> Loc:
        return (*self.base, "components")

    @property
    def is_auth(self) -> bool:
        return self.category == "AUTHENTICATION"

    @cached_property
    def body_text(self) -> str:
        return (self.body[1].text or "") if self.body else ""

    @cached_property
    def texts(self) -> tuple[TextSite, ...]:
        """Header text, body text and carousel card bodies, scanned once."""
        sites: list[TextSite] = []
        if self.header and isinstance(self.header[1], TextHeader):
            index, header = self.header
            sites.append(
                TextSite(
                    "header", self.at(index, "text"), self.at(index), header.text,
                    scan(header.text),
                    None if header.example is None else (header.example,),
                    self.at(index, "example"),
                )
            )  # fmt: skip
        if self.body and self.body[1].text is not None:
            index, body = self.body
            sites.append(
                TextSite(
                    "body", self.at(index, "text"), self.at(index), body.text, scan(body.text),
                    None if body.examples is None else tuple(body.examples),
                    self.at(index, "examples"),
                )
            )  # fmt: skip
        for card_loc, component_index, body in self.card_bodies:
            owner = (*card_loc, "components", component_index)
            sites.append(
                TextSite(
                    "card body", (*owner, "text"), owner, body.text, scan(body.text),
                    None if body.examples is None else tuple(body.examples), (*owner, "examples"),
                )
            )  # fmt: skip
        return tuple(sites)

    @cached_property
    def cards(self) -> tuple[tuple[Loc, Any], ...]:
        if not self.carousel:
            return ()
        index, carousel = self.carousel
        return tuple((self.at(index, "cards", k), card) for k, card in enumerate(carousel.cards))

    @cached_property
    def card_bodies(self) -> tuple[tuple[Loc, int, Any], ...]:
        out = []
        for card_loc, card in self.cards:
            for j, component in enumerate(card.components):
                if component.type == "BODY":
                    out.append((card_loc, j, component))
        return tuple(out)

    @cached_property
    def all_buttons(self) -> tuple[ButtonSite, ...]:
        """Template buttons and carousel card buttons."""
        out: list[ButtonSite] = []
        if self.buttons:
            index, component = self.buttons
            out.extend(
                ButtonSite(self.at(index, "buttons", j), button)
                for j, button in enumerate(component.buttons)
            )
        for k, (card_loc, card) in enumerate(self.cards):
            for j, component in enumerate(card.components):
                if component.type == "BUTTONS":
                    out.extend(
                        ButtonSite((*card_loc, "components", j, "buttons", b), button, k)
                        for b, button in enumerate(component.buttons)
                    )
        return tuple(out)

    def template_buttons(self) -> Iterator[ButtonSite]:
        """Buttons of the top-level BUTTONS component only."""
        return (site for site in self.all_buttons if site.card is None)
