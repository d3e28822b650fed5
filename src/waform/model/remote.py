"""What the API returns: ``WhatsappTemplateDto`` and its list / error envelopes.

The envelope is typed; ``details`` is kept as the JSON the API sent (``dict``), because response
components carry no length limits and may hold values newer than this client (``UNRECOGNIZED``).
:func:`waform.normalize.canonical_details` turns either side into a comparable form, and
:meth:`RemoteTemplate.parsed_details` reads it through the input models when a typed view is
needed (import).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from waform.model.components import TemplateDetails
from waform.model.enums import normalize_language


class _Lenient(BaseModel):
    """Responses: ignore fields this client does not know (forward compatible)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class RemoteChanges(_Lenient):
    status: str
    allowCategoryChange: bool | None = None
    details: dict[str, Any] | None = None


class RemoteTemplate(_Lenient):
    """One (name, language) as Sinch reports it: live ``details`` and pending ``changes``.

    ``language`` is normalised when the template is built (``en_us`` → ``EN_US``), the same way
    desired keys are, so :attr:`key` is the one canonical key every consumer pairs by.
    """

    name: str
    language: str
    category: str
    whatsappId: str | None = None
    state: str | None = None
    rejectionCode: str | None = None
    qualityScore: str | None = None
    changes: RemoteChanges | None = None
    details: dict[str, Any] | None = None
    isMetaGenerated: bool = False
    # ``analytics`` (traffic counts per day) is left out: nothing waform does reads it, and for
    # 10,000 templates it is millions of objects fewer to build and keep.

    @field_validator("language")
    @classmethod
    def _canonical_language(cls, value: str) -> str:
        return normalize_language(value)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)

    @property
    def pending(self) -> RemoteChanges | None:
        """The pending change layer, or ``None`` when there is none (empty ``changes``)."""
        return self.changes if self.change_status is not None else None

    @property
    def change_status(self) -> str | None:
        """Status of the pending change (``DRAFT``, ``IN_PROGRESS``, ``REJECTED``) or ``None``
        (no ``changes``, or empty ones). Read three times per template by the differ's
        :func:`~waform.decisions.remote_state`: one attribute, no further call."""
        changes = self.changes
        return (changes.status or None) if changes is not None else None

    @property
    def under_review(self) -> bool:
        """A submission Meta has not decided on yet (a pending change, or a first review)."""
        status = self.change_status
        return status == "IN_PROGRESS" or (status is None and self.state == "PENDING")

    @property
    def rejected(self) -> bool:
        """Meta's last verdict was a rejection (of the pending change, or of the template)."""
        status = self.change_status
        return status == "REJECTED" or (status is None and self.state == "REJECTED")

    @property
    def state_label(self) -> str:
        """``APPROVED``, ``APPROVED, change IN_PROGRESS``, ``DRAFT (never submitted)``, …"""
        status = self.change_status
        if self.state is None:
            if status is None:
                return "no state"
            return f"{status} (never submitted)" if status == "DRAFT" else status
        label = self.state
        if status is not None and status != self.state:
            label += f", change {status}"
        if self.rejectionCode and self.rejectionCode != "NONE" and "REJECTED" in label:
            label += f" ({self.rejectionCode})"
        return label

    def effective_details(self) -> dict[str, Any] | None:
        """What a desired template should be compared with: pending content if any, else live."""
        pending = self.pending
        if pending is not None and pending.details is not None:
            return pending.details
        return self.details

    def parsed_details(self, *, pending_first: bool = True) -> TemplateDetails | None:
        raw = self.effective_details() if pending_first else self.details
        return None if raw is None else TemplateDetails.model_validate(raw, strict=False)


class RemoteTemplateList(_Lenient):
    totalSize: int
    pageSize: int
    previousPageToken: str | None = None
    nextPageToken: str | None = None
    templates: list[RemoteTemplate]


class ApiErrorBody(_Lenient):
    """``WhatsappPapiErrorDto``. ``additionalInformation`` is free-form JSON in practice."""

    errorCode: str
    message: str
    resolution: str = ""
    additionalInformation: dict[str, Any] | None = None
