"""`waform rules`, the README's rule table, and the rules through `waform validate`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.render import render
from waform.rules import RULES
from waform.rules.listing import RuleListing

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "src" / "waform" / "rules" / "examples" / "checks"


def _invoke(*args: str):  # noqa: ANN202
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_rules_lists_every_rule_with_severity_status_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _invoke("rules")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert line.split()[:3] == [rule.id, rule.shown_severity, rule.status]
        assert line.endswith(f"[{rule.source}]")


def test_rules_json_is_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _invoke("rules", "--format", "json")
    rows = json.loads(result.output)["rules"]
    assert [row["id"] for row in rows] == list(RULES)
    v7 = next(row for row in rows if row["id"] == "WA-V7")
    assert v7["severity"] == "error" and v7["status"] == "DOC+API" and v7["checked"] == "rules"
    assert "2388299" in v7["evidence"] and v7["links"][0].startswith("https://")
    assert next(row for row in rows if row["id"] == "WA-N4")["severity"] is None  # not checked
    assert next(row for row in rows if row["id"] == "WA-H2")["checked"] == "schema"


def test_rules_shows_the_repository_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "waform.yaml").write_text('rules:\n  WA-V9: "off"\n  WA-F2: error\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    result = _invoke("rules", "--format", "json")
    defaults = _invoke("rules", "--format", "json", "--defaults")
    explicit = _invoke("rules", "--format", "json", "--config", str(tmp_path / "waform.yaml"))
    assert explicit.output == result.output
    severities = {row["id"]: row["severity"] for row in json.loads(result.output)["rules"]}
    assert severities["WA-V9"] == "off" and severities["WA-F2"] == "error"
    default = {row["id"]: row["severity"] for row in json.loads(defaults.output)["rules"]}
    assert default["WA-V9"] == "warning" and default["WA-F2"] == "warning"


def test_rules_refuses_an_unknown_rule_in_waform_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "waform.yaml").write_text('rules:\n  WA-Q1: "off"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 1
    assert "WA-Q1" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_readme_table_matches_the_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- rules-table -->", 1)[1]
    table = "\n".join(
        line for line in section.split("\n\n| id |", 1)[1].split("\n\n", 1)[0].splitlines()
    )
    assert "| id |" + table == render(RuleListing.all(), "markdown")
    assert _invoke("rules", "--format", "markdown", "--defaults").output.strip() == render(
        RuleListing.all(), "markdown"
    )


def test_validate_reports_rule_diagnostics_with_location_and_id() -> None:
    case = CASES / "v7_fail.yaml"
    result = _invoke("validate", str(case))
    assert result.exit_code == 1
    expected = re.search(r"WA-V7 (\d+):(\d+)", case.read_text(encoding="utf-8"))
    assert expected
    line, column = expected.groups()
    assert re.search(rf"v7_fail\.yaml:{line}:{column}: .*\[WA-V7\]", result.output), result.output


def test_validate_passes_warnings_unless_strict() -> None:
    case = CASES / "v9_fail.yaml"  # a warning only
    relaxed = _invoke("validate", str(case))
    assert relaxed.exit_code == 0, relaxed.output
    assert "[WA-V9]" in relaxed.output
    strict = _invoke("validate", "--strict", str(case))
    assert strict.exit_code == 1
    assert "[WA-V9]" in strict.output
