"""One logical API call, and the one-line errors its failures become.

Every failure names the operation, the template and the request, with the API's ``errorCode``,
message and ``resolution`` — e.g. ``createTemplate order_shipped/EN_US: 409 template_exists: … —
…``. Messages pass through the caller's ``redact`` so that no known secret is ever printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import ValidationError

from waform.client.retry import parse_retry_after
from waform.errors import ApiError, TransportError
from waform.model.remote import ApiErrorBody

_MAX_TEXT = 300
Redact = Callable[[str], str]


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


def api_error(
    call: Call, response: httpx.Response, body: ApiErrorBody, *, hint: str, redact: Redact
) -> ApiError:
    """The error for an API answer; ``hint`` (which credentials to check) is added to a 401."""
    code = body.errorCode or "error"
    said = one_line(body.message)  # what the API said, without the call: the error's detail
    text = f"{call.label}: {response.status_code} {code}: {said}"
    if body.resolution:
        text += f" — {one_line(body.resolution)}"
    extra = ""
    details = (body.additionalInformation or {}).get("validationErrors")
    if details:
        items = details if isinstance(details, list) else [details]
        shown = "; ".join(one_line(str(i), 120) for i in items[:3])
        extra += f" [{shown}{'; …' if len(items) > 3 else ''}]"
    if response.status_code == 401 and hint:
        extra += f" ({hint})"
    error = ApiError(
        redact(text + extra),
        detail=redact(said + extra),
        status=response.status_code,
        error_code=body.errorCode or None,
        resolution=redact(body.resolution or ""),
        request=redact(call.request),
        additional=body.additionalInformation,
    )
    #: Seconds the server asked to wait (429), for callers that pace themselves.
    error.retry_after = parse_retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
    return error


def transport_error(call: Call, exc: httpx.TransportError, *, redact: Redact) -> TransportError:
    """The error for a send that got no answer."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    detail = one_line(str(exc)) or type(exc).__name__
    where = f"{call.request}" + (f" ({call.op} {call.template})" if call.template else "")
    what = f"request {kind} ({type(exc).__name__}: {detail})"
    return TransportError(redact(f"{where}: {what}"), detail=redact(what))


def gave_up(
    error: Exception, sends: int, elapsed: float, asked: float | None, *, redact: Redact
) -> Exception:
    """``error`` with how long it was tried (``asked``: a Retry-After beyond the time budget)."""
    waited = f"; the server asked to wait {asked:g} s" if asked is not None else ""
    tried = f" (gave up after {sends} attempt{'s' * (sends > 1)} in {elapsed:.1f} s{waited})"
    detail = getattr(error, "detail", None) or str(error)
    kwargs: dict[str, Any] = {"detail": redact(detail + tried)}
    if isinstance(error, ApiError):
        kwargs |= {
            "status": error.status,
            "error_code": error.error_code,
            "resolution": error.resolution,
            "request": error.request,
            "additional": error.additional,
        }
    final = type(error)(redact(f"{error}{tried}"), **kwargs)
    if hasattr(error, "retry_after"):
        final.retry_after = error.retry_after  # type: ignore[attr-defined]
    return final


def short_reason(error: Exception) -> str:
    """``429 resource_locked``-style reason for a retry log line."""
    if isinstance(error, ApiError) and error.status:
        return f"{error.status} {error.error_code or ''}".strip()
    return type(error).__name__


def one_line(text: str | None, limit: int = _MAX_TEXT) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_body(response: httpx.Response) -> ApiErrorBody:
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
    """A JSON object body (``{}`` when empty or not JSON; other values wrapped)."""
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"value": data}
