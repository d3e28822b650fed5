"""The outermost ASGI layer of the API routes: rate limit, injected faults, request log.

Only ``/v1/…`` requests pass through the guard's logic; the control API and the token endpoint
are never throttled, faulted or logged. Order for an API request: rate limit (429) → fault
decision (latency, then locked/throttle/error before processing, or error_after/drop/late after
it)
→ the app → one row in the request log with the status the client saw (``fault`` names what
was injected). Injected answers carry an ``x-emulator-fault`` header naming the fault, since
they may use statuses Sinch does not document for that operation (a 429 on a list). See :mod:`waform.emulator.faults` for the fault kinds.

A dropped connection is real in served mode: the guard aborts the server's TCP transport (found
on uvicorn's ``send`` callable) so the client sees a reset without a response. Elsewhere it
raises :class:`~waform.emulator.faults.ConnectionDropped`, which the in-process transport turns
into ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waform.emulator.errors import PapiError
from waform.emulator.faults import AnsweredLate, ConnectionDropped, Decision

if TYPE_CHECKING:
    from waform.emulator.service import Emulator

log = logging.getLogger(__name__)
_PROJECT = re.compile(r"^/v1/projects/([^/]+)/")
#: Marks responses that were injected (fault or rate limit) rather than produced by the API.
FAULT_HEADER = "x-emulator-fault"


#: Faults answered before the request is processed, and the PAPI error each answers.
_ERROR_BEFORE = {
    "locked": "resource_locked",
    "throttle": "whatsapp_business_api_request_limit_exceeded",
    "error": "internal_error",
}


class ApiGuard:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self._guarded(scope, receive, send)
            return
        match = _PROJECT.match(scope["path"])
        project = match.group(1) if match else None

        retry = self.emulator.limiter.check(project or "")
        if retry is not None:
            error = PapiError(
                "whatsapp_business_api_request_limit_exceeded",
                headers={"Retry-After": str(retry), FAULT_HEADER: "rate_limit"},
            )
            self._log(project, scope, await _send_error(send, error), "rate_limit")
            return
        decision = self.emulator.faults.decide(scope["method"], scope["path"])
        if decision is not None and decision.delay > 0:
            await asyncio.sleep(decision.delay)
        if decision is not None and decision.kind is not None:
            await self._fault(decision, project, scope, receive, send)
            return

        status = 500

        async def tracking(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = _dated(message, self.emulator.clock.now())
            await send(message)

        await self._guarded(scope, receive, tracking)
        self._log(project, scope, status, None)

    async def _fault(
        self,
        decision: Decision,
        project: str | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Answer as the armed fault says: an error before the request is processed, or after
        it (an error, a dropped connection, or an answer after the client gave up)."""
        kind = decision.kind
        if kind in _ERROR_BEFORE:
            headers = {FAULT_HEADER: kind}
            if kind == "throttle":
                headers["Retry-After"] = str(decision.retry_after)
            status = await _send_error(send, PapiError(_ERROR_BEFORE[kind], headers=headers))
            self._log(project, scope, status, kind)
            return
        captured = await self._processed(scope, receive)
        inner = captured[0].get("status") if captured else None
        if kind == "error_after":
            error = PapiError("internal_error", headers={FAULT_HEADER: kind})
            status = await _send_error(send, error)
            self._log(project, scope, status, f"error_after:{inner}")
            return
        self._log(project, scope, 0, f"{kind}:{inner}")
        if kind == "late":
            await _answer_late(send, captured, decision.late)
        else:
            _drop(send)

    async def _processed(self, scope: Scope, receive: Receive) -> list[Message]:
        """Run the request to its end (committed) and keep the answer instead of sending it."""
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self._guarded(scope, receive, capture)
        return captured

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; an exception after the response started is logged, not re-raised
        (Starlette's error middleware re-raises after answering; the client has its answer)."""
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except ConnectionDropped:
            raise
        except Exception:
            if started:
                log.exception("emulator error after the response was sent")
                return
            log.exception("emulator error")
            await _send_error(send, PapiError("internal_error"))

    def _log(self, project: str | None, scope: Scope, status: int, fault: str | None) -> None:
        try:
            self.emulator.store.log_request(
                project,
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                status,
                fault,
                self.emulator.clock.now(),
                self.emulator.settings.request_log_limit,
            )
        except Exception:  # the log must never break a response
            log.exception("request log failed")


def _dated(start: Message, now: float) -> Message:
    """Add ``Date`` in the emulator's clock (which tests move): clients count Meta's edit limits
    in server time."""
    headers = [*start.get("headers", []), (b"date", formatdate(now, usegmt=True).encode())]
    return {**start, "headers": headers}


async def _send_error(send: Send, error: PapiError) -> int:
    response = error.response()
    await response({"type": "http"}, _no_receive, send)
    return error.status


async def _no_receive() -> Message:  # pragma: no cover - responses never read
    return {"type": "http.disconnect"}


async def _answer_late(send: Any, captured: list[Message], seconds: float) -> None:
    """Send ``captured`` after ``seconds`` (served: the client has given up by then).

    In-process no timeout can run out, so the transport is told to raise one now."""
    if getattr(send, "__self__", None) is None:
        raise AnsweredLate()
    await asyncio.sleep(seconds)
    for message in captured:
        await send(message)


def _drop(send: Any) -> None:
    """Close the connection without answering (see the module docstring)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        if cycle is not None and hasattr(cycle, "disconnected"):
            cycle.disconnected = True
        return
    raise ConnectionDropped()
