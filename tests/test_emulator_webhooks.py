"""Provisioning webhooks: registration CRUD and signed, retried delivery to a real receiver.

The receiver is a tiny Starlette app under uvicorn on a free loopback port; deliveries go over
real HTTP and their HMAC is checked with the string-to-sign the emulator documents.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator_helpers import AUTH, PROJECT, contract_hooks, create_body, error_code
from openapi_contract import _contract, spec_available
from waform.emulator import EmulatorControl, EmulatorSettings, verify_signature
from waform.emulator.server import ServedEmulator
from waform.emulator.webhook_signing import signature

API = f"/v1/projects/{PROJECT}/whatsapp/templates"
HOOKS = f"/v1/projects/{PROJECT}/webhooks"
SECRET = "s3cret-with-entropy"


class Receiver:
    """Collects deliveries; answers 500 to the first ``fail_first`` of them."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = 0
        self._calls = 0
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/hook"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    async def _hook(self, request: Request) -> Response:
        self._calls += 1
        body = await request.body()
        if self._calls <= self.fail_first:
            return Response(status_code=500)
        self.received.append((dict(request.headers), body))
        return Response(status_code=200)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]

    def __enter__(self) -> Receiver:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def served() -> Iterator[tuple[httpx.Client, EmulatorControl]]:
    settings = EmulatorSettings(review_delay=3600, webhook_retry_delay=0.05, webhook_attempts=3)
    with ServedEmulator(settings) as emulator:
        with httpx.Client(
            base_url=emulator.url, auth=AUTH, timeout=30, event_hooks=contract_hooks()
        ) as http:
            yield http, EmulatorControl(http)


