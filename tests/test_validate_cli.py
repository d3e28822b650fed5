"""`waform validate`: output formats, exit codes, --strict, rule overrides, the real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from waform.cli import cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "templates"
ONE_BROKEN = REPO / "tests" / "fixtures" / "loader" / "one_broken"
BROKEN_FILE = ONE_BROKEN / "spring_sale.yaml"

BROKEN_LINES = [
    f"{BROKEN_FILE}:10:17: text is longer than 60 characters (65) [schema]",
    f"{BROKEN_FILE}:12:11: unknown field 'txt'; did you mean 'text'? [unknown-field]",
    f"{BROKEN_FILE}:15:17: text: expected a string, got an integer (2025); put it in quotes "
    "[schema]",
]

SHORT_NOTE = """\
name: short_note
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hi {{1}}, order {{2}} ready."
          examples: ["Anna", "A-1"]
"""


def validate(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


def test_examples_are_valid() -> None:
    result = validate(EXAMPLES)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.endswith(" files: valid\n")


def test_a_tree_with_one_broken_file_prints_every_error() -> None:
    result = validate(ONE_BROKEN)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == BROKEN_LINES
    assert result.stderr == "3 template-languages in 3 files: 3 errors\n"


def test_quiet_leaves_only_the_diagnostics() -> None:
    result = CliRunner().invoke(cli, ["-q", "validate", str(ONE_BROKEN)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == BROKEN_LINES
    assert result.stderr == ""


def test_json_format() -> None:
    result = validate("--format", "json", ONE_BROKEN)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["errors"] == 3 and payload["warnings"] == 0
    assert payload["files"] == 3 and payload["templates"] == 3
    assert payload["valid"] is False and payload["strict"] is False
    assert payload["diagnostics"][1] == {
        "path": str(BROKEN_FILE),
        "line": 12,
        "column": 11,
        "severity": "error",
        "message": "unknown field 'txt'; did you mean 'text'?",
        "code": "unknown-field",
    }
    valid = json.loads(validate("--format", "json", EXAMPLES).stdout)
    assert valid["valid"] is True and valid["diagnostics"] == [] and valid["errors"] == 0


def test_github_format() -> None:
    result = validate("--format", "github", ONE_BROKEN)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[1] == (
        f"::error file={BROKEN_FILE},line=12,col=11,title=unknown-field::"
        "unknown field 'txt'; did you mean 'text'?"
    )
    assert len(lines) == 3 and all(line.startswith("::error file=") for line in lines)


def test_meta_rules_run_in_validate(tmp_path: Path) -> None:
    path = tmp_path / "short_note.yaml"
    path.write_text(SHORT_NOTE, encoding="utf-8")
    result = validate(path)
    assert result.exit_code == 0, result.output  # a rule warning does not fail
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:8:17: warning: ") and line.endswith("[WA-V9]")
    assert validate("--strict", path).exit_code == 1


def test_rule_overrides_come_from_waform_yaml(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "short_note.yaml").write_text(SHORT_NOTE, encoding="utf-8")
    (tmp_path / "waform.yaml").write_text("rules: {WA-V9: error}\n", encoding="utf-8")
    result = validate(templates)
    assert result.exit_code == 1
    assert ": WA-V9" not in result.stdout and "[WA-V9]" in result.stdout
    other = tmp_path / "quiet.yaml"
    other.write_text("rules: {WA-V9: off}\n", encoding="utf-8")
    result = validate("--config", other, templates)
    assert result.exit_code == 0 and result.stdout == "", result.output


def test_bad_rule_override_is_a_one_line_config_error(tmp_path: Path) -> None:
    (tmp_path / "short_note.yaml").write_text(SHORT_NOTE, encoding="utf-8")
    config = tmp_path / "waform.yaml"
    config.write_text("rules: {WA-V99: off}\n", encoding="utf-8")
    result = validate(tmp_path)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert "WA-V99" in result.output and "Traceback" not in result.output


def test_validate_needs_no_target_even_when_the_configuration_has_several(
    tmp_path: Path,
) -> None:
    """validate is offline: which target plan would pick (or that none is the default) is moot."""
    (tmp_path / "short_note.yaml").write_text(SHORT_NOTE, encoding="utf-8")
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  a: {type: local}\n  b: {type: local, state: b.sqlite3}\n", encoding="utf-8"
    )
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    assert "[WA-V9]" in result.stdout


def test_unknown_format_is_a_usage_error() -> None:
    """A usage error exits 1 like any error (the CLI group's rule: 2 means changes or drift)."""
    result = validate("--format", "xml", EXAMPLES)
    assert result.exit_code == 1
    assert "'xml' is not one of 'text', 'json', 'github'" in result.output


def test_a_real_process_prints_the_errors_and_exits_1() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "waform", "validate", str(ONE_BROKEN)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == BROKEN_LINES
    assert proc.stderr == "3 template-languages in 3 files: 3 errors\n"


def test_a_real_process_on_garbage_has_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "garbage.yaml").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        ),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "waform", "validate", str(tmp_path), str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 1
    assert (
        proc.stdout == ""
        and proc.stderr == f"error: {tmp_path / 'missing'}: no such file or directory\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "waform", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    codes = [line.rsplit(" ", 1)[1] for line in proc.stdout.splitlines()]
    assert codes == ["[alias-bomb]", "[encoding]"]
