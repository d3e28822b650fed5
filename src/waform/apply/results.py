"""What an apply did, and its three renderings: text (terminal), JSON (tools), Markdown (a merge
comment). Pure functions over plain data, so the command only picks one and prints it."""

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
}
_SIGN = {"create": "+", "create-draft": "+", "submit": ">", "update": "~", "delete": "-"}

ReviewOutcome = Literal["approved", "rejected", "in_review", "other"]


@dataclass
class StepResult:
    """The outcome of one write step after all its retries."""

    step: WriteStep
    ok: bool
    attempts: int = 0
    #: The outcome was established by reading the template back (lost response, template_exists).
    verified: bool = False
    note: str = ""
    status: int | None = None
    error_code: str | None = None
    message: str = ""
    resolution: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

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
        done = Counter(r.step.kind for r in self.results if r.ok)
        return {kind: done.get(kind, 0) for kind in DONE_VERB} | {"failed": len(self.failures)}

    def review_counts(self) -> dict[str, int]:
        got = Counter(r.outcome for r in self.review or ())
        return {k: got.get(k, 0) for k in ("approved", "rejected", "in_review", "other")}


# ---------------------------------------------------------------- text


def _headline(report: ApplyReport) -> str:
    counts = report.counts()
    done = [f"{n} {DONE_VERB[k]}" for k, n in counts.items() if k in DONE_VERB and n]
    total = len(report.results)
    if not total:
        if report.blocked:
            return f"Nothing to apply; {_blocked_phrase(report.blocked)}."
        return "Nothing to apply: the remote already matches the desired state."
    parts = ", ".join(done) if done else "nothing changed"
    failed = f"; {counts['failed']} failed" if counts["failed"] else ""
    return (
        f"Apply {'complete' if not counts['failed'] else 'finished with errors'}: {parts}{failed} "
        f"({total} action{'s' if total != 1 else ''}, {report.requests} requests, "
        f"{report.seconds:.1f} s)."
    )


def _blocked_phrase(count: int) -> str:
    noun = "change needs" if count == 1 else "changes need"
    return f"{count} blocked {noun} attention (see `waform plan`)"


def _failure_lines(result: StepResult) -> list[str]:
    code = " ".join(str(p) for p in (result.status, result.error_code) if p)
    lines = [
        f"  ✗ {result.step.label} {result.step.kind}: {code + ': ' if code else ''}{result.message}"
    ]
    if result.resolution:
        lines.append(f"    resolution: {result.resolution}")
    return lines


def _review_lines(report: ApplyReport) -> list[str]:
    if report.review is None:
        return []
    counts = report.review_counts()
    head = (
        f"Review ({report.review_seconds:.0f} s): {counts['approved']} approved, "
        f"{counts['rejected']} rejected"
    )
    if counts["in_review"]:
        head += f", {counts['in_review']} still in review (wait timed out)"
    if counts["other"]:
        head += f", {counts['other']} in another state"
    lines = [head + "."]
    for r in report.review:
        if r.outcome == "rejected":
            lines.append(f"  ✗ {r.label} rejected: {r.rejection_code or 'no rejection code'}")
        elif r.outcome == "other":
            lines.append(f"  ! {r.label} is {r.state or r.change_status}")
        elif r.outcome == "in_review":
            lines.append(f"  … {r.label} still in review")
    return lines


def render_text(report: ApplyReport, *, verbose: bool = False) -> str:
    """One line per action, then the headline, failures with errorCode and resolution, review."""
    lines: list[str] = []
    for r in report.results:
        if r.ok:
            extra = f" ({r.note})" if r.note else ""
            if verbose and r.attempts > 1:
                extra += f" [{r.attempts} attempts]"
            lines.append(f"  {_SIGN[r.step.kind]} {r.step.label} {DONE_VERB[r.step.kind]}{extra}")
        for warning in r.warnings:
            lines.append(f"  ! {r.step.label}: {warning}")
    lines.append(_headline(report))
    if report.blocked and report.results:
        lines.append(f"Not attempted: {_blocked_phrase(report.blocked)}.")
    if report.failures:
        lines.append("Failed:")
        for r in report.failures:
            lines.extend(_failure_lines(r))
    lines.extend(_review_lines(report))
    return "\n".join(lines)


# ---------------------------------------------------------------- JSON


def render_json(report: ApplyReport) -> dict[str, Any]:
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


# ---------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ApplyReport, *, max_rows: int = 200) -> str:
    """A merge-request comment: headline, a table of actions (folded when long), failures."""
    counts = report.counts()
    icon = "✅" if report.ok else "❌"
    lines = [f"### {icon} waform apply", "", _headline(report), ""]
    if report.results:
        rows = report.results
        folded = len(rows) > 20
        if folded:
            lines += ["<details><summary>Actions</summary>", ""]
        lines += ["| template | language | action | result |", "| --- | --- | --- | --- |"]
        for r in rows[:max_rows]:
            result = "ok" if r.ok else f"**failed**: `{r.error_code or r.status or 'error'}`"
            if r.ok and r.note:
                result += f" ({_md(r.note)})"
            lines.append(f"| `{r.step.name}` | {r.step.language} | {r.step.kind} | {result} |")
        if len(rows) > max_rows:
            lines.append(f"| … | | | {len(rows) - max_rows} more |")
        if folded:
            lines += ["", "</details>"]
        lines.append("")
    if counts["failed"]:
        lines += ["**Failures**", ""]
        for r in report.failures:
            code = f"`{r.error_code}` " if r.error_code else ""
            lines.append(f"- `{r.step.label}` {r.step.kind}: {code}{_md(r.message)}")
            if r.resolution:
                lines.append(f"  - resolution: {_md(r.resolution)}")
        lines.append("")
    review = _review_lines(report)
    if review:
        lines += [f"**{review[0]}**", ""]
        lines += [f"- {line.strip()}" for line in review[1:]]
    return "\n".join(lines).rstrip() + "\n"
