"""The texts Meta writes into an AUTHENTICATION template, per language.

An authentication template carries no body text of its own: Meta generates the body ("<code> is
your verification code."), the security sentence when ``addSecurityRecommendation`` is set, the
expiry footer from ``codeExpirationMinutes`` and the copy-code button label, in the template's
language (reference: round-trip.md §2). The preview shows them; a faithful emulator returns them.

Evidence per language: English is observed in API responses (the body's bold code included);
Indonesian's body, footer and button and es_CO's button label are observed; the other languages
are Meta's wording as shown in WhatsApp Manager's preview, not captured from the API. A language
missing here falls back to English.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The sample code Meta puts in the body's example (observed: ``123456``).
SAMPLE_CODE = "123456"


@dataclass(frozen=True, slots=True)
class AuthTexts:
    """One language's generated texts; ``{{1}}`` is the code, ``{minutes}`` the expiry."""

    body: str
    security: str
    footer: str
    copy_code: str


AUTH_TEXTS: dict[str, AuthTexts] = {
    "EN": AuthTexts(
        "*{{1}}* is your verification code.",
        "For your security, do not share this code.",
        "This code expires in {minutes} minutes.",
        "Copy code",
    ),
    "ID": AuthTexts(
        "*{{1}}* adalah kode verifikasi Anda.",
        "Demi keamanan, jangan bagikan kode ini.",
        "Kode ini kedaluwarsa dalam {minutes} menit.",
        "Salin kode",
    ),
    "PT": AuthTexts(
        "Seu código de verificação é *{{1}}*.",
        "Para sua segurança, não o compartilhe.",
        "Este código expira em {minutes} minutos.",
        "Copiar código",
    ),
    "ES": AuthTexts(
        "Tu código de verificación es *{{1}}*.",
        "Por tu seguridad, no lo compartas.",
        "Este código caduca en {minutes} minutos.",
        "Copiar código",
    ),
    "DE": AuthTexts(
        "Dein Verifizierungscode lautet *{{1}}*.",
        "Aus Sicherheitsgründen solltest du diesen Code nicht weitergeben.",
        "Dieser Code läuft in {minutes} Minuten ab.",
        "Code kopieren",
    ),
    "FR": AuthTexts(
        "Votre code de vérification est *{{1}}*.",
        "Pour votre sécurité, ne le partagez pas.",
        "Ce code expire dans {minutes} minutes.",
        "Copier le code",
    ),
    "IT": AuthTexts(
        "Il tuo codice di verifica è *{{1}}*.",
        "Per motivi di sicurezza, non condividerlo.",
        "Questo codice scade tra {minutes} minuti.",
        "Copia codice",
    ),
    "AR": AuthTexts(
        "رمز التحقق الخاص بك هو *{{1}}*.",
        "للحفاظ على أمانك، لا تشارك هذا الرمز.",
        "تنتهي صلاحية هذا الرمز خلال {minutes} دقائق.",
        "نسخ الرمز",
    ),
}
FALLBACK = "EN"


def auth_texts(language: str) -> AuthTexts:
    """The texts for a Sinch language code (``PT_BR`` → Portuguese; unknown → English)."""
    code = language.upper()
    return AUTH_TEXTS.get(code) or AUTH_TEXTS.get(code.split("_")[0]) or AUTH_TEXTS[FALLBACK]


def generated_body(language: str, *, security: bool) -> str:
    """The body Meta generates, with ``{{1}}`` for the code."""
    texts = auth_texts(language)
    return f"{texts.body} {texts.security}" if security else texts.body


def generated_footer(language: str, minutes: int) -> str:
    """The expiry footer Meta generates from ``codeExpirationMinutes``."""
    return auth_texts(language).footer.format(minutes=minutes)
