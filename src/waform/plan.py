"""The plan: what ``apply`` would do, as a value object that checks its own safety.

Like octoDNS's ``Plan``, a :class:`Plan` is plain data — ordered actions, items that cannot be
applied, counts, the safety verdict and fingerprints — built by :func:`waform.differ.diff` and
rendered by :mod:`waform.render`. It never talks to the API. Saved with ``waform plan --out``, it
is what ``waform apply plan.json`` executes; :meth:`Plan.from_json` refuses a file it does not
understand (unknown ``formatVersion``, unknown keys, wrong types).

What each key becomes — create, submit, update, delete, discard-draft (``--discard-draft``: drop
a draft made outside git, the live template stays), or blocked with a reason and a remedy —
is decided by the table in :mod:`waform.decisions` (keys both sides hold) and by
:mod:`waform.differ` (keys on one side only). Blocked kinds beyond the table: ``category-conflict``
(a new language whose category differs from the name's existing languages: Sinch requires one
category per name), ``edit-limit`` (an approved template edited once in 24 h or 10 times in 30
days — only when the edit history is known) and ``out-of-scope`` (a file whose name the target's
scope does not manage).

Ordering: actions by name; within a name, category-changing updates, then creates, then the
remaining submits/updates, languages sorted; all deletes last. Each action carries the exact
request apply will send (method, path relative to ``/v1/projects/{projectId}``, query, body).

Fingerprints: for every key an action touches, ``sha256:…`` of the remote template's canonical
JSON (or ``"absent"``); ``desiredHash`` covers every desired template. ``apply`` re-fetches the
touched keys and refuses the plan when a fingerprint changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from waform import __version__
from waform.errors import PlanError

FORMAT_VERSION: Final = 1

ActionKind = Literal["create", "create-draft", "submit", "update", "delete", "discard-draft"]
BlockKind = Literal[
    "review-in-progress",
    "category-change",
    "category-conflict",
    "meta-generated",
    "rejected-unchanged",
    "edit-limit",
    "out-of-scope",
    "pending-draft",
]
#: Order of kinds in summaries.
ACTION_KINDS: tuple[str, ...] = (
    "create",
    "create-draft",
    "submit",
    "update",
    "delete",
    "discard-draft",
)
#: Text/Markdown symbol per action kind (Terraform's ``+ ~ -`` plus ``>`` for submit and ``x``
#: for discarding a draft made outside git).
SYMBOLS: dict[str, str] = {
    "create": "+",
    "create-draft": "+",
    "submit": ">",
    "update": "~",
    "delete": "-",
    "discard-draft": "x",
    "blocked": "!",
    "unmanaged": "?",
}


class _PlanModel(BaseModel):
    """JSON is camelCase; Python attributes are snake_case; unknown keys are refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        json_schema_serialization_defaults_required=True,
    )


class Request(_PlanModel):
    """One HTTP request apply will make; ``path`` is relative to ``/v1/projects/{projectId}``."""

    method: Literal["POST", "PATCH", "DELETE"]
    path: str
    query: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] | None = None


class FieldChange(_PlanModel):
    """One field-level difference; ``path`` is inside ``details`` (or ``category``)."""

    path: str
    op: Literal["add", "remove", "change"]
    old: Any = None
    new: Any = None


class Action(_PlanModel):
    """A change apply will make to one (name, language)."""

    action: ActionKind
    name: str
    language: str
    category: str
    reason: str
    remote_state: str | None = Field(None, description="Remote state before the action.")
    request: Request
    changes: list[FieldChange] = Field(default_factory=list)
    source: str | None = Field(None, description="path:line of the desired template.")

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)


class Blocked(_PlanModel):
    """A difference apply cannot make, with the reason and what to do about it."""

    kind: BlockKind
    name: str
    language: str
    reason: str
    remedy: str
    remote_state: str | None = None
    changes: list[FieldChange] = Field(default_factory=list)
    source: str | None = None


class Unmanaged(_PlanModel):
    """A remote template in scope that git does not describe (deleted only with ``prune``)."""

    name: str
    language: str
    remote_state: str | None = None
    note: str


class Note(_PlanModel):
    """Something the server did or cannot show, worth knowing but not a change to apply
    (a template Meta recategorised; a write-only field that cannot be compared)."""

    name: str
    language: str
    kind: Literal["recategorised", "write-only-unverified"]
    message: str


class Summary(_PlanModel):
    create: int = 0
    create_draft: int = 0
    submit: int = 0
    update: int = 0
    delete: int = 0
    discard_draft: int = 0
    noop: int = 0
    blocked: int = 0
    unmanaged: int = 0
    ignored: int = 0
    managed: int = Field(0, description="Remote templates in scope (the base of safety percents).")

    def phrase(self) -> str:
        """``2 to create, 1 to update, 3 unchanged`` (the last line of a plan)."""
        parts = [
            f"{self.create} to create",
            f"{self.create_draft} to create as draft",
            f"{self.submit} to submit",
            f"{self.update} to update",
            f"{self.delete} to delete",
            f"{self.discard_draft} draft(s) to discard",
        ]
        parts = [p for p in parts if not p.startswith("0 ")] or ["no changes"]
        for count, label in (
            (self.blocked, "blocked"),
            (self.unmanaged, "unmanaged"),
            (self.noop, "unchanged"),
        ):
            if count:
                parts.append(f"{count} {label}")
        return ", ".join(parts) + "."


