"""URL checks for ``waform.yaml``: credentials never cross a network in clear."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(value: str) -> str:
    """Refuse plain HTTP except to loopback: credentials must never cross a network in clear."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise ValueError("must not contain credentials (use keyIdEnv / keySecretEnv)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"must use https (plain http is only allowed to loopback, not {parts.hostname})"
        )
    return value
