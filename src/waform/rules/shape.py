"""A template's shape, what a check needs of it, and the checks that can fire on each shape.

Most of the ~50 per-template checks can say nothing about most templates (offer rules without an
offer, OTP rules without an OTP button, variable rules without a variable). A check declares
what it needs (``@check("WA-O1", needs=(OFFER,))``); each template's *shape* is the set of
:data:`Feature` it has (:func:`shape_of`, once per :class:`~waform.rules.context.TemplateContext`); the
engine runs only the checks whose needs the shape meets, chosen once per distinct shape
(:class:`ChecksByShape`). A declaration is a promise that the check yields nothing when the
template lacks what it needs; ``tests/test_rules_needs.py`` holds every check to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waform.rules.context import TemplateContext
    from waform.rules.text import Scan

Feature = str
Shape = frozenset[Feature]
Need = Feature | tuple[Feature, ...]
"""A feature the template must have, or a tuple of features of which it must have one."""
Needs = tuple[Need, ...]
"""All of these (an empty tuple: the check may fire on any template)."""

# What a template may have (the shape's vocabulary). Category and header format are spelt as in
# the YAML so a shape reads like the template: {"category UTILITY", "HEADER TEXT", "BODY", …}.
AUTHENTICATION = "category AUTHENTICATION"
MARKETING = "category MARKETING"
UTILITY = "category UTILITY"
TEXT_HEADER = "HEADER TEXT"
LOCATION_HEADER = "HEADER LOCATION"
BODY = "BODY"
FOOTER = "FOOTER"
BUTTONS = "BUTTONS"
"""The top-level BUTTONS component (carousel cards' buttons are not it)."""
CAROUSEL = "CAROUSEL"
OFFER = "LIMITED_TIME_OFFER"
ANY_BUTTON = "a button"
"""A button anywhere: the BUTTONS component or a carousel card."""
TEXT = "a text"
"""A text that may hold variables: a TEXT header, a body with text (not AUTHENTICATION's) or a
carousel card body (:attr:`~waform.rules.context.TemplateContext.texts`)."""
VARIABLES = "a variable"
"""One of those texts holds a variable or something like one (``{{…}}``, ``{1}``, ``}}``).
What the variables of a text are like (:class:`~waform.rules.text.Scan`) is told apart too:"""
TWO_VARIABLES = "two variables in a text"
NAMED_VARIABLE = "a named variable"
MALFORMED_VARIABLE = "a malformed variable"
UNORDERED_VARIABLES = "variables not numbered 1..n in order"
EDGE_VARIABLE = "a variable at the text's edge"
BEHIND_PUNCTUATION = "a variable behind only punctuation at the text's edge"
SECURITY_LINE = "addSecurityRecommendation"
"""The body sets ``addSecurityRecommendation`` (true or false)."""
EXPIRY_MINUTES = "codeExpirationMinutes"
"""The footer sets ``codeExpirationMinutes``."""


def button(kind: str) -> Feature:
    """A ``kind`` button (``URL``, ``OTP``, …) anywhere: the BUTTONS component or a card."""
    return f"{kind} button"


URL_BUTTON = button("URL")
OTP_BUTTON = button("OTP")
PHONE_BUTTON = button("PHONE_NUMBER")
COPY_CODE_BUTTON = button("COPY_CODE")
QUICK_REPLY_BUTTON = button("QUICK_REPLY")


def shape_of(ctx: TemplateContext) -> Shape:
    """The features of a template-language (its texts and buttons already collected)."""
    features = {f"category {ctx.category}"}
    for component in ctx.details.components:
        features.add(component.type)
    if ctx.header is not None:
        features.add(f"HEADER {ctx.header[1].format}")
    if ctx.body is not None and ctx.body[1].addSecurityRecommendation is not None:
        features.add(SECURITY_LINE)
    if ctx.footer is not None and ctx.footer[1].codeExpirationMinutes is not None:
        features.add(EXPIRY_MINUTES)
    if ctx.all_buttons:
        features.add(ANY_BUTTON)
        for site in ctx.all_buttons:
            features.add(button(site.button.type))
    if ctx.texts:
        features.add(TEXT)
        for text in ctx.texts:
            _add_variable_features(text.scan, features)
    return frozenset(features)


def _add_variable_features(found: Scan, features: set[Feature]) -> None:
    """What the variables of one text are like (each feature one variable rule's trigger)."""
    if not found.any:
        return
    features.add(VARIABLES)
    if len(found.numbers) > 1:
        features.add(TWO_VARIABLES)
    if found.named:
        features.add(NAMED_VARIABLE)
    if found.malformed:
        features.add(MALFORMED_VARIABLE)
    if not found.in_order:
        features.add(UNORDERED_VARIABLES)
    if found.edge is not None:
        features.add(EDGE_VARIABLE)
    if found.behind is not None:
        features.add(BEHIND_PUNCTUATION)


def meets(needs: Needs, shape: Shape) -> bool:
    """Whether a template of ``shape`` has everything ``needs`` asks for."""
    return all(
        need in shape if isinstance(need, str) else not shape.isdisjoint(need) for need in needs
    )


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
