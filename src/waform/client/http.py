"""HTTP under every provider: one pooled async httpx client, auth, and the one retry loop.

:class:`HttpApi` sends a :class:`~waform.client.calls.Call` with the rules of
:mod:`waform.client.retry`, scrubs known secrets from every message and log record, and turns
failures into one-line errors (:mod:`waform.client.calls`). A provider
(:class:`~waform.client.sinch.SinchProvider`) subclasses it and adds its endpoints; what it
talks to (base URL, transport, credentials) arrives as an :class:`Endpoint` built by
:mod:`waform.connect` — this package never knows whether the peer is Sinch or the emulator.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from waform import __version__
from waform.client.auth import Authenticator
from waform.client.calls import (
    Call,
    api_error,
    error_body,
    gave_up,
    short_reason,
    transport_error,
)
from waform.client.retry import RetryBudget, RetryPolicy, ThrottleHook, Verdict, parse_retry_after
from waform.errors import ApiError, TransportError, UnknownOutcomeError

USER_AGENT = f"waform/{__version__}"

#: Retries and give-ups (``-v``); every request and its answer on :data:`wire_log` (``-vv``).
log = logging.getLogger(__name__)
wire_log = logging.getLogger(f"{__name__}.requests")

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where requests go and as whom: what a target factory (:mod:`waform.connect`) hands in.

    ``transport`` replaces the network (the emulator's in-process transport, a test's
    ``MockTransport``); ``auth_hint`` is appended to 401 errors (which variables to check).
    """

    base_url: str
    auth: Authenticator
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 30.0
    auth_hint: str = ""


