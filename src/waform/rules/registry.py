"""The catalogue of Meta's template rules: one declarative :class:`Rule` per id.

Why a table: the same data drives the checks' severities, ``waform rules`` and the README table, so
the three cannot drift apart. Ids follow the rules digest (``V7`` → ``WA-V7``). The default
severity follows how sure we are that Meta rejects the template: **error** when Meta's docs or a
real API error say so (status ``DOC`` / ``API``), **warning** when only WhatsApp Manager's web client
(``UI``), a third party (``3P``) or nobody (``UNCONFIRMED``) says so. Deviations are explicit
(``severity=`` with a ``note`` saying why).

``scope`` says where a rule is checked:

- ``template``: on each template-language of a file (:func:`waform.rules.check_files`);
- ``cross``: across all files of a run (duplicates);
- ``plan``: against the remote state (:func:`waform.rules.check_plan`);
- ``schema``: the model (:mod:`waform.model`) already refuses it while loading, so the rule engine
  never sees such a template — listed so ``waform rules`` is complete;
- ``none``: cannot be checked offline (kept for reference).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Setting = Literal["off", "warning", "error"]
Scope = Literal["template", "cross", "plan", "schema", "none"]
SETTINGS: tuple[str, ...] = ("off", "warning", "error")

#: Human names of the sources the rules come from (keys of the rules digest, spelled out).
SOURCES: dict[str, str] = {
    "M-OV": "Meta docs: template fundamentals",
    "M-COMP": "Meta docs: template components",
    "M-LANG": "Meta docs: supported languages",
    "M-MGMT": "Meta docs: template management",
    "M-REV": "Meta docs: template review",
    "M-CAT": "Meta docs: template categorization",
    "M-TTL": "Meta docs: message time-to-live",
    "M-AUTH": "Meta docs: authentication templates",
    "M-CAR": "Meta docs: media card carousel",
    "M-LTO": "Meta docs: limited-time offer",
    "M-CPN": "Meta docs: coupon templates",
    "M-CATL": "Meta docs: catalog templates",
    "M-MPM": "Meta docs: multi-product templates",
    "M-FLOW": "Meta docs: sending a Flow",
    "M-ERR": "Meta docs: error codes",
    "M-WH": "Meta docs: template status webhook",
    "WAM-UI": "WhatsApp Manager web client",
    "COMM": "recorded API rejections",
    "SINCH": "Sinch Provisioning API",
    "PYWA": "pywa SDK",
    "GUP": "Gupshup docs",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One of Meta's template rules, as waform checks it."""

    ref: str
    """Id in the rules digest (``V7``); the printed id is :attr:`id` (``WA-V7``)."""
    title: str
    """What the rule demands, in a few words (shown by ``waform rules``)."""
    status: str
    """How confirmed: ``DOC``, ``API``, ``UI``, ``3P``, ``UNCONFIRMED`` or a combination."""
    sources: tuple[str, ...]
    scope: Scope = "template"
    severity: Setting | None = None
    """Default severity; ``None`` derives it from :attr:`status`."""
    schema: str = ""
    """What the model already refuses at load time (those parts never reach the rule engine)."""
    note: str = ""

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
        return ", ".join(SOURCES.get(key, key) for key in self.sources)

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


def severity_for_status(status: str) -> Severity:
    """``DOC``/``API`` anywhere in the status → error; only UI/3P/UNCONFIRMED → warning."""
    tokens = set(status.replace("+", "/").replace(" ", "/").split("/"))
    return "error" if tokens & {"DOC", "API"} else "warning"


