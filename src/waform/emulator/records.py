"""One stored template (project, name, language) and its wire form, ``WhatsappTemplateDto``.

A :class:`Record` is what the lifecycle rules work on; :meth:`Record.dto_json` is what the
store keeps, ready to be sent: list pages are assembled by joining these strings, never by
rebuilding objects, which is what keeps a 1,000-template page in a few milliseconds.
``analytics`` is the one field not stored: it depends on the request's date range and is
spliced in by :func:`with_analytics`.

Details are stored in the *response* shape: the request models' wire form (``example``
singular for headers/URL/COPY_CODE buttons, ``examples`` for BODY), plus the two things Sinch
changes on the way out — ``bidStrategy`` gains its ``BID_STRATEGY_`` prefix, and the buttons
whose label Meta fixes (COPY_CODE, REQUEST_CONTACT_INFO, ORDER_DETAILS) report a ``text``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from waform.emulator.meta import sign

#: Labels Meta gives the buttons whose request carries no ``text`` (from Sinch's examples).
FIXED_BUTTON_TEXT = {
    "COPY_CODE": "Copy offer code",
    "REQUEST_CONTACT_INFO": "Share Contact Info",
    "ORDER_DETAILS": "Copy Pix code",
}
_BID_PREFIX = "BID_STRATEGY_"


def dumps(value: Any) -> str:
    """Compact JSON, the one encoding used for stored and sent bodies."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def output_details(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """Input-shaped ``details`` → response shape. Idempotent (safe on stored details)."""
    if details is None:
        return None
    out = dict(details)
    optimization = out.get("optimization")
    if isinstance(optimization, dict):
        strategy = optimization.get("bidStrategy")
        if isinstance(strategy, str) and not strategy.startswith(_BID_PREFIX):
            out["optimization"] = {**optimization, "bidStrategy": _BID_PREFIX + strategy}
    out["components"] = [_output_component(c) for c in out.get("components", [])]
    return out


def _output_component(component: dict[str, Any]) -> dict[str, Any]:
    if component.get("type") == "BUTTONS":
        return {**component, "buttons": [_output_button(b) for b in component["buttons"]]}
    if component.get("type") == "CAROUSEL":
        cards = [
            {**card, "components": [_output_component(c) for c in card.get("components", [])]}
            for card in component.get("cards", [])
        ]
        return {**component, "cards": cards}
    return component


def _output_button(button: dict[str, Any]) -> dict[str, Any]:
    label = FIXED_BUTTON_TEXT.get(button.get("type", ""))
    if label and "text" not in button:
        return {**button, "text": label}
    return button


@dataclass
class Record:
    """A template language as the emulator knows it: the DTO fields plus internal bookkeeping.

    ``internal`` holds what Sinch does not show: ``created`` (epoch seconds), ``edits`` (times of
    submitted edits of an APPROVED template, for Meta's 1/24 h and 10/30 days limits),
    ``reviewed`` (the template has reached Meta at least once).
    """

    project: str
    name: str
    language: str
    category: str
    whatsapp_id: str | None = None
    state: str | None = None
    rejection_code: str | None = None
    quality_score: str | None = None
    details: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    is_meta_generated: bool = False
    review_due: float | None = None
    internal: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)

    @property
    def change_status(self) -> str | None:
        return self.changes.get("status") if self.changes else None

    @property
    def submitted(self) -> bool:
        """Whether Meta knows this template (so deleting it blocks the name/language)."""
        return self.state is not None or self.whatsapp_id is not None

    def dto(self) -> dict[str, Any]:
        """``WhatsappTemplateDto`` without ``analytics`` (see :func:`with_analytics`)."""
        out: dict[str, Any] = {}
        if self.whatsapp_id is not None:
            out["whatsappId"] = self.whatsapp_id
        if self.state is not None:
            out["state"] = self.state
        out["name"] = self.name
        out["language"] = self.language
        out["category"] = self.category
        if self.rejection_code is not None:
            out["rejectionCode"] = self.rejection_code
        if self.quality_score is not None:
            out["qualityScore"] = self.quality_score
        if self.changes:
            out["changes"] = self.changes
        if self.details is not None:
            out["details"] = self.details
        out["isMetaGenerated"] = self.is_meta_generated
        return out

    def dto_json(self) -> str:
        return dumps(self.dto())

    def internal_json(self) -> str:
        return dumps(self.internal)

    @classmethod
    def load(
        cls, project: str, dto_json: str, internal_json: str, review_due: float | None
    ) -> Record:
        dto = json.loads(dto_json)
        return cls(
            project=project,
            name=dto["name"],
            language=dto["language"],
            category=dto["category"],
            whatsapp_id=dto.get("whatsappId"),
            state=dto.get("state"),
            rejection_code=dto.get("rejectionCode"),
            quality_score=dto.get("qualityScore"),
            details=dto.get("details"),
            changes=dto.get("changes"),
            is_meta_generated=dto.get("isMetaGenerated", False),
            review_due=review_due,
            internal=json.loads(internal_json),
        )

    def full_dto(self, analytics_json: str) -> dict[str, Any]:
        return json.loads(with_analytics(self.dto_json(), analytics_json))


def with_analytics(dto_json: str, analytics_json: str) -> str:
    """Splice ``"analytics": […]`` into a stored DTO string (it always ends with ``}``), as it
    is read: media sample URLs freshly signed (:func:`waform.emulator.meta.sign`)."""
    return sign(dto_json[:-1] + ',"analytics":' + analytics_json + "}")
