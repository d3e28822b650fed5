"""Authentication as Sinch does it: HTTP Basic (key id / key secret) or OAuth2 Bearer tokens.

``POST /oauth2/token`` is the client-credentials endpoint (Sinch hosts it at
``auth.sinch.com/oauth2/token``; the emulator serves it at its own root). The client
authenticates with HTTP Basic ``keyId:keySecret`` (or ``client_id``/``client_secret`` form
fields) and sends ``grant_type=client_credentials``; the answer is
``{"access_token", "token_type": "Bearer", "expires_in", "scope": ""}``. Its errors use the
OAuth2 shape (``{"error": "invalid_client"}``), because that endpoint is not part of the
Provisioning API.

Tokens are HMAC-signed by a key kept in the state file, so they stay valid across restarts and
across every process sharing the file; expiry uses the wall clock (advancing the emulator clock
does not log clients out). Anything else on the API — no header, wrong secret, a forged or
expired token — is ``401 unauthorized_error``. With ``auth=False`` every request is accepted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from waform.emulator.errors import PapiError
from waform.emulator.settings import EmulatorSettings
from waform.emulator.store import Store

TOKEN_PREFIX = "emu1"


class Authenticator:
    def __init__(self, settings: EmulatorSettings, store: Store) -> None:
        self.settings = settings
        self._key = bytes.fromhex(store.get_meta("signing_key") or secrets.token_hex(32))

    # ------------------------------------------------------------------ API requests

    def check(self, authorization: str | None) -> None:
        """Raise ``401 unauthorized_error`` unless the header carries valid credentials."""
        if not self.settings.auth:
            return
        if authorization:
            scheme, _, value = authorization.partition(" ")
            scheme = scheme.lower()
            if scheme == "basic" and self._basic_ok(value.strip()):
                return
            if scheme == "bearer" and self._token_ok(value.strip()):
                return
        raise PapiError("unauthorized_error", headers={"WWW-Authenticate": 'Basic realm="sinch"'})

    def _credentials_ok(self, key_id: str, secret: str) -> bool:
        return hmac.compare_digest(key_id.encode(), self.settings.key_id.encode()) and (
            hmac.compare_digest(secret.encode(), self.settings.key_secret.encode())
        )

    def _basic_ok(self, value: str) -> bool:
        pair = _decode_basic(value)
        return pair is not None and self._credentials_ok(*pair)

    # ------------------------------------------------------------------ tokens

    def issue(self, key_id: str) -> dict[str, Any]:
        expires = int(time.time()) + self.settings.token_ttl
        payload = _b64(json.dumps({"kid": key_id, "exp": expires, "n": secrets.token_hex(8)}))
        signature = _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())
        return {
            "access_token": f"{TOKEN_PREFIX}.{payload}.{signature}",
            "token_type": "Bearer",
            "expires_in": self.settings.token_ttl,
            "scope": "",
        }

    def _token_ok(self, token: str) -> bool:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return False
        expected = _b64(hmac.new(self._key, parts[1].encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            return False
        try:
            data = json.loads(_unb64(parts[1]))
        except ValueError:
            return False
        return data.get("kid") == self.settings.key_id and data.get("exp", 0) > time.time()

    async def token_endpoint(self, request: Request) -> JSONResponse:
        """``POST /oauth2/token`` (client credentials grant)."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        key_id = secret = None
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            pair = _decode_basic(value.strip())
            if pair is not None:
                key_id, secret = pair
        if key_id is None:
            key_id = next(iter(form.get("client_id") or []), None)
            secret = next(iter(form.get("client_secret") or []), None)
        grant = next(iter(form.get("grant_type") or []), None)
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type")
        if key_id is None or secret is None:
            return _oauth_error(401, "invalid_client")
        if self.settings.auth and not self._credentials_ok(key_id, secret):
            return _oauth_error(401, "invalid_client")
        return JSONResponse(self.issue(key_id), headers={"Cache-Control": "no-store"})


def _oauth_error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers={"Cache-Control": "no-store"})


def _decode_basic(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    key_id, sep, secret = decoded.partition(":")
    return (key_id, secret) if sep else None


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(data: str) -> str:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()
