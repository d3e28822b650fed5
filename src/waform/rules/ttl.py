"""Time-to-live ranges per category (T1–T3), as Meta documents them.

The model already refuses TTLs outside Sinch's ranges (:data:`waform.model.enums.TTL_RANGES`,
reported by the loader); these rules add only what Meta is stricter about, so a value is never
reported twice. Today that is AUTHENTICATION's minimum (Sinch: 10 s, Meta: 30 s); UTILITY and
MARKETING (T2, T3) have the same range at Sinch and Meta, so the model enforces them alone. ``-1``
means "the default" to Meta; the model decides whether Sinch accepts it.
"""

from __future__ import annotations

from collections.abc import Iterator

from waform.model.enums import TTL_RANGES
from waform.rules.context import Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import AUTHENTICATION

#: Meta's documented ranges (seconds, inclusive).
META_TTL: dict[str, tuple[int, int]] = {
    "AUTHENTICATION": (30, 900),
    "UTILITY": (30, 43_200),
    "MARKETING": (43_200, 2_592_000),
}
DEFAULT_TTL = -1


def meta_ttl_findings(ctx: TemplateContext, category: str) -> Iterator[Hit]:
    """A TTL outside Meta's range for ``category`` that the model's range lets through."""
    ttl = ctx.details.messageSendTtlSeconds
    if ctx.category != category or ttl is None or ttl == DEFAULT_TTL:
        return
    low, high = META_TTL[category]
    model_low, model_high = TTL_RANGES.get(category, (low, high))
    if low <= ttl <= high or not model_low <= ttl <= model_high:
        return  # fine, or already reported by the model
    yield (
        (*ctx.base, "messageSendTtlSeconds"),
        (
            f"set messageSendTtlSeconds between {low} and {high} seconds, Meta's range for "
            f"{category} templates (it is {ttl}; Sinch accepts it but Meta does not)"
        ),
    )


@check("WA-T1", needs=(AUTHENTICATION,))
def authentication_ttl(ctx: TemplateContext) -> Iterator[Hit]:
    return meta_ttl_findings(ctx, "AUTHENTICATION")
