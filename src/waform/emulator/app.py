"""The ASGI app: Sinch's template (and webhook) routes, the OAuth2 token endpoint, the control API.

Request path through the app: :class:`~waform.emulator.middleware.ApiGuard` (rate limit, faults,
request log — API routes only) → route → :func:`_api` (auth → project check → due reviews
settled → handler) → :class:`~waform.emulator.service.Emulator`. Every error is a PAPI body
(:mod:`waform.emulator.errors`), including unknown paths (404 ``not_found``), wrong methods
(405 ``method_not_allowed``) and bugs (500 ``internal_error``).

The handlers themselves are in :mod:`waform.emulator.api_handlers`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from waform.emulator.api_handlers import (
    compare_templates,
    create_comment,
    create_template,
    create_webhook,
    delete_by_name,
    delete_language,
    delete_webhook,
    get_template,
    get_webhook,
    list_activities,
    list_by_name,
    list_templates,
    list_webhooks,
    replace_webhook,
    sync_templates,
    update_template,
    update_webhook,
)
from waform.emulator.control_routes import control_routes
from waform.emulator.errors import PapiError
from waform.emulator.middleware import ApiGuard
from waform.emulator.service import Emulator
from waform.emulator.settings import EmulatorSettings

log = logging.getLogger(__name__)

Handler = Callable[[Request, Emulator], Awaitable[Response]]
_TEMPLATES = "/v1/projects/{projectId}/whatsapp/templates"
_LANGUAGE = _TEMPLATES + "/{templateName}/languages/{languageCode}"
_WEBHOOKS = "/v1/projects/{projectId}/webhooks"
#: Status logged for a request whose client disconnected before the answer (nginx's 499).
CLIENT_CLOSED = 499


class EmulatorApp(Starlette):
    """A Starlette app whose outermost layer is the API guard (faults must see the raw
    ``send`` of the server to drop connections, so it wraps Starlette's own middleware)."""

    emulator: Emulator

    def build_middleware_stack(self) -> ASGIApp:
        return ApiGuard(super().build_middleware_stack(), self.emulator)


def create_app(
    settings: EmulatorSettings | None = None, *, emulator: Emulator | None = None
) -> EmulatorApp:
    """The emulator as an ASGI app. ``emulator`` shares an existing core (tests)."""
    emulator = emulator or Emulator(settings or EmulatorSettings())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = None
        if emulator.settings.background:
            emulator.webhooks.wake()
            ticker = _start_ticker(emulator)
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
            await emulator.webhooks.stop()

    app = EmulatorApp(
        routes=_routes(emulator),
        exception_handlers={
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
            Exception: _internal_error,
        },
        lifespan=lifespan,
    )
    app.emulator = emulator
    app.state.emulator = emulator
    return app


def _api(emulator: Emulator, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint: auth → project check → due reviews settled → handler; errors as PAPI."""

    async def endpoint(request: Request) -> Response:
        try:
            emulator.auth.check(request.headers.get("authorization"))
            project = request.path_params.get("projectId")
            if project is not None:
                emulator.check_project(project)
            emulator.settle()
            return await handler(request, emulator)
        except PapiError as error:
            return error.response()
        except ClientDisconnect:
            # The client went away mid-request: nothing to answer, and not our error.
            log.info("client disconnected: %s %s", request.method, request.url.path)
            return Response(status_code=CLIENT_CLOSED)
        except Exception:
            log.exception("emulator bug on %s %s", request.method, request.url.path)
            return PapiError("internal_error").response()

    return endpoint


def _routes(emulator: Emulator) -> list[Route | Mount]:
    """Sinch's routes (one :class:`Route` per path), the token endpoint and the control API."""

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return _api(emulator, handler)

    return [
        Route("/oauth2/token", emulator.auth.token_endpoint, methods=["POST"]),
        _route(_TEMPLATES, GET=api(list_templates), POST=api(create_template)),
        _route(_TEMPLATES + "/sync", POST=api(sync_templates)),
        _route(_TEMPLATES + "/{templateName}", GET=api(list_by_name), DELETE=api(delete_by_name)),
        _route(
            _LANGUAGE,
            GET=api(get_template),
            PATCH=api(update_template),
            DELETE=api(delete_language),
        ),
        _route(_LANGUAGE + "/activities", GET=api(list_activities)),
        _route(_LANGUAGE + "/comments", POST=api(create_comment)),
        _route(_LANGUAGE + "/compare", POST=api(compare_templates)),
        _route(_WEBHOOKS, GET=api(list_webhooks), POST=api(create_webhook)),
        _route(
            _WEBHOOKS + "/{webhookId}",
            GET=api(get_webhook),
            PUT=api(replace_webhook),
            PATCH=api(update_webhook),
            DELETE=api(delete_webhook),
        ),
        Mount("/_emulator", routes=control_routes(emulator)),
    ]


def _route(path: str, **by_method: Callable[[Request], Awaitable[Response]]) -> Route:
    """One route per path, so a wrong method's 405 lists every allowed one in ``Allow``."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    return Route(path, dispatch, methods=list(by_method))


def _start_ticker(emulator: Emulator) -> Any:
    """Served mode: apply due reviews every 200 ms so webhooks fire without any read."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.2)
            try:
                emulator.settle()
            except Exception:
                log.exception("review ticker failed")

    return asyncio.get_running_loop().create_task(tick(), name="waform-emulator-reviews")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "internal_error")
    headers = dict(getattr(exc, "headers", None) or {})  # 405 carries Allow
    error = PapiError(code, status=status if code != "internal_error" else 500, headers=headers)
    return error.response()


async def _client_gone(request: Request, exc: Exception) -> Response:
    log.info("client disconnected: %s %s", request.method, request.url.path)
    return Response(status_code=CLIENT_CLOSED)


async def _internal_error(request: Request, exc: Exception) -> Response:
    return PapiError("internal_error").response()


__all__ = ["EmulatorApp", "create_app"]