_R = Rule
_ALL: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- names, language, category
    _R("N1", "template name: lowercase letters, digits and _ only", "DOC", ("M-OV",), "schema",
       schema="name pattern (Sinch's is stricter: no leading/trailing _)"),
    _R("N2", "template name at most 512 characters", "DOC", ("M-OV", "M-COMP"), "schema",
       schema="name length"),
    _R("N3", "one template per (name, language) across all files", "DOC", ("M-OV",), "schema",
       schema="the loader refuses a language defined twice, in one file or across files"),
    _R("N4", "name and language of an existing template cannot change", "DOC", ("M-MGMT",), "none",
       note="a renamed file is a new template (create) plus a removal; the plan shows both"),
    _R("N5", "a deleted approved name cannot be reused for 30 days", "DOC", ("M-MGMT", "SINCH"),
       "none", note="needs the deletion history, which no API returns"),
    _R("N6", "bad names fail with subcode 2388046", "API", ("COMM",), "schema",
       schema="same check as N1"),
    _R("N7", "a template named `test` must have the body `Hello {{1}}`", "UI", ("WAM-UI",)),
    _R("L1", "language code is a supported one", "DOC", ("M-LANG",), "schema",
       schema="language key must be one of Sinch's codes"),
    _R("C1", "category is AUTHENTICATION, MARKETING or UTILITY", "DOC", ("M-OV", "M-CAT"),
       "schema", schema="category enum"),
    _R("C2", "the category of an approved template cannot change", "DOC", ("M-MGMT",), "plan"),
    _R("C3", "Meta may re-categorise UTILITY as MARKETING", "DOC", ("M-CAT",), "none",
       note="shows up as drift; WA-C2 stops the plan from editing it back"),
    _R("C4", "a new language uses the category of the existing languages", "3P", ("SINCH",),
       "plan"),
    # ---------------------------------------------------------------- components
    _R("H1", "one BODY with text (AUTHENTICATION: preset); each component type once", "DOC",
       ("M-COMP", "SINCH"), schema="BODY present; component types unique"),
    _R("H2", "text header at most 60 characters", "DOC", ("M-COMP",), "schema",
       schema="header text length"),
    _R("H3", "text header has at most one variable", "DOC", ("M-COMP", "WAM-UI")),
    _R("H4", "text header: no formatting characters (* _ ~ `), newline or emoji", "DOC+UI",
       ("M-COMP", "WAM-UI")),
    _R("H5", "media header format is IMAGE, VIDEO or DOCUMENT (or LOCATION)", "DOC", ("M-COMP",),
       "schema", schema="header format enum"),
    _R("H6", "media header carries a sample (example.url)", "DOC", ("M-COMP", "SINCH"), "schema",
       schema="example required"),
    _R("H7", "LOCATION header only in UTILITY or MARKETING templates", "DOC", ("M-COMP",),
       schema="LOCATION header takes no example"),
    _R("B1", "body at most 1024 characters (limited-time offer: 600, card: 160)", "DOC",
       ("M-COMP", "M-LTO", "M-CAR"), schema="1024 and card 160"),
    _R("B2", "body emoji: MARKETING at most 10, UTILITY at most 6", "UI", ("WAM-UI",)),
    _R("B3", "body: no more than two line breaks in a row", "UNCONFIRMED", ("WAM-UI", "COMM")),
    _R("F1", "footer at most 60 characters", "DOC", ("M-COMP",), "schema",
       schema="footer text length"),
    _R("F2", "footer has no variables", "UI/3P", ("WAM-UI",),
       note="the digest suggests treating it as an error: set `WA-F2: error` to do so"),
    _R("F3", "footer: no newline or emoji", "UI", ("WAM-UI",)),
    # ---------------------------------------------------------------- buttons
    _R("BT1", "at most 10 buttons", "DOC", ("M-COMP",)),
    _R("BT2", "quick replies in one contiguous group (at most 10: WA-BT1)", "DOC", ("M-COMP",)),
    _R("BT3", "at most 2 URL buttons", "DOC", ("M-COMP",)),
    _R("BT4", "one phone-number button with a valid international number", "DOC+API",
       ("M-COMP", "COMM"), schema="number at most 20 characters"),
    _R("BT5", "at most one copy-code button", "DOC", ("M-COMP",),
       schema="code at most 20 characters"),
    _R("BT6", "voice-call button: at most one, label at most 25", "DOC", ("M-COMP", "PYWA"),
       "schema", schema="Sinch's API has no VOICE_CALL button type"),
    _R("BT7", "button labels at most 25 characters", "DOC", ("M-COMP", "M-AUTH"), "schema",
       schema="label length, every button type"),
    _R("BT8", "button labels: no variables, markup, emoji or newlines", "UI/UNCONFIRMED",
       ("WAM-UI", "COMM")),
    _R("BT9", "button labels are distinct", "UNCONFIRMED", ("WAM-UI", "COMM")),
    _R("BT10", "URL at most 2000 characters with the example filled in", "DOC", ("M-COMP",),
       schema="URL as written at most 2000"),
    _R("BT11", "URL: at most one variable, {{1}}, at the very end (not in the host)", "DOC",
       ("M-COMP", "M-CAR", "SINCH")),
    _R("BT12", "URL: no wa.me / whatsapp.com links, no URL shorteners", "UI/API-anecdotal",
       ("WAM-UI", "COMM", "SINCH")),
    _R("BT13", "4+ buttons, or quick replies mixed with others, don't show on desktop", "DOC",
       ("M-COMP",), severity="off",
       note="informational, not a rejection: opt in with `WA-BT13: warning`"),
    # ---------------------------------------------------------------- variables
    _R("V1", "positional variables {{1}}, {{2}}…: Sinch's API takes no named ones", "DOC",
       ("M-OV", "SINCH")),
    _R("V2", "variables numbered from {{1}} without gaps, first used in order", "DOC",
       ("M-OV", "M-REV")),
    _R("V3", "named variables: lowercase and _, unique", "DOC/UI", ("M-OV", "WAM-UI"), "none",
       note="Sinch's API has positional variables only (see WA-V1)"),
    _R("V4", "named variable names at most 32 (or 20) characters", "UNCONFIRMED",
       ("WAM-UI",), "none", note="Sinch's API has positional variables only (see WA-V1)"),
    _R("V5", "exactly one example per variable (none when there is no variable)", "DOC",
       ("M-OV", "M-COMP", "M-CAR")),
    _R("V6", "nothing but a number inside {{ }}; braces balanced", "DOC", ("M-REV",)),
    _R("V7", "body does not start or end with a variable", "DOC+API", ("M-REV", "M-ERR")),
    _R("V8", "variables separated by text", "UI+API", ("WAM-UI", "M-WH")),
    _R("V9", "enough words for the variables (at least 3 per variable + 1)", "DOC/UNCONFIRMED",
       ("M-REV", "M-ERR", "WAM-UI"), severity="warning",
       note="Meta's threshold is unpublished; the heuristic is a warning"),
    _R("V10", "examples: no newline, tab or more than 4 spaces in a row", "UNCONFIRMED",
       ("COMM",)),
    # ---------------------------------------------------------------- authentication
    _R("A1", "AUTHENTICATION body: preset, no text/examples; addSecurityRecommendation only there",
       "DOC+API", ("M-AUTH", "COMM")),
    _R("A2", "AUTHENTICATION footer: only codeExpirationMinutes, 1–90", "DOC",
       ("M-AUTH", "WAM-UI")),
    _R("A3", "AUTHENTICATION: exactly one OTP button and nothing else; OTP only there", "DOC",
       ("M-AUTH", "M-CAT"), schema="otpType enum"),
    _R("A4", "AUTHENTICATION: no header/media, no URL, no emoji", "DOC", ("M-AUTH", "M-CAT")),
    _R("A5", "ONE_TAP/ZERO_TAP: 1–5 supportedApps, package name and 11-character hash",
       "DOC", ("M-AUTH", "WAM-UI"), schema="package name at most 224 characters"),
    _R("A6", "ZERO_TAP needs zeroTapTermsAccepted: true", "DOC", ("M-AUTH",)),
    # ---------------------------------------------------------------- marketing formats
    _R("K1", "carousel: MARKETING only, 2–10 cards", "DOC", ("M-CAR",),
       schema="at most 10 cards"),
    _R("K2", "carousel card: media header; body in all cards or none", "DOC", ("M-CAR",),
       schema="card header IMAGE/VIDEO, body at most 160, at most 2 buttons"),
    _R("K3", "carousel cards all have the same components", "DOC", ("M-CAR",)),
    _R("O1", "limited-time offer: MARKETING only, no footer, IMAGE/VIDEO header", "DOC",
       ("M-LTO",), schema="offer text at most 16"),
    _R("O2", "coupon code: at most 15 letters and digits", "DOC", ("M-CPN", "M-LTO"),
       note="Meta's 2026 components page says 20; coupon and offer pages say 15"),
    _R("O3", "catalog template: one CATALOG button", "DOC", ("M-CATL",), "schema",
       schema="Sinch's API has no CATALOG button type"),
    _R("O4", "multi-product template: one MPM button", "DOC", ("M-MPM", "M-COMP"), "schema",
       schema="Sinch's API has no MPM button type"),
    _R("O5", "Flow button: flowId, flowAction, navigateScreen for NAVIGATE", "DOC/3P",
       ("M-FLOW", "PYWA", "SINCH"), "schema", schema="flowId digits, navigateScreen required"),
    # ---------------------------------------------------------------- lifecycle
    _R("LC4", "at most 250 template-languages per WABA (6,000 when verified)", "DOC",
       ("M-OV", "M-ERR"), "plan", severity="warning",
       note="the limit depends on the business's verification, unknown offline"),
    _R("LC5", "at most 100 templates created per WABA per hour", "DOC", ("M-OV",), "plan",
       severity="warning", note="apply still works, Meta throttles the excess"),
    _R("LC8", "no two templates with the same body and footer (not AUTHENTICATION)", "DOC",
       ("M-REV",), "cross", severity="warning",
       note="wording similarity is Meta's judgement; exact duplicates are a warning"),
    # ---------------------------------------------------------------- time-to-live
    _R("T1", "AUTHENTICATION TTL 30–900 s", "DOC", ("M-TTL",),
       schema="Sinch's 10–900 s range"),
    _R("T2", "UTILITY TTL 30–43,200 s", "DOC", ("M-TTL",), "schema",
       schema="Sinch's range is the same"),
    _R("T3", "MARKETING TTL 43,200–2,592,000 s", "DOC", ("M-TTL",), "schema",
       schema="Sinch's range is the same"),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}

