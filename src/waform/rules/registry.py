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

__all__ = [
    "CROSS_CHECKS",
    "RULES",
    "SETTINGS",
    "SOURCES",
    "TEMPLATE_CHECKS",
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


def check(rule_id: str) -> Callable[[Callable], Callable]:
    """Register ``fn`` as the check of ``rule_id`` (a ``template`` or ``cross`` scoped rule)."""
    rule = RULES[rule_id]
    table = {"template": TEMPLATE_CHECKS, "cross": CROSS_CHECKS}[rule.scope]

    def register(fn: Callable) -> Callable:
        if rule_id in table:
            raise RuntimeError(f"{rule_id} has two checks")
        table[rule_id] = fn
        return fn

    return register
