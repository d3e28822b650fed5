"""What :meth:`waform.manager.Manager.plan` returns: the plan, what the command prints beside
it, and what it was made from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from waform.diagnostics import Diagnostic
from waform.plan import Plan

if TYPE_CHECKING:
    from waform.desired_state import DesiredState
    from waform.rules.silence import Silenced
    from waform.sides import Sides


@dataclass
class PlanOutcome:
    """A plan and everything the command prints beside it."""

    plan: Plan
    diagnostics: list[Diagnostic]
    """Warnings from the loader and the rules (errors refuse the plan before it exists)."""
    silenced: list[Silenced] = field(default_factory=list)
    """Findings of the per-file and plan-time rules that the templates silenced."""
    refusal: str | None = None
    """Why the safety check refuses the plan (``None``: safe, or ``--force``)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: load (until the files are known valid), fetch and decode (side by
    side), pair (with the write-only records), diff."""
    desired: DesiredState | None = None
    """What the files said, as loaded and checked."""
    sides: Sides | None = None
    """The templates the plan compared, paired (``plan --html`` draws the files' side from
    them). With :attr:`desired`, what the plan was made from is kept with it, to be freed when
    the caller is done with the plan, if ever: the ``waform`` command ends its process without
    freeing it (:func:`waform.console.end`)."""


__all__ = ["PlanOutcome"]
