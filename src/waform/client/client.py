"""The Sinch Provisioning API (WhatsApp templates) over one pooled, async httpx client.

Reads (list, get) are retried on 429, 5xx, ``resource_locked`` and transport failures. Writes
are retried only when the request certainly was not processed (429, ``resource_locked``, a
connection that never opened); after a timeout, a dropped connection or a 5xx the outcome is
unknown, so :class:`~waform.errors.UnknownOutcomeError` is raised and the applier checks with a
GET before writing again — retrying a create blindly could duplicate work or hit
``template_exists``.

Every failure ends as one line naming the operation, the template and the request, with Sinch's
``errorCode`` and ``resolution``; known secrets are scrubbed from every message.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from waform import __version__
from waform.client.auth import Authenticator, BasicAuth, NoAuth, OAuth2ClientCredentials
from waform.client.retry import RetryPolicy, ThrottleHook, parse_retry_after
from waform.config import (
    BasicAuthConfig,
    Credentials,
    LocalTarget,
    SinchTarget,
    Target,
    check_url,
    looks_like_env_name,
)
from waform.console import Console
from waform.errors import ApiError, ConfigError, TransportError, UnknownOutcomeError
from waform.model.remote import ApiErrorBody, RemoteTemplate, RemoteTemplateList

USER_AGENT = f"waform/{__version__}"
MAX_PAGE_SIZE = 1000
#: Safety stop for a server that keeps returning page tokens.
MAX_PAGES = 10_000
_MAX_TEXT = 300

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class _Call:
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


class SinchClient:
    """The WhatsApp template operations of one Sinch project. Open it with :func:`open_client`.

    ``requests_made`` counts HTTP requests actually sent (retries and token requests included).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        project_id: str,
        auth: Authenticator,
        retry: RetryPolicy | None = None,
        throttle: ThrottleHook | None = None,
        console: Console | None = None,
        auth_hint: str = "",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self.project_id = project_id
        #: ``/v1/projects/{projectId}``: prefix of every project path (the applier's steps use it).
        self.project_path = f"/v1/projects/{quote(project_id, safe='')}"
        self._templates = f"{self.project_path}/whatsapp/templates"
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

    # ------------------------------------------------------------------ reads

    async def list_page(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        name_prefix: str | None = None,
        filter_states: Sequence[str] | None = None,
        filter_statuses: Sequence[str] | None = None,
        field_mask: Sequence[str] | None = None,
    ) -> RemoteTemplateList:
        """One page of ``listTemplates`` (``name_prefix`` → ``templateName``, a prefix match)."""
        params: list[tuple[str, str]] = [("pageSize", str(page_size))]
        if page_token:
            params.append(("pageToken", page_token))
        if name_prefix:
            params.append(("templateName", name_prefix))
        params += [("filterStates", s) for s in filter_states or ()]
        params += [("filterStatuses", s) for s in filter_statuses or ()]
        params += [("fieldMask", f) for f in field_mask or ()]
        call = _Call("listTemplates", "GET", self._templates, params=tuple(params))
        response = await self._request(call)
        assert response is not None
        return self._parse(RemoteTemplateList, response, call)

    async def list_by_name(self, name: str) -> list[RemoteTemplate]:
        """Every language of ``name`` (all pages); ``[]`` when the name does not exist."""
        out: list[RemoteTemplate] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params = [("pageSize", str(MAX_PAGE_SIZE))] + ([("pageToken", token)] if token else [])
            call = _Call(
                "listTemplatesByName",
                "GET",
                f"{self._templates}/{_seg(name)}",
                template=name,
                params=tuple(params),
                not_found_ok=True,
            )
            response = await self._request(call)
            if response is None:
                return out
            page = self._parse(RemoteTemplateList, response, call)
            out.extend(page.templates)
            if not page.nextPageToken or page.nextPageToken == token:
                return out
            token = page.nextPageToken
        raise ApiError(f"listTemplatesByName {name}: more than {MAX_PAGES} pages; giving up")

    async def get(self, name: str, language: str) -> RemoteTemplate | None:
        """One (name, language), or ``None`` if it does not exist (404 ``template_not_found``)."""
        call = _Call(
            "getTemplate",
            "GET",
            f"{self._templates}/{_seg(name)}/languages/{_seg(language)}",
            template=f"{name}/{language}",
            not_found_ok=True,
        )
        response = await self._request(call)
        return None if response is None else self._parse(RemoteTemplate, response, call)

    async def list_activities(
        self, name: str, language: str, *, page_size: int = 100, max_pages: int = 1
    ) -> list[dict[str, Any]]:
        """``listActivities`` of one language, newest first (``[]`` if the template is gone).

        Reads at most ``max_pages`` pages: callers want recent events (when a review started,
        recent edits), and the newest come first, so one page is usually enough.
        """
        out: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(max(1, max_pages)):
            params = [("pageSize", str(page_size))] + ([("pageToken", token)] if token else [])
            call = _Call(
                "listActivities",
                "GET",
                f"{self._templates}/{_seg(name)}/languages/{_seg(language)}/activities",
                template=f"{name}/{language}",
                params=tuple(params),
                not_found_ok=True,
            )
            response = await self._request(call)
            if response is None:
                return out
            page = _json_object(response)
            items = page.get("notifications")
            if isinstance(items, list):
                out.extend(item for item in items if isinstance(item, dict))
            next_token = page.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token or next_token == token:
                return out
            token = next_token
        return out

    # ------------------------------------------------------------------ writes

    async def create(self, body: Mapping[str, Any]) -> RemoteTemplate:
        """``createTemplate`` with a ``WhatsappTemplateInputDto`` body."""
        call = _Call(
            "createTemplate",
            "POST",
            self._templates,
            template=f"{body.get('name')}/{body.get('language')}",
            write=True,
            json=dict(body),
        )
        response = await self._request(call)
        assert response is not None
        return self._parse(RemoteTemplate, response, call)

    async def update(self, name: str, language: str, body: Mapping[str, Any]) -> RemoteTemplate:
        """``updateTemplate`` (PATCH) with a ``WhatsappUpdateTemplateInputDto`` body."""
        call = _Call(
            "updateTemplate",
            "PATCH",
            f"{self._templates}/{_seg(name)}/languages/{_seg(language)}",
            template=f"{name}/{language}",
            write=True,
            json=dict(body),
        )
        response = await self._request(call)
        assert response is not None
        return self._parse(RemoteTemplate, response, call)

    async def delete_language(self, name: str, language: str, *, delete_submitted: bool) -> None:
        """Delete one language; ``delete_submitted`` is needed for anything beyond a draft."""
        call = _Call(
            "deleteTemplateByNameAndLanguage",
            "DELETE",
            f"{self._templates}/{_seg(name)}/languages/{_seg(language)}",
            template=f"{name}/{language}",
            write=True,
            params=(("deleteSubmitted", "true"),) if delete_submitted else (),
        )
        await self._request(call)

    async def delete_name(self, name: str) -> None:
        """Delete every language of ``name`` (the name is then blocked for 30 days)."""
        call = _Call(
            "deleteTemplatesByName",
            "DELETE",
            f"{self._templates}/{_seg(name)}",
            template=name,
            write=True,
        )
        await self._request(call)

    async def comment(self, name: str, language: str, text: str) -> dict[str, Any]:
        """``createComment`` on one language (e.g. a note for Meta's reviewers)."""
        call = _Call(
            "createComment",
            "POST",
            f"{self._templates}/{_seg(name)}/languages/{_seg(language)}/comments",
            template=f"{name}/{language}",
            write=True,
            json={"comment": text},
        )
        response = await self._request(call)
        assert response is not None
        return _json_object(response)

    async def write(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        op: str = "write",
        template: str | None = None,
    ) -> dict[str, Any] | None:
        """A write to ``project_path + path`` with write semantics (for the applier's steps)."""
        call = _Call(
            op,
            method.upper(),
            f"{self.project_path}{path}",
            template=template,
            write=True,
            params=tuple((params or {}).items()),
            json=None if body is None else dict(body),
        )
        response = await self._request(call)
        return _json_object(response) if response is not None and response.content else None

    # ------------------------------------------------------------------ machinery

    async def _fetch_token(self, token_url: str, key_id: str, key_secret: str) -> tuple[str, float]:
        call = _Call(
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

    async def _request(self, call: _Call) -> httpx.Response | None:
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
        self, call: _Call, headers: dict[str, str], permit: Any
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

    def _transport_failure(self, call: _Call, exc: httpx.TransportError) -> TransportError:
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

    def _api_error(self, call: _Call, response: httpx.Response, body: ApiErrorBody) -> ApiError:
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

    def _parse(self, model: type[Model], response: httpx.Response, call: _Call) -> Model:
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


def _seg(value: str) -> str:
    return quote(value, safe="")


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


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"value": data}


