"""From a configured target to an open :class:`~waform.client.provider.Provider`: the one place
that tells a ``local`` target (the embedded emulator) from a ``sinch`` one.

Both get the same HTTP client (:class:`~waform.client.sinch.SinchProvider`); they differ only in
the :class:`~waform.client.http.Endpoint` built here — base URL, transport and credentials. The
emulator package supplies its in-process ASGI transport and the credentials it accepts, so
:mod:`waform.client` never imports :mod:`waform.emulator`. A new vendor gets a branch here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from pydantic import SecretStr

from waform.client.auth import Authenticator, BasicAuth, NoAuth, OAuth2ClientCredentials
from waform.client.http import Endpoint
from waform.client.retry import RetryPolicy, ThrottleHook
from waform.client.sinch import SinchProvider, open_sinch
from waform.config import (
    BasicAuthConfig,
    Credentials,
    LocalTarget,
    SinchTarget,
    Target,
    check_url,
    looks_like_env_name,
)
from waform.config.trust import HostTrust
from waform.errors import ConfigError

if TYPE_CHECKING:
    from waform.emulator.transport import EmbeddedTransport


def local_endpoint(target: LocalTarget, transport: httpx.AsyncBaseTransport) -> Endpoint:
    """The emulator behind ``transport``: the embedded one on the target's state file, or a
    test's.

    The emulator checks credentials like Sinch does; the client uses the ones its settings
    accept (from ``WAFORM_EMULATOR_*`` when the transport is not the emulator's own).
    """
    from waform.emulator.settings import EmulatorSettings
    from waform.emulator.transport import EMBEDDED_BASE_URL, EmbeddedTransport

    if isinstance(transport, EmbeddedTransport):
        settings = transport.settings
    else:
        settings = EmulatorSettings.from_env(background=False)
    auth: Authenticator = NoAuth()
    if settings.auth:
        # ``local:local`` is well known: nothing to hide, and redacting ``local`` would mangle
        # the project id ``local`` in every message.
        credentials = Credentials(settings.key_id, SecretStr(settings.key_secret))
        auth = BasicAuth(credentials, secret=False)
    return Endpoint(EMBEDDED_BASE_URL, auth, transport, timeout=30.0)


def sinch_endpoint(
    target: SinchTarget,
    transport: httpx.AsyncBaseTransport | None,
    environ: Mapping[str, str] | None,
    clock: Callable[[], float],
    trust: HostTrust,
) -> Endpoint:
    """Sinch at the target's base URL, with credentials from the environment (``ConfigError``
    naming the variable when one is unset).

    The gate before any credential is read or sent: both URLs must pass :func:`check_url` and be
    trusted (:class:`~waform.config.trust.HostTrust`), else a one-line error at the URL's place
    in ``waform.yaml``.
    """
    urls = {"baseUrl": target.base_url}
    if not isinstance(target.auth, BasicAuthConfig):
        urls["auth.tokenUrl"] = target.auth.tokenUrl
    for field, url in urls.items():
        try:
            check_url(url)
        except ValueError as exc:
            problem: str | None = str(exc)
        else:
            problem = trust.refusal(url)
        if problem:
            raise ConfigError(f"{target.where(field)}: targets.{target.name}.{field}: {problem}")
    credentials = target.credentials(environ)
    auth: Authenticator
    if isinstance(target.auth, BasicAuthConfig):
        auth = BasicAuth(credentials)
    else:
        auth = OAuth2ClientCredentials(credentials, target.auth.tokenUrl, clock=clock)
    names = [target.auth.keyIdEnv, target.auth.keySecretEnv]
    if all(looks_like_env_name(name) for name in names):
        hint = f"check {names[0]} / {names[1]} and projectId of target {target.name}"
    else:
        hint = f"check the key id/secret variables and projectId of target {target.name}"
    return Endpoint(target.base_url, auth, transport, timeout=target.timeout, auth_hint=hint)


@asynccontextmanager
async def open_provider(
    target: Target,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    throttle: ThrottleHook | None = None,
    max_connections: int = 16,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    trust: HostTrust | None = None,
) -> AsyncIterator[SinchProvider]:
    """The provider of ``target``, closed (with its connections) on exit.

    ``transport`` replaces the network (tests: the emulator's transport or a ``MockTransport``);
    ``environ`` replaces ``os.environ`` for credentials; ``clock``/``sleep`` drive token expiry
    and backoff; ``trust`` names the hosts credentials may go to (default: Sinch's and those
    of ``WAFORM_TRUSTED_HOSTS``).
    """
    own: EmbeddedTransport | None = None  # the embedded emulator this provider opened
    if isinstance(target, LocalTarget):
        if transport is None:
            from waform.emulator.transport import embedded_transport

            transport = own = embedded_transport(target.state_path)
        endpoint = local_endpoint(target, transport)
    else:
        trust = HostTrust.from_sources() if trust is None else trust
        endpoint = sinch_endpoint(target, transport, environ, clock, trust)
    try:
        async with open_sinch(
            endpoint,
            project_id=target.project_id,
            retry=retry,
            throttle=throttle,
            max_connections=max_connections,
            clock=clock,
            sleep=sleep,
        ) as provider:
            yield provider
    finally:
        # Its database is closed with it: left open, only a full collection would close it (a
        # SQLite connection is a reference cycle), and the collector is paused during a plan.
        if own is not None:
            own.emulator.close()