class SafetyReport(_PlanModel):
    """The verdict of :meth:`Plan.check_safety` (octoDNS's update/delete thresholds)."""

    managed: int
    updates: int
    deletes: int
    max_update_percent: float
    max_delete_percent: float
    min_managed: int
    ok: bool
    forced: bool = False
    violations: list[str] = Field(default_factory=list)


class Plan(_PlanModel):
    """An ordered, self-describing set of actions (see the module docstring for decisions)."""

    model_config = ConfigDict(title="waform plan")

    format_version: Literal[1] = FORMAT_VERSION
    waform_version: str = __version__
    target: str
    target_address: str | None = Field(
        None,
        description="What the target reached: the API base URL and project (`local/PROJECT` "
        "for the embedded emulator). `apply` refuses the plan when the target now reaches "
        "something else.",
    )
    created_at: str = Field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        description="UTC time the remote state was read.",
    )
    desired_hash: str
    summary: Summary
    actions: list[Action] = Field(default_factory=list)
    blocked: list[Blocked] = Field(default_factory=list)
    unmanaged: list[Unmanaged] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    fingerprints: dict[str, str] = Field(
        default_factory=dict,
        description='"name/LANGUAGE" → sha256 of the remote template (or "absent") per touched key.',
    )
    requests: int = Field(0, description="API requests made to build the plan.")
    safety: SafetyReport | None = None
    paths: list[str] = Field(
        default_factory=list,
        description="Desired-state paths the plan was made from (as given to `waform plan`); "
        "`apply` re-loads them and refuses the plan if desiredHash no longer matches.",
    )

    # ------------------------------------------------------------------ queries

    @property
    def has_changes(self) -> bool:
        """True when git and the remote differ: actions to apply or blocked items."""
        return bool(self.actions or self.blocked)

    # ------------------------------------------------------------------ safety

    def safety_report(self, safety: Any) -> SafetyReport:
        """Compare the plan with ``safety`` (``waform.config.Safety``); never raises."""
        managed = self.summary.managed
        updates, deletes = self.summary.update, self.summary.delete
        violations = list(safety.violations(managed=managed, updates=updates, deletes=deletes))
        return SafetyReport(
            managed=managed,
            updates=updates,
            deletes=deletes,
            max_update_percent=safety.maxUpdatePercent,
            max_delete_percent=safety.maxDeletePercent,
            min_managed=safety.minManaged,
            ok=not violations,
            violations=violations,
        )

    def check_safety(self, safety: Any, *, force: bool = False) -> Plan:
        """This plan with its safety verdict; raises :class:`PlanError` when unsafe and not forced.

        Thresholds (percent of the managed templates, only from ``minManaged`` on) keep a wrong
        scope or a half-deleted checkout from wiping a project; ``--force`` accepts the risk.
        """
        report = self.safety_report(safety)
        if not report.ok and force:
            report = report.model_copy(update={"forced": True})
        plan = self.model_copy(update={"safety": report})
        if not report.ok and not force:
            raise UnsafePlanError(
                "; ".join(report.violations) + "; use --force to allow it", plan=plan
            )
        return plan

    # ------------------------------------------------------------------ JSON

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> Plan:
        """Read a saved plan; :class:`PlanError` (one line) if it is not a plan this version reads.

        ``source`` (the file's name) starts each message; a schema error is placed at its
        ``line:col`` in the file.
        """
        import json

        prefix = f"{source}: " if source else ""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PlanError(f"{prefix}not a plan file: invalid JSON ({exc})") from None
        if not isinstance(data, dict) or "formatVersion" not in data:
            raise PlanError(f"{prefix}not a plan file: no formatVersion")
        version = data["formatVersion"]
        if version != FORMAT_VERSION:
            raise PlanError(
                f"{prefix}plan formatVersion {version!r} is not supported by waform {__version__} "
                f"(reads {FORMAT_VERSION}); re-run `waform plan`"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise PlanError(_located_error(exc, text, data, source)) from None


def _located_error(exc: ValidationError, text: str | bytes, data: Any, source: str | None) -> str:
    """The first schema error of a plan file, at its ``line:col`` (JSON is YAML's flow style)."""
    from waform.validation_errors import first_error, plan_message
    from waform.yamlsafe import YAMLError, compose

    try:
        root = compose(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (YAMLError, UnicodeDecodeError):
        root = None
    return first_error(exc, model=Plan, data=data, root=root, shown=source, wording=plan_message)


class UnsafePlanError(PlanError):
    """The plan exceeds the safety thresholds; ``.plan`` carries it (with its report) for display."""

    def __init__(self, message: str, *, plan: Plan) -> None:
        super().__init__(f"plan refused: {message}")
        self.plan = plan


def fingerprint_key(name: str, language: str) -> str:
    return f"{name}/{language}"


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema of a plan file (``schemas/plan.schema.json`` is generated from this).

    The serialisation schema: every key a plan file carries is required, so a consumer can rely
    on it. ``formatVersion`` is a constant; a new format gets a new number.
    """
    schema = Plan.model_json_schema(mode="serialization", by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:waform:schema:plan.schema.json",
        **schema,
        "description": "A waform plan (`waform plan --json` / `--out`), read by `waform apply`.",
    }
