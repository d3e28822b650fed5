"""Rule severities: defaults, waform.yaml overrides, per-template `rules:`, strict, bad ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from waform.errors import ConfigError
from waform.loader import load_paths
from waform.rules import RULES, RuleSettings, check_files, run_rules

CASES = Path(__file__).resolve().parents[1] / "src" / "waform" / "rules" / "examples" / "checks"

SHORT_BODY = """\
name: short_note
category: UTILITY
{rules}languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hi {{{{1}}}}, order {{{{2}}}} ready."
          examples: ["Anna", "A-1"]
"""


def _load(path: Path):  # noqa: ANN202
    loaded = load_paths([path])
    assert loaded.ok, [d.render() for d in loaded.diagnostics]
    return loaded.files


def _write(tmp_path: Path, rules: str = "") -> Path:
    path = tmp_path / "short_note.yaml"
    path.write_text(SHORT_BODY.format(rules=rules), encoding="utf-8")
    return path


def test_default_severity_follows_the_evidence() -> None:
    for rule in RULES.values():
        tokens = set(re.split(r"[/+ ]", rule.status))
        assert tokens <= {"DOC", "API", "UI", "3P", "UNCONFIRMED", "CONFLICT"}, rule.id
        assert rule.evidence and rule.cited, f"{rule.id} does not say what it rests on"
        assert all(link.startswith("https://") for _, link in rule.cited), rule.id
        if rule.severity is None:
            refused = bool({"DOC", "API"} & tokens) and "CONFLICT" not in tokens
            assert rule.default == ("error" if refused else "warning"), rule.id
        else:
            assert rule.note, f"{rule.id} deviates from its evidence without saying why"
    assert RULES["WA-V7"].default == "error"  # documented, subcode 2388299
    assert RULES["WA-V14"].default == "warning"  # documented, yet recent approvals end in {{1}}
    assert RULES["WA-V12"].default == "warning"  # punctuation is not enough: community only
    assert RULES["WA-V8"].default == "error" and RULES["WA-V11"].default == "warning"
    assert RULES["WA-V2"].default == "error" and RULES["WA-V13"].default == "warning"
    assert RULES["WA-BT12"].default == "error"  # Sinch's 409 template_restricted_Domain…
    assert RULES["WA-BT14"].default == "warning"  # shorteners: WhatsApp Manager only
    assert RULES["WA-L2"].default == "warning"  # Meta's list and Sinch's enum disagree
    assert RULES["WA-BT13"].default == "off"  # informational, opt-in


def test_warning_by_default_and_not_failing(tmp_path: Path) -> None:
    report = run_rules(_load(_write(tmp_path)))
    assert [(d.code, d.severity) for d in report.diagnostics] == [("WA-V9", "warning")]
    assert report.ok and report.failed == set()


def test_repository_override_turns_a_rule_off_or_into_an_error(tmp_path: Path) -> None:
    files = _load(_write(tmp_path))
    assert check_files(files, RuleSettings(overrides={"WA-V9": "off"})) == []
    report = run_rules(files, RuleSettings(overrides={"WA-V9": "error"}))
    assert [d.severity for d in report.diagnostics] == ["error"]
    assert report.failed == {("short_note", "EN_US")} and not report.ok


def test_template_rules_key_wins_over_the_repository(tmp_path: Path) -> None:
    files = _load(_write(tmp_path, 'rules:\n  WA-V9: "error"\n'))
    diagnostics = check_files(files, RuleSettings(overrides={"WA-V9": "off"}))
    assert [(d.code, d.severity) for d in diagnostics] == [("WA-V9", "error")]
    files = _load(_write(tmp_path, 'rules:\n  WA-V9: "off"\n'))
    assert check_files(files, RuleSettings(overrides={"WA-V9": "error"})) == []


def test_downgrading_an_error_to_a_warning(tmp_path: Path) -> None:
    files = _load(CASES / "v7_fail.yaml")
    report = run_rules(files, RuleSettings(overrides={"WA-V7": "warning"}))
    assert {(d.code, d.severity) for d in report.diagnostics} == {("WA-V7", "warning")}
    assert report.ok


def test_strict_reports_warnings_as_errors(tmp_path: Path) -> None:
    report = run_rules(_load(_write(tmp_path)), RuleSettings(strict=True))
    assert [(d.code, d.severity) for d in report.diagnostics] == [("WA-V9", "error")]
    assert report.failed == {("short_note", "EN_US")}


def test_an_off_rule_is_not_reported_even_when_strict(tmp_path: Path) -> None:
    files = _load(_write(tmp_path))
    assert check_files(files, RuleSettings(overrides={"WA-V9": "off"}, strict=True)) == []


def test_an_opt_in_rule_can_be_enabled() -> None:
    files = _load(CASES / "bt13_pass.yaml")  # QR + URL: off by default
    assert check_files(files) == []
    diagnostics = check_files(files, RuleSettings(overrides={"WA-BT13": "warning"}))
    assert [d.code for d in diagnostics] == ["WA-BT13"]


def test_unknown_rule_in_a_template_is_an_error_at_its_key(tmp_path: Path) -> None:
    path = _write(tmp_path, 'rules:\n  WA-V99: "off"\n')
    report = run_rules(_load(path))
    unknown = [d for d in report.diagnostics if d.code == "unknown-rule"]
    assert len(unknown) == 1 and unknown[0].severity == "error"
    assert (unknown[0].line, unknown[0].column) == (4, 3)
    assert "WA-V99" in unknown[0].message
    assert report.failed == {("short_note", "EN_US")}


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [({"WA-V99": "off"}, "unknown rule 'WA-V99'"), ({"WA-V9": "loud"}, "'loud' is not one of")],
)
def test_bad_repository_overrides_are_config_errors(overrides: dict, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        RuleSettings(overrides=overrides)


def test_only_templates_with_errors_are_failed(tmp_path: Path) -> None:
    bad = CASES / "v7_fail.yaml"
    files = _load(bad) + _load(_write(tmp_path))
    report = run_rules(files)
    assert report.failed == {("v7_fail", "EN_US")}
