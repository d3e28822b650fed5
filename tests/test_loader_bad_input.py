"""Every class of bad input, through `waform validate`: one located line, exit 1, no traceback.

Each case writes one file into a temporary directory, runs the real CLI (click's CliRunner) and
checks the exact ``file:line:col: message [code]`` line and the exit code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from waform.cli import cli
from waform.loader import MAX_FILE_BYTES, load_paths
from waform.yamlsafe import MAX_ALIAS_EXPANSION, MAX_DEPTH, FileTooLarge, read_bounded

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


def test_non_utf8_names_the_first_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("Anna", "Ann\u00e9").encode("latin-1"))
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [
        f"{path}:13:26: file is not valid UTF-8: byte 0xe9 cannot be decoded; save the file as "
        "UTF-8 [encoding]"
    ]


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.encode("utf-16"))
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [
        f"{path}:1:1: file is not valid UTF-8 (UTF-16?): byte 0xff cannot be decoded; save the "
        "file as UTF-8 [encoding]"
    ]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    result = validate(write(tmp_path, b"\xef\xbb\xbf" + VALID.encode()))
    assert result.exit_code == 0, result.output


def test_binary_file_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, bytes(range(256)) * 64)
    result = validate(path)
    assert_clean_failure(result)
    [line] = diagnostics(result)
    assert line.startswith(f"{path}:") and line.endswith("[encoding]")
    assert "not valid UTF-8" in line


def test_file_over_one_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "#" * MAX_FILE_BYTES + "\n")
    size = path.stat().st_size
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [
        f"{path}:1:1: file is {size:,} bytes; template files are limited to 1 MiB "
        "(1,048,576 bytes) [file-too-large]"
    ]


def test_file_of_exactly_one_mebibyte_is_read(tmp_path: Path) -> None:
    padding = MAX_FILE_BYTES - len(VALID.encode()) - 1
    path = write(tmp_path, VALID + "#" * padding + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert validate(path).exit_code == 0


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc")
def test_a_file_longer_than_its_size_says_is_read_to_its_end() -> None:
    # A file in /proc says it is empty; reading must go on past what fstat said, to the limit.
    whole = Path("/proc/version").read_bytes()
    assert len(whole) > 1
    assert read_bounded("/proc/version", MAX_FILE_BYTES) == whole
    with pytest.raises(FileTooLarge):
        read_bounded("/proc/version", len(whole) - 1)


BOMB = VALID + "".join(
    f"x{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9 if level else ['"lol"'] * 9) + "]\n"
    for level in range(9)
)


def test_alias_bomb_is_refused_at_the_alias(tmp_path: Path) -> None:
    path = write(tmp_path, BOMB)
    result = validate(path)
    assert_clean_failure(result)
    # x8 (line 22) holds nine aliases to x7: the expansion that passes the limit.
    assert diagnostics(result) == [
        f"{path}:22:5: aliases expand the document by more than {MAX_ALIAS_EXPANSION:,} nodes "
        "(an alias bomb?); refusing to read it [alias-bomb]"
    ]


@pytest.mark.timeout(20)
def test_alias_bomb_costs_no_time_or_memory(tmp_path: Path) -> None:
    # 9**30 nodes if expanded: only a memoised walk of the node graph can answer this quickly.
    deep = VALID + "".join(
        f"x{level}: &l{level} [" + (f"*l{level - 1}, " * 9 if level else '"lol", ' * 9) + "]\n"
        for level in range(30)
    )
    loaded = load_paths([write(tmp_path, deep)])
    assert [d.code for d in loaded.diagnostics] == ["alias-bomb"]


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    text = VALID.replace('example: "A-1042"', 'example: &order "A-1042"').replace(
        '["Anna", "A-1042"]', '["Anna", *order]'
    )
    result = validate(write(tmp_path, text))
    assert result.exit_code == 0, result.output


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "loop: &a [1, *a]\n")
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [f"{path}:14:7: an alias refers to its own parent [alias-bomb]"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("x: " + "[" * 400_000 + "]" * 400_000, f"1:{3 + MAX_DEPTH}"),  # would crash libyaml
        ("x:\n" + "- " * 300_000 + "y", f"2:{2 * MAX_DEPTH - 1}"),
        ("x: " + "{a: " * 100 + "1" + "}" * 100, f"1:{4 * MAX_DEPTH}"),
    ],
    ids=["flow-sequences", "compact-block-sequences", "flow-mappings"],
)
def test_deep_nesting_is_refused_before_it_hurts(tmp_path: Path, body: str, where: str) -> None:
    path = write(tmp_path, body + "\n")
    result = validate(path)
    assert_clean_failure(result)
    assert diagnostics(result) == [
        f"{path}:{where}: nesting deeper than {MAX_DEPTH} levels; refusing to read this file "
        "[too-deep]"
    ]


def test_unsafe_tag_is_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = VALID.replace(
        "category: UTILITY",
        f'category: !!python/object/apply:os.system ["touch {marker}"]',
    )
    result = validate(write(tmp_path, text))
    assert_clean_failure(result)
    assert not marker.exists()


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
