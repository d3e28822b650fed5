"""What a rule is: its claim, the evidence it rests on, and the severity that evidence earns.

Severity follows evidence, so a gate that teams keep switched on never refuses what Meta approves:

- **error** when the API refuses: Meta's documentation states the rule (``DOC``) or a known error
  code or subcode answers it (``API``);
- **warning** when the evidence is WhatsApp Manager's web client (``UI``), a third party (``3P``),
  nobody (``UNCONFIRMED``) or contradicts itself (``CONFLICT``: e.g. an approval that breaks the
  rule next to a rejection that follows it).

One rule states one claim: where a documented core has a folklore extension, they are two rules
(``WA-V8`` variables with nothing between them, ``WA-V11`` only spaces between them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Setting = Literal["off", "warning", "error"]
Scope = Literal["template", "cross", "plan", "schema", "none"]
SETTINGS: tuple[str, ...] = ("off", "warning", "error")

_META = "https://developers.facebook.com/documentation/business-messaging/whatsapp"

#: Sources the rules cite (keys of the rules digest): human name and a link to read it at.
SOURCES: dict[str, tuple[str, str]] = {
    "M-OV": ("Meta docs: template fundamentals", f"{_META}/templates/overview"),
    "M-COMP": ("Meta docs: template components", f"{_META}/templates/components"),
    "M-LANG": ("Meta docs: supported languages", f"{_META}/templates/supported-languages"),
    "M-MGMT": ("Meta docs: template management", f"{_META}/templates/template-management"),
    "M-REV": ("Meta docs: template review", f"{_META}/templates/template-review"),
    "M-CAT": ("Meta docs: template categorization", f"{_META}/templates/template-categorization"),
    "M-TTL": ("Meta docs: message time-to-live", f"{_META}/templates/time-to-live"),
    "M-AUTH": (
        "Meta docs: authentication templates",
        f"{_META}/templates/authentication-templates/authentication-templates",
    ),
    "M-CAR": (
        "Meta docs: media card carousel",
        f"{_META}/templates/marketing-templates/media-card-carousel-templates",
    ),
    "M-LTO": (
        "Meta docs: limited-time offer",
        f"{_META}/templates/marketing-templates/limited-time-offer-templates",
    ),
    "M-CPN": (
        "Meta docs: coupon templates",
        f"{_META}/templates/marketing-templates/coupon-templates",
    ),
    "M-CATL": (
        "Meta docs: catalog templates",
        f"{_META}/templates/marketing-templates/catalog-templates",
    ),
    "M-MPM": (
        "Meta docs: multi-product templates",
        f"{_META}/templates/marketing-templates/multi-product-message-templates",
    ),
    "M-FLOW": ("Meta docs: sending a Flow", f"{_META}/flows/guides/sendingaflow"),
    "M-ERR": ("Meta docs: error codes", f"{_META}/support/error-codes"),
    "M-GUIDE": (
        "Meta docs: message template guidelines (legacy)",
        "https://developers.facebook.com/docs/whatsapp/message-templates/guidelines",
    ),
    "M-WH": (
        "Meta docs: template status webhook",
        f"{_META}/webhooks/reference/message_template_status_update",
    ),
    "WAM-UI": (
        "WhatsApp Manager web client",
        "https://business.facebook.com/wa/manage/message-templates/",
    ),
    "COMM": (
        "recorded API rejections (third parties)",
        "https://github.com/search?q=2388299+OR+2388293+whatsapp+template&type=code",
    ),
    "TWILIO": (
        "Twilio docs: template approvals",
        "https://www.twilio.com/docs/whatsapp/tutorial/message-template-approvals-statuses",
    ),
    "SINCH": (
        "Sinch Provisioning API",
        "https://developers.sinch.com/docs/provisioning-api/api-reference/provisioning-api/"
        "whatsapp-templates",
    ),
    "PYWA": ("pywa SDK", "https://github.com/david-lev/pywa/blob/main/pywa/types/templates.py"),
    "GUP": ("Gupshup docs", "https://docs.gupshup.io/docs/template-button-list"),
}

STATUSES: dict[str, str] = {
    "DOC": "Meta's documentation",
    "API": "a known API error code",
    "UI": "WhatsApp Manager's web client",
    "3P": "third parties",
    "UNCONFIRMED": "unconfirmed",
    "CONFLICT": "conflicting evidence",
}


def severity_for_status(status: str) -> Severity:
    """``DOC``/``API`` → error, unless the evidence conflicts; anything else → warning."""
    tokens = set(status.replace("+", "/").replace(" ", "/").split("/"))
    if "CONFLICT" in tokens:
        return "warning"
    return "error" if tokens & {"DOC", "API"} else "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """One of Meta's template rules, as waform checks it."""

    ref: str
    """Id in the rules digest (``V7``); the printed id is :attr:`id` (``WA-V7``)."""
    title: str
    """What the rule demands, in a few words (shown by ``waform rules``)."""
    status: str
    """Kinds of evidence: ``DOC``, ``API``, ``UI``, ``3P``, ``UNCONFIRMED``, ``CONFLICT``."""
    sources: tuple[str, ...]
    scope: Scope = "template"
    severity: Setting | None = None
    """Default severity; ``None`` derives it from :attr:`status` (a deviation needs a note)."""
    schema: str = ""
    """What the model already refuses at load time (those parts never reach the rule engine)."""
    note: str = ""
    evidence: str = ""
    """What the rule rests on, in a sentence: the document, error code or report."""

    @property
    def id(self) -> str:
        return f"WA-{self.ref}"

    @property
    def default(self) -> Setting:
        if self.severity is not None:
            return self.severity
        return severity_for_status(self.status)

    @property
    def shown_severity(self) -> str:
        """Severity for listings: ``-`` for rules that are not checked at all."""
        return "-" if self.scope == "none" else self.default

    @property
    def source(self) -> str:
        return ", ".join(SOURCES[key][0] if key in SOURCES else key for key in self.sources)

    @property
    def cited(self) -> tuple[tuple[str, str], ...]:
        """``(name, link)`` of each source: where to read the evidence."""
        return tuple(SOURCES[key] for key in self.sources if key in SOURCES)

    @property
    def checked(self) -> str:
        """Where the rule is enforced, for listings."""
        return {
            "template": "rules" + (" + schema" if self.schema else ""),
            "cross": "rules (across files)",
            "plan": "plan",
            "schema": "schema",
            "none": "not checked",
        }[self.scope]
