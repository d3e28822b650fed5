"""Plan-time rules: the desired state against what the Sinch project already holds.

These need the remote templates, so :func:`waform.rules.check_plan` runs them over the paired
inventory (:func:`waform.inventory.pair`), after fetching: C2 / C4 (category of existing templates), LC4 (template count per WABA), LC5
(creations per hour) and LC8 against remote templates that are not managed from git.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from waform.fields import recategorised
from waform.inventory import Inventory
from waform.model.enums import CATEGORIES
from waform.model.remote import RemoteTemplate
from waform.model.template import DesiredTemplate
from waform.rules.cross import content_key

#: Template-languages per WABA: unverified business portfolio, verified one (M-OV).
TEMPLATE_LIMITS = (250, 6000)
#: Templates a WABA may create per hour (M-OV).
CREATIONS_PER_HOUR = 100

PlanHit = tuple[str, DesiredTemplate, str]
"""``(rule id, the desired template it is about, message)``."""


@dataclass(frozen=True)
class PlanInput:
    """The inventory (every key, in scope or not) and the keys the plan deletes."""

    inventory: Inventory[DesiredTemplate]
    removed: frozenset[tuple[str, str]]

    @property
    def creations(self) -> list[DesiredTemplate]:
        """The desired templates no remote one matches, in key order."""
        return self._one_sided[0]

    @property
    def unmatched(self) -> list[RemoteTemplate]:
        """The remote templates no desired one matches, in key order."""
        return self._one_sided[1]

    @property
    def remote_kept(self) -> int:
        """How many remote templates the plan keeps (the inventory holds one per key)."""
        deleted = sum(1 for key in self.removed if self.inventory.get(key).remote is not None)
        return self._one_sided[2] - deleted

    @functools.cached_property
    def _one_sided(self) -> tuple[list[DesiredTemplate], list[RemoteTemplate], int]:
        """:attr:`creations`, :attr:`unmatched` and the count of remote templates: one pass
        over the keys for what four checks ask."""
        creations: list[DesiredTemplate] = []
        unmatched: list[RemoteTemplate] = []
        remote = 0
        for p in self.inventory.pairs:
            if p.remote is None:
                if p.desired is not None:
                    creations.append(p.desired)
            else:
                remote += 1
                if p.desired is None:
                    unmatched.append(p.remote)
        return creations, unmatched, remote


def _category_frozen(data: PlanInput) -> Iterator[PlanHit]:
    for p in data.inventory.pairs:
        template, live = p.desired, p.remote
        if (
            template is not None
            and live is not None
            and live.category != template.category  # first: false for nearly every pair
            and live.state == "APPROVED"
            and live.category in CATEGORIES
            # Meta's own UTILITY → MARKETING move is a note of the plan, not the file's error
            and not recategorised(template.category, live.category, live.state)
        ):
            yield (
                "WA-C2",
                template,
                (
                    f"set category: {live.category} for {template.name} ({template.language}): the "
                    f"template is approved as {live.category} and an approved category cannot change "
                    "(use a new name for a new category)"
                ),
            )


def _category_of_new_language(data: PlanInput) -> Iterator[PlanHit]:
    created = {template.name for template in data.creations}
    if not created:
        return
    categories: dict[str, set[str]] = defaultdict(set)
    for live in data.inventory.remote:
        if live.name in created and live.category in CATEGORIES:
            categories[live.name].add(live.category)
    for template in data.creations:
        existing = categories.get(template.name, set()) - {template.category}
        if existing:
            yield (
                "WA-C4",
                template,
                (
                    f"the other languages of {template.name} are {', '.join(sorted(existing))} at "
                    f"Meta: create {template.language} with that category, or expect it re-categorised"
                ),
            )


def _template_count(data: PlanInput) -> Iterator[PlanHit]:
    total = data.remote_kept
    reported = set()
    for template in data.creations:
        total += 1
        for limit in TEMPLATE_LIMITS:
            if total == limit + 1 and limit not in reported:
                reported.add(limit)
                kind = "an unverified" if limit == TEMPLATE_LIMITS[0] else "a verified"
                yield (
                    "WA-LC4",
                    template,
                    (
                        f"creating {template.name} ({template.language}) takes the project past "
                        f"{limit} template-languages, the limit of {kind} business (Meta error "
                        "2388019): delete unused templates or languages first"
                    ),
                )


def _creation_rate(data: PlanInput) -> Iterator[PlanHit]:
    creations = data.creations
    if len(creations) > CREATIONS_PER_HOUR:
        template = creations[CREATIONS_PER_HOUR]
        yield (
            "WA-LC5",
            template,
            (
                f"this plan creates {len(creations)} template-languages; Meta accepts "
                f"{CREATIONS_PER_HOUR} per hour, so apply in batches (from {template.name} "
                f"{template.language} on, creations may be refused)"
            ),
        )


def component_text(details: Mapping[str, Any] | None, kind: str) -> str | None:
    """The text of the ``kind`` component (BODY, FOOTER) of a wire form, if it has one."""
    for component in (details or {}).get("components") or ():
        if isinstance(component, dict) and component.get("type") == kind:
            text = component.get("text")
            return text if isinstance(text, str) else None
    return None


def _duplicate_of_remote(data: PlanInput) -> Iterator[PlanHit]:
    # A remote template whose own key git defines is managed: only the others are candidates.
    if not data.unmatched:
        return
    managed = {template.name for template in data.inventory.desired}
    others: dict[str, RemoteTemplate] = {}
    for live in data.unmatched:
        if live.name in managed or live.key in data.removed or live.category == "AUTHENTICATION":
            continue
        details = live.effective_details()
        body = component_text(details, "BODY")
        if body:
            others.setdefault(content_key(body, component_text(details, "FOOTER")), live)
    if not others:
        return
    # The body's part of a content key (before its one line break) tells most templates apart
    # without their footers being read.
    bodies = {key.partition("\n")[0] for key in others}
    for template in data.inventory.desired:
        if template.category == "AUTHENTICATION":
            continue
        body = template.text_of("BODY")
        if not body or content_key(body, None).partition("\n")[0] not in bodies:
            continue
        duplicate = others.get(content_key(body, template.text_of("FOOTER")))
        if duplicate is not None:
            yield (
                "WA-LC8",
                template,
                (
                    f"reword the body or footer of {template.name} ({template.language}): template "
                    f"{duplicate.name} ({duplicate.language}) at Meta has the same text, and Meta rejects "
                    "duplicate content"
                ),
            )


PLAN_CHECKS: tuple[Callable[[PlanInput], Iterator[PlanHit]], ...] = (
    _category_frozen,
    _category_of_new_language,
    _template_count,
    _creation_rate,
    _duplicate_of_remote,
)


def plan_hits(
    inventory: Inventory[DesiredTemplate],
    removed: Collection[tuple[str, str]] = (),
) -> Iterator[PlanHit]:
    """Every plan-time finding over the paired inventory (:func:`waform.inventory.pair`)."""
    data = PlanInput(inventory, frozenset(removed))
    for plan_check in PLAN_CHECKS:
        yield from plan_check(data)
