"""In-process transports: the emulator without a port, for ``plan``/``apply`` and for tests.

:func:`embedded_transport` is what the ``local`` target uses: an ``httpx.AsyncBaseTransport``
that runs the emulator app inside the caller's event loop (``httpx.ASGITransport``), with state
in a SQLite file (default ``.waform/emulator.sqlite3`` under the working directory), so
templates created by ``apply`` are there for the next ``plan``. Pair it with
:data:`EMBEDDED_BASE_URL` (any base URL works; ``.invalid`` never resolves, so nothing can leak
to a network). Credentials: key id ``local`` / secret ``local`` (Basic, or Bearer from
``POST /oauth2/token``), unless ``WAFORM_EMULATOR_*`` variables or ``settings`` say otherwise.

A dropped connection injected by the fault API surfaces as ``httpx.RemoteProtocolError``, the
exception httpx raises for a real one.

:class:`SyncEmbeddedTransport` is the same for ``httpx.Client``: it runs the app on an event
loop in a private daemon thread, so plain synchronous tests can talk to an
in-process emulator.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from waform.emulator.app import EmulatorApp, create_app
from waform.emulator.faults import AnsweredLate, ConnectionDropped
from waform.emulator.settings import DEFAULT_STATE_PATH, EmulatorSettings

T = TypeVar("T")

#: Base URL to use with the in-process transports.
EMBEDDED_BASE_URL = "http://emulator.waform.invalid"


class EmbeddedTransport(httpx.AsyncBaseTransport):
    """Serves requests from an :class:`~waform.emulator.app.EmulatorApp` in-process."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.emulator = app.emulator
        self._inner = httpx.ASGITransport(app=app)

    @property
    def settings(self) -> EmulatorSettings:
        """What this emulator accepts (credentials, ``auth``): a client of it authenticates so."""
        return self.emulator.settings

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except AnsweredLate:
            raise httpx.ReadTimeout("The emulator answered too late.", request=request) from None
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None

    async def aclose(self) -> None:
        await self.emulator.webhooks.stop()


def _settings(state_path: str | Path | None, settings: EmulatorSettings | None) -> EmulatorSettings:
    if settings is None:
        settings = EmulatorSettings.from_env(background=False)
        if state_path is None and "WAFORM_EMULATOR_STATE" not in os.environ:
            state_path = DEFAULT_STATE_PATH
    if state_path is not None:
        settings = settings.with_(state_path=state_path)
    return settings


def embedded_transport(
    state_path: str | Path | None = None, *, settings: EmulatorSettings | None = None
) -> EmbeddedTransport:
    """An in-process emulator on ``state_path`` (``":memory:"`` for a throwaway one)."""
    return EmbeddedTransport(create_app(_settings(state_path, settings)))


class SyncEmbeddedTransport(httpx.BaseTransport):
    """An in-process emulator for ``httpx.Client``; call :meth:`close` (or close the client)."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.emulator = app.emulator
        self._async = EmbeddedTransport(app)
        # A private event loop in a daemon thread: an unclosed transport never blocks exit.
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="waform-emulator-loop", daemon=True
        )
        self._thread.start()
        self._closed = False

    @classmethod
    def open(
        cls, state_path: str | Path | None = None, *, settings: EmulatorSettings | None = None
    ) -> SyncEmbeddedTransport:
        return cls(create_app(_settings(state_path, settings)))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._async.handle_async_request(inner)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._run(call())
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise RuntimeError("SyncEmbeddedTransport is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        if self._closed:
            return
        try:
            self._run(self._async.aclose())
        finally:
            self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
