"""Serving the emulator over real HTTP with uvicorn: the CLI's ``serve`` and a thread for tests.

:func:`serve` blocks (used by ``waform emulator serve``). It binds the socket itself so that
``--port 0`` works: the OS picks a free port and the announced URL carries it.
:class:`ServedEmulator` runs the same server in a background thread (tests, benchmarks)::

    with ServedEmulator(EmulatorSettings(state_path=":memory:")) as served:
        httpx.get(served.url + "/_emulator/health")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from waform.emulator.app import EmulatorApp, create_app
from waform.emulator.settings import EmulatorSettings


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that say so; without
    # it every response waits ~40 ms for a delayed ACK (headers and body are two writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(app: EmulatorApp, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level in ("debug", "trace"),
        lifespan="on",
        date_header=False,  # the app's Date tells the emulator clock (see ApiGuard)
    )
    return uvicorn.Server(config)


def serve(
    settings: EmulatorSettings,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    log_level: str = "warning",
    announce: Callable[[str], Any] | None = None,
) -> None:
    """Serve until interrupted (SIGINT/SIGTERM end it cleanly)."""
    app = create_app(settings)
    sock = bind(host, port)
    if announce is not None:
        announce(url_of(sock))
    try:
        _server(app, log_level).run(sockets=[sock])
    finally:
        app.emulator.close()


class ServedEmulator:
    """The emulator under uvicorn in a daemon thread, on a free loopback port."""

    def __init__(
        self, settings: EmulatorSettings | None = None, *, host: str = "127.0.0.1"
    ) -> None:
        self.app = create_app(settings or EmulatorSettings())
        self.emulator = self.app.emulator
        self._sock = bind(host, 0)
        self.url = url_of(self._sock)
        self._server = _server(self.app, "warning")
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> ServedEmulator:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("emulator server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServedEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
