"""The Plan value object: JSON round trip, refusal of foreign files, schema, safety."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from waform.config import Safety
from waform.differ import DiffSettings, diff
from waform.errors import PlanError
from waform.model.remote import RemoteTemplate
from waform.model.template import TemplateFile
from waform.plan import FORMAT_VERSION, Plan, UnsafePlanError, plan_json_schema
from waform.schema import SCHEMAS, render_schema

REPO = Path(__file__).resolve().parents[1]
BODY = {"type": "BODY", "text": "Hi {{1}}", "examples": ["Anna"]}


def _desired(name: str, text: str = "Hi {{1}}"):
    tf = TemplateFile.model_validate(
        {
            "name": name,
            "category": "UTILITY",
            "languages": {"EN_US": {"details": {"components": [{**BODY, "text": text}]}}},
        },
        strict=False,
    )
    return tf.desired()[0]


def _remote(name: str, text: str = "Hi {{1}}", **kw) -> RemoteTemplate:
    return RemoteTemplate.model_validate(
        {
            "name": name,
            "language": "EN_US",
            "category": "UTILITY",
            "state": "APPROVED",
            "details": {"components": [{**BODY, "text": text}]},
            **kw,
        }
    )


def _sample_plan() -> Plan:
    remotes = [_remote(f"t{i:02d}") for i in range(20)]
    remotes.append(
        _remote("review", changes={"status": "IN_PROGRESS", "details": {"components": [BODY]}})
    )
    wanted = [_desired(f"t{i:02d}", "Changed {{1}}" if i < 3 else "Hi {{1}}") for i in range(18)]
    wanted += [_desired("brand_new"), _desired("review", "Other {{1}}")]
    return diff(wanted, remotes, DiffSettings(prune=True), target="local", requests=1)


def test_json_round_trip_is_lossless():
    plan = _sample_plan()
    text = plan.to_json()
    again = Plan.from_json(text)
    assert again == plan
    assert again.to_json() == text
    data = json.loads(text)
    assert data["formatVersion"] == FORMAT_VERSION
    assert data["summary"] == {
        "create": 1,
        "createDraft": 0,
        "discardDraft": 0,
        "submit": 0,
        "update": 3,
        "delete": 2,
        "noop": 15,
        "blocked": 1,
        "unmanaged": 0,
        "ignored": 0,
        "managed": 21,
    }
    assert set(data) == {
        "formatVersion",
        "waformVersion",
        "target",
        "targetAddress",
        "createdAt",
        "desiredHash",
        "summary",
        "actions",
        "blocked",
        "unmanaged",
        "notes",
        "fingerprints",
        "requests",
        "safety",
        "paths",
    }


def test_plan_json_validates_against_the_published_schema():
    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    plan = _sample_plan().check_safety(Safety(), force=True)
    jsonschema.validate(json.loads(plan.to_json()), schema)
    broken = json.loads(plan.to_json())
    broken["actions"][0]["action"] = "explode"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_committed_schema_file_is_up_to_date():
    assert "plan.schema.json" in SCHEMAS
    path = REPO / "schemas" / "plan.schema.json"
    assert path.read_text(encoding="utf-8") == render_schema(SCHEMAS["plan.schema.json"]())


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "invalid JSON"),
        ("[]", "no formatVersion"),
        ('{"formatVersion": 99}', "formatVersion 99 is not supported"),
        ('{"formatVersion": "1"}', "formatVersion '1' is not supported"),
    ],
)
def test_from_json_refuses_what_it_cannot_read(text, message):
    with pytest.raises(PlanError, match=message):
        Plan.from_json(text)


def test_from_json_refuses_unknown_keys_and_wrong_types_in_one_line():
    data = json.loads(_sample_plan().to_json())
    data["actions"][0]["surprise"] = True
    with pytest.raises(PlanError) as err:
        Plan.from_json(json.dumps(data))
    assert "actions.0.surprise" in str(err.value) and "\n" not in str(err.value)
    data = json.loads(_sample_plan().to_json())
    data["requests"] = "many"
    with pytest.raises(PlanError, match="requests"):
        Plan.from_json(json.dumps(data))


def test_from_json_places_a_schema_error_at_its_line_and_column_in_the_file():
    data = json.loads(_sample_plan().to_json())
    data["actions"][0]["surprise"] = True
    text = json.dumps(data, indent=2)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"surprise"' in row)
    with pytest.raises(PlanError) as err:
        Plan.from_json(text, source="plan.json")
    assert str(err.value) == (
        f"plan.json:{line}:7: invalid plan file: actions.0.surprise: Extra inputs are not permitted"
    )


def test_safety_refuses_too_many_deletes_unless_forced():
    plan = _sample_plan()  # 2 deletes, 3 updates of 21 managed
    strict = Safety(maxDeletePercent=5, maxUpdatePercent=50, minManaged=10)
    with pytest.raises(UnsafePlanError) as err:
        plan.check_safety(strict)
    assert "deletes 2 of 21" in str(err.value)
    assert err.value.plan.safety is not None and not err.value.plan.safety.ok
    forced = plan.check_safety(strict, force=True)
    assert forced.safety.forced and not forced.safety.ok
    ok = plan.check_safety(Safety())
    assert ok.safety.ok and ok.safety.managed == 21 and ok.safety.deletes == 2


def test_safety_thresholds_apply_only_from_min_managed():
    plan = _sample_plan()
    small = Safety(maxDeletePercent=0, maxUpdatePercent=0, minManaged=50)
    assert plan.check_safety(small).safety.ok
    with pytest.raises(UnsafePlanError, match="updates 3 of 21"):
        plan.check_safety(Safety(maxDeletePercent=100, maxUpdatePercent=10, minManaged=1))


def test_summary_phrase():
    plan = _sample_plan()
    assert plan.summary.phrase() == (
        "1 to create, 3 to update, 2 to delete, 1 blocked, 15 unchanged."
    )
    empty = diff([], [], target="x")
    assert empty.summary.phrase() == "no changes." and not empty.has_changes
