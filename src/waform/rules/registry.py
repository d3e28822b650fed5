"""The registry of Meta's template rules: ids → :class:`Rule`, ids → checks, and listings.

The rules themselves are in :mod:`waform.rules.catalogue` and what a rule is (evidence →
severity) in :mod:`waform.rules.rule`. The family modules (``variables``, ``buttons``, …)
register one check per rule id with :func:`check`.
"""

from __future__ import annotations

from collections.abc import Callable

from waform.rules.catalogue import CATALOGUE
from waform.rules.rule import (
    SETTINGS,
    SOURCES,
    Rule,
    Scope,
    Setting,
    Severity,
    severity_for_status,
)
from waform.rules.shape import Needs

__all__ = [
    "CROSS_CHECKS",
    "RULES",
    "SETTINGS",
    "SOURCES",
    "TEMPLATE_CHECKS",
    "TEMPLATE_NEEDS",
    "Rule",
    "Scope",
    "Setting",
    "Severity",
    "check",
    "severity_for_status",
]

RULES: dict[str, Rule] = {rule.id: rule for rule in CATALOGUE}

#: Checks by rule id, filled by the rule-family modules through :func:`check`.
TEMPLATE_CHECKS: dict[str, Callable] = {}
CROSS_CHECKS: dict[str, Callable] = {}
#: What a template must have for a template check to fire (:mod:`waform.rules.shape`).
TEMPLATE_NEEDS: dict[str, Needs] = {}


def check(rule_id: str, needs: Needs = ()) -> Callable[[Callable], Callable]:
    """Register ``fn`` as the check of ``rule_id`` (a ``template`` or ``cross`` scoped rule).

    ``needs``: the features (:mod:`waform.rules.shape`) without which the check yields nothing,
    so the engine skips it on templates that lack them.
    """
    rule = RULES[rule_id]
    table = {"template": TEMPLATE_CHECKS, "cross": CROSS_CHECKS}[rule.scope]
    if needs and table is not TEMPLATE_CHECKS:
        raise RuntimeError(f"{rule_id}: only per-template checks declare needs")

    def register(fn: Callable) -> Callable:
        if rule_id in table:
            raise RuntimeError(f"{rule_id} has two checks")
        table[rule_id] = fn
        if needs:
            TEMPLATE_NEEDS[rule_id] = needs
        return fn

    return register
