"""A template's shape, what a check needs of it, and the checks that can fire on each shape.

Most of the ~50 per-template checks can say nothing about most templates (offer rules without an
offer, OTP rules without an OTP button, variable rules without a variable). A check declares
what it needs (``@check("WA-O1", needs=(OFFER,))``); each template's *shape* is the set of
features it has (:func:`shape_of`, once per :class:`~waform.rules.context.TemplateContext`); the
engine runs only the checks whose needs the shape meets, chosen once per distinct shape
(:class:`ChecksByShape`). A declaration is a promise that the check yields nothing when the
template lacks what it needs; ``tests/test_rules_needs.py`` holds every check to it.

A feature is one bit and a shape the features or-ed together: working out a template's shape and
finding its checks costs a few integer operations (a set of names cost a fifth of the time the
cheapest templates' checks take). :func:`describe` names the bits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waform.rules.context import TemplateContext
    from waform.rules.text import Scan

Feature = int
"""One bit: something a template may have."""
Shape = int
"""The features a template has, or-ed together."""
Needs = tuple[int, ...]
"""Features the template must all have; an item of several or-ed features (``AUTHENTICATION |
OTP_BUTTON``) asks for one of them. An empty tuple: the check may fire on any template."""

NAMES: dict[Feature, str] = {}


def _feature(name: str) -> Feature:
    bit = 1 << len(NAMES)
    NAMES[bit] = name
    return bit


def describe(shape: Shape) -> list[str]:
    """The names of the features of ``shape`` (for messages)."""
    return [name for bit, name in NAMES.items() if shape & bit]


# The vocabulary: what some check needs. Category, component type and header format are spelt as
# in the YAML so a shape reads like the template ("category UTILITY", "HEADER TEXT", "BODY", …).
_CATEGORY = {name: _feature(f"category {name}") for name in ("AUTHENTICATION", "MARKETING", "UTILITY")}  # fmt: skip
AUTHENTICATION = _CATEGORY["AUTHENTICATION"]
MARKETING = _CATEGORY["MARKETING"]
UTILITY = _CATEGORY["UTILITY"]
BODY = _feature("BODY")
FOOTER = _feature("FOOTER")
BUTTONS = _feature("BUTTONS")
"""The top-level BUTTONS component (carousel cards' buttons are not it)."""
CAROUSEL = _feature("CAROUSEL")
OFFER = _feature("LIMITED_TIME_OFFER")
_HEADER = {form: _feature(f"HEADER {form}") for form in ("TEXT", "LOCATION")}
TEXT_HEADER = _HEADER["TEXT"]
LOCATION_HEADER = _HEADER["LOCATION"]
SECURITY_LINE = _feature("addSecurityRecommendation")
"""The body sets ``addSecurityRecommendation`` (true or false)."""
EXPIRY_MINUTES = _feature("codeExpirationMinutes")
"""The footer sets ``codeExpirationMinutes``."""
THREE_BUTTONS = _feature("three or more buttons in the BUTTONS component")
"""What limits on the template's buttons and their grouping can first be broken with."""
ANY_BUTTON = _feature("a button")
"""A button anywhere: the BUTTONS component or a carousel card; and by type:"""
_BUTTON = {
    kind: _feature(f"{kind} button")
    for kind in ("URL", "OTP", "PHONE_NUMBER", "COPY_CODE", "QUICK_REPLY")
}
URL_BUTTON = _BUTTON["URL"]
OTP_BUTTON = _BUTTON["OTP"]
PHONE_BUTTON = _BUTTON["PHONE_NUMBER"]
COPY_CODE_BUTTON = _BUTTON["COPY_CODE"]
QUICK_REPLY_BUTTON = _BUTTON["QUICK_REPLY"]
TEXT = _feature("a text")
"""A text that may hold variables: a TEXT header, a body with text (not AUTHENTICATION's) or a
carousel card body (:attr:`~waform.rules.context.TemplateContext.texts`)."""
VARIABLES = _feature("a variable")
"""One of those texts holds a variable or something like one (``{{…}}``, ``{1}``, ``}}``).
What the variables of a text are like (:class:`~waform.rules.text.Scan`) is told apart too:"""
ADJOINING_VARIABLES = _feature("two variables with nothing or only whitespace between them")
NAMED_VARIABLE = _feature("a named variable")
MALFORMED_VARIABLE = _feature("a malformed variable")
UNORDERED_VARIABLES = _feature("variables not numbered 1..n in order")
EDGE_VARIABLE = _feature("a variable at the text's edge")
BEHIND_PUNCTUATION = _feature("a variable behind only punctuation at the text's edge")


def shape_of(ctx: TemplateContext) -> Shape:
    """The features of a template-language (its texts and buttons already collected). The
    context has already sorted the components out by type: reading its slots is cheaper than
    another pass over them."""
    shape = _CATEGORY.get(ctx.category, 0)
    if ctx.header is not None:
        shape |= _HEADER.get(ctx.header[1].format, 0)
    if ctx.body is not None:
        shape |= BODY if ctx.body[1].addSecurityRecommendation is None else BODY | SECURITY_LINE
    if ctx.footer is not None:
        shape |= FOOTER if ctx.footer[1].codeExpirationMinutes is None else FOOTER | EXPIRY_MINUTES
    if ctx.buttons is not None:
        shape |= BUTTONS if len(ctx.top_buttons) < 3 else BUTTONS | THREE_BUTTONS
    if ctx.carousel is not None:
        shape |= CAROUSEL
    if ctx.offer is not None:
        shape |= OFFER
    if ctx.all_buttons:
        shape |= ANY_BUTTON
        for site in ctx.all_buttons:
            shape |= _BUTTON.get(site.button.type, 0)
    if ctx.texts:
        shape |= TEXT
        for text in ctx.texts:
            if text.scan.any:
                shape |= _variable_features(text.scan)
    return shape


def _variable_features(found: Scan) -> Shape:
    """What the variables of one text are like (each feature one variable rule's trigger)."""
    return (
        VARIABLES
        | (ADJOINING_VARIABLES if found.adjoining else 0)
        | (NAMED_VARIABLE if found.named else 0)
        | (MALFORMED_VARIABLE if found.malformed else 0)
        | (0 if found.in_order else UNORDERED_VARIABLES)
        | (0 if found.edge is None else EDGE_VARIABLE)
        | (0 if found.behind is None else BEHIND_PUNCTUATION)
    )


def meets(needs: Needs, shape: Shape) -> bool:
    """Whether a template of ``shape`` has everything ``needs`` asks for."""
    return all(shape & need for need in needs)


Check = tuple[str, Callable, Any]
"""``(rule id, check, setting)`` of an enabled check."""


class ChecksByShape:
    """The enabled checks (in registry order), and per template shape those that can fire.

    Shapes are few (templates of one project look alike), so the choice is made once per shape
    and the engine's per-template loop runs only checks that can say something.
    """

    __slots__ = ("_all", "_needs", "_by_shape")

    def __init__(self, checks: list[Check], needs: dict[str, Needs]) -> None:
        self._all = checks
        self._needs = needs
        self._by_shape: dict[Shape, list[Check]] = {}

    def for_shape(self, shape: Shape) -> list[Check]:
        chosen = self._by_shape.get(shape)
        if chosen is None:
            chosen = self._by_shape[shape] = [
                check for check in self._all if meets(self._needs.get(check[0], ()), shape)
            ]
        return chosen