#: Checks by rule id, filled by the rule-family modules through :func:`check`.
TEMPLATE_CHECKS: dict[str, Callable] = {}
CROSS_CHECKS: dict[str, Callable] = {}


def check(rule_id: str) -> Callable[[Callable], Callable]:
    """Register ``fn`` as the check of ``rule_id`` (a ``template`` or ``cross`` scoped rule)."""
    rule = RULES[rule_id]
    table = {"template": TEMPLATE_CHECKS, "cross": CROSS_CHECKS}[rule.scope]

    def register(fn: Callable) -> Callable:
        if rule_id in table:
            raise RuntimeError(f"{rule_id} has two checks")
        table[rule_id] = fn
        return fn

    return register


# ---------------------------------------------------------------- listings


def rules_as_dicts(rules: Iterable[Rule] | None = None) -> list[dict[str, str]]:
    out = []
    for rule in rules if rules is not None else RULES.values():
        data = asdict(rule)
        data.pop("severity")
        data["sources"] = list(rule.sources)
        out.append(
            {"id": rule.id, "severity": None if rule.scope == "none" else rule.default,
             "checked": rule.checked,
             "source": rule.source, **data}
        )  # fmt: skip
    return out


def render_json(rules: Iterable[Rule] | None = None) -> str:
    return json.dumps({"rules": rules_as_dicts(rules)}, indent=2, ensure_ascii=False)


def render_text(rules: Iterable[Rule] | None = None) -> str:
    rows = list(rules if rules is not None else RULES.values())
    width = max(len(rule.id) for rule in rows)
    lines = []
    for rule in rows:
        lines.append(
            f"{rule.id:<{width}}  {rule.shown_severity:<7}  {rule.status:<16}  "
            f"{rule.checked:<20}  {rule.title} [{rule.source}]"
        )
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(rules: Iterable[Rule] | None = None) -> str:
    """The README table (a test keeps the README in sync with this output)."""
    lines = [
        "| id | rule | severity | status | checked by | notes | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rule in rules if rules is not None else RULES.values():
        notes = "; ".join(
            part for part in (f"schema: {rule.schema}" if rule.schema else "", rule.note) if part
        )
        lines.append(
            f"| `{rule.id}` | {_md(rule.title)} | {rule.shown_severity} | {rule.status} "
            f"| {rule.checked} | {_md(notes)} | {_md(rule.source)} |"
        )
    return "\n".join(lines)
