"""One run shows every problem: schema errors and rule findings of every template-language.

Only a YAML syntax error may hide the rest of that one file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.desired_state import InvalidDesiredStateError
from waform.manager import Manager

#: en_US: a header over 60 characters (schema). de: a TTL out of range (schema, across fields),
#: a leading variable (WA-V7) and a wa.me button (WA-BT12). xx_YY: an unknown language (schema).
MIXED = """\
name: mixed_problems
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "This header text is far too long to be accepted by the API as a header, really"
        - type: BODY
          text: "Hi {{1}}, your order is ready for pickup at our Main Street store today."
          examples: ["Anna"]
  de:
    details:
      messageSendTtlSeconds: 5
      components:
        - type: BODY
          text: "{{1}}, Ihre Bestellung liegt zur Abholung in unserem Geschäft bereit."
          examples: ["Anna"]
        - type: BUTTONS
          buttons:
            - type: URL
              text: "Chat"
              url: "https://wa.me/4930123456"
  xx_YY:
    details:
      components:
        - type: BODY
          text: "Hello"
"""

EXPECTED = {
    (9, 17, "schema"),  # header length, en_US
    (15, 30, "schema"),  # TTL, de
    (18, 17, "WA-V7"),  # de
    (24, 20, "WA-BT12"),  # de
    (25, 3, "schema"),  # unknown language
}

#: A second file whose only problem is a rule: checked in the same run.
CLEAN_BUT_TRAILING = """\
name: pickup_note
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Your order is ready for pickup at our Main Street store, {{1}}"
          examples: ["Anna"]
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "mixed_problems.yaml").write_text(MIXED, encoding="utf-8")
    (tmp_path / "pickup_note.yaml").write_text(CLEAN_BUT_TRAILING, encoding="utf-8")
    return tmp_path


def test_validate_reports_schema_and_rule_errors_of_every_language_at_once(
    tmp_path: Path,
) -> None:
    root = _write(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(root)])
    assert result.exit_code == 1
    diagnostics = json.loads(result.stdout)["diagnostics"]
    mixed = {
        (d["line"], d["column"], d["code"])
        for d in diagnostics
        if d["path"].endswith("mixed_problems.yaml")
    }
    assert mixed == EXPECTED
    pickup = [
        (d["code"], d["severity"]) for d in diagnostics if d["path"].endswith("pickup_note.yaml")
    ]
    assert pickup == [("WA-V14", "warning")]


def test_plan_load_refuses_with_the_same_complete_list(tmp_path: Path) -> None:
    root = _write(tmp_path)
    manager = Manager.from_options([root], offline=True)
    with pytest.raises(InvalidDesiredStateError) as caught:
        manager.load([root])
    found = {(d.line, d.column, d.code) for d in caught.value.diagnostics if "mixed" in d.path}
    assert found == EXPECTED


def test_a_yaml_syntax_error_hides_only_its_own_file(tmp_path: Path) -> None:
    root = _write(tmp_path)
    (root / "broken.yaml").write_text("name: broken\ncategory: [UTILITY\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(root)])
    diagnostics = json.loads(result.stdout)["diagnostics"]
    by_file = {Path(d["path"]).name for d in diagnostics}
    assert by_file == {"broken.yaml", "mixed_problems.yaml", "pickup_note.yaml"}
    assert len([d for d in diagnostics if d["path"].endswith("mixed_problems.yaml")]) == 5
