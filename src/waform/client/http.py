"""HTTP under every provider: one pooled async httpx client, auth, retries, errors, paging.

:class:`HttpApi` sends one logical call (:class:`Call`) with the retry rules of
:mod:`waform.client.retry` and turns every failure into one line naming the operation, the
template and the request, with the API's ``errorCode`` and ``resolution``; known secrets are
scrubbed from every message. :func:`collect_pages` is the one pagination loop. A provider
(:class:`~waform.client.sinch.SinchProvider`) subclasses :class:`HttpApi` and adds its endpoints;
what it talks to (base URL, transport, credentials) arrives as an :class:`Endpoint` built by
:mod:`waform.targets` — this package never knows whether the peer is Sinch or the emulator.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ValidationError

from waform import __version__
from waform.client.auth import Authenticator
from waform.client.retry import RetryPolicy, ThrottleHook, parse_retry_after
from waform.console import Console
from waform.errors import ApiError, TransportError, UnknownOutcomeError
from waform.model.remote import ApiErrorBody

USER_AGENT = f"waform/{__version__}"
MAX_PAGE_SIZE = 1000
#: Safety stop for a server that keeps returning page tokens (10 million templates).
MAX_PAGES = 10_000
_MAX_TEXT = 300

Model = TypeVar("Model", bound=BaseModel)
Item = TypeVar("Item")
#: ``fetch_page(token) -> (items, next_token)``: one page of a paginated endpoint.
PageFetcher = Callable[[str | None], Awaitable[tuple[list[Item], str | None]]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where requests go and as whom: what a target factory (:mod:`waform.targets`) hands in.

    ``transport`` replaces the network (the emulator's in-process transport, a test's
    ``MockTransport``); ``auth_hint`` is appended to 401 errors (which variables to check).
    """

    base_url: str
    auth: Authenticator
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 30.0
    auth_hint: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    """One logical API call (possibly several sends)."""

    op: str
    method: str
    url: str
    template: str | None = None
    write: bool = False
    params: tuple[tuple[str, str], ...] = ()
    json: Any = None
    data: Mapping[str, str] | None = None
    not_found_ok: bool = False
    authenticate: bool = True
    basic: tuple[str, str] | None = None

    @property
    def request(self) -> str:
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.method} {self.url}{query}"

    @property
    def label(self) -> str:
        return f"{self.op} {self.template}" if self.template else f"{self.op} {self.request}"


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
        console: Console | None = None,
        auth_hint: str = "",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._auth = auth
        self.retry = retry or RetryPolicy()
        self.throttle = throttle
        self._console = console
        self._auth_hint = auth_hint
        self._clock = clock
        self._sleep = sleep
        self.requests_made = 0
        self.retries = 0

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be printed (key secret, Basic header value, access token)."""
        return tuple(s for s in self._auth.secrets if s)

    # ------------------------------------------------------------------ machinery

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

    async def _request(self, call: Call) -> httpx.Response | None:
        """Send ``call`` with retries: the 2xx response, ``None`` (a tolerated 404), or raise."""
        policy = self.retry
        start = self._clock()
        attempt = 0
        reauthenticated = False
        while True:
            attempt += 1
            headers = await self._auth.headers(self._fetch_token) if call.authenticate else {}
            permit = await self.throttle.acquire() if self.throttle is not None else None
            try:
                outcome = await self._send(call, headers, permit)
            finally:
                if permit is not None:
                    permit.release()
            if isinstance(outcome, httpx.Response):
                if 200 <= outcome.status_code < 300:
                    return outcome
                body = _error_body(outcome)
                status = outcome.status_code
                if status == 401 and call.authenticate and not reauthenticated:
                    if self._auth.invalidate(headers):  # token revoked or expired early
                        reauthenticated, attempt = True, attempt - 1
                        continue
                if status == 404 and call.not_found_ok and body.errorCode == "template_not_found":
                    return None
                error: Exception = self._api_error(call, outcome, body)
                if call.write and status >= 500:
                    raise UnknownOutcomeError(
                        f"{error}; the write may have been processed — check before retrying"
                    )
                if not _retryable(status, body.errorCode):
                    raise error
                retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
            else:
                error = self._transport_failure(call, outcome)  # raises for unsafe writes
                retry_after = None

            elapsed = self._clock() - start
            delay = policy.delay(attempt, retry_after)
            if attempt >= policy.max_attempts or elapsed + delay > policy.budget:
                if policy.max_attempts == 1:
                    raise error
                waited = ""
                if retry_after is not None and elapsed + delay > policy.budget:
                    waited = f"; the server asked to wait {retry_after:g} s"
                final = type(error)(
                    self._redact(
                        f"{error} (gave up after {attempt} attempt{'s' * (attempt > 1)} in "
                        f"{elapsed:.1f} s{waited})"
                    ),
                    **_error_kwargs(error),
                )
                if hasattr(error, "retry_after"):
                    final.retry_after = error.retry_after  # type: ignore[attr-defined]
                raise final from None
            self.retries += 1
            if self._console is not None:
                self._console.debug(
                    f"retrying {call.label} in {delay:.2f} s after {_short_reason(error)} "
                    f"(attempt {attempt + 1} of {policy.max_attempts})"
                )
            await self._sleep(delay)

    async def _send(
        self, call: Call, headers: dict[str, str], permit: Any
    ) -> httpx.Response | httpx.TransportError:
        """One HTTP request; reports the outcome to the throttle (429 vs anything else)."""
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
        if self._console is not None and self._console.verbosity >= 2:
            ms = (self._clock() - sent_at) * 1000
            self._console.debug(
                self._redact(f"{call.request} → {response.status_code} ({ms:.0f} ms)")
            )
        if self.throttle is not None:
            if response.status_code == 429:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self.throttle.on_throttled(permit, retry_after)
            else:
                self.throttle.on_success(permit)
        return response

    def _transport_failure(self, call: Call, exc: httpx.TransportError) -> TransportError:
        """The error for a failed send; raises right away when a write may have gone through."""
        not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        detail = _one_line(str(exc)) or type(exc).__name__
        where = f"{call.request}" + (f" ({call.op} {call.template})" if call.template else "")
        message = self._redact(f"{where}: request {kind} ({type(exc).__name__}: {detail})")
        if call.write and not not_sent:
            raise UnknownOutcomeError(
                f"{message}; the write may have been processed — check before retrying"
            ) from None
        return TransportError(message)

    def _api_error(self, call: Call, response: httpx.Response, body: ApiErrorBody) -> ApiError:
        code = body.errorCode or "error"
        text = f"{call.label}: {response.status_code} {code}: {_one_line(body.message)}"
        if body.resolution:
            text += f" — {_one_line(body.resolution)}"
        details = (body.additionalInformation or {}).get("validationErrors")
        if details:
            items = details if isinstance(details, list) else [details]
            shown = "; ".join(_one_line(str(i), 120) for i in items[:3])
            text += f" [{shown}{'; …' if len(items) > 3 else ''}]"
        if response.status_code == 401 and self._auth_hint:
            text += f" ({self._auth_hint})"
        error = ApiError(
            self._redact(text),
            status=response.status_code,
            error_code=body.errorCode or None,
            resolution=self._redact(body.resolution or ""),
            request=self._redact(call.request),
            additional=body.additionalInformation,
        )
        #: Seconds the server asked to wait (429), for callers that pace themselves.
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
        return error

    def _parse(self, model: type[Model], response: httpx.Response, call: Call) -> Model:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise ApiError(
                self._redact(
                    f"{call.label}: unexpected response from the API ({where}: {first['msg']})"
                ),
                status=response.status_code,
                request=call.request,
            ) from None

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text


# ------------------------------------------------------------------------- helpers


def _one_line(text: str | None, limit: int = _MAX_TEXT) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_reason(error: Exception) -> str:
    if isinstance(error, ApiError) and error.status:
        return f"{error.status} {error.error_code or ''}".strip()
    return type(error).__name__


def _error_kwargs(error: Exception) -> dict[str, Any]:
    if isinstance(error, ApiError):
        return {
            "status": error.status,
            "error_code": error.error_code,
            "resolution": error.resolution,
            "request": error.request,
            "additional": error.additional,
        }
    return {}


def _retryable(status: int, code: str) -> bool:
    """429 and ``resource_locked`` were certainly not processed (safe for writes too); 5xx
    reaches here only for reads."""
    return status == 429 or (status == 409 and code == "resource_locked") or status >= 500


def _error_body(response: httpx.Response) -> ApiErrorBody:
    """The PAPI error body; OAuth2 (``error``/``error_description``) or non-JSON bodies tolerated."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        if "errorCode" in data:
            try:
                return ApiErrorBody.model_validate(
                    {
                        **data,
                        "message": str(data.get("message") or ""),
                        "resolution": str(data.get("resolution") or ""),
                    },
                    strict=False,
                )
            except ValidationError:
                pass
        if "error" in data:
            return ApiErrorBody(
                errorCode=str(data["error"]),
                message=str(data.get("error_description") or response.reason_phrase or ""),
            )
    return ApiErrorBody(errorCode="", message=response.reason_phrase or "unexpected response")


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"value": data}


async def collect_pages(
    fetch_page: PageFetcher[Item], *, op: str, limit: int | None = None
) -> list[Item]:
    """Every item of a paginated endpoint: the one pagination loop of the package.

    Only the token ends the loop: a page may come back empty (e.g. everything on it was deleted
    meanwhile) and still point further. A token seen twice is an error, not a loop; so is more
    than :data:`MAX_PAGES` pages. ``limit`` stops early on purpose (newest-first histories).
    """
    out: list[Item] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(limit or MAX_PAGES):
        items, token = await fetch_page(token)
        out.extend(items)
        if not token:
            return out
        if token in seen:
            raise ApiError(f"{op}: the API returned page token {token!r} twice; giving up")
        seen.add(token)
    if limit is not None:
        return out
    raise ApiError(f"{op}: more than {MAX_PAGES} pages; giving up")


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
