"""Escape hatches (`ignore:` and `# waform: ignore WA-XX <why>`) and `validate --explain`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from waform.cli import cli
from waform.manager import Manager

BODY = """\
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{{1}} {{2}}, your order is ready for pickup at our Main Street store today."
          examples: ["Anna", "Lee"]
"""


def _template(tmp_path: Path, head: str = "") -> Path:
    path = tmp_path / "pickup_ready.yaml"
    path.write_text(f"name: pickup_ready\ncategory: UTILITY\n{head}{BODY}", encoding="utf-8")
    return path


def _invoke(*args: str):  # noqa: ANN202
    return CliRunner().invoke(cli, list(args))


def test_without_waivers_both_rules_fire(tmp_path: Path) -> None:
    result = _invoke("validate", str(_template(tmp_path)))
    assert result.exit_code == 1
    assert "[WA-V7]" in result.output and "[WA-V11]" in result.output
    assert "silenced" not in result.output


def test_a_field_and_a_comment_silence_rules_and_validate_lists_them(tmp_path: Path) -> None:
    path = _template(
        tmp_path,
        'ignore:\n  WA-V11: "approved by Meta on 2026-03-02 with the space kept"\n'
        "# waform: ignore WA-V7 approved before Meta's start/end rule\n",
    )
    result = _invoke("validate", str(path))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines == [
        f"{path}:11:17: silenced: start the body with words before the first variable [WA-V7] "
        "(reason: approved before Meta's start/end rule)",
        f"{path}:11:17: silenced: put a word or punctuation between the variables in "
        "'{{1}} {{2}}', not only spaces [WA-V11] "
        "(reason: approved by Meta on 2026-03-02 with the space kept)",
    ]
    assert "2 silenced" in result.stderr


def test_strict_still_shows_silenced_errors_as_silenced_and_passes(tmp_path: Path) -> None:
    path = _template(
        tmp_path, "# waform: ignore WA-V7 legacy approval\n# waform: ignore WA-V11 ok\n"
    )
    result = _invoke("validate", "--strict", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("silenced:") == 2
    data = json.loads(_invoke("validate", "--strict", "--format", "json", str(path)).stdout)
    assert data["diagnostics"] == [] and data["valid"] is True
    assert {(s["code"], s["severity"], s["reason"]) for s in data["silenced"]} == {
        ("WA-V7", "error", "legacy approval"),
        ("WA-V11", "error", "ok"),
    }


def test_a_waiver_needs_a_reason_and_a_real_rule(tmp_path: Path) -> None:
    no_reason = _template(tmp_path, "# waform: ignore WA-V7\n")
    result = _invoke("validate", str(no_reason))
    assert result.exit_code == 1
    assert f"{no_reason}:3:1: say why WA-V7 is silenced" in result.stdout
    assert "[WA-V7]" in result.stdout  # not silenced without a reason
    unknown = _template(tmp_path, "# waform: ignore WA-Q1 because\n")
    assert "cannot ignore 'WA-Q1'" in _invoke("validate", str(unknown)).stdout
    empty = _template(tmp_path, 'ignore:\n  WA-V7: "  "\n')
    result = _invoke("validate", str(empty))
    assert result.exit_code == 1 and ":4:" in result.stdout and "[schema]" in result.stdout


def test_plan_load_does_not_refuse_a_silenced_error(tmp_path: Path) -> None:
    path = _template(tmp_path, "# waform: ignore WA-V7 legacy\n# waform: ignore WA-V11 legacy\n")
    state = Manager.from_options([path], offline=True).load([path])
    assert state.ok and [s.diagnostic.code for s in state.silenced] == ["WA-V7", "WA-V11"]


def test_explain_prints_each_rule_that_fired_with_its_examples(tmp_path: Path) -> None:
    result = _invoke("validate", "--explain", str(_template(tmp_path)))
    out = result.stdout
    assert "WA-V7: body does not start with a variable" in out
    assert "WA-V11: variables separated by more than spaces" in out
    assert out.count("\npasses:\n") == 2 and out.count("\nfails:\n") == 2
    assert "https://developers.facebook.com/" in out
