"""Each failed action is one line — ``name/LANG: action failed: status code: message — what to
do`` — and nothing in it is said twice. Real failures: a refusal by the emulator, and faults
injected through its control API, through the real client; `waform apply` in text and Markdown,
and the executor alone where the real retry delays would take half a minute."""

from __future__ import annotations

import re

import pytest

from apply_support import Project, create_step, run_steps
from waform.apply.results import ApplyReport, StepResult
from waform.config import load_config
from waform.emulator import EmulatorControl
from waform.render import render

RECENTLY_DELETED = (
    "reused/EN_US: create failed: 409 template_language_recently_deleted: A template with the "
    "same language has been deleted within 4 weeks. — Try to create EN_US content again in 4 "
    "weeks or create a new template."
)
UNKNOWN = "outcome unknown: run `waform apply` again to converge"


def said_once(line: str) -> None:
    """Nothing in ``line`` is said twice: no identifier (the template, the error code) and no
    run of four words (the message, the advice)."""
    words = line.split()
    names = [w.strip(":.,()`") for w in words if "/" in w or "_" in w]
    runs = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    repeated = {x for x in names + runs if (names + runs).count(x) > 1}
    assert not repeated, (repeated, line)


def test_the_old_lines_would_fail_the_check():
    old = (
        "reused/EN_US create: 409 template_language_recently_deleted: createTemplate "
        "reused/EN_US: 409 template_language_recently_deleted: A template was deleted."
    )
    with pytest.raises(AssertionError):
        said_once(old)


def failure_lines(output: str, marker: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(marker)]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proj = Project(tmp_path)
    yield proj
    proj.close()


def test_a_refused_create_is_one_line_in_text_and_markdown(project: Project):
    project.create("reused")  # deleted within 4 weeks: Sinch refuses the language again
    project.approve("reused")
    project.api("DELETE", "/reused/languages/EN_US", params={"deleteSubmitted": "true"})
    project.write("reused")

    text = project.apply("--auto-approve")
    assert text.exit_code == 1
    assert failure_lines(text.stdout, "  ✗") == [f"  ✗ {RECENTLY_DELETED}"]
    assert text.stdout.splitlines()[-2:] == ["Failed:", f"  ✗ {RECENTLY_DELETED}"]
    said_once(RECENTLY_DELETED)

    markdown = project.apply("--auto-approve", "--markdown")
    assert failure_lines(markdown.stdout, "- ✗") == [f"- ✗ {RECENTLY_DELETED}"]
    assert "resolution" not in markdown.stdout


def run_failing(tmp_path, **faults) -> StepResult:
    """One create through the executor and client (no retry waits) while POSTs meet ``faults``."""
    state = tmp_path / "state.sqlite3"
    with EmulatorControl.in_process(state) as control:
        control.set_review_delay(10**6)
        control.set_faults(methods=["POST"], **faults)
        [result] = run_steps(state, load_config(None, tmp_path), [create_step("never_works")])
    assert not result.ok and result.attempts == 8
    text = render(ApplyReport([result], requests=16), "text")
    assert failure_lines(text, "  ✗") == [f"  ✗ {result.failure_line}"]
    said_once(result.failure_line)
    return result


def test_a_write_refused_as_locked_until_the_budget_ends(tmp_path):
    result = run_failing(tmp_path, locked_rate=1.0, retry_after=0)
    assert re.sub(r"\d+\.\d s\)", "N s)", result.failure_line) == (
        "never_works/EN_US: create failed: 409 resource_locked: Resource is locked. (gave up "
        "after 8 attempts in N s) — Another operation for this resource is already in progress. "
        "Please wait and try again."
    )


def test_an_unknown_outcome_says_what_to_do_once(tmp_path):
    # Every create answers 500 before processing: the write may have been processed each
    # time, so each is read back (nothing there) and sent again, until the budget ends.
    result = run_failing(tmp_path, error_rate=1.0)
    assert result.failure_line == (
        f"never_works/EN_US: create failed: 500 internal_error: Internal server error. — {UNKNOWN}"
    )
