"""Template components and buttons, mirroring Sinch's ``Whatsapp*InputDto`` schemas.

Each component and button type is its own model; ``Component`` / ``Button`` / ``CardComponent``
are discriminated unions so a bad item yields one precise error (``components.2.BUTTONS.buttons.0
.URL.url: field required``) instead of one error per union member. Limits written here are the
*API's* schema limits (e.g. header text ≤ 60); Meta's review rules live in :mod:`waform.rules`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Discriminator,
    Field,
    SerializeAsAny,
    Tag,
    field_validator,
    model_validator,
)

from waform.model import wire
from waform.model.base import WireModel
from waform.model.enums import (
    CardMediaMimeType,
    FlowAction,
    InputBidStrategy,
    MediaMimeType,
    OtpType,
)

Text25 = Annotated[str, Field(min_length=1, max_length=25)]
NonEmpty = Annotated[str, Field(min_length=1)]


def _single_example_field(annotation_default: Any = ..., **kw: Any) -> Any:
    """A field written as :data:`wire.SINGLE_EXAMPLE` that also reads the other spellings."""
    return Field(
        annotation_default,
        validation_alias=AliasChoices(wire.SINGLE_EXAMPLE, *wire.SINGLE_EXAMPLE_ALIASES),
        serialization_alias=wire.SINGLE_EXAMPLE,
        **kw,
    )


class _UnwrapsExample(WireModel):
    """Accepts ``examples: [x]`` (the request-example spelling) as ``example: x``."""

    @model_validator(mode="before")
    @classmethod
    def _unwrap_example_list(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for alias in wire.SINGLE_EXAMPLE_ALIASES:
                value = data.get(alias)
                if isinstance(value, list) and len(value) == 1:
                    data = {**data, alias: value[0]}
        return data


# ---------------------------------------------------------------- buttons


class PhoneNumberButton(WireModel):
    type: Literal["PHONE_NUMBER"]
    text: Text25
    phoneNumber: Annotated[str, Field(min_length=1, max_length=20)]


class UrlButton(_UnwrapsExample):
    type: Literal["URL"]
    text: Text25
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    example: Annotated[str, Field(min_length=1)] | None = _single_example_field(None)


class QuickReplyButton(WireModel):
    type: Literal["QUICK_REPLY"]
    text: Text25


class SupportedApp(WireModel):
    packageName: Annotated[str, Field(min_length=1, max_length=224)]
    signatureHash: Annotated[str, Field(min_length=1)]


class OtpButton(WireModel):
    """``text`` is optional: Meta defaults the label ("Copy code", "Autofill") and Sinch's
    ``WhatsappOtpButtonDto`` requires only ``type`` and ``otpType`` (its input DTO lists ``text``
    as required "not for draft", yet Meta approves templates without it)."""

    type: Literal["OTP"]
    otpType: OtpType
    text: Text25 | None = None
    autofillText: Annotated[str, Field(max_length=25)] | None = None
    packageName: str | None = Field(
        None, deprecated=False, description="Deprecated: use supportedApps."
    )
    signatureHash: str | None = Field(None, description="Deprecated: use supportedApps.")
    supportedApps: list[SupportedApp] | None = None
    zeroTapTermsAccepted: bool | None = None


class FlowButton(WireModel):
    type: Literal["FLOW"]
    text: Text25
    flowId: Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[0-9]+$")]
    flowAction: FlowAction
    navigateScreen: Annotated[str, Field(min_length=1, max_length=432)] | None = None

    @model_validator(mode="after")
    def _navigate_needs_screen(self) -> FlowButton:
        if self.flowAction == "NAVIGATE" and self.navigateScreen is None:
            raise ValueError("navigateScreen is required when flowAction is NAVIGATE")
        return self


class RequestContactInfoButton(WireModel):
    type: Literal["REQUEST_CONTACT_INFO"]


class OrderDetailsButton(WireModel):
    type: Literal["ORDER_DETAILS"]


class CopyCodeButton(_UnwrapsExample):
    type: Literal["COPY_CODE"]
    example: Annotated[str, Field(min_length=1, max_length=20)] = _single_example_field()


# The lists of these unions are ``SerializeAsAny``: an item is dumped by its own model. The
# discriminators are Python functions, needed to validate; called for every item of every dump
# as well, they were a quarter of ``to_wire`` (which a plan runs for each template).
def _type_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    return getattr(value, "type", None)


Button = Annotated[
    Annotated[PhoneNumberButton, Tag("PHONE_NUMBER")]
    | Annotated[UrlButton, Tag("URL")]
    | Annotated[QuickReplyButton, Tag("QUICK_REPLY")]
    | Annotated[OtpButton, Tag("OTP")]
    | Annotated[FlowButton, Tag("FLOW")]
    | Annotated[RequestContactInfoButton, Tag("REQUEST_CONTACT_INFO")]
    | Annotated[OrderDetailsButton, Tag("ORDER_DETAILS")]
    | Annotated[CopyCodeButton, Tag("COPY_CODE")],
    Discriminator(
        _type_tag,
        custom_error_type="invalid_button_type",
        custom_error_message=(
            "button type must be one of PHONE_NUMBER, URL, QUICK_REPLY, OTP, FLOW, "
            "REQUEST_CONTACT_INFO, ORDER_DETAILS, COPY_CODE"
        ),
    ),
]

CardButton = Annotated[
    Annotated[UrlButton, Tag("URL")]
    | Annotated[QuickReplyButton, Tag("QUICK_REPLY")]
    | Annotated[PhoneNumberButton, Tag("PHONE_NUMBER")],
    Discriminator(
        _type_tag,
        custom_error_type="invalid_button_type",
        custom_error_message="carousel card button type must be one of URL, QUICK_REPLY, PHONE_NUMBER",
    ),
]

# ---------------------------------------------------------------- components


class MediaExample(WireModel):
    url: Annotated[str, Field(min_length=1)]
    mimeType: MediaMimeType | None = None


class CardMediaExample(WireModel):
    url: Annotated[str, Field(min_length=1)]
    mimeType: CardMediaMimeType | None = None


class TextHeader(_UnwrapsExample):
    type: Literal["HEADER"]
    format: Literal["TEXT"]
    text: Annotated[str, Field(min_length=1, max_length=60)]
    example: Annotated[str, Field(min_length=1)] | None = _single_example_field(None)


class MediaHeader(_UnwrapsExample):
    type: Literal["HEADER"]
    format: Literal["IMAGE", "VIDEO", "DOCUMENT"]
    example: MediaExample = _single_example_field()


class LocationHeader(WireModel):
    type: Literal["HEADER"]
    format: Literal["LOCATION"]


class Body(WireModel):
    type: Literal["BODY"]
    text: Annotated[str, Field(min_length=1, max_length=1024)] | None = None
    examples: list[NonEmpty] | None = None
    addSecurityRecommendation: bool | None = None


class Footer(WireModel):
    type: Literal["FOOTER"]
    text: Annotated[str, Field(max_length=60)] | None = None
    codeExpirationMinutes: int | None = None


class Buttons(WireModel):
    type: Literal["BUTTONS"]
    buttons: Annotated[list[SerializeAsAny[Button]], Field(min_length=1)]


class CardHeader(_UnwrapsExample):
    type: Literal["HEADER"]
    format: Literal["IMAGE", "VIDEO"]
    example: CardMediaExample = _single_example_field()


class CardBody(WireModel):
    type: Literal["BODY"]
    text: Annotated[str, Field(min_length=1, max_length=160)]
    examples: list[NonEmpty] | None = None


class CardButtons(WireModel):
    type: Literal["BUTTONS"]
    buttons: Annotated[list[SerializeAsAny[CardButton]], Field(min_length=1, max_length=2)]


def _component_tag(value: Any) -> str | None:
    """``HEADER`` components are told apart by ``format``; everything else by ``type``."""
    tag = _type_tag(value)
    if tag == "HEADER":
        fmt = value.get("format") if isinstance(value, dict) else getattr(value, "format", None)
        if fmt == "TEXT":
            return "HEADER_TEXT"
        if fmt == "LOCATION":
            return "HEADER_LOCATION"
        if fmt in ("IMAGE", "VIDEO", "DOCUMENT"):
            return "HEADER_MEDIA"
        return None
    return tag


CardComponent = Annotated[
    Annotated[CardHeader, Tag("HEADER_MEDIA")]
    | Annotated[CardBody, Tag("BODY")]
    | Annotated[CardButtons, Tag("BUTTONS")],
    Discriminator(
        _component_tag,
        custom_error_type="invalid_component_type",
        custom_error_message=(
            "carousel card component must be HEADER (format IMAGE or VIDEO), BODY or BUTTONS"
        ),
    ),
]


def _types(components: list[Any]) -> dict[str, int]:
    """Each component's type → its index; a type that appears twice is an error."""
    seen: dict[str, int] = {}
    for index, component in enumerate(components):
        kind = component.type
        if kind in seen:
            raise ValueError(
                f"component type {kind} appears twice (items {seen[kind]} and {index}); "
                "each type may appear once"
            )
        seen[kind] = index
    return seen