def wait_for(predicate: Any, timeout: float = 30.0) -> None:
    """Polls until ``predicate`` holds; the bound is generous because CI machines are shared."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# ---------------------------------------------------------------- CRUD


def test_webhook_crud(served: tuple[httpx.Client, EmulatorControl]) -> None:
    http, _ = served
    created = http.post(
        HOOKS, json={"target": "https://example.com/a", "secret": SECRET, "triggers": ["ALL"]}
    )
    assert created.status_code == 201
    hook = created.json()
    assert set(hook) == {"id", "target", "projectId", "triggers"}  # the secret is never returned
    assert hook["projectId"] == PROJECT and len(hook["id"]) == 26
    url = f"{HOOKS}/{hook['id']}"
    assert http.get(url).json() == hook
    updated = http.patch(url, json={"triggers": ["WHATSAPP_TEMPLATE_APPROVED"]}).json()
    assert (
        updated["triggers"] == ["WHATSAPP_TEMPLATE_APPROVED"]
        and updated["target"] == hook["target"]
    )
    replaced = http.put(
        url, json={"target": "https://example.com/b", "secret": "x", "triggers": ["ALL"]}
    ).json()
    assert replaced["target"] == "https://example.com/b"
    listing = http.get(HOOKS).json()
    assert listing["totalSize"] == 1 and listing["webhooks"] == [replaced]
    assert http.delete(url).status_code == 204
    gone = http.get(url)
    assert gone.status_code == 404 and error_code(gone) == "webhook_not_found"


def test_webhook_limits_and_validation(served: tuple[httpx.Client, EmulatorControl]) -> None:
    http, _ = served

    def create(target: str, **extra: Any) -> httpx.Response:
        body = {"target": target, "secret": SECRET, "triggers": ["ALL"], **extra}
        return http.post(HOOKS, json=body)

    for i in range(15):
        assert create(f"https://example.com/{i:02d}").status_code == 201
    duplicate = create("https://example.com/00")
    assert duplicate.status_code == 409 and error_code(duplicate) == "webhook_exists"
    full = create("https://example.com/new")
    assert full.status_code == 424 and error_code(full) == "webhook_limit_reached"
    page = http.get(HOOKS, params={"pageSize": 10}).json()
    assert page["totalSize"] == 15 and len(page["webhooks"]) == 10
    rest = http.get(HOOKS, params={"pageSize": 10, "pageToken": page["nextPageToken"]}).json()
    assert len(rest["webhooks"]) == 5 and "nextPageToken" not in rest

    bad = http.post(HOOKS, json={"target": "ftp://x", "secret": "", "triggers": ["NOPE", "NOPE"]})
    assert bad.status_code == 400 and error_code(bad) == "invalid_input"
    assert len(bad.json()["additionalInformation"]["validationErrors"]) == 3
    bad_id = http.get(f"{HOOKS}/not-an-id")
    assert bad_id.status_code == 400 and error_code(bad_id) == "invalid_id_format"


# ---------------------------------------------------------------- delivery


def _register(http: httpx.Client, target: str, triggers: list[str]) -> None:
    response = http.post(HOOKS, json={"target": target, "secret": SECRET, "triggers": triggers})
    assert response.status_code == 201, response.text


def test_events_are_delivered_signed_and_match_the_callback_schemas(
    served: tuple[httpx.Client, EmulatorControl], receiver: Receiver
) -> None:
    http, control = served
    _register(http, receiver.url, ["ALL"])
    assert http.post(API, json=create_body("order_shipped")).status_code == 201
    control.complete_reviews(PROJECT)
    control.set_state(PROJECT, "order_shipped", "EN_US", "PAUSED")
    control.set_state(PROJECT, "order_shipped", "EN_US", "APPROVED")
    control.set_quality(PROJECT, "order_shipped", "EN_US", "QUALITY_SCORE_GREEN")
    control.set_category(PROJECT, "order_shipped", "EN_US", "MARKETING", future=True)
    control.set_category(PROJECT, "order_shipped", "EN_US", "MARKETING")
    http.post(f"{API}/order_shipped/languages/EN_US/comments", json={"comment": "hello"})
    http.delete(f"{API}/order_shipped")
    wait_for(lambda: len(receiver.received) == 8)

    events = receiver.events()
    assert [e["type"] for e in events] == [
        "WHATSAPP_TEMPLATE_APPROVED",
        "WHATSAPP_TEMPLATE_STATUS_UPDATED",
        "WHATSAPP_TEMPLATE_STATUS_UPDATED",
        "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
        "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
        "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
        "WHATSAPP_TEMPLATE_COMMENT_ADDED",
        "WHATSAPP_TEMPLATE_DELETED",
    ]
    assert [e.get("newState") for e in events[1:3]] == ["PAUSED", "UNPAUSED"]
    assert events[4]["futureCategory"] == "MARKETING"
    assert events[6]["comment"] == "hello"
    assert (
        events[0]["payload"]["state"] == "APPROVED"
        and events[0]["payload"]["name"] == "order_shipped"
    )
    for headers, body in receiver.received:
        assert verify_signature(SECRET, body, headers)
        assert headers["x-sinch-webhook-signature-algorithm"] == "HmacSHA256"
        expected = signature(
            SECRET,
            body,
            headers["x-sinch-webhook-signature-nonce"],
            headers["x-sinch-webhook-signature-timestamp"],
        )
        assert headers["x-sinch-webhook-signature"] == expected
        assert not verify_signature("wrong-secret", body, headers)
        assert not verify_signature(SECRET, body + b" ", headers)
    if spec_available():
        contract = _contract(True)
        for event in events:
            contract.check_callback(event["type"], event)


def test_only_subscribed_triggers_are_delivered(
    served: tuple[httpx.Client, EmulatorControl], receiver: Receiver
) -> None:
    http, control = served
    _register(http, receiver.url, ["WHATSAPP_TEMPLATE_REJECTED"])
    http.post(API, json=create_body("good_one"))
    http.post(API, json=create_body("bad_one", text="{{1}} starts badly here."))
    control.complete_reviews(PROJECT)
    wait_for(lambda: len(receiver.received) == 1)
    time.sleep(0.2)
    [event] = receiver.events()
    assert event["type"] == "WHATSAPP_TEMPLATE_REJECTED"
    assert event["payload"]["name"] == "bad_one"
    assert event["payload"]["rejectionCode"] == "INVALID_FORMAT"


def test_failed_deliveries_are_retried_then_given_up(
    served: tuple[httpx.Client, EmulatorControl], receiver: Receiver
) -> None:
    http, control = served
    receiver.fail_first = 2
    _register(http, receiver.url, ["ALL"])
    http.post(API, json=create_body("retry_me"))
    control.complete_reviews(PROJECT)
    # The receiver sees the body before the emulator records the answer: wait for the
    # emulator's own record, not the receiver, or the read can see the row still pending.
    wait_for(lambda: [d["status"] for d in control.deliveries(PROJECT)] == ["delivered"])
    [delivery] = control.deliveries(PROJECT)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    assert len(receiver.received) == 1

    # a target that never answers: bounded attempts, then failed
    http.post(
        HOOKS, json={"target": "http://127.0.0.1:9/closed", "secret": SECRET, "triggers": ["ALL"]}
    )
    http.post(f"{API}/retry_me/languages/EN_US/comments", json={"comment": "x"})
    wait_for(lambda: any(d["status"] == "failed" for d in control.deliveries(PROJECT)))
    failed = [d for d in control.deliveries(PROJECT) if d["status"] == "failed"]
    assert failed[0]["attempts"] == 3 and failed[0]["lastError"]


def test_in_process_deliveries_wait_in_the_outbox_until_flushed(
    tmp_path: Any, receiver: Receiver
) -> None:
    """The embedded emulator keeps undelivered events in its file for the next run."""
    state = tmp_path / "state.sqlite3"
    with EmulatorControl.in_process(state) as control:
        http = control.client
        http.auth = httpx.BasicAuth(*AUTH)
        _register(http, receiver.url, ["WHATSAPP_TEMPLATE_APPROVED"])
        http.post(API, json=create_body("order_shipped"))
    with EmulatorControl.in_process(state) as control:
        control.complete_reviews(PROJECT)
        assert control.flush_webhooks() == 0
    assert [e["type"] for e in receiver.events()] == ["WHATSAPP_TEMPLATE_APPROVED"]


def test_a_later_run_delivers_what_an_earlier_one_left(tmp_path: Any, receiver: Receiver) -> None:
    state = tmp_path / "state.sqlite3"
    with EmulatorControl.in_process(state) as control:
        http = control.client
        http.auth = httpx.BasicAuth(*AUTH)
        _register(http, receiver.url, ["WHATSAPP_TEMPLATE_COMMENT_ADDED"])
        http.post(API, json=create_body("order_shipped", status="DRAFT"))
    # e.g. `waform emulator review`, or a run that ended before delivering: no event loop
    from waform.emulator.service import Emulator

    offline = Emulator(EmulatorSettings(state_path=state))
    offline.comment(PROJECT, "order_shipped", "EN_US", "left behind")
    offline.close()
    assert receiver.received == []
    with EmulatorControl.in_process(state) as control:
        control.client.get(API, auth=AUTH)  # any API request of a new run restarts delivery
        wait_for(lambda: len(receiver.received) == 1)
    assert receiver.events()[0]["comment"] == "left behind"
