"""Meta's WhatsApp template rules, checked offline so a pull request fails before Meta rejects it.

Public API (used by ``waform validate``, ``waform plan`` and ``waform rules``):

- :func:`check_files` — rules over loaded files → sorted :class:`~waform.diagnostics.Diagnostic`
  list (``code`` = rule id such as ``WA-V7``);
- :func:`run_rules` — the same, plus the (name, language) pairs that failed (plan skips them);
- :func:`check_plan` — plan-time rules against the remote templates (a :class:`RuleReport`,
  silenced by the same ``ignore`` as the per-file rules);
- :class:`RuleSettings` — per-repository overrides and ``strict``;
- :data:`RULES` — the registry (id → :class:`Rule`).

Per template, a ``rules:`` key in the YAML (``rules: {WA-V9: off}``) overrides both.
"""

from waform.rules.engine import RuleReport, RuleSettings, check_files, check_plan, run_rules
from waform.rules.registry import RULES, Rule

__all__ = ["RULES", "Rule", "RuleReport", "RuleSettings", "check_files", "check_plan", "run_rules"]
