"""Meta's generated AUTHENTICATION texts: what Meta writes into an authentication template.

Known to the emulator, which writes them into what it returns (``round-trip.md`` rows 2 and 4),
and to the preview, which shows a phone's view of them; the differ never compares them. They
live in the model so that neither of the two imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTH_TTL_SECONDS = 600
AUTH_BODY_EXAMPLE = "123456"


@dataclass(frozen=True)
class AuthTexts:
    """Meta's generated AUTHENTICATION texts in one language (``{n}`` = minutes)."""

    body: str
    security: str
    footer: str
    copy_code: str


#: By language prefix (longest match wins); ``EN`` is the fallback. English and Indonesian are
#: observed (round-trip.md row 2); the others are Meta's wording as its WhatsApp Manager shows it
#: and matter only as "some generated text in that language": the differ never compares them.
AUTH_TEXTS: dict[str, AuthTexts] = {
    "EN": AuthTexts(
        "*{{1}}* is your verification code.",
        " For your security, do not share this code.",
        "This code expires in {n} minutes.",
        "Copy code",
    ),
    "PT": AuthTexts(
        "*{{1}}* é seu código de verificação.",
        " Para sua segurança, não o compartilhe.",
        "Este código expira em {n} minutos.",
        "Copiar código",
    ),
    "ES": AuthTexts(
        "Tu código de verificación es *{{1}}*.",
        " Por tu seguridad, no lo compartas.",
        "Este código caduca en {n} minutos.",
        "Copiar código",
    ),
    "DE": AuthTexts(
        "Dein Verifizierungscode lautet *{{1}}*.",
        " Aus Sicherheitsgründen solltest du diesen Code nicht weitergeben.",
        "Dieser Code läuft in {n} Minuten ab.",
        "Code kopieren",
    ),
    "ID": AuthTexts(
        "*{{1}}* adalah kode verifikasi Anda.",
        " Demi keamanan, jangan bagikan kode ini.",
        "Kode ini kedaluwarsa dalam {n} menit.",
        "Salin kode",
    ),
}


def auth_texts(language: str) -> AuthTexts:
    """Meta's texts for a Sinch language code (``PT_BR`` → ``PT``; unknown → English)."""
    code = language.upper().replace("-", "_")
    return AUTH_TEXTS.get(code) or AUTH_TEXTS.get(code.split("_")[0]) or AUTH_TEXTS["EN"]
