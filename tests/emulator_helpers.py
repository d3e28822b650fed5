"""Small builders shared by the emulator tests (bodies, clients that check the contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from openapi_contract import _contract, spec_available
from waform.emulator import EMBEDDED_BASE_URL, EmulatorSettings, SyncEmbeddedTransport

PROJECT = "p1"
API = f"/v1/projects/{PROJECT}/whatsapp/templates"
AUTH = ("local", "local")


def body_component(text: str = "Hi {{1}}, your order has shipped.", *examples: str) -> dict:
    return {"type": "BODY", "text": text, "examples": list(examples or ("Anna",))}


def details(text: str = "Hi {{1}}, your order has shipped.", **extra: Any) -> dict[str, Any]:
    return {"components": [body_component(text)], **extra}


def create_body(
    name: str,
    language: str = "EN_US",
    *,
    category: str = "UTILITY",
    status: str = "SUBMIT",
    text: str = "Hi {{1}}, your order has shipped.",
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "name": name,
        "language": language,
        "category": category,
        "status": status,
        "details": details(text),
    }
    body.update(extra)
    return body


def contract_hooks() -> dict[str, list[Any]]:
    """Validate every templates response against the OpenAPI file, when it is available."""
    if not spec_available():
        return {}
    return {"response": [_contract(True).httpx_hook()]}


def client(
    state: str | Path = ":memory:",
    *,
    settings: EmulatorSettings | None = None,
    contract: bool = True,
    **options: Any,
) -> httpx.Client:
    """A sync client on a fresh in-process emulator whose responses are contract-checked."""
    transport = SyncEmbeddedTransport.open(state, settings=settings)
    options.setdefault("auth", AUTH)
    hooks = contract_hooks() if contract else {}
    return httpx.Client(
        transport=transport, base_url=EMBEDDED_BASE_URL, event_hooks=hooks, **options
    )


def error_code(response: httpx.Response) -> str:
    return response.json()["errorCode"]
