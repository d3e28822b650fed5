"""Property-based run (schemathesis) of Sinch's OpenAPI file against the served emulator.

Schemathesis generates requests for every operation from the (repaired, see
``openapi_contract.py``) spec and sends them over real HTTP to ``waform emulator``'s app under
uvicorn. Checks: no 5xx, and every documented response conforms to its schema. The file
declares ``openapi: 3.2.0``; schemathesis reads it as 3.1 (the schemas are plain JSON Schema
2020-12, as the reference README notes). Bounded: a few examples per operation (< 30 s).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from openapi_contract import require_contract  # noqa: E402
from waform.emulator import EmulatorControl, EmulatorSettings  # noqa: E402
from waform.emulator.server import ServedEmulator  # noqa: E402

AUTH = ("local", "local")


@pytest.fixture(scope="module")
def sinch_schema() -> object:
    spec = copy.deepcopy(require_contract().spec)
    spec["openapi"] = "3.1.0"
    return schemathesis.openapi.from_dict(spec)


@pytest.fixture(scope="module")
def served_for_fuzzing() -> Iterator[ServedEmulator]:
    with ServedEmulator(EmulatorSettings(review_delay=0.5)) as served:
        yield served


OPERATIONS = (
    "GET /v1/projects/{projectId}/whatsapp/templates",
    "POST /v1/projects/{projectId}/whatsapp/templates",
    "GET /v1/projects/{projectId}/whatsapp/templates/{templateName}",
    "DELETE /v1/projects/{projectId}/whatsapp/templates/{templateName}",
    "GET /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}",
    "DELETE /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}",
    "PATCH /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}",
    "GET /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}"
    "/activities",
    "POST /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}"
    "/comments",
    "POST /v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}"
    "/compare",
    "POST /v1/projects/{projectId}/whatsapp/templates/sync",
)
MODES = ("positive", "negative")


KNOWN = {"templateName": "order_shipped", "languageCode": "EN_US"}


def _seed(url: str) -> None:
    """Reset the emulator and add templates in several states, so requests find something."""
    with EmulatorControl.connect(url) as control:
        control.reset()
        body = {
            "components": [{"type": "BODY", "text": "Hi {{1}}, it shipped.", "examples": ["A"]}]
        }
        control.add_template("p", "order_shipped", "EN_US", "UTILITY", body)
        control.add_template("p", "order_shipped", "DE", "UTILITY", body, state="PAUSED")
        control.add_template("p", "welcome", "EN_US", "MARKETING", body, meta_generated=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_error_and_no_schema_break(
    sinch_schema: object, served_for_fuzzing: ServedEmulator, label: str, mode: str
) -> None:
    """Schemathesis' own pytest plugin does not run under pytest 9, so hypothesis drives the
    strategies schemathesis builds for each operation: half of the cases use generated path
    parameters, half address a template that exists."""
    operations = {r.ok().label: r.ok() for r in sinch_schema.get_all_operations()}  # type: ignore[attr-defined]
    assert set(operations) == set(OPERATIONS)  # the file still has exactly these operations
    operation = operations[label]
    generation = GenerationMode(mode)
    strategy = operation.as_strategy(generation_mode=generation)
    known = {k: v for k, v in {"projectId": "p", **KNOWN}.items() if "{" + k + "}" in label}
    strategy = st.one_of(strategy, operation.as_strategy(generation, path_parameters=known))
    _seed(served_for_fuzzing.url)

    @given(case=strategy)
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def check(case: object) -> None:
        response = case.call(base_url=served_for_fuzzing.url, auth=AUTH, timeout=10)  # type: ignore[attr-defined]
        case.validate_response(  # type: ignore[attr-defined]
            response, checks=[not_a_server_error, response_schema_conformance]
        )

    check()
