"""`waform preview` on the command line: where the page goes, and refusals with one-line errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from waform.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"


def run(*args: str):
    return CliRunner().invoke(cli, ["preview", *args], catch_exceptions=False)


def test_page_goes_to_stdout_without_output_option():
    result = run(str(EXAMPLES / "order_shipped.yaml"))
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert html.count('class="msg"') == 4
    assert "default-src 'none'" in html  # no script, no request, whatever the content
    assert "<script" not in html and "http://" not in html.split("<main>", 1)[0]
    assert result.stderr == ""


def test_output_file_is_written_and_reported(tmp_path):
    out = tmp_path / "preview.html"
    result = run(str(EXAMPLES), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").count('class="msg"') == 36
    assert result.stdout == ""
    assert f"wrote {out}: 36 template-language(s)" in result.stderr


def test_rule_findings_are_on_the_page_and_on_stderr(tmp_path):
    (tmp_path / "shouting.yaml").write_text(
        "name: shouting\ncategory: MARKETING\nlanguages:\n  en_US:\n    details:\n"
        '      components:\n        - type: BODY\n          text: "{{1}} hello"\n'
        '          examples: ["Ann"]\n'
    )
    out = tmp_path / "p.html"
    result = run(str(tmp_path / "shouting.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'shouting.yaml'}:8:")
    code = first.rsplit("[", 1)[1].rstrip("]")
    html = out.read_text(encoding="utf-8")
    assert f"<code>{code}</code>" in html and 'class="finding' in html


def test_a_file_that_does_not_load_stops_with_its_position(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\ncategory: UTILITY\nlanguages:\n  en_US:\n    details: 5\n")
    out = tmp_path / "p.html"
    result = run(str(bad), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:5:")
    assert lines[-1] == "error: cannot preview: 1 problem in the files"
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_usage_errors_exit_1(tmp_path):
    result = run()
    assert result.exit_code == 1 and "give template PATHs, or --plan FILE" in result.stderr
    missing = tmp_path / "nope"
    result = run(str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"error: {missing}: no such file or directory\n"


def test_unreadable_plan_file_is_named(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    result = run("--plan", str(plan))
    assert result.exit_code == 1
    assert result.stderr == f"error: {plan}: not a plan file: no formatVersion\n"
    result = run("--plan", str(tmp_path / "absent.json"))
    assert result.exit_code == 1
    assert "cannot read" in result.stderr and "absent.json" in result.stderr
