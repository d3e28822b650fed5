"""One template-language as the pieces of a WhatsApp message: what the page draws.

Built from the ``details`` JSON (the YAML's, or one read back from a plan), so the same code
draws desired and live content. Every text is a :class:`~waform.preview.text.RichText`; with
``against`` (the other side's texts, by role) the words that differ are marked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from waform.model import components as model

# Meta's generated authentication texts: the faithful emulator's table, one place for both.
from waform.model.meta_auth import AUTH_BODY_EXAMPLE, auth_texts
from waform.normalize import COMPONENT_ORDER
from waform.preview.text import VARIABLE, RichText, rich_text

RTL_LANGUAGES = frozenset({"AR", "HE", "FA", "UR"})
#: Body limit when the template has a limited-time offer (rule WA-B1).
OFFER_BODY_LIMIT = 600
#: WhatsApp shows at most this many buttons; with more, two and "See all options".
SHOWN_BUTTONS = 3
#: Labels WhatsApp (Meta) writes on buttons that have no ``text`` of their own.
GENERATED_LABELS = {
    "COPY_CODE": "Copy offer code",
    "REQUEST_CONTACT_INFO": "Share Contact Info",
    "ORDER_DETAILS": "Review and pay",
}
ICONS = {
    "QUICK_REPLY": "reply",
    "URL": "link",
    "PHONE_NUMBER": "phone",
    "COPY_CODE": "copy",
    "FLOW": "flow",
    "REQUEST_CONTACT_INFO": "contact",
    "ORDER_DETAILS": "cart",
}


@cache
def text_limit(model_class: type[BaseModel], field_name: str = "text") -> int | None:
    """``maxLength`` of a text field in the API models (one source for the limits)."""
    schema = model_class.model_json_schema()["properties"][field_name]
    for option in [schema, *schema.get("anyOf", [])]:
        if "maxLength" in option:
            return int(option["maxLength"])
    return None


@dataclass(frozen=True)
class Media:
    """A media or location header: named, never loaded unless ``url`` is set."""

    kind: str  # image | video | document | location
    file: RichText | None = None
    mime: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ButtonView:
    kind: str
    icon: str
    label: RichText
    detail: RichText | None = None
    note: str | None = None

    @property
    def quick(self) -> bool:
        return self.kind == "QUICK_REPLY"


@dataclass(frozen=True)
class CardView:
    media: Media | None
    body: RichText | None
    buttons: tuple[ButtonView, ...]


@dataclass(frozen=True)
class Count:
    what: str
    used: int
    limit: int

    @property
    def over(self) -> bool:
        return self.used > self.limit


@dataclass
class Message:
    """Everything the page shows for one template-language."""

    name: str
    language: str
    category: str
    header: RichText | None = None
    media: Media | None = None
    offer: RichText | None = None
    offer_expires: bool = False
    body: RichText | None = None
    footer: RichText | None = None
    buttons: list[ButtonView] = field(default_factory=list)
    cards: list[CardView] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """Every text by role (``body``, ``button0.label``, …): what the other side diffs against."""

    @property
    def rtl(self) -> bool:
        return self.language.upper().split("_")[0] in RTL_LANGUAGES

    @property
    def shown_buttons(self) -> list[ButtonView]:
        if len(self.buttons) <= SHOWN_BUTTONS:
            return self.buttons
        return self.buttons[: SHOWN_BUTTONS - 1]

    @property
    def hidden_buttons(self) -> list[ButtonView]:
        return self.buttons[len(self.shown_buttons) :]


def _single_example(item: Mapping[str, Any]) -> Any:
    """``example: x`` or the request spelling ``examples: [x]``."""
    value = item.get("example", item.get("examples"))
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _by_type(components: Sequence[Any]) -> dict[str, Mapping[str, Any]]:
    ordered = sorted(
        (c for c in components if isinstance(c, Mapping)),
        key=lambda c: COMPONENT_ORDER.get(c.get("type"), len(COMPONENT_ORDER)),  # type: ignore[arg-type]
    )
    return {str(c.get("type")): c for c in ordered}


class _Builder:
    """Collects the texts of one side by role while it builds, diffing against ``against``."""

    def __init__(self, against: Mapping[str, str] | None) -> None:
        self.against = against
        self.texts: dict[str, str] = {}

    def text(
        self,
        role: str,
        text: Any,
        examples: Sequence[Any] | None = None,
        *,
        inline: bool = False,
    ) -> RichText | None:
        if not isinstance(text, str):
            return None
        self.texts[role] = text
        other = None if self.against is None else self.against.get(role, "")
        samples = [str(e) for e in examples or ()]
        return rich_text(text, samples, against=other, inline=inline)

    def media(self, role: str, component: Mapping[str, Any], load_media: bool) -> Media:
        kind = str(component.get("format", "")).lower()
        if kind == "location":
            return Media("location")
        example = _single_example(component)
        url = str(example.get("url", "")) if isinstance(example, Mapping) else ""
        name = urlsplit(url).path.rsplit("/", 1)[-1] or url or "(no sample)"
        mime = example.get("mimeType") if isinstance(example, Mapping) else None
        shown = url if load_media and urlsplit(url).scheme in ("http", "https") else None
        return Media(kind, self.text(f"{role}.file", name, inline=True), mime, shown)


def _url_examples(url: str, example: Any) -> list[str]:
    """The variable's value of a dynamic URL: the example minus the URL's fixed start."""
    match = VARIABLE.search(url)
    if match is None or not isinstance(example, str):
        return []
    prefix = url[: match.start()]
    return [example[len(prefix) :] if example.startswith(prefix) else example]


def _button(b: _Builder, role: str, button: Mapping[str, Any], language: str) -> ButtonView:
    kind = str(button.get("type", ""))
    label_text = button.get("text") or GENERATED_LABELS.get(kind, kind.replace("_", " ").title())
    detail = note = None
    icon = ICONS.get(kind, "link")
    if kind == "URL":
        url = str(button.get("url", ""))
        detail = b.text(
            f"{role}.url", url, _url_examples(url, _single_example(button)), inline=True
        )
    elif kind == "PHONE_NUMBER":
        detail = b.text(f"{role}.phone", button.get("phoneNumber"), inline=True)
    elif kind == "COPY_CODE":
        detail = b.text(f"{role}.code", _single_example(button), inline=True)
    elif kind == "FLOW":
        screen = button.get("navigateScreen")
        flow = f"Flow {button.get('flowId', '')} · {button.get('flowAction', '')}"
        detail = b.text(f"{role}.flow", f"{flow} → {screen}" if screen else flow, inline=True)
    elif kind == "OTP":
        copy = auth_texts(language).copy_code
        otp_type = button.get("otpType")
        if otp_type in ("ONE_TAP", "ZERO_TAP"):
            label_text, icon = button.get("autofillText") or "Autofill", "key"
            note = f"{otp_type}: apps without autofill show “{copy}”"
        else:
            label_text, icon = copy, "copy"
            written = button.get("text")
            if written and written != copy:
                note = f"WhatsApp shows Meta’s label; the file’s “{written}” is not used"
    label = b.text(f"{role}.label", label_text, inline=True)
    assert label is not None  # label_text is always a string
    return ButtonView(kind, icon, label, detail, note)


def _counts(message: Message, parts: Mapping[str, Mapping[str, Any]], auth: bool) -> list[Count]:
    checks: list[tuple[str, Any, int | None]] = [
        ("header", parts.get("HEADER", {}).get("text"), text_limit(model.TextHeader)),
        (
            "offer",
            parts.get("LIMITED_TIME_OFFER", {}).get("text"),
            text_limit(model.LimitedTimeOffer),
        ),
    ]
    if not auth:
        body_limit = OFFER_BODY_LIMIT if "LIMITED_TIME_OFFER" in parts else text_limit(model.Body)
        checks.append(("body", parts.get("BODY", {}).get("text"), body_limit))
        checks.append(("footer", parts.get("FOOTER", {}).get("text"), text_limit(model.Footer)))
    button_limit = text_limit(model.QuickReplyButton)
    for i, button in enumerate(parts.get("BUTTONS", {}).get("buttons") or []):
        if isinstance(button, Mapping) and button.get("type") != "OTP":
            checks.append((f"button {i + 1}", button.get("text"), button_limit))
    for i, card in enumerate(message.cards):
        if card.body is not None:
            checks.append((f"card {i + 1}", card.body.raw, text_limit(model.CardBody)))
    return [
        Count(what, len(text), limit)
        for what, text, limit in checks
        if isinstance(text, str) and limit is not None
    ]


def build_message(
    name: str,
    language: str,
    category: str,
    details: Mapping[str, Any] | None,
    *,
    against: Mapping[str, str] | None = None,
    load_media: bool = False,
) -> Message:
    """The message a phone shows for ``details`` (see the module docstring for ``against``)."""
    b = _Builder(against)
    message = Message(name, language, category)
    parts = _by_type((details or {}).get("components") or [])
    auth = category == "AUTHENTICATION"
    header = parts.get("HEADER")
    if header is not None and header.get("format") == "TEXT":
        example = _single_example(header)
        message.header = b.text("header", header.get("text"), [example] if example else None)
    elif header is not None:
        message.media = b.media("header", header, load_media)
    offer = parts.get("LIMITED_TIME_OFFER")
    if offer is not None:
        message.offer = b.text("offer", offer.get("text"), inline=True)
        message.offer_expires = bool(offer.get("hasExpiration"))
    body = parts.get("BODY", {})
    footer = parts.get("FOOTER", {})
    if auth:
        texts = auth_texts(language)
        generated = texts.body + (texts.security if body.get("addSecurityRecommendation") else "")
        message.body = b.text("body", generated, [AUTH_BODY_EXAMPLE])
        minutes = footer.get("codeExpirationMinutes")
        if minutes is not None:
            message.footer = b.text("footer", texts.footer.format(n=minutes), inline=True)
        message.notes.append(
            f"Meta writes the body, footer and button label of authentication templates in the "
            f"template’s language ({language}); the code shown is a sample."
        )
    else:
        message.body = b.text("body", body.get("text"), body.get("examples"))
        message.footer = b.text("footer", footer.get("text"), inline=True)
    for i, button in enumerate(parts.get("BUTTONS", {}).get("buttons") or []):
        if isinstance(button, Mapping):
            message.buttons.append(_button(b, f"button{i}", button, language))
    for c, card in enumerate(parts.get("CAROUSEL", {}).get("cards") or []):
        message.cards.append(_card(b, f"card{c}", card, language, load_media))
    message.counts = _counts(message, parts, auth)
    message.texts = b.texts
    return message


def _card(
    b: _Builder, role: str, card: Mapping[str, Any], language: str, load_media: bool
) -> CardView:
    parts = _by_type(card.get("components") or [])
    header = parts.get("HEADER")
    media = b.media(f"{role}.header", header, load_media) if header is not None else None
    body = parts.get("BODY", {})
    text = b.text(f"{role}.body", body.get("text"), body.get("examples"))
    buttons = tuple(
        _button(b, f"{role}.button{i}", button, language)
        for i, button in enumerate(parts.get("BUTTONS", {}).get("buttons") or [])
        if isinstance(button, Mapping)
    )
    return CardView(media, text, buttons)


def build_pair(
    name: str,
    language: str,
    live: tuple[str, Mapping[str, Any] | None] | None,
    proposed: tuple[str, Mapping[str, Any] | None] | None,
    *,
    load_media: bool = False,
) -> tuple[Message | None, Message | None]:
    """Both sides of a change, each with the words that differ from the other marked.

    ``live`` / ``proposed`` are ``(category, details)``; ``None`` when that side does not
    exist (a create has no live side, a delete no proposed one).
    """
    plain = [
        None if side is None else build_message(name, language, side[0], side[1])
        for side in (live, proposed)
    ]
    out: list[Message | None] = []
    for side, other in ((live, plain[1]), (proposed, plain[0])):
        out.append(
            None
            if side is None
            else build_message(
                name, language, side[0], side[1],
                against=other.texts if other is not None else None,
                load_media=load_media,
            )
        )  # fmt: skip
    return out[0], out[1]
