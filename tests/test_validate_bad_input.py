"""Hostile template files found in QA, through the real `waform validate` CLI.

Each case was a bug: a quadratic look-up that took minutes, an "internal" error at 1:1, a
traceback, or an error at the wrong line. Each must be one located line per problem, exit 1.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from click.testing import CliRunner

# The base file and the CLI helpers of the loader's own bad-input tests.
from test_loader_bad_input import VALID, assert_clean_failure, validate
from test_loader_bad_input import diagnostics as located
from waform.cli import cli


def test_many_unknown_keys_are_reported_in_linear_time(tmp_path: Path) -> None:
    """30,000 unknown keys (a 400 KiB file) took minutes: each was located by a new scan."""
    path = tmp_path / "order_ready.yaml"
    path.write_text(VALID + "".join(f"k{i}: 1\n" for i in range(30_000)), encoding="utf-8")
    started = time.perf_counter()
    result = validate(path)
    elapsed = time.perf_counter() - started
    assert_clean_failure(result)
    lines = located(result)
    assert len(lines) == 30_000
    assert lines[-1] == (
        f"{path}:30013:1: unknown field 'k29999' (allowed here: name, category, status, "
        "allowCategoryChange, saveDraftOnFailure, rules, ignore, languages) [unknown-field]"
    )
    assert elapsed < 15, f"{elapsed:.1f} s: locating is quadratic again"


def test_a_key_repeated_far_from_its_first_use_is_reported_in_linear_time(
    tmp_path: Path,
) -> None:
    """Each duplicate used to scan the whole mapping for the first occurrence."""
    keys = "".join(f"k{i}: 1\n" for i in range(10_000))
    path = tmp_path / "order_ready.yaml"
    path.write_text(VALID + keys + "k9999: 2\n" * 10_000, encoding="utf-8")
    started = time.perf_counter()
    result = validate(path)
    elapsed = time.perf_counter() - started
    assert_clean_failure(result)
    duplicates = [line for line in located(result) if line.endswith("[duplicate-key]")]
    assert len(duplicates) == 10_000
    assert duplicates[0] == (
        f"{path}:10014:1: duplicate key 'k9999' (first defined at line 10013, column 1) "
        "[duplicate-key]"
    )
    assert elapsed < 15, f"{elapsed:.1f} s: duplicate keys are quadratic again"


def test_an_integer_too_long_for_python_is_one_located_error(tmp_path: Path) -> None:
    """5,000 digits: Python refuses to convert it; that was an [internal] error at 1:1."""
    text = VALID.replace(
        "      components:", "      messageSendTtlSeconds: " + "9" * 5000 + "\n      components:"
    )
    path = tmp_path / "order_ready.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate(path)
    assert_clean_failure(result)
    assert located(result) == [
        f"{path}:6:30: a value of 5,000 characters is too long for a number [yaml-syntax]"
    ]


def test_non_string_keys_are_named_at_their_own_line(tmp_path: Path) -> None:
    """``true:`` was reported as "[1]: keys should be strings" at 1:1."""
    text = VALID.replace("      components:", "      true: 1\n      ~: 2\n      components:")
    path = tmp_path / "order_ready.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate(path)
    assert_clean_failure(result)
    assert located(result) == [
        f"{path}:6:7: key true must be a string; put it in quotes [schema]",
        f"{path}:7:7: key null must be a string; put it in quotes [schema]",
    ]


def test_a_huge_scalar_at_the_top_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "order_ready.yaml"
    path.write_text("x" * 500_000 + "\n", encoding="utf-8")
    result = validate(path)
    assert_clean_failure(result)
    [line] = located(result)
    assert len(line) < 300, line[:300]
    assert line.endswith("got the value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… [schema]")


def test_symbolic_link_loop_named_on_the_command_line(tmp_path: Path) -> None:
    """The config search resolved the path and raised RuntimeError (a traceback)."""
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    os.symlink(tmp_path / "gone.yaml", tmp_path / "dangling.yaml")
    (tmp_path / "order_ready.yaml").write_text(VALID, encoding="utf-8")
    result = validate(
        tmp_path / "a.yaml", tmp_path / "dangling.yaml", tmp_path / "order_ready.yaml"
    )
    assert_clean_failure(result)
    assert located(result) == [
        f"{tmp_path / 'a.yaml'}:1:1: cannot read file: symbolic link loop [io]",
        f"{tmp_path / 'dangling.yaml'}:1:1: cannot read file: broken symbolic link to "
        f"{tmp_path / 'gone.yaml'} [io]",
    ]
    assert "1 template-language in 3 files: 2 errors" in result.stderr


def test_plan_and_rules_survive_a_symbolic_link_loop(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # the default local target keeps its state under the cwd
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    for args in (["rules", "--config", str(tmp_path / "a.yaml")], ["plan", str(tmp_path)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and not isinstance(result.exception, RuntimeError)
        lines = result.stderr.splitlines()
        assert lines[-1].startswith("error: ")
        assert all(
            re.match(r"^.+:1:1: cannot read file: symbolic link loop", x) for x in lines[:-1]
        )
