"""What an apply did: a result per write step, the review outcomes, and the verdict.

:mod:`waform.render` shows an :class:`ApplyReport` as text, JSON or a Markdown merge comment."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from waform.apply.steps import WriteStep

#: Past-tense verb per step kind, for summaries.
DONE_VERB = {
    "create": "created",
    "create-draft": "created as draft",
    "submit": "submitted",
    "update": "updated",
    "delete": "deleted",
    "discard-draft": "draft(s) discarded",
}
#: What a step found done already (another apply raced it): it changed nothing.
ALREADY_VERB = "already there"

ReviewOutcome = Literal["approved", "rejected", "in_review", "other"]


@dataclass
class StepResult:
    """The outcome of one write step after all its retries."""

    step: WriteStep
    ok: bool
    attempts: int = 0
    #: The outcome was established by reading the template back (lost response, template_exists).
    verified: bool = False
    #: Someone else had already made this change (``template_exists`` / ``template_not_found``
    #: with the desired state found): nothing was changed by this apply.
    already: bool = False
    note: str = ""
    status: int | None = None
    error_code: str | None = None
    message: str = ""
    resolution: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def failure_line(self) -> str:
        """``name/LANG: create failed: 409 code: message — what to do``, each part said once
        (text and Markdown print this line)."""
        code = " ".join(str(p) for p in (self.status, self.error_code) if p)
        problem = f"{code}: {self.message}" if code and self.message else code or self.message
        if self.resolution and self.resolution not in problem:
            problem += f" — {self.resolution}"
        return f"{self.step.label}: {self.step.kind} failed: {problem or 'no reason given'}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.step.name,
            "language": self.step.language,
            "action": self.step.kind,
            "result": "ok" if self.ok else "failed",
            "attempts": self.attempts,
            "verified": self.verified,
            "seconds": round(self.seconds, 3),
        }
        if self.note:
            out["note"] = self.note
        if self.already:
            out["already"] = True
        if not self.ok:
            out["error"] = {
                "status": self.status,
                "errorCode": self.error_code,
                "message": self.message,
                "resolution": self.resolution,
            }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class ReviewResult:
    """Where one submitted template ended up after ``--wait``."""

    name: str
    language: str
    outcome: ReviewOutcome
    state: str | None = None
    change_status: str | None = None
    rejection_code: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}/{self.language}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "language": self.language,
            "outcome": self.outcome,
            "state": self.state,
            "changeStatus": self.change_status,
            "rejectionCode": self.rejection_code,
        }


@dataclass
class ApplyReport:
    """Everything ``waform apply`` prints about a run."""

    results: list[StepResult]
    seconds: float = 0.0
    requests: int = 0
    throttled: int = 0
    review: list[ReviewResult] | None = None
    review_seconds: float = 0.0
    review_timed_out: bool = False
    #: Differences the plan could not apply (blocked items), reported, not attempted.
    blocked: int = 0

    @property
    def failures(self) -> list[StepResult]:
        return [r for r in self.results if not r.ok]

    @property
    def rejected(self) -> list[ReviewResult]:
        return [r for r in self.review or () if r.outcome == "rejected"]

    @property
    def ok(self) -> bool:
        """Exit 0 only if every action succeeded and nothing waited on was rejected/timed out."""
        return not self.failures and not self.rejected and not self.review_timed_out

    def counts(self) -> dict[str, int]:
        done: Counter[str] = Counter(r.step.kind for r in self.results if r.ok and not r.already)
        already = sum(1 for r in self.results if r.ok and r.already)
        return (
            {kind: done.get(kind, 0) for kind in DONE_VERB}
            | {"already": already}
            | {"failed": len(self.failures)}
        )

    def review_counts(self) -> dict[str, int]:
        got = Counter(r.outcome for r in self.review or ())
        return {k: got.get(k, 0) for k in ("approved", "rejected", "in_review", "other")}
