"""The executor's promises, one scripted fault at a time: the real client over the in-process
emulator, with the emulator's fault ``script`` deciding the fate of the next write."""

from __future__ import annotations

from pathlib import Path

import pytest

from apply_support import API, PROJECT, create_step, details, text_of
from apply_support import run_steps as run
from waform.apply.results import ApplyReport
from waform.apply.steps import WriteStep
from waform.client import RetryPolicy
from waform.config import load_config
from waform.emulator import EmulatorControl
from waform.render.text import apply_headline, apply_text


def update_step(name: str, version: int, *, index: int = 0) -> WriteStep:
    body = {"status": "SUBMIT", "details": details(name, version)}
    path = f"/whatsapp/templates/{name}/languages/EN_US"
    return WriteStep("update", name, "EN_US", "PATCH", path, body, "UTILITY", index=index)


def delete_step(name: str, *, index: int = 0) -> WriteStep:
    path = f"/whatsapp/templates/{name}/languages/EN_US"
    query = {"deleteSubmitted": "true"}
    return WriteStep("delete", name, "EN_US", "DELETE", path, None, "UTILITY", True, index, query)


@pytest.fixture
def env(tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    control = EmulatorControl.in_process(state)
    control.set_review_delay(10**6)
    config = load_config(None, tmp_path)
    yield state, control, config
    control.close()


def writes(control: EmulatorControl, method: str) -> list[dict]:
    return [e for e in control.requests(PROJECT) if e["method"] == method]


@pytest.mark.parametrize("fault", ["drop", "error_after"])
def test_a_lost_create_response_is_verified_not_resent(env, fault):
    state, control, config = env
    control.set_faults(script=[fault], methods=["POST"])
    [result] = run(state, config, [create_step("lost_reply")])
    assert result.ok and result.verified and result.attempts == 1
    assert result.note == "response lost; confirmed by reading back"
    posts = writes(control, "POST")
    assert len(posts) == 1, "verified with a GET, not sent again"


def test_a_create_that_failed_before_processing_is_sent_again(env):
    state, control, config = env
    # 500 before processing; the client does not retry writes on 5xx (unknown outcome)
    control.set_faults(script=["error"], methods=["POST"])
    [result] = run(state, config, [create_step("retried")])
    assert result.ok and result.attempts == 2 and not result.verified
    statuses = [e["status"] for e in writes(control, "POST")]
    assert statuses == [500, 201]


def test_template_exists_counts_as_success_only_when_the_content_matches(env):
    state, control, config = env
    control.add_template(PROJECT, "same", "EN_US", "UTILITY", details("same"), state="APPROVED")
    control.add_template(PROJECT, "other", "EN_US", "UTILITY", details("other", 9))
    same, other = run(state, config, [create_step("same"), create_step("other", index=1)])
    assert same.ok and same.note == "already existed with the desired content"
    assert same.already, "a racing apply made it: this one reports it was already there"
    report = ApplyReport(results=[same])
    assert apply_text(report, verbose=False).splitlines() == [
        "  = same/EN_US already there (already existed with the desired content)",
        apply_headline(report),
    ]
    assert "1 already there" in apply_headline(report) and "created" not in apply_headline(report)
    assert not other.ok
    assert (other.status, other.error_code) == (409, "template_exists")
    assert other.resolution


def test_lost_update_and_delete_responses_are_confirmed(env):
    state, control, config = env
    for name in ("upd", "gone"):
        control.add_template(PROJECT, name, "EN_US", "UTILITY", details(name))
    control.set_faults(script=["drop", "drop"], methods=["PATCH", "DELETE"])
    upd, gone = run(state, config, [update_step("upd", 2), delete_step("gone", index=1)])
    assert upd.ok and upd.verified and gone.ok and gone.verified
    assert len(writes(control, "PATCH")) == 1 and len(writes(control, "DELETE")) == 1
    remote = control.client.get(f"{API}/upd/languages/EN_US", auth=("local", "local")).json()
    assert remote["changes"]["details"]["components"][0]["text"] == text_of("upd", 2)


def test_resource_locked_and_throttling_are_retried_until_done(env):
    state, control, config = env
    control.set_faults(
        script=["locked", "throttle", "locked", "throttle"], methods=["POST"], retry_after=0
    )
    [result] = run(state, config, [create_step("busy")])
    assert result.ok and result.attempts == 5
    assert [e["status"] for e in writes(control, "POST")] == [409, 429, 409, 429, 201]


def test_one_failure_does_not_stop_the_rest(env):
    state, control, config = env
    bad = create_step("bad_one")
    bad = WriteStep(**{**bad.__dict__, "body": {**bad.body, "category": "NEWSLETTER"}})
    steps = [bad, *(create_step(f"good_{i}", index=i + 1) for i in range(5))]
    results = run(state, config, steps)
    assert [r.ok for r in results] == [False, True, True, True, True, True]
    assert results[0].status == 400 and results[0].error_code


def test_a_lost_comment_is_not_posted_twice(env):
    state, control, config = env
    control.set_faults(script=["drop"], path_regex="/comments$")
    [result] = run(state, config, [create_step("commented")], comment="sha 3f2a9c1")
    assert result.ok
    assert result.warnings == ["comment may not have been posted (response lost; not retried)"]
    comments = [e for e in writes(control, "POST") if e["path"].endswith("/comments")]
    assert len(comments) == 1


def test_steps_of_one_name_run_in_order_and_deletes_last(env):
    state, control, config = env
    control.add_template(PROJECT, "old", "EN_US", "UTILITY", details("old"))
    steps = [delete_step("old", index=0)]
    for i, lang in enumerate(("DE", "EN_US", "FR")):
        step = create_step("multi", index=i + 1)
        body = {**step.body, "language": lang}
        steps.append(WriteStep(**{**step.__dict__, "language": lang, "body": body}))
    run(state, config, steps)
    log = [e for e in control.requests(PROJECT) if e["method"] in ("POST", "DELETE")]
    assert [e["method"] for e in log] == ["POST", "POST", "POST", "DELETE"]


def test_a_draft_that_already_exists_with_the_same_content_is_success(env):
    state, control, config = env
    draft = create_step("draft_twin", status="DRAFT")
    created = control.client.post(API, json=draft.body, auth=("local", "local"))
    assert created.status_code == 201
    [result] = run(state, config, [draft])
    assert (
        result.ok and result.verified and result.note == "already existed with the desired content"
    )


@pytest.mark.parametrize("fault", ["error", "throttle", "locked"])
def test_one_write_is_sent_at_most_max_attempts_times(env, fault):
    """The bound the README promises: retries after refusals and re-sends after a read-back
    share one budget, so a create that fails forever reaches the API exactly N times."""
    state, control, config = env
    control.set_faults(methods=["POST"], retry_after=0, **{f"{fault}_rate": 1.0})
    [result] = run(state, config, [create_step("never_works")])
    sends = RetryPolicy().max_attempts
    assert not result.ok and result.attempts == sends
    assert len(writes(control, "POST")) == sends
    if fault == "error":  # 500: outcome unknown, so every re-send followed a read-back
        assert (result.status, result.error_code) == (500, "internal_error")
        assert result.resolution == "outcome unknown: run `waform apply` again to converge"
        assert len(writes(control, "GET")) == sends


def test_the_readme_states_the_bound() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"at most {RetryPolicy().max_attempts} times" in readme