# ------------------------------------------------------------------------- opening


def _authenticator(
    target: SinchTarget, environ: Mapping[str, str] | None, clock: Callable[[], float]
) -> Authenticator:
    credentials = target.credentials(environ)
    if isinstance(target.auth, BasicAuthConfig):
        return BasicAuth(credentials)
    try:
        check_url(target.auth.tokenUrl)
    except ValueError as exc:
        raise ConfigError(f"target {target.name}: auth.tokenUrl {exc}") from None
    return OAuth2ClientCredentials(credentials, target.auth.tokenUrl, clock=clock)


@asynccontextmanager
async def open_client(
    target: Target,
    *,
    console: Console | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    throttle: ThrottleHook | None = None,
    max_connections: int = 16,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[SinchClient]:
    """A :class:`SinchClient` for ``target``, closed (with its connections) on exit.

    A ``local`` target talks to the embedded emulator in-process (no port, no network); a
    ``sinch`` target needs its credentials in the environment (``ConfigError`` naming the
    variable otherwise). ``transport`` replaces the network (tests: the emulator's transport);
    ``clock``/``sleep`` drive token expiry and backoff (tests observe waits without waiting).
    """
    if isinstance(target, LocalTarget):
        from waform.emulator import EMBEDDED_BASE_URL, EmulatorSettings, embedded_transport

        if transport is None:
            transport = embedded_transport(target.state_path)
        # The embedded emulator checks credentials like Sinch does; use the ones it accepts.
        emulated = getattr(getattr(transport, "emulator", None), "settings", None)
        if not isinstance(emulated, EmulatorSettings):
            emulated = EmulatorSettings.from_env(background=False)
        auth: Authenticator = (
            BasicAuth(Credentials(emulated.key_id, SecretStr(emulated.key_secret)), secret=False)
            if emulated.auth
            else NoAuth()
        )
        base_url, timeout, hint = EMBEDDED_BASE_URL, 30.0, ""
    else:
        try:
            check_url(target.base_url)
        except ValueError as exc:
            raise ConfigError(f"target {target.name}: baseUrl {exc}") from None
        auth = _authenticator(target, environ, clock)
        base_url, timeout = target.base_url, target.timeout
        names = [target.auth.keyIdEnv, target.auth.keySecretEnv]
        if all(looks_like_env_name(name) for name in names):
            hint = f"check {names[0]} / {names[1]} and projectId of target {target.name}"
        else:
            hint = f"check the key id/secret variables and projectId of target {target.name}"
    client = httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )
    async with client:
        yield SinchClient(
            client,
            project_id=target.project_id,
            auth=auth,
            retry=retry,
            throttle=throttle,
            console=console,
            auth_hint=hint,
            clock=clock,
            sleep=sleep,
        )
