"""`waform plan` end to end, when it must refuse or keep its output clean: invalid files send no
request and print their diagnostics, a freshly applied state plans to zero changes (each
action's own request is what apply sends), a safety refusal writes no file, JSON stays clean with
verbose logs, and no secret reaches any output."""

from __future__ import annotations

import base64
import json
import textwrap

import pytest
from click.testing import CliRunner

from plan_e2e_support import (
    AUTH,
    EXAMPLES,
    PROJECT,
    Project,
    opened_project,
    template_yaml,
    text_of,
)
from waform.cli import cli
from waform.plan import Plan


@pytest.fixture
def project(tmp_path, monkeypatch):
    yield from opened_project(tmp_path, monkeypatch)


def test_invalid_files_stop_the_plan_before_any_request(project):
    project.write("fine_one")
    (project.templates / "broken.yaml").write_text("name: broken\ncategory: NOPE\n")
    project.control.client.delete("/_emulator/requests")
    code, out, err = project.plan()
    assert code == 1 and "broken.yaml" in err
    assert project.control.requests(PROJECT) == []


def _execute(p: Project, plan: Plan) -> None:
    """Send every action's own request: the plan must carry exactly what apply sends."""
    for action in plan.actions:
        request = action.request
        response = p.http.request(
            request.method,
            f"/v1/projects/{PROJECT}{request.path}",
            params=request.query,
            json=request.body,
            auth=AUTH,
        )
        assert response.status_code < 300, (action.name, response.text)


def test_a_freshly_applied_state_plans_to_zero_changes(project):
    project.write("new_submit")
    project.write("new_draft", extra="status: draft")
    project.create("draft_ready", status="DRAFT")
    project.write("draft_ready")
    project.create("edited")
    project.review("edited")
    project.write("edited", 2)
    footer_file = textwrap.dedent(
        f"""\
        name: with_footer
        category: UTILITY
        languages:
          de:
            details:
              messageSendTtlSeconds: 3600
              components:
                - {{type: FOOTER, text: "Danke"}}
                - {{type: BODY, text: "{text_of("with_footer")}", examples: {json.dumps(EXAMPLES)}}}
                - type: BUTTONS
                  buttons:
                    - {{type: URL, text: Track, url: "https://shop.example.com/t/{{{{1}}}}",
                        examples: ["https://shop.example.com/t/A-1042"]}}
        """
    )
    (project.templates / "with_footer.yaml").write_text(footer_file)

    out_file = project.root / "plan.json"
    code, out, err = project.plan("--out", str(out_file), "--detailed-exitcode")
    assert code == 2, err
    plan = Plan.from_json(out_file.read_text())
    assert plan.summary.create == 2 and plan.summary.submit == 1 and plan.summary.update == 1
    _execute(project, plan)
    project.control.complete_reviews(PROJECT, outcome="APPROVED")

    code, out, err = project.plan("--detailed-exitcode")
    assert (code, out) == (
        0,
        'No changes: git and target "local" match.\nPlan: no changes, 5 unchanged.\n',
    ), err


def test_safety_refusal_prints_the_plan_and_writes_no_file(project):
    for i in range(12):
        project.create(f"legacy_{i:02d}")
    project.control.complete_reviews(PROJECT, outcome="APPROVED")
    project.write("legacy_00")
    strict = project.root / "strict.yaml"
    strict.write_text(
        project.config.read_text()
        + "prune: true\nsafety: {maxDeletePercent: 50, maxUpdatePercent: 50, minManaged: 10}\n"
    )
    out_file = project.root / "plan.json"
    code, out, err = project.plan("--out", str(out_file), config=strict)
    assert code == 1
    assert out.count("  - legacy_") == 11
    assert "Safety (refused): plan deletes 11 of 12 managed templates" in out
    assert "error: plan refused: plan deletes 11 of 12" in err and "--force" in err
    assert not out_file.exists()
    code, out, err = project.plan("--out", str(out_file), "--force", config=strict)
    assert code == 0 and out_file.exists()
    assert Plan.from_json(out_file.read_text()).safety.forced


def test_invalid_files_print_diagnostics_and_plan_nothing(project):
    (project.templates / "broken.yaml").write_text(
        "name: broken\ncategory: UTILITY\nlanguages: [\n"
    )
    out_file = project.root / "plan.json"
    code, out, err = project.plan("--json", "--out", str(out_file))
    assert code == 1
    assert out == ""
    assert "broken.yaml:" in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("error: ")
    assert not out_file.exists()


def test_json_output_is_clean_with_verbose_logs(project):
    project.write("new_submit")
    result = CliRunner().invoke(
        cli,
        ["-v", "plan", str(project.templates), "--config", str(project.config), "--json"],
    )
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)
    assert "request" in result.stderr  # the timing/request line went to stderr


SECRET = "sk-waform-test-0123456789abcdef-SECRET"


def test_no_secret_in_any_output(tmp_path, monkeypatch):
    from waform.emulator import EmulatorSettings
    from waform.emulator.server import ServedEmulator

    monkeypatch.chdir(tmp_path)
    settings = EmulatorSettings(state_path=":memory:", key_id="key-id-1", key_secret=SECRET)
    with ServedEmulator(settings) as served:
        templates = tmp_path / "templates"
        templates.mkdir()
        (templates / "new_submit.yaml").write_text(template_yaml("new_submit"))
        config = tmp_path / "waform.yaml"
        config.write_text(
            textwrap.dedent(
                f"""\
                targets:
                  staging:
                    type: sinch
                    projectId: p1
                    baseUrl: {served.url}
                    auth: {{type: basic, keyIdEnv: T_KEY_ID, keySecretEnv: T_KEY_SECRET}}
                """
            )
        )
        out_file = tmp_path / "plan.json"
        captured = []
        for secret, extra in ((SECRET, ["--out", str(out_file)]), (SECRET + "-wrong", [])):
            for fmt in ([], ["--json"], ["--markdown"]):
                result = CliRunner().invoke(
                    cli,
                    ["-vv", "plan", str(templates), "--config", str(config), *fmt, *extra],
                    env={"T_KEY_ID": "key-id-1", "T_KEY_SECRET": secret},
                )
                captured += [result.stdout, result.stderr]
                if secret == SECRET:
                    assert result.exit_code == 0, result.stderr
                    assert "new_submit" in result.stdout
                else:
                    assert result.exit_code == 1
                    assert result.stderr.startswith("error: ") or "error: " in result.stderr
        captured.append(out_file.read_text())
    basic = base64.b64encode(f"key-id-1:{SECRET}".encode()).decode()
    for text in captured:
        assert SECRET not in text
        assert basic not in text
