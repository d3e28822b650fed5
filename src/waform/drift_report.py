"""What ``waform drift`` reports: findings per template-language, and the report they make.

Value objects only (the checks are :mod:`waform.drift`): the kinds of finding, which of them fail
the run (``--fail-on``), and the JSON form the renderers and scripts read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from waform.plan import FieldChange

FindingKind = Literal["content", "pending", "review", "missing", "unmanaged", "health", "note"]
#: ``note``: what the server did that nobody can undo (a template Meta recategorised).
FINDING_KINDS: tuple[str, ...] = (
    "content",
    "pending",
    "review",
    "missing",
    "unmanaged",
    "health",
    "note",
)
#: What makes ``drift`` exit 2 unless ``--fail-on`` says otherwise (``review`` is informational).
DEFAULT_FAIL_ON: frozenset[str] = frozenset(
    {"content", "pending", "missing", "unmanaged", "health"}
)


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One differing field: ``category`` or a path inside ``details`` (``components[BODY].text``).

    ``git`` / ``remote`` is ``None`` when the field exists only on the other side.
    """

    path: str
    git: Any
    remote: Any

    @classmethod
    def from_change(cls, change: FieldChange) -> FieldDifference:
        """From the differ's :class:`~waform.plan.FieldChange` (old = target, new = git)."""
        return cls(path=change.path, git=change.new, remote=change.old)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "git": self.git, "remote": self.remote}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing worth a human's attention about one template language."""

    kind: FindingKind
    name: str
    language: str
    code: str
    """Finer reason, stable for scripts: ``live-content``, ``category``, ``pending-edit``,
    ``in-review``, ``missing``, ``unmanaged``, ``rejected``, ``paused``, ``disabled``,
    ``quality-yellow``, ``quality-red``, ``stale-review``, ``unsubmitted-draft``,
    ``pending-rejected``, ``recategorised``, ``write-only-unverified``."""
    message: str
    differences: tuple[FieldDifference, ...] = ()
    source: str | None = None
    """``path:line:col`` of the git definition, when there is one."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "language": self.language,
            "message": self.message,
            "source": self.source,
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass(frozen=True)
class DriftReport:
    """The outcome of one drift check. ``failed(fail_on)`` decides the exit code."""

    target: str
    findings: tuple[Finding, ...]
    managed: int
    """(name, language) pairs defined in git."""
    remote: int
    """(name, language) pairs at the target within scope (Meta-generated ones excluded)."""
    generated_at: datetime
    requests: int = 0
    paths: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stale_review_hours: float | None = None

    def counts(self) -> dict[str, int]:
        counter = Counter[str](f.kind for f in self.findings)
        return {kind: counter[kind] for kind in FINDING_KINDS}

    def failing(self, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> list[Finding]:
        kinds = set(fail_on)
        return [f for f in self.findings if f.kind in kinds]

    def failed(self, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> bool:
        return bool(self.failing(fail_on))

    def to_json(self, fail_on: Iterable[str] = DEFAULT_FAIL_ON) -> dict[str, Any]:
        kinds = sorted(set(fail_on))
        return {
            "target": self.target,
            "paths": list(self.paths),
            "generatedAt": self.generated_at.isoformat(),
            "clean": not self.failed(kinds),
            "failOn": kinds,
            "counts": self.counts(),
            "managed": self.managed,
            "remote": self.remote,
            "requests": self.requests,
            "staleReviewHours": self.stale_review_hours,
            "findings": [f.to_json() for f in self.findings],
            "notes": list(self.notes),
        }


def parse_fail_on(value: str) -> frozenset[str]:
    """``--fail-on content,health`` → the kinds; ``all`` and ``none`` are accepted shortcuts.

    An empty value is refused rather than read as ``none``: in CI it usually is an unset
    variable (``--fail-on "$KINDS"``), and it must not switch drift detection off silently.
    """
    items = [raw.strip() for raw in value.split(",") if raw.strip()]
    if not items:
        raise ValueError(
            f"no finding kind given (choose from {', '.join(FINDING_KINDS)}, all, none)"
        )
    kinds: set[str] = set()
    for raw in items:
        item = raw.lower()
        if item == "all":
            kinds.update(FINDING_KINDS)
        elif item == "none":
            continue
        elif item in FINDING_KINDS:
            kinds.add(item)
        else:
            raise ValueError(
                f"unknown finding kind {raw!r} (choose from {', '.join(FINDING_KINDS)}, all, none)"
            )
    return frozenset(kinds)


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    order = {kind: i for i, kind in enumerate(FINDING_KINDS)}
    return tuple(sorted(findings, key=lambda f: (f.name, f.language, order[f.kind], f.code)))