def _unique_types(components: list[Any]) -> list[Any]:
    _types(components)
    return components


class Card(WireModel):
    components: Annotated[list[SerializeAsAny[CardComponent]], Field(min_length=1)]

    _unique = field_validator("components")(classmethod(lambda cls, v: _unique_types(v)))


class Carousel(WireModel):
    type: Literal["CAROUSEL"]
    cards: Annotated[list[Card], Field(min_length=1, max_length=10)]


class LimitedTimeOffer(WireModel):
    type: Literal["LIMITED_TIME_OFFER"]
    text: Annotated[str, Field(min_length=1, max_length=16)]
    hasExpiration: bool | None = None


Component = Annotated[
    Annotated[TextHeader, Tag("HEADER_TEXT")]
    | Annotated[MediaHeader, Tag("HEADER_MEDIA")]
    | Annotated[LocationHeader, Tag("HEADER_LOCATION")]
    | Annotated[Body, Tag("BODY")]
    | Annotated[Footer, Tag("FOOTER")]
    | Annotated[Buttons, Tag("BUTTONS")]
    | Annotated[Carousel, Tag("CAROUSEL")]
    | Annotated[LimitedTimeOffer, Tag("LIMITED_TIME_OFFER")],
    Discriminator(
        _component_tag,
        custom_error_type="invalid_component_type",
        custom_error_message=(
            "component must have type HEADER (with format TEXT, LOCATION, IMAGE, VIDEO or "
            "DOCUMENT), BODY, FOOTER, BUTTONS, CAROUSEL or LIMITED_TIME_OFFER"
        ),
    ),
]


class Optimization(WireModel):
    """Dynamic pricing (MARKETING). Input spelling of ``bidStrategy``; see §2.6 of the reference."""

    bidAmount: Annotated[int | float, Field(ge=0)]
    bidStrategy: InputBidStrategy
    bidCountryMultiplierOverrides: (
        dict[
            Annotated[str, Field(pattern=r"^[A-Z]{2}$")],
            Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")],
        ]
        | None
    ) = None

    @field_validator("bidCountryMultiplierOverrides")
    @classmethod
    def _by_country(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """One order (the countries'), which carries no meaning: a template read from its file
        and one read from its stored wire form (canonical JSON, :mod:`waform.stored_forms`)
        make the same request body, byte for byte."""
        return dict(sorted(value.items())) if value else value


class TemplateDetails(WireModel):
    """``details`` of a create/update request: the content Meta reviews."""

    components: Annotated[list[SerializeAsAny[Component]], Field(min_length=1)]
    messageSendTtlSeconds: int | None = None
    optimization: Optimization | None = None

    @field_validator("components")
    @classmethod
    def _one_of_each_with_body(cls, components: list[Any]) -> list[Any]:
        if "BODY" not in _types(components):
            raise ValueError("a BODY component is required")
        return components
