"""Control API: injected faults (seeded), rate limiting, the request log, clock and settings."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from emulator_helpers import API, AUTH, PROJECT, client, create_body, details, error_code
from waform.emulator import (
    EMBEDDED_BASE_URL,
    ControlError,
    EmulatorControl,
    embedded_transport,
)
from waform.emulator.server import ServedEmulator


def test_scripted_faults_happen_in_order(api: httpx.Client, control: EmulatorControl) -> None:
    control.set_faults(script=["locked", "throttle", "error", "ok"], retry_after=3)
    locked = api.post(API, json=create_body("one"))
    assert locked.status_code == 409 and error_code(locked) == "resource_locked"
    throttled = api.post(API, json=create_body("one"))
    assert throttled.status_code == 429
    assert error_code(throttled) == "whatsapp_business_api_request_limit_exceeded"
    assert throttled.headers["retry-after"] == "3"
    failed = api.post(API, json=create_body("one"))
    assert failed.status_code == 500 and error_code(failed) == "internal_error"
    # none of those wrote anything
    assert api.get(API).json()["totalSize"] == 0
    assert api.post(API, json=create_body("one")).status_code == 201
    assert [r["fault"] for r in control.requests(PROJECT)][:3] == ["locked", "throttle", "error"]


def test_error_after_processing_stores_the_write(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.set_faults(script=["error_after"], methods=["POST"])
    response = api.post(API, json=create_body("written"))
    assert response.status_code == 500
    assert api.get(f"{API}/written").status_code == 200
    assert control.requests(PROJECT)[0]["fault"] == "error_after:201"


def test_dropped_connection_in_process_after_the_write(
    api: httpx.Client, control: EmulatorControl
) -> None:
    control.set_faults(script=["drop"], methods=["POST"])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(API, json=create_body("lost_answer"))
    assert api.get(f"{API}/lost_answer").status_code == 200  # the create happened
    assert api.post(API, json=create_body("lost_answer")).status_code == 409


def test_dropped_connection_over_tcp() -> None:
    with ServedEmulator() as served, httpx.Client(base_url=served.url, auth=AUTH) as http:
        control = EmulatorControl(http)
        control.set_faults(script=["drop"], methods=["POST"])
        with pytest.raises(httpx.TransportError):
            http.post(API, json=create_body("lost_answer"))
        assert http.get(f"{API}/lost_answer").status_code == 200


def test_async_transport_raises_remote_protocol_error(tmp_path: Path) -> None:
    async def run() -> int:
        transport = embedded_transport(tmp_path / "s.sqlite3")
        async with httpx.AsyncClient(
            transport=transport, base_url=EMBEDDED_BASE_URL, auth=AUTH
        ) as c:
            control = EmulatorControl(c)
            await control.set_faults(script=["drop"])
            with pytest.raises(httpx.RemoteProtocolError):
                await c.post(API, json=create_body("lost_answer"))
            return (await c.get(API)).json()["totalSize"]

    assert asyncio.run(run()) == 1


def _outcomes(seed: int) -> list[int]:
    with client() as http:
        EmulatorControl(http).set_faults(
            seed=seed, error_rate=0.3, locked_rate=0.2, methods=["GET"]
        )
        return [http.get(API).status_code for _ in range(40)]


def test_random_faults_are_seeded_and_repeatable() -> None:
    first, again, other = _outcomes(7), _outcomes(7), _outcomes(8)
    assert first == again
    assert first != other
    assert set(first) == {200, 409, 500}
    assert 8 <= first.count(500) + first.count(409) <= 32


def test_faults_scoped_by_method_and_path(api: httpx.Client, control: EmulatorControl) -> None:
    control.set_faults(error_rate=1.0, methods=["DELETE"], path_regex=r"/languages/")
    api.post(API, json=create_body("scoped", status="DRAFT"))
    assert api.get(f"{API}/scoped/languages/EN_US").status_code == 200
    assert api.delete(f"{API}/scoped").status_code == 204  # no /languages/ in the path
    api.post(API, json=create_body("scoped", status="DRAFT"))
    assert api.delete(f"{API}/scoped/languages/EN_US").status_code == 500
    control.clear_faults()
    assert api.delete(f"{API}/scoped/languages/EN_US").status_code == 204


def test_latency(api: httpx.Client, control: EmulatorControl) -> None:
    control.set_faults(latency_ms=120)
    started = time.perf_counter()
    api.get(API)
    assert time.perf_counter() - started >= 0.12


def test_fault_settings_are_validated(control: EmulatorControl) -> None:
    for bad in ({"script": ["explode"]}, {"unknown_knob": 1}, {"path_regex": "("}):
        with pytest.raises(ControlError) as info:
            control.set_faults(**bad)
        assert info.value.status == 400


def test_faults_persist_in_the_state_file_for_other_processes(tmp_path: Path) -> None:
    state = tmp_path / "shared.sqlite3"
    with EmulatorControl.in_process(state) as control:
        control.set_faults(script=["locked"])
    with client(state) as cli_side:  # e.g. the in-process emulator of a CLI command
        assert error_code(cli_side.get(API)) == "resource_locked"
        assert cli_side.get(API).status_code == 200


def test_rate_limit(api: httpx.Client, control: EmulatorControl) -> None:
    control.set_rate_limit(20)
    statuses = [api.get(API) for _ in range(25)]
    assert [r.status_code for r in statuses[:20]] == [200] * 20
    limited = statuses[20]
    assert limited.status_code == 429
    assert error_code(limited) == "whatsapp_business_api_request_limit_exceeded"
    assert int(limited.headers["retry-after"]) >= 1
    # other projects have their own window; the control API is never limited
    assert api.get("/v1/projects/other/whatsapp/templates").status_code == 200
    assert control.health()["ok"] is True
    time.sleep(1.0)
    assert api.get(API).status_code == 200
    control.clear_rate_limit()
    assert all(api.get(API).status_code == 200 for _ in range(30))


def test_request_log_per_project(api: httpx.Client, control: EmulatorControl) -> None:
    api.get(API)
    api.post(API, json=create_body("logged"))
    api.get("/v1/projects/other/whatsapp/templates")
    log = control.requests(PROJECT)
    assert [(r["method"], r["status"]) for r in log] == [("GET", 200), ("POST", 201)]
    assert len(control.requests()) == 3
    control.clear_requests(PROJECT)
    assert control.requests(PROJECT) == []
    assert len(control.requests()) == 1


def test_clock_and_review_delay(api: httpx.Client, control: EmulatorControl) -> None:
    before = control.now()
    after = control.advance(3600)
    assert after - before >= 3600
    control.set_clock(before)
    assert abs(control.now() - before) < 5
    control.set_review_delay(0)
    api.post(API, json=create_body("instant"))
    assert api.get(f"{API}/instant/languages/EN_US").json()["state"] == "APPROVED"


def test_complete_reviews_filters_and_forces(api: httpx.Client, control: EmulatorControl) -> None:
    api.post(API, json=create_body("one_a"))
    api.post(API, json=create_body("two_b"))
    [done] = control.complete_reviews(
        PROJECT, "one_a", outcome="REJECTED", rejection_code="ABUSIVE_CONTENT"
    )
    assert done["name"] == "one_a" and done["rejectionCode"] == "ABUSIVE_CONTENT"
    assert api.get(f"{API}/two_b/languages/EN_US").json()["changes"]["status"] == "IN_PROGRESS"
    assert control.complete_reviews(PROJECT, "nothing") == []


def test_reset_forgets_everything(api: httpx.Client, control: EmulatorControl) -> None:
    control.add_template(PROJECT, "gone", "EN", "UTILITY", details())
    control.set_rate_limit(5)
    control.reset()
    assert api.get(API).json()["totalSize"] == 0
    assert all(api.get(API).status_code == 200 for _ in range(10))


def test_control_errors_are_papi_bodies(control: EmulatorControl) -> None:
    with pytest.raises(ControlError) as info:
        control.set_state(PROJECT, "ghost", "EN", "PAUSED")
    assert info.value.status == 404 and info.value.body["errorCode"] == "template_not_found"
    with pytest.raises(ControlError) as info:
        control.add_template(PROJECT, "Bad Name", "EN", "UTILITY", details())
    assert info.value.status == 400 and info.value.body["errorCode"] == "invalid_input"
