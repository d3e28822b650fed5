"""Signing and checking webhook deliveries, and the ULIDs used as ids and nonces.

**Signature.** Four headers, as Sinch sends them:
``x-sinch-webhook-signature-algorithm: HmacSHA256``, ``x-sinch-webhook-signature-nonce`` (a
ULID), ``x-sinch-webhook-signature-timestamp`` (unix seconds), and
``x-sinch-webhook-signature = base64(HMAC-SHA256(secret, rawBody + "." + nonce + "." +
timestamp))`` — the string-to-sign Sinch's Conversation API uses with the same headers (the
Provisioning one is not documented). :func:`verify_signature` checks it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from typing import Any

SIGNATURE = "x-sinch-webhook-signature"
SIGNATURE_ALGORITHM = "x-sinch-webhook-signature-algorithm"
SIGNATURE_NONCE = "x-sinch-webhook-signature-nonce"
SIGNATURE_TIMESTAMP = "x-sinch-webhook-signature-timestamp"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(now: float | None = None) -> str:
    """A ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (26 chars)."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def signature(secret: str, body: bytes, nonce: str, timestamp: str) -> str:
    """``base64(HMAC-SHA256(secret, body + "." + nonce + "." + timestamp))``."""
    message = body + b"." + nonce.encode() + b"." + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def signature_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    nonce = ulid(now)
    timestamp = str(int(time.time() if now is None else now))
    return {
        SIGNATURE: signature(secret, body, nonce, timestamp),
        SIGNATURE_ALGORITHM: "HmacSHA256",
        SIGNATURE_NONCE: nonce,
        SIGNATURE_TIMESTAMP: timestamp,
    }


def verify_signature(secret: str, body: bytes, headers: Any) -> bool:
    """Check the four headers of a delivery (``headers``: any case-insensitive mapping)."""
    try:
        expected = signature(secret, body, headers[SIGNATURE_NONCE], headers[SIGNATURE_TIMESTAMP])
        return headers[SIGNATURE_ALGORITHM] == "HmacSHA256" and hmac.compare_digest(
            expected, headers[SIGNATURE]
        )
    except KeyError:
        return False
