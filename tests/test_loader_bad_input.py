"""Every class of bad input, through `waform validate`: one located line, exit 1, no traceback
(files that are not small, plain YAML text: ``test_loader_unsafe_files.py``).

Each case writes one file into a temporary directory, runs the real CLI (click's CliRunner) and
checks the exact ``file:line:col: message [code]`` line and the exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from waform.cli import cli

VALID = """\
name: order_ready
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "Order {{1}}"
          example: "A-1042"
        - type: BODY
          text: "Hi {{1}}, your order {{2}} is ready for pickup at our Main Street store today."
          examples: ["Anna", "A-1042"]
"""


def validate(*paths: Path | str, extra: tuple[str, ...] = ()) -> Result:
    return CliRunner().invoke(cli, ["validate", *extra, *map(str, paths)])


def diagnostics(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if re.match(r"^.+:\d+:\d+: ", line)]


def assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def write(tmp_path: Path, content: str | bytes, name: str = "order_ready.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_the_valid_base_file_is_valid(tmp_path: Path) -> None:
    result = validate(write(tmp_path, VALID))
    assert result.exit_code == 0, result.output
    assert diagnostics(result) == []
    assert "1 template-language in 1 file: valid" in result.stderr


# (case id, file content, expected line:col, expected message (exact), code)
CASES = [
    (
        "yaml-syntax",
        VALID.replace("category: UTILITY", "category: UTILITY: MARKETING"),
        "2:18",
        "invalid YAML: mapping values are not allowed in this context",
        "yaml-syntax",
    ),
    (
        "yaml-unclosed-flow",
        VALID.replace('["Anna", "A-1042"]', '["Anna", "A-1042"'),
        "14:1",
        "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 13)",
        "yaml-syntax",
    ),
    (
        "two-documents",
        VALID + "---\nname: other\n",
        "14:1",
        "invalid YAML: expected a single document in the stream, but found another document",
        "yaml-syntax",
    ),
    (
        "undefined-alias",
        VALID.replace('example: "A-1042"', "example: *nope"),
        "10:20",
        "invalid YAML: found undefined alias",
        "yaml-syntax",
    ),
    (
        "duplicate-key",
        VALID.replace("category: UTILITY\n", "category: UTILITY\ncategory: MARKETING\n"),
        "3:1",
        "duplicate key 'category' (first defined at line 2, column 1)",
        "duplicate-key",
    ),
    (
        "duplicate-key-nested",
        VALID.replace(
            '          example: "A-1042"\n', '          example: "A-1"\n          example: "A-2"\n'
        ),
        "11:11",
        "duplicate key 'example' (first defined at line 10, column 11)",
        "duplicate-key",
    ),
    (
        "unknown-field",
        VALID.replace('          text: "Hi', '          txt: "Hi'),
        "12:11",
        "unknown field 'txt'; did you mean 'text'?",
        "unknown-field",
    ),
    (
        "unknown-field-top-level",
        VALID.replace("category: UTILITY", "categroy: UTILITY"),
        "2:1",
        "unknown field 'categroy'; did you mean 'category'?",
        "unknown-field",
    ),
    (
        "unknown-field-no-close-match",
        VALID.replace("        - type: BODY\n", "        - type: BODY\n          colour: red\n"),
        "12:11",
        "unknown field 'colour' (allowed here: type, text, examples, addSecurityRecommendation)",
        "unknown-field",
    ),
    (
        "wrong-type-integer-for-string",
        VALID.replace('["Anna", "A-1042"]', '["Anna", 1042]'),
        "13:30",
        "examples[1]: expected a string, got an integer (1042); put it in quotes",
        "schema",
    ),
    (
        "wrong-type-yes-for-boolean",
        VALID.replace("category: UTILITY\n", "category: UTILITY\nallowCategoryChange: yes\n"),
        "3:22",
        "allowCategoryChange: expected true or false, got a string ('yes'); "
        "YAML 1.2 reads yes/no/on/off as strings, write true or false",
        "schema",
    ),
    (
        "wrong-type-mapping-for-list",
        VALID.replace('examples: ["Anna", "A-1042"]', "examples: {a: 1}"),
        "13:21",
        "examples: expected a list, got a mapping",
        "schema",
    ),
    (
        "wrong-type-quoted-number",
        VALID + '      messageSendTtlSeconds: "600"\n',
        "14:30",
        "messageSendTtlSeconds: expected an integer, got a string ('600'); remove the quotes",
        "schema",
    ),
    (
        "out-of-range-text-length",
        VALID.replace('text: "Order {{1}}"', 'text: "' + "x" * 72 + '"'),
        "9:17",
        "text is longer than 60 characters (72)",
        "schema",
    ),
    (
        "out-of-range-ttl",
        VALID + "      messageSendTtlSeconds: 86400\n",
        "14:30",
        "messageSendTtlSeconds 86400 is outside 30..43200 seconds, the range for UTILITY templates",
        "schema",
    ),
    (
        "out-of-range-empty-example",
        VALID.replace('examples: ["Anna", "A-1042"]', 'examples: ["Anna", ""]'),
        "13:30",
        "examples[1] must not be empty",
        "schema",
    ),
    (
        "not-one-of-the-values",
        VALID.replace("category: UTILITY", "category: TRANSACTIONAL"),
        "2:11",
        "category must be 'AUTHENTICATION', 'MARKETING' or 'UTILITY', got 'TRANSACTIONAL'",
        "schema",
    ),
    (
        "missing-field",
        VALID.replace('          text: "Order {{1}}"\n          example: "A-1042"\n', "").replace(
            "format: TEXT", "format: IMAGE"
        ),
        "7:11",
        "missing required field 'example'",
        "schema",
    ),
    (
        "bad-component-type",
        VALID.replace("format: TEXT", "format: GIF"),
        "7:17",
        "component must have type HEADER (with format TEXT, LOCATION, IMAGE, VIDEO or DOCUMENT), "
        "BODY, FOOTER, BUTTONS, CAROUSEL or LIMITED_TIME_OFFER; got type HEADER with format 'GIF'",
        "schema",
    ),
    (
        "bad-name",
        VALID.replace("name: order_ready", "name: Order-Ready"),
        "1:7",
        "name 'Order-Ready' must use lowercase letters, digits and underscores, and start and end "
        "with a letter or digit",
        "schema",
    ),
    (
        "unknown-language",
        VALID.replace("en_US:", "en_XX:"),
        "4:3",
        "unknown language code 'en_XX' (Sinch codes look like EN_US, DE, PT_BR)",
        "schema",
    ),
    (
        "language-twice-in-two-spellings",
        VALID + VALID[VALID.index("  en_US:") :].replace("en_US", "EN_US"),
        "14:3",
        "language EN_US is defined twice in this file",
        "schema",
    ),
    (
        "unsafe-python-tag",
        VALID.replace("category: UTILITY", "category: !!python/object/apply:os.system [ls]"),
        "2:11",
        "tag !!python/object/apply:os.system is not allowed: templates are plain YAML (strings, "
        "numbers, booleans, lists and mappings)",
        "unsafe-tag",
    ),
    (
        "unsafe-local-tag",
        VALID.replace('example: "A-1042"', 'example: !secret "A-1042"'),
        "10:20",
        "tag !secret is not allowed: templates are plain YAML (strings, numbers, booleans, lists "
        "and mappings)",
        "unsafe-tag",
    ),
    (
        "unsafe-binary-tag",
        VALID.replace('example: "A-1042"', "example: !!binary aGVsbG8="),
        "10:20",
        "tag !!binary is not allowed: templates are plain YAML (strings, numbers, booleans, lists "
        "and mappings)",
        "unsafe-tag",
    ),
    (
        "empty-file",
        "",
        "1:1",
        "file is empty; a template file needs name, category and languages",
        "schema",
    ),
    (
        "only-comments",
        "# a template, some day\n",
        "1:1",
        "file is empty; a template file needs name, category and languages",
        "schema",
    ),
    (
        "top-level-list",
        "# comment\n- name: order_ready\n",
        "2:1",
        "expected a mapping (name, category, languages) at the top level, got a list",
        "schema",
    ),
    (
        "top-level-scalar",
        "hello\n",
        "1:1",
        "expected a mapping (name, category, languages) at the top level, got the value 'hello'",
        "schema",
    ),
    (
        "control-character",
        VALID.replace("Anna", "An\x07na"),
        "13:25",
        "character #x0007 is not allowed in YAML (control characters are not allowed); is this a "
        "text file?",
        "encoding",
    ),
    (  # libyaml counts bytes: the column counts characters
        "control-character-after-accents",
        VALID.replace("Anna", "Éé\x07"),
        "13:25",
        "character #x0007 is not allowed in YAML (control characters are not allowed); is this a "
        "text file?",
        "encoding",
    ),
]


@pytest.mark.parametrize(
    ("content", "where", "message", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_located_line_and_exit_1(
    tmp_path: Path, content: str, where: str, message: str, code: str
) -> None:
    path = write(tmp_path, content)
    result = validate(path)
    assert_clean_failure(result)
    errors = [line for line in diagnostics(result) if ": warning: " not in line]
    assert errors == [f"{path}:{where}: {message} [{code}]"], result.output


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    text = (
        VALID.replace("category: UTILITY\n", "category: UTILITY\ncategory: UTILITY\n")
        .replace('text: "Order {{1}}"', 'text: "' + "y" * 61 + '"')
        .replace('["Anna", "A-1042"]', '["Anna", 7]')
        .replace("format: TEXT\n", "format: TEXT\n          colour: red\n")
    )
    path = write(tmp_path, text)
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [
        f"{path}:3:1: duplicate key 'category' (first defined at line 2, column 1) [duplicate-key]",
        f"{path}:10:11: unknown field 'colour' (allowed here: type, format, text, example, "
        "examples) [unknown-field]",
        f"{path}:11:17: text is longer than 60 characters (61) [schema]",
        f"{path}:15:30: examples[1]: expected a string, got an integer (7); put it in quotes "
        "[schema]",
    ]
    assert "0 template-languages in 1 file: 4 errors" in result.stderr


def test_errors_of_every_file_are_collected(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    write(tmp_path, "a: [\n", "broken_syntax.yaml")
    write(
        tmp_path,
        VALID.replace("name: order_ready", "name: other").replace("UTILITY", "X"),
        "other.yaml",
    )
    write(tmp_path, b"\xff\xfe", "binary.yaml")
    result = validate(tmp_path)
    assert_clean_failure(result)
    codes = [line.rsplit(" ", 1)[1] for line in diagnostics(result)]
    assert codes == ["[encoding]", "[yaml-syntax]", "[schema]"]
    assert "1 template-language in 4 files: 3 errors" in result.stderr
