"""What a rule sees: one template-language, its components sorted out in a single pass.

Checks are pure functions ``check(ctx) -> Iterable[(loc, message)]``. ``loc`` is a pydantic-style
path from the file's root (``("languages", "EN_US", "details", "components", 1, "text")``) that the
loader turns into ``path:line:col``; the engine adds the rule id and severity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from waform.model.components import (
    Body,
    Buttons,
    Carousel,
    Footer,
    LimitedTimeOffer,
    LocationHeader,
    MediaHeader,
    TemplateDetails,
    TextHeader,
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
    """One (name, language) of a file, sorted out in a single pass over its components.

    Everything the checks share (texts with their variables, all buttons, carousel card shapes)
    is computed here once, so each check is a short loop over ready-made lists.
    """

    __slots__ = (
        "name", "category", "language", "details", "base", "is_auth",
        "header", "body", "footer", "buttons", "carousel", "offer",
        "body_text", "_texts", "_all_buttons", "_cards", "_card_shapes", "_collected",
    )  # fmt: skip

    def __init__(self, name: str, category: str, language: str, details: TemplateDetails) -> None:
        self.name = name
        self.category = category
        self.language = language
        self.details = details
        self.is_auth = category == "AUTHENTICATION"
        self.base: Loc = ("languages", language, "details")
        self.header: tuple[int, TextHeader | MediaHeader | LocationHeader] | None = None
        self.body: tuple[int, Body] | None = None
        self.footer: tuple[int, Footer] | None = None
        self.buttons: tuple[int, Buttons] | None = None
        self.carousel: tuple[int, Carousel] | None = None
        self.offer: tuple[int, LimitedTimeOffer] | None = None
        for index, component in enumerate(details.components):
            if isinstance(component, TextHeader | MediaHeader | LocationHeader):
                self.header = (index, component)
            elif isinstance(component, Body):
                self.body = (index, component)
            elif isinstance(component, Footer):
                self.footer = (index, component)
            elif isinstance(component, Buttons):
                self.buttons = (index, component)
            elif isinstance(component, Carousel):
                self.carousel = (index, component)
            elif isinstance(component, LimitedTimeOffer):
                self.offer = (index, component)
        self.body_text: str = (self.body[1].text or "") if self.body else ""
        # The lists below are sorted out on first use: the rules across files, which rebuild
        # the contexts of files loaded elsewhere (a pool worker, the load cache), need none.
        self._texts: list[TextSite] = []
        self._all_buttons: list[ButtonSite] = []
        self._cards: list[tuple[Loc, Any]] = []
        self._card_shapes: list[tuple[Loc, dict[str, tuple[int, Any]]]] = []
        self._collected = False

    @property
    def texts(self) -> list[TextSite]:
        """Header text, body text and carousel card bodies with their variables. An
        AUTHENTICATION body's text is left out: it must not exist at all (WA-A1)."""
        self._collect()
        return self._texts

    @property
    def all_buttons(self) -> list[ButtonSite]:
        """Template buttons, then carousel card buttons."""
        self._collect()
        return self._all_buttons

    @property
    def cards(self) -> list[tuple[Loc, Any]]:
        """``(loc, card)`` of each carousel card."""
        self._collect()
        return self._cards

    @property
    def card_shapes(self) -> list[tuple[Loc, dict[str, tuple[int, Any]]]]:
        """Per card, what must be equal across cards: component type → (index, detail),
        detail being the header format or the button types in order."""
        self._collect()
        return self._card_shapes

    def _collect(self) -> None:
        if self._collected:
            return
        self._collected = True
        texts = self._texts
        if self.header is not None and isinstance(text_header := self.header[1], TextHeader):
            index, header = self.header[0], text_header
            texts.append(
                TextSite(
                    "header", self.at(index, "text"), self.at(index), header.text,
                    scan(header.text),
                    None if header.example is None else (header.example,),
                    self.at(index, "example"),
                )
            )  # fmt: skip
        body_text = self.body[1].text if self.body is not None else None
        if self.body is not None and body_text is not None and not self.is_auth:
            index, body = self.body
            texts.append(
                TextSite(
                    "body", self.at(index, "text"), self.at(index), body_text, scan(body_text),
                    None if body.examples is None else tuple(body.examples),
                    self.at(index, "examples"),
                )
            )  # fmt: skip
        if self.buttons is not None:
            index, component = self.buttons
            self._all_buttons.extend(
                ButtonSite(self.at(index, "buttons", j), button)
                for j, button in enumerate(component.buttons)
            )
        if self.carousel is not None:
            self._collect_cards()

    def _collect_cards(self) -> None:
        index, carousel = self.carousel  # type: ignore[misc]
        for k, card in enumerate(carousel.cards):
            card_loc = self.at(index, "cards", k)
            self._cards.append((card_loc, card))
            shape: dict[str, tuple[int, Any]] = {}
            for j, component in enumerate(card.components):
                kind = component.type
                owner = (*card_loc, "components", j)
                if kind == "HEADER":
                    shape[kind] = (j, component.format)
                elif kind == "BUTTONS":
                    shape[kind] = (j, tuple(button.type for button in component.buttons))
                    self._all_buttons.extend(
                        ButtonSite((*owner, "buttons", b), button, k)
                        for b, button in enumerate(component.buttons)
                    )
                else:
                    shape[kind] = (j, None)
                    self._texts.append(
                        TextSite(
                            "card body", (*owner, "text"), owner, component.text,
                            scan(component.text),
                            None if component.examples is None else tuple(component.examples),
                            (*owner, "examples"),
                        )
                    )  # fmt: skip
            self._card_shapes.append((card_loc, shape))

    def at(self, index: int, *rest: str | int) -> Loc:
        """Location of component ``index`` (or a field inside it)."""
        return (*self.base, "components", index, *rest)

    @property
    def components_loc(self) -> Loc:
        return (*self.base, "components")

    def template_buttons(self) -> Iterator[ButtonSite]:
        """Buttons of the top-level BUTTONS component only."""
        return (site for site in self.all_buttons if site.card is None)
