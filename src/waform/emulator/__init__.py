"""A local Sinch Provisioning API (WhatsApp templates): a real ASGI service, not a mock.

Two ways to run it:

* served — ``waform emulator serve --host 127.0.0.1 --port 8765 --state FILE`` (uvicorn);
* in-process — :func:`embedded_transport` gives an ``httpx.AsyncBaseTransport`` with no port;
  this is the ``local`` target that ``plan``/``apply`` use by default, state in
  ``.waform/emulator.sqlite3`` under the working directory.

**Credentials.** Unless configured otherwise the emulator (served or embedded) accepts key id
``local`` and key secret ``local``: HTTP Basic ``local:local``, or a Bearer token from
``POST /oauth2/token`` (``grant_type=client_credentials``, client authenticated the same way).
``EmulatorSettings(auth=False)`` / ``--no-auth`` accepts anything. Any project id works unless
``strict_projects`` is on.

**In a test** (see also the fixtures in ``tests/emulator_fixtures.py``)::

    import httpx
    from waform.emulator import EMBEDDED_BASE_URL, EmulatorControl, embedded_transport

    async def test_something(tmp_path):
        transport = embedded_transport(tmp_path / "emu.sqlite3")     # or ":memory:"
        async with httpx.AsyncClient(
            transport=transport, base_url=EMBEDDED_BASE_URL, auth=("local", "local")
        ) as client:
            r = await client.get("/v1/projects/p1/whatsapp/templates")
            control = EmulatorControl(client)          # same app: control API over HTTP
            await control.complete_reviews("p1")

    # synchronous tests and CLI runs sharing the state file:
    control = EmulatorControl.in_process(tmp_path / "emu.sqlite3")
    control.advance(days=31)

Module map: :mod:`.app` (routes), :mod:`.service` (operations), :mod:`.lifecycle` (Meta's
rules, clock), :mod:`.store` (SQLite), :mod:`.records` (DTO JSON), :mod:`.validation`
(request bodies), :mod:`.listing` (pagination, filters, fieldMask), :mod:`.errors` (PAPI
bodies), :mod:`.auth`, :mod:`.faults` + :mod:`.middleware` (faults, rate limit, request log),
:mod:`.webhooks`, :mod:`.control_routes` + :mod:`.control` (control API and its client),
:mod:`.transport` (in-process), :mod:`.server` (uvicorn), :mod:`.settings`.
"""

from waform.emulator.app import EmulatorApp, create_app
from waform.emulator.control import ControlError, EmulatorControl
from waform.emulator.settings import (
    DEFAULT_KEY_ID,
    DEFAULT_KEY_SECRET,
    DEFAULT_STATE_PATH,
    EmulatorSettings,
)
from waform.emulator.transport import (
    EMBEDDED_BASE_URL,
    EmbeddedTransport,
    SyncEmbeddedTransport,
    embedded_transport,
)
from waform.emulator.webhook_signing import verify_signature

__all__ = [
    "DEFAULT_KEY_ID",
    "DEFAULT_KEY_SECRET",
    "DEFAULT_STATE_PATH",
    "EMBEDDED_BASE_URL",
    "ControlError",
    "EmbeddedTransport",
    "EmulatorApp",
    "EmulatorControl",
    "EmulatorSettings",
    "SyncEmbeddedTransport",
    "create_app",
    "embedded_transport",
    "verify_signature",
]
