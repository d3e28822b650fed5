"""JSON for tools: plans (the file ``apply`` reads back), drift, apply results, diagnostics, rules.

Every output is one indented JSON document, UTF-8 characters kept as they are.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from waform.diagnostics import DiagnosticReport
from waform.render.base import Renderer, failing_kinds, register
from waform.rules.listing import RuleListing, rules_as_dicts

if TYPE_CHECKING:  # not imported to print a validation (see render/text.py)
    from waform.apply.results import ApplyReport
    from waform.apply.runner import DryRun
    from waform.drift_report import DriftReport
    from waform.plan import Plan


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@register
class JsonRenderer(Renderer):
    name = "json"

    def plan(self, plan: Plan) -> str:
        return plan.to_json()

    def drift(self, report: DriftReport) -> str:
        return _dump(report.to_json(failing_kinds(self.options)))

    def apply(self, report: ApplyReport) -> str:
        return _dump(apply_json(report))

    def dry_run(self, dry: DryRun) -> str:
        return _dump(dry.to_json())

    def diagnostics(self, report: DiagnosticReport) -> str:
        payload: dict[str, Any] = {
            "diagnostics": [asdict(d) for d in report.diagnostics],
            "errors": report.errors,
            "warnings": len(report.diagnostics) - report.errors,
        }
        if report.files is not None:
            payload |= {"files": report.files, "templates": report.templates}
        payload |= {"valid": report.valid, "strict": report.strict}
        payload["silenced"] = [item.as_dict() for item in report.silenced]
        return _dump(payload)

    def rules(self, listing: RuleListing) -> str:
        return _dump({"rules": rules_as_dicts(listing.rules)})


def apply_json(report: ApplyReport) -> dict[str, Any]:
    """The report as JSON data (``waform apply --json``)."""
    out: dict[str, Any] = {
        "ok": report.ok,
        "summary": report.counts(),
        "seconds": round(report.seconds, 3),
        "requests": report.requests,
        "throttled": report.throttled,
        "blocked": report.blocked,
        "actions": [r.to_json() for r in report.results],
    }
    if report.review is not None:
        out["review"] = {
            "summary": report.review_counts(),
            "timedOut": report.review_timed_out,
            "seconds": round(report.review_seconds, 3),
            "templates": [r.to_json() for r in report.review],
        }
    return out
