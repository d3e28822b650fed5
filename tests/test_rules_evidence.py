"""Rules explain themselves (`waform rules WA-XX`) and never contradict each other."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.loader import load_paths
from waform.rules import RULES, check_files
from waform.rules.examples import example_paths, examples, files_of

CHECKED = [rule for rule in RULES.values() if rule.scope in ("template", "cross", "schema")]


def _invoke(*args: str):  # noqa: ANN202
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("rule", CHECKED, ids=lambda rule: rule.id)
def test_a_rules_passing_example_passes_every_other_rule(rule) -> None:  # noqa: ANN001
    """The fix a rule suggests never trips another rule (WA-N7 once sent users into WA-V7)."""
    passing = example_paths(rule)["pass"]
    loaded = load_paths(files_of(passing))
    # a 512-character name cannot be a file name: that example's file-name warning is expected
    problems = [d.render() for d in loaded.diagnostics if d.code != "file-name"]
    assert loaded.ok and not problems, problems
    found = check_files(loaded.files)  # not even a warning (WA-BT13, a display note, is off)
    assert found == [], [d.render() for d in found]


@pytest.mark.parametrize("rule", CHECKED, ids=lambda rule: rule.id)
def test_a_rules_failing_example_fails_through_validate(rule) -> None:  # noqa: ANN001
    failing = files_of(example_paths(rule)["fail"])
    result = _invoke("validate", "--strict", *map(str, failing))
    assert result.exit_code == 1, result.output
    if rule.scope != "schema":
        assert f"[{rule.id}]" in result.output, result.output


def test_rules_explains_one_rule_with_evidence_links_and_examples() -> None:
    result = _invoke("rules", "wa-v7")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("WA-V7: body does not start with a variable\n")
    assert "severity: error" in out and "2388299" in out
    assert "https://developers.facebook.com/" in out
    passes, fails = out.split("\npasses:\n", 1)[1].split("\nfails:\n", 1)
    passing, failing = examples(RULES["WA-V7"])
    assert passing.passes and not failing.passes
    for example, shown in ((passing, passes), (failing, fails)):
        ((_, text),) = example.files
        assert [line.strip() for line in text.splitlines()] == [
            line.strip() for line in shown.strip().splitlines()
        ]
    assert "# expect" not in out


def test_rules_explains_several_rules_and_refuses_an_unknown_id() -> None:
    result = _invoke("rules", "V8", "WA-V11")
    assert result.exit_code == 0
    assert "WA-V8: variables not directly adjacent" in result.output
    assert "WA-V11: variables separated by more than spaces" in result.output
    assert "severity: warning" in result.output
    unknown = _invoke("rules", "WA-Q9")
    assert unknown.exit_code == 1 and "unknown rule 'WA-Q9'" in unknown.output
    assert "Traceback" not in unknown.output


def test_rules_without_examples_say_so() -> None:
    result = _invoke("rules", "WA-N4")
    assert "examples: none (nothing to check offline)" in result.output


def test_test_name_is_refused_without_prescribing_a_refused_body(tmp_path: Path) -> None:
    """WA-N7 and WA-V7 used to contradict: `test` had to have the body `Hello {{1}}`."""
    path = tmp_path / "test.yaml"
    path.write_text(
        "name: test\ncategory: UTILITY\nlanguages:\n  en_US:\n    details:\n      components:\n"
        '        - {type: BODY, text: "Hello {{1}}", examples: ["Anna"]}\n',
        encoding="utf-8",
    )
    result = _invoke("validate", str(path))
    assert "[WA-N7]" in result.output and "rename the template" in result.output
    assert "must have the body" not in result.output
