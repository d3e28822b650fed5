"""Hover texts and definition names for the generated JSON Schemas (a table, kept apart from
the generation code in :mod:`waform.schema`)."""

from __future__ import annotations

from waform.model import wire

TEMPLATE_DESCRIPTION = (
    "One WhatsApp message template name as waform desired state: the category shared by all "
    "languages and, per language, Sinch's `details` (camelCase, as in Sinch's API docs)."
)

#: Hover texts per definition (``""`` = the definition itself) and property.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "TemplateFile": {
        "name": "Template name: lowercase letters, digits and `_`; may not start or end with `_`. "
        "The file should be called `<name>.yaml`.",
        "category": "Shared by every language of the name (Sinch enforces it).",
        "status": "`submit` sends the content to Meta for review; `draft` only stores it at "
        "Sinch. Can be overridden per language.",
        "allowCategoryChange": "Let Meta re-categorise the template instead of rejecting it. "
        "Can be overridden per language.",
        "saveDraftOnFailure": "Keep the content as a Sinch draft when the submission fails. "
        "Can be overridden per language.",
        "rules": "Per-template overrides of waform's Meta-rule checks: rule id (e.g. WA-V9) "
        '→ off | warning | error. Quote "off" for YAML 1.1 tools.',
        "languages": "Content per language. Keys: Sinch (EN_US, DE, PT_BR) or Meta (en_US, de, "
        "pt_BR) spelling, also with '-'; waform normalises them to Sinch's.",
    },
    "LanguageEntry": {
        "": "One language of the template: its content plus optional overrides of the "
        "file-level status, allowCategoryChange and saveDraftOnFailure.",
        "status": "Overrides the file-level status for this language.",
        "allowCategoryChange": "Overrides the file-level allowCategoryChange for this language.",
        "saveDraftOnFailure": "Overrides the file-level saveDraftOnFailure for this language.",
        "details": "Exactly Sinch's `details`: the content Meta reviews.",
    },
    "TemplateDetails": {
        "": "The content Meta reviews (Sinch's `details`).",
        "components": "A BODY is required; every component type may appear at most once.",
        "messageSendTtlSeconds": "How long WhatsApp keeps trying to deliver: AUTHENTICATION "
        "10..900, UTILITY 30..43200, MARKETING 43200..2592000 seconds.",
        "optimization": "Dynamic pricing (MARKETING, accounts enabled for maximum-price "
        "templates only).",
    },
    "Optimization": {
        "": "Dynamic pricing: a cap on the price per 1,000 deliveries.",
        "bidAmount": "Maximum price per 1,000 deliveries in the smallest unit of the WABA "
        "currency (5000 = USD 0.05 per delivery).",
        "bidStrategy": "The only input value is LOWEST_COST_WITH_BID_CAP.",
        "bidCountryMultiplierOverrides": "ISO 3166 alpha-2 country → multiplier as a decimal "
        'string, 0.0..10.0 (e.g. DE: "1.2").',
    },
    "TextHeader": {
        "": "A text header (≤ 60 characters, at most one variable {{1}}).",
        "text": "Header text; no newlines, emoji or markdown characters.",
        wire.SINGLE_EXAMPLE: "Sample value of the header variable; required when the text "
        "has {{1}}.",
    },
    "MediaHeader": {
        "": "An IMAGE, VIDEO or DOCUMENT header; the sample file is reviewed by Meta.",
        wire.SINGLE_EXAMPLE: "Sample media that Sinch downloads: JPEG/PNG ≤ 5 MB, MP4/3GP ≤ 16 MB, "
        "PDF ≤ 100 MB.",
    },
    "LocationHeader": {
        "": "A location header: the location is given when sending (UTILITY or MARKETING).",
    },
    "MediaExample": {
        "url": "Public https URL of the sample file.",
        "mimeType": "Only needed when the type cannot be told from the file contents.",
    },
    "CardMediaExample": {
        "url": "Public https URL of the sample image or video.",
        "mimeType": "Only needed when the type cannot be told from the file contents.",
    },
    "Body": {
        "": "The message text (required in every template).",
        "text": "Up to 1024 characters (600 with a limited-time offer); variables {{1}}..{{n}} "
        "in order, not at the very start or end, not next to each other. Leave out for "
        "AUTHENTICATION templates (Meta supplies the text).",
        wire.BODY_EXAMPLES: "One sample value per variable, in order.",
        "addSecurityRecommendation": "AUTHENTICATION only: add Meta's 'do not share this code' "
        "line.",
    },
    "Footer": {
        "": "A footer line (no variables, no emoji).",
        "text": "Footer text, up to 60 characters.",
        "codeExpirationMinutes": "AUTHENTICATION only: adds 'This code expires in N minutes' "
        "(1..90).",
    },
    "Buttons": {
        "": "Up to 10 buttons; quick replies must be next to each other.",
    },
    "Carousel": {
        "": "A media card carousel (MARKETING): 2..10 cards with the same components.",
    },
    "Card": {
        "": "One carousel card: a media HEADER, an optional BODY (≤ 160) and 1..2 buttons.",
    },
    "CardHeader": {
        "": "The card's IMAGE or VIDEO (cropped to a wide ratio).",
        wire.SINGLE_EXAMPLE: "Sample media that Sinch downloads.",
    },
    "CardBody": {
        "text": "Card text, up to 160 characters.",
        wire.BODY_EXAMPLES: "One sample value per variable, in order.",
    },
    "CardButtons": {
        "": "One or two buttons: URL, QUICK_REPLY or PHONE_NUMBER.",
    },
    "LimitedTimeOffer": {
        "": "Limited-time offer banner (MARKETING; no footer allowed).",
        "text": "Offer title, up to 16 characters.",
        "hasExpiration": "Show a countdown to the expiry time given when sending.",
    },
    "PhoneNumberButton": {
        "text": "Button label (≤ 25 characters).",
        "phoneNumber": "International number, e.g. +14155550123.",
    },
    "UrlButton": {
        "text": "Button label (≤ 25 characters).",
        "url": "https URL; may end with one variable {{1}}. No wa.me links or URL shorteners.",
        wire.SINGLE_EXAMPLE: "The full URL with the variable filled in; required when the URL "
        "ends with {{1}}.",
    },
    "QuickReplyButton": {
        "text": "Button label (≤ 25 characters).",
    },
    "OtpButton": {
        "": "The one-time-password button of an AUTHENTICATION template (exactly one).",
        "otpType": "COPY_CODE, ONE_TAP (Android autofill) or ZERO_TAP (Android, no tap).",
        "text": "Copy-code button label (≤ 25 characters).",
        "autofillText": "ONE_TAP/ZERO_TAP autofill button label (≤ 25 characters).",
        "packageName": "Deprecated: use supportedApps.",
        "signatureHash": "Deprecated: use supportedApps.",
        "supportedApps": "ONE_TAP/ZERO_TAP: the Android apps (1..5) that receive the code.",
        "zeroTapTermsAccepted": "ZERO_TAP: must be true (you accept Meta's zero-tap terms).",
    },
    "SupportedApp": {
        "packageName": "Android package name, e.g. com.example.shop.",
        "signatureHash": "The app's 11-character signing key hash.",
    },
    "FlowButton": {
        "text": "Button label (≤ 25 characters).",
        "flowId": "Id of a published WhatsApp Flow (digits).",
        "flowAction": "NAVIGATE opens navigateScreen; DATA_EXCHANGE asks your endpoint.",
        "navigateScreen": "First screen of the flow; required for NAVIGATE.",
    },
    "RequestContactInfoButton": {
        "": "Asks the user to share their contact details.",
    },
    "OrderDetailsButton": {
        "": "'Review and pay' button of an order-details (payments) template.",
    },
    "CopyCodeButton": {
        "": "Copies a coupon code (MARKETING); the label is set by WhatsApp.",
        wire.SINGLE_EXAMPLE: "Sample code, up to 15 characters to be safe (Meta documents 15 "
        "and 20).",
    },
}

#: Unions pydantic renders as ``oneOf`` → (definition name to create, its description).
UNION_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("TemplateDetails", "components"): (
        "Component",
        "A template component; `type` (and `format` for HEADER) selects the kind.",
    ),
    ("Buttons", "buttons"): ("Button", "A button; `type` selects the kind."),
    ("Card", "components"): ("CardComponent", "A carousel card component."),
    ("CardButtons", "buttons"): ("CardButton", "A carousel card button."),
}

#: Property names pydantic emits that are not JSON Schema keywords → their JSON Schema names.
CONSTRAINT_KEYWORDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}
