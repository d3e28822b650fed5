"""Files that are not small, plain YAML text, through `waform validate`: other encodings and
binary files, the size limit, alias bombs, deep nesting and unsafe tags — one located line, exit
1, no traceback, and never the time, memory or code execution they ask for."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_loader_bad_input import VALID, assert_clean_failure, diagnostics, validate, write
from waform.loader import MAX_FILE_BYTES, load_paths
from waform.yamlsafe import MAX_ALIAS_EXPANSION, MAX_DEPTH, FileTooLarge, read_bounded


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
        # Too few brackets for the check before composing: libyaml stops at its own limit.
        ("x: " + "[" * 1_500 + "]" * 1_500, f"1:{3 + MAX_DEPTH}"),
        ("x:\n" + "- " * 300_000 + "y", f"2:{2 * MAX_DEPTH - 1}"),
        ("x: " + "{a: " * 100 + "1" + "}" * 100, f"1:{4 * MAX_DEPTH}"),
    ],
    ids=[
        "flow-sequences",
        "flow-sequences-past-libyaml",
        "compact-block-sequences",
        "flow-mappings",
    ],
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
