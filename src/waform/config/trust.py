"""Which hosts may receive credentials: Sinch's own, and hosts named outside the repository.

``waform.yaml`` lives in the repository, so a pull request can change it: if its ``baseUrl`` or
``tokenUrl`` decided where the key id and secret go, any pull request could collect them. The
hosts that may receive them are therefore Sinch's (``sinch.com`` and its subdomains, https only)
plus those named where the repository's content cannot reach: the ``WAFORM_TRUSTED_HOSTS``
environment variable and the ``--trust-host`` option, both set by whoever runs waform (a CI
environment, a developer's shell). Tests trust loopback the same way.

URLs are parsed by httpx, the parser that sends the requests, so a URL cannot name one host here
and reach another on the wire.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from waform.errors import ConfigError

TRUSTED_HOSTS_ENV = "WAFORM_TRUSTED_HOSTS"
#: Sinch's own hosts (``provisioning.api.sinch.com``, ``auth.sinch.com``, regional ones).
SINCH_DOMAIN = "sinch.com"

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST_PATTERN = re.compile(rf"(\*\.)?{_LABEL}(\.{_LABEL})*")


def _normal_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _parse_pattern(raw: str, source: str) -> str:
    """``api.example.com``, ``*.example.com`` (its subdomains), ``127.0.0.1`` or ``::1``."""
    pattern = _normal_host(raw.strip())
    try:
        return str(ipaddress.ip_address(pattern))
    except ValueError:
        pass
    too_wide = pattern.startswith("*.") and pattern.count(".") < 2  # ``*.com``
    if too_wide or not _HOST_PATTERN.fullmatch(pattern):
        raise ConfigError(
            f"{source}: {raw.strip()!r} is not a host name (write api.example.com or "
            "*.example.com, without scheme, port or path; a wildcard needs a domain under it)"
        )
    return pattern


def _matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


@dataclass(frozen=True, slots=True)
class HostTrust:
    """Sinch's hosts plus ``extra`` (host names, ``*.domain`` patterns, IP addresses)."""

    extra: tuple[str, ...] = ()

    @classmethod
    def from_sources(
        cls, flags: Iterable[str] = (), environ: Mapping[str, str] | None = None
    ) -> HostTrust:
        """``--trust-host`` values and ``WAFORM_TRUSTED_HOSTS`` (comma- or space-separated);
        :class:`ConfigError` naming the source when one is not a host name."""
        env = os.environ if environ is None else environ
        listed = env.get(TRUSTED_HOSTS_ENV, "").replace(",", " ").split()
        patterns = [_parse_pattern(raw, TRUSTED_HOSTS_ENV) for raw in listed]
        patterns += [_parse_pattern(raw, "--trust-host") for raw in flags]
        return cls(tuple(dict.fromkeys(patterns)))

    def refusal(self, url: str) -> str | None:
        """Why credentials may not go to ``url``, or ``None`` when they may."""
        import httpx  # here: ``validate`` asks nothing of the network and never imports it

        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return "is not a valid URL"
        if parsed.userinfo:  # parsers disagree on where such a URL goes: refuse them all
            return "must not contain a user name or password"
        host = _normal_host(parsed.host)
        if host == SINCH_DOMAIN or host.endswith("." + SINCH_DOMAIN):
            if parsed.scheme == "https":
                return None
            return f"must use https to send credentials to {host}"
        if any(_matches(pattern, host) for pattern in self.extra):
            return None
        return (
            f"host {host} is not trusted with credentials (only *.{SINCH_DOMAIN} is); if it "
            f"is yours, trust it outside the repository: {TRUSTED_HOSTS_ENV}={host} or "
            f"--trust-host {host}"
        )
