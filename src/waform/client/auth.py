"""Credentials on the wire: HTTP Basic, or OAuth2 client-credentials bearer tokens.

Sinch heavily rate-limits Basic auth, so production should use OAuth2: the key id/secret buy a
short-lived token at ``tokenUrl`` (``grant_type=client_credentials``, client authenticated with
Basic). The token is fetched once, shared by concurrent requests, and refreshed shortly before it
expires — so a long apply never sends an expired token, and a run makes one token request.

Every authenticator knows its :attr:`secrets` so that error messages can be scrubbed of them.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from waform.config import Credentials

#: Called to fetch a token: ``(token_url, key_id, key_secret) -> (access_token, expires_in)``.
TokenFetcher = Callable[[str, str, str], Awaitable[tuple[str, float]]]


class Authenticator(Protocol):
    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings to scrub from every message (a secret, a header value, a token)."""
        ...

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        """The ``Authorization`` header(s) for the next request."""
        ...

    def invalidate(self, used: dict[str, str]) -> bool:
        """Forget the credentials ``used`` by a request that got 401; True if a retry may help."""
        ...


class NoAuth:
    """The embedded emulator when it runs without authentication."""

    secrets: tuple[str, ...] = ()

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        return {}

    def invalidate(self, used: dict[str, str]) -> bool:
        return False


class BasicAuth:
    """``Authorization: Basic base64(keyId:keySecret)`` on every request."""

    def __init__(self, credentials: Credentials, *, secret: bool = True) -> None:
        """``secret=False`` for the emulator's well-known ``local:local`` (nothing to hide, and
        redacting ``local`` would mangle the project id ``local`` in every message)."""
        value = credentials.key_secret.get_secret_value()
        raw = f"{credentials.key_id}:{value}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")
        self.secrets = (value, self._header.split(" ", 1)[1]) if secret else ()

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        return {"Authorization": self._header}

    def invalidate(self, used: dict[str, str]) -> bool:
        return False


class OAuth2ClientCredentials:
    """Bearer tokens from an OAuth2 token endpoint, cached and refreshed before expiry."""

    #: Refresh this long before expiry (capped at a tenth of the lifetime for short tokens).
    REFRESH_MARGIN = 60.0

    def __init__(
        self,
        credentials: Credentials,
        token_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key_id = credentials.key_id
        self._key_secret = credentials.key_secret.get_secret_value()
        self.token_url = token_url
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()
        self.tokens_fetched = 0
        basic = base64.b64encode(f"{self._key_id}:{self._key_secret}".encode()).decode("ascii")
        self._static_secrets = (self._key_secret, basic)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (*self._static_secrets, *((self._token,) if self._token else ()))

    def _valid(self) -> bool:
        return self._token is not None and self._clock() < self._refresh_at

    async def headers(self, fetch_token: TokenFetcher) -> dict[str, str]:
        if not self._valid():
            async with self._lock:  # concurrent requests wait for one fetch
                if not self._valid():
                    token, expires_in = await fetch_token(
                        self.token_url, self._key_id, self._key_secret
                    )
                    self.tokens_fetched += 1
                    margin = min(self.REFRESH_MARGIN, expires_in / 10)
                    self._token = token
                    self._refresh_at = self._clock() + expires_in - margin
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self, used: dict[str, str]) -> bool:
        """Drop the token a 401 was answered to (unless another request already replaced it)."""
        if used.get("Authorization") == f"Bearer {self._token}":
            self._token = None
            self._refresh_at = 0.0
        return "Authorization" in used
