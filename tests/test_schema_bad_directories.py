"""`waform schema` over damaged schema directories (found in QA: both were tracebacks)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from waform.cli import cli
from waform.schema import SCHEMAS


def schema(*args: str) -> Result:
    return CliRunner().invoke(cli, ["schema", *args])


def test_a_schema_file_that_is_not_utf8_is_stale_and_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    assert schema("--output", str(out)).exit_code == 0
    damaged = out / "template.schema.json"
    damaged.write_bytes(b"\xff\xfe{}")
    check = schema("--output", str(out), "--check")
    assert check.exit_code == 1 and "Traceback" not in check.output
    assert f"{damaged}: out of date" in check.stderr
    rewrite = schema("--output", str(out))
    assert rewrite.exit_code == 0, rewrite.output
    assert damaged.read_text(encoding="utf-8").startswith("{")
    assert schema("--output", str(out), "--check").exit_code == 0


def test_a_directory_in_place_of_a_schema_file_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    assert schema("--output", str(out)).exit_code == 0
    in_the_way = out / "plan.schema.json"
    in_the_way.unlink()
    in_the_way.mkdir()
    check = schema("--output", str(out), "--check")
    assert check.exit_code == 1 and "Traceback" not in check.output
    assert f"{in_the_way}: cannot read it (Is a directory)" in check.stderr
    write = schema("--output", str(out))
    assert write.exit_code == 1 and "Traceback" not in write.output
    assert write.stderr == f"error: cannot write schemas to {in_the_way}: Is a directory\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMAS)