class HttpApi:
    """Sends :class:`Call`\\ s with retries; ``requests_made`` counts HTTP requests actually sent
    (retries and token requests included)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        auth: Authenticator,
        retry: RetryPolicy | None = None,
        throttle: ThrottleHook | None = None,
        auth_hint: str = "",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._auth = auth
        self.retry = retry or RetryPolicy()
        self.throttle = throttle
        self._auth_hint = auth_hint
        self._clock = clock
        self._sleep = sleep
        self.requests_made = 0
        self.retries = 0
        #: The server's clock (its latest ``Date`` header): Meta's edit limits are counted in
        #: server time, not in this machine's.
        self.server_time: datetime | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be printed (key secret, Basic header value, access token)."""
        return tuple(s for s in self._auth.secrets if s)

    # ------------------------------------------------------------------ the retry loop

    async def _request(
        self, call: Call, budget: RetryBudget | None = None
    ) -> httpx.Response | None:
        """Send ``call`` with retries: the 2xx response, ``None`` (a tolerated 404), or raise.

        ``budget`` is a write's, when the caller sends it again after reading back that an
        unknown outcome did not take effect: the re-send waits like a retry and counts against
        the same sends and seconds.
        """
        budget = budget or self.retry.start()
        await self._before_resend(call, budget)
        reauthenticated = False
        while True:
            budget.sends += 1
            headers = await self._auth.headers(self._fetch_token) if call.authenticate else {}
            outcome = await self._send(call, headers)
            retry_after = None
            if isinstance(outcome, httpx.TransportError):
                error: Exception = transport_error(call, outcome, redact=self._redact)
                verdict = budget.policy.verdict(write=call.write, failure=outcome)
            elif outcome.is_success:
                return outcome
            else:
                body = error_body(outcome)
                status = outcome.status_code
                if status == 401 and call.authenticate and not reauthenticated:
                    if self._auth.invalidate(headers):  # token revoked or expired early
                        reauthenticated = True
                        budget.sends -= 1  # refused before processing; not one of the attempts
                        continue
                if status == 404 and call.not_found_ok and body.errorCode == "template_not_found":
                    return None
                error = api_error(call, outcome, body, hint=self._auth_hint, redact=self._redact)
                verdict = budget.policy.verdict(
                    write=call.write, status=status, error_code=body.errorCode
                )
                retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
            await self._after_failure(call, error, verdict, budget, retry_after)

    async def _before_resend(self, call: Call, budget: RetryBudget) -> None:
        """Start the budget's clock, or wait before a caller's re-send like before a retry."""
        if budget.started is None:
            budget.started = self._clock()
            return
        if not budget.sends:
            return
        delay = budget.policy.delay(budget.sends)
        elapsed = self._clock() - budget.started
        if budget.exhausted or elapsed + delay > budget.policy.budget:
            what = (
                f"not sent again: gave up after {budget.sends} "
                f"attempt{'s' * (budget.sends > 1)} in {elapsed:.1f} s"
            )
            raise TransportError(f"{call.label}: {what}", detail=what)
        await self._sleep(delay)

    async def _after_failure(
        self,
        call: Call,
        error: Exception,
        verdict: Verdict,
        budget: RetryBudget,
        retry_after: float | None,
    ) -> None:
        """Raise (unknown outcome, a final error, the budget spent) or wait for the next send."""
        if verdict == "unknown":
            raise UnknownOutcomeError(
                f"{error}; the write may have been processed — check before retrying",
                detail=getattr(error, "detail", None),
                answer=error if isinstance(error, ApiError) else None,
            ) from None
        if verdict == "fail":
            raise error
        policy = budget.policy
        assert budget.started is not None
        elapsed = self._clock() - budget.started
        delay = policy.delay(budget.sends, retry_after)
        if budget.exhausted or elapsed + delay > policy.budget:
            if policy.max_attempts == 1:
                raise error
            asked = retry_after if elapsed + delay > policy.budget else None
            raise gave_up(error, budget.sends, elapsed, asked, redact=self._redact) from None
        self.retries += 1
        log.debug(
            "retrying %s in %.2f s after %s (attempt %d of %d)",
            call.label,
            delay,
            short_reason(error),
            budget.sends + 1,
            policy.max_attempts,
        )
        await self._sleep(delay)

    # ------------------------------------------------------------------ one send

    async def _send(
        self, call: Call, headers: dict[str, str]
    ) -> httpx.Response | httpx.TransportError:
        """One HTTP request, paced by the throttle (if any) and reported to it before the
        permit is released (a refused request must not count as delivered)."""
        permit = await self.throttle.acquire() if self.throttle is not None else None
        try:
            self.requests_made += 1
            sent_at = self._clock()
            try:
                response = await self._http.request(
                    call.method,
                    call.url,
                    params=list(call.params) or None,
                    json=call.json,
                    data=call.data,
                    headers=headers,
                    auth=httpx.BasicAuth(*call.basic) if call.basic else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                return exc
            # The body is read. httpx's stream refers back to the response (a cycle), so while
            # the cyclic collector is paused (waform.gcpause) each response, a 1,000-template
            # page too, would stay in memory until the command ends: nothing reads it again.
            response.stream = httpx.ByteStream(b"")
            self.server_time = _date_header(response) or self.server_time
            if wire_log.isEnabledFor(logging.DEBUG):
                ms = (self._clock() - sent_at) * 1000
                wire_log.debug(
                    "%s", self._redact(f"{call.request} → {response.status_code} ({ms:.0f} ms)")
                )
            if self.throttle is not None:
                if response.status_code == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    self.throttle.on_throttled(permit, retry_after)
                else:
                    self.throttle.on_success(permit)
            return response
        finally:
            if permit is not None:
                permit.release()

    async def _fetch_token(self, token_url: str, key_id: str, key_secret: str) -> tuple[str, float]:
        call = Call(
            "oauth2Token",
            "POST",
            token_url,
            data={"grant_type": "client_credentials"},
            authenticate=False,
            basic=(key_id, key_secret),
        )
        response = await self._request(call)
        assert response is not None
        try:
            data = response.json()
            token = data["access_token"]
            expires_in = float(data.get("expires_in", 3600))
            if not isinstance(token, str) or not token:
                raise ValueError("empty access_token")
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(
                self._redact(f"oauth2Token {token_url}: unexpected token response ({exc})"),
                status=response.status_code,
                request=call.request,
            ) from None
        return token, expires_in

    def _parse(self, model: type[Model], response: httpx.Response, call: Call) -> Model:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            what = f"unexpected response from the API ({where}: {first['msg']})"
            raise ApiError(
                self._redact(f"{call.label}: {what}"),
                detail=self._redact(what),
                status=response.status_code,
                request=call.request,
            ) from None

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text


@asynccontextmanager
async def http_client(
    endpoint: Endpoint, *, max_connections: int = 16
) -> AsyncIterator[httpx.AsyncClient]:
    """The pooled httpx client for ``endpoint``, closed (with its connections) on exit."""
    client = httpx.AsyncClient(
        base_url=endpoint.base_url,
        transport=endpoint.transport,
        timeout=httpx.Timeout(endpoint.timeout, connect=min(10.0, endpoint.timeout)),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )
    async with client:
        yield client


def _date_header(response: httpx.Response) -> datetime | None:
    raw = response.headers.get("Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).astimezone(UTC)
    except (TypeError, ValueError):
        return None
