"""What a rule sees: one template-language, its components sorted out in a single pass.

Checks are pure functions ``check(ctx) -> Iterable[(loc, message)]``. ``loc`` is a pydantic-style
path from the file's root (``("languages", "EN_US", "details", "components", 1, "text")``) that the
loader turns into ``path:line:col``; the engine adds the rule id and severity.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from waform.rules.shape import Shape, shape_of
from waform.rules.text import Scan, scan

Loc = tuple[str | int, ...]
Hit = tuple[Loc, str]


class KeyLoc(tuple):
    """A :data:`Loc` whose finding belongs on the mapping *key* (``en_US:``), not its value."""

    __slots__ = ()


# Sites are not frozen: a frozen dataclass sets each field through object.__setattr__, which made
# building a template's five or so sites cost more than several checks (they are never changed).
# Their locations are worked out when asked for: only a finding needs one, and findings are rare.
@dataclass(slots=True)
class TextSite:
    """A text that may hold variables, with the examples that go with it."""

    kind: str  # "header" | "body" | "card body"
    owner: Loc  # of the component holding it
    text: str
    scan: Scan
    examples: Sequence[str] | None

    @property
    def loc(self) -> Loc:
        """Of the text."""
        return (*self.owner, "text")

    @property
    def examples_loc(self) -> Loc:
        """Of its examples: a header's one example is its ``example``, the others' are
        ``examples``."""
        return (*self.owner, "example" if self.kind == "header" else "examples")


@dataclass(slots=True)
class ButtonSite:
    """A button of the template (``card`` is the carousel card index, else ``None``)."""

    owner: Loc  # of the BUTTONS component holding it
    index: int  # in that component's buttons
    button: Any
    card: int | None = None

    @property
    def loc(self) -> Loc:
        return (*self.owner, "buttons", self.index)


class TemplateContext:
    """One (name, language) of a file, sorted out in a single pass over its components.

    Everything the checks share (texts with their variables, all buttons, carousel card shapes,
    the template's :mod:`shape <waform.rules.shape>`) is computed here once, so each check is a
    short loop over ready-made lists. Those are sorted out on first use: the rules across files,
    which rebuild the contexts of files read from the load cache, need none of them. They are
    plain slots filled by :meth:`_collect` when one is first read (:meth:`__getattr__`), so the
    checks' many reads cost no property call.
    """

    __slots__ = (
        "name", "category", "language", "details", "base", "is_auth",
        "header", "body", "footer", "buttons", "carousel", "offer", "body_text",
        "texts", "all_buttons", "top_buttons", "cards", "card_shapes", "shape",
    )  # fmt: skip

    texts: list[TextSite]
    """Header text, body text and carousel card bodies with their variables. An
    AUTHENTICATION body's text is left out: it must not exist at all (WA-A1)."""
    all_buttons: list[ButtonSite]
    """Template buttons, then carousel card buttons."""
    top_buttons: list[ButtonSite]
    """Buttons of the top-level BUTTONS component only."""
    cards: list[tuple[Loc, Any]]
    """``(loc, card)`` of each carousel card."""
    card_shapes: list[tuple[Loc, dict[str, tuple[int, Any]]]]
    """Per card, what must be equal across cards: component type → (index, detail),
    detail being the header format or the button types in order."""
    shape: Shape
    """What the template has (:mod:`waform.rules.shape`): which checks can fire on it."""

    def __init__(self, name: str, category: str, language: str, details: TemplateDetails) -> None:
        self.name = name
        self.category = category
        self.language = language
        self.details = details
        self.is_auth = category == "AUTHENTICATION"
        self.base = details_loc(language)
        self.header: tuple[int, TextHeader | MediaHeader | LocationHeader] | None = None
        self.body: tuple[int, Body] | None = None
        self.footer: tuple[int, Footer] | None = None
        self.buttons: tuple[int, Buttons] | None = None
        self.carousel: tuple[int, Carousel] | None = None
        self.offer: tuple[int, LimitedTimeOffer] | None = None
        # Told apart by ``type``, the model's discriminator (cheaper than isinstance over unions)
        components: list[Any] = details.components
        for index, component in enumerate(components):
            kind = component.type
            if kind == "BODY":
                self.body = (index, component)
            elif kind == "HEADER":
                self.header = (index, component)
            elif kind == "FOOTER":
                self.footer = (index, component)
            elif kind == "BUTTONS":
                self.buttons = (index, component)
            elif kind == "CAROUSEL":
                self.carousel = (index, component)
            elif kind == "LIMITED_TIME_OFFER":
                self.offer = (index, component)
        self.body_text: str = (self.body[1].text or "") if self.body else ""

    def __getattr__(self, name: str) -> Any:
        """Called only for an unset slot: the collected ones are filled on first read."""
        if name not in _COLLECTED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._collect()
        return getattr(self, name)

    def _collect(self) -> None:
        self.texts = texts = []
        self.cards = []
        self.card_shapes = []
        if self.header is not None and isinstance(header := self.header[1], TextHeader):
            example = None if header.example is None else (header.example,)
            owner = self.at(self.header[0])
            texts.append(TextSite("header", owner, header.text, scan(header.text), example))
        body_text = self.body[1].text if self.body is not None else None
        if self.body is not None and body_text is not None and not self.is_auth:
            index, body = self.body
            texts.append(
                TextSite("body", self.at(index), body_text, scan(body_text), body.examples)
            )
        self.top_buttons = top = (
            [] if self.buttons is None else _button_sites(self.at(self.buttons[0]), self.buttons[1])
        )
        self.all_buttons = top if self.carousel is None else [*top, *self._collect_cards()]
        self.shape = shape_of(self)

    def _collect_cards(self) -> list[ButtonSite]:
        """The cards, their shapes and card bodies; returns the cards' buttons."""
        index, carousel = self.carousel  # type: ignore[misc]
        buttons: list[ButtonSite] = []
        for k, card in enumerate(carousel.cards):
            card_loc = self.at(index, "cards", k)
            self.cards.append((card_loc, card))
            shape: dict[str, tuple[int, Any]] = {}
            for j, component in enumerate(card.components):
                kind = component.type
                owner = (*card_loc, "components", j)
                if kind == "HEADER":
                    shape[kind] = (j, component.format)
                elif kind == "BUTTONS":
                    shape[kind] = (j, tuple(button.type for button in component.buttons))
                    buttons.extend(_button_sites(owner, component, k))
                else:
                    shape[kind] = (j, None)
                    text = component.text
                    site = TextSite("card body", owner, text, scan(text), component.examples)
                    self.texts.append(site)
            self.card_shapes.append((card_loc, shape))
        return buttons

    def at(self, index: int, *rest: str | int) -> Loc:
        """Location of component ``index`` (or a field inside it)."""
        return (*self.base, "components", index, *rest)

    @property
    def components_loc(self) -> Loc:
        return (*self.base, "components")


def details_loc(language: str) -> Loc:
    """Where the ``details`` of a file's language ``language`` are."""
    return ("languages", language, "details")


def _button_sites(owner: Loc, component: Any, card: int | None = None) -> list[ButtonSite]:
    """The buttons of the BUTTONS component at ``owner`` (of carousel card ``card``)."""
    return [ButtonSite(owner, j, button, card) for j, button in enumerate(component.buttons)]


#: The slots :meth:`TemplateContext._collect` fills.
_COLLECTED = frozenset({"texts", "all_buttons", "top_buttons", "cards", "card_shapes", "shape"})
