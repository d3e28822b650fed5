"""Rules of AUTHENTICATION templates and OTP buttons (A*).

An authentication template is Meta's preset text ("<code> is your verification code."), an
optional security line, an optional expiry footer and exactly one OTP button; everything else
is refused. The fields that only make sense there (``addSecurityRecommendation``,
``codeExpirationMinutes``, OTP buttons) are refused elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from waform.model.components import OtpButton, UrlButton
from waform.rules.buttons import label_fields
from waform.rules.context import Hit, TemplateContext
from waform.rules.registry import check
from waform.rules.shape import (
    AUTHENTICATION,
    BODY,
    EXPIRY_MINUTES,
    FOOTER,
    OTP_BUTTON,
    SECURITY_LINE,
)
from waform.rules.text import PACKAGE_NAME, SIGNATURE_HASH, contains_url, has_emoji

CODE_EXPIRY = (1, 90)
MAX_APPS = 5
AUTOFILL_TYPES = ("ONE_TAP", "ZERO_TAP")


@check("WA-A1", needs=(BODY, AUTHENTICATION | SECURITY_LINE))
def preset_body(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.body:
        return
    index, body = ctx.body
    if ctx.is_auth:
        if body.text is not None:
            yield (
                ctx.at(index, "text"),
                (
                    "remove the body text: AUTHENTICATION bodies are Meta's preset text (use "
                    "addSecurityRecommendation for the security line)"
                ),
            )
        if body.examples is not None:
            yield (
                ctx.at(index, "examples"),
                ("remove the body examples: AUTHENTICATION bodies have no variables to fill"),
            )
    elif body.addSecurityRecommendation is not None:
        yield (
            ctx.at(index, "addSecurityRecommendation"),
            ("remove addSecurityRecommendation: it only exists in AUTHENTICATION templates"),
        )


@check("WA-A2", needs=(FOOTER, AUTHENTICATION | EXPIRY_MINUTES))
def expiry_footer(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.footer:
        return
    index, footer = ctx.footer
    minutes = footer.codeExpirationMinutes
    if not ctx.is_auth:
        if minutes is not None:
            yield (
                ctx.at(index, "codeExpirationMinutes"),
                ("remove codeExpirationMinutes: it only exists in AUTHENTICATION templates"),
            )
        return
    if footer.text is not None:
        yield (
            ctx.at(index, "text"),
            (
                "replace the footer text with codeExpirationMinutes: AUTHENTICATION footers are preset"
            ),
        )
    low, high = CODE_EXPIRY
    if minutes is not None and not low <= minutes <= high:
        yield (
            ctx.at(index, "codeExpirationMinutes"),
            (f"set codeExpirationMinutes between {low} and {high} (it is {minutes})"),
        )


@check("WA-A3", needs=(AUTHENTICATION | OTP_BUTTON,))
def one_otp_button(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.is_auth:
        for site in ctx.all_buttons:
            if isinstance(site.button, OtpButton):
                yield (
                    (*site.loc, "type"),
                    (
                        f"remove the OTP button or make the template AUTHENTICATION: {ctx.category} "
                        "templates cannot send codes"
                    ),
                )
        return
    if not ctx.buttons:
        yield (
            ctx.components_loc,
            ("add a BUTTONS component with one OTP button: AUTHENTICATION templates need it"),
        )
        return
    otp = 0
    for site in ctx.top_buttons:
        button = site.button
        if isinstance(button, OtpButton):
            otp += 1
            if otp == 2:
                yield site.loc, "remove this OTP button: exactly one is allowed"
        elif not isinstance(button, UrlButton):  # URL buttons: WA-A4
            yield (
                (*site.loc, "type"),
                (
                    f"remove the {button.type} button: AUTHENTICATION templates have only the OTP button"
                ),
            )
    if otp == 0:
        yield (
            (*ctx.at(ctx.buttons[0]), "buttons"),
            ("add an OTP button (otpType COPY_CODE, ONE_TAP or ZERO_TAP)"),
        )


@check("WA-A4", needs=(AUTHENTICATION,))
def no_media_links_or_emoji(ctx: TemplateContext) -> Iterator[Hit]:
    if not ctx.is_auth:
        return
    if ctx.header and ctx.header[1].format != "LOCATION":  # LOCATION: WA-H7
        yield (
            ctx.at(ctx.header[0]),
            ("remove the header: AUTHENTICATION templates have no header or media"),
        )
    for site in ctx.all_buttons:
        button = site.button
        if isinstance(button, UrlButton):
            yield (
                (*site.loc, "type"),
                ("remove the URL button: AUTHENTICATION templates may not contain links"),
            )
        elif isinstance(button, OtpButton):
            for field, label in label_fields(button):
                if contains_url(label):
                    yield (*site.loc, field), "remove the link from the OTP button label"
                elif has_emoji(label):
                    yield (*site.loc, field), "remove the emoji from the OTP button label"


@check("WA-A5", needs=(OTP_BUTTON,))
def supported_apps(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        if not isinstance(button, OtpButton):
            continue
        if button.otpType not in AUTOFILL_TYPES:
            if button.supportedApps:
                yield (
                    (*site.loc, "supportedApps"),
                    (
                        f"remove supportedApps or use otpType ONE_TAP/ZERO_TAP: {button.otpType} "
                        "buttons do not autofill"
                    ),
                )
            continue
        apps: list[tuple[tuple, str, str]] = []
        if button.supportedApps:
            apps = [
                ((*site.loc, "supportedApps", i), app.packageName, app.signatureHash)
                for i, app in enumerate(button.supportedApps)
            ]
        elif button.packageName and button.signatureHash:  # Sinch's deprecated single pair
            apps = [(site.loc, button.packageName, button.signatureHash)]
        if not apps:
            yield (
                site.loc,
                (
                    f"add supportedApps (1–{MAX_APPS} packageName + signatureHash pairs): "
                    f"{button.otpType} needs the Android app that receives the code"
                ),
            )
            continue
        if len(apps) > MAX_APPS:
            yield (*site.loc, "supportedApps"), f"list at most {MAX_APPS} supportedApps"
        seen: set[tuple[str, str]] = set()
        for loc, package, signature in apps:
            if not PACKAGE_NAME.fullmatch(package):
                yield (
                    (*loc, "packageName"),
                    (
                        f"fix packageName {package!r}: an Android package name like com.example.app "
                        "(dot-separated parts starting with a letter; letters, digits, _)"
                    ),
                )
            if not SIGNATURE_HASH.fullmatch(signature):
                yield (
                    (*loc, "signatureHash"),
                    (
                        f"fix signatureHash {signature!r}: the app's 11-character hash "
                        "(letters, digits, + / =)"
                    ),
                )
            if (package, signature) in seen:
                yield loc, "remove the duplicate supportedApps entry"
            seen.add((package, signature))


@check("WA-A6", needs=(OTP_BUTTON,))
def zero_tap_terms(ctx: TemplateContext) -> Iterator[Hit]:
    for site in ctx.all_buttons:
        button = site.button
        if isinstance(button, OtpButton) and button.otpType == "ZERO_TAP":
            if button.zeroTapTermsAccepted is not True:
                loc = site.loc
                if button.zeroTapTermsAccepted is not None:
                    loc = (*site.loc, "zeroTapTermsAccepted")
                yield (
                    loc,
                    (
                        "set zeroTapTermsAccepted: true (accepting Meta's zero-tap terms) or use "
                        "otpType ONE_TAP"
                    ),
                )
