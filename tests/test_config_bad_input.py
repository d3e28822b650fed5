"""Hostile `waform.yaml` files and credentials found in QA, through the real CLI.

Each was a bug: a segmentation fault, a hang, an error without a line, or a secret echoed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_loader_bad_input import VALID as TEMPLATE  # a valid order_ready.yaml
from waform.cli import cli


def project(tmp_path: Path, config: str | bytes) -> Path:
    (tmp_path / "order_ready.yaml").write_text(TEMPLATE, encoding="utf-8")
    path = tmp_path / "waform.yaml"
    if isinstance(config, bytes):
        path.write_bytes(config)
    else:
        path.write_text(config, encoding="utf-8")
    return tmp_path


def test_deep_nesting_in_the_config_is_refused_not_a_crash(tmp_path: Path) -> None:
    """libyaml's recursive composer overflowed the C stack: the process died with SIGSEGV."""
    project(tmp_path, "prune: " + "[" * 100_000 + "]" * 100_000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "waform", "validate", "order_ready.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, ""), done.stderr[-2000:]
    assert done.stderr == (
        "error: waform.yaml:1:71: nesting deeper than 64 levels; refusing to read this file\n"
    )


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, list(args), env=env)
    finally:
        os.chdir(cwd)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def test_unknown_rule_id_is_located_at_its_key(tmp_path: Path) -> None:
    """It was `waform.yaml: rules: unknown rule …`, without a line."""
    project(tmp_path, "rules:\n  WA-V9: warning\n  WA-V99: error\n")
    assert run(tmp_path, "validate", "order_ready.yaml") == (
        1,
        "error: waform.yaml:3:3: rules: key 'WA-V99': unknown rule; did you mean 'WA-V9'? "
        "(`waform rules` lists the ids)\n",
    )


def test_a_fifo_named_by_config_is_refused_not_read(tmp_path: Path) -> None:
    """Reading a FIFO blocks until a writer appears: `--config` hung forever."""
    project(tmp_path, "")
    (tmp_path / "waform.yaml").unlink()
    os.mkfifo(tmp_path / "waform.yaml")
    assert run(tmp_path, "validate", "--config", "waform.yaml", "order_ready.yaml") == (
        1,
        "error: waform.yaml: not a regular file\n",
    )


def test_config_file_that_is_a_symbolic_link_loop(tmp_path: Path) -> None:
    os.symlink(tmp_path / "other.yaml", tmp_path / "loop.yaml")
    os.symlink(tmp_path / "loop.yaml", tmp_path / "other.yaml")
    assert run(tmp_path, "rules", "--config", "loop.yaml") == (
        1,
        "error: loop.yaml: cannot read file: symbolic link loop\n",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"prune: !!int sup3r-s3cret\n", "waform.yaml:1:8: the value is not a valid !!int value"),
        (b"prune: true\r\nrules: {WA-V9: 'off'}\r\n", None),
        (b"\xef\xbb\xbfprune: true\n", None),
        (
            b"prune: tru\xff\n",
            "waform.yaml:1:11: file is not valid UTF-8: byte 0xff cannot be decoded; save the "
            "file as UTF-8",
        ),
    ],
    ids=["tagged-value-not-echoed", "crlf", "bom", "not-utf8"],
)
def test_config_text_edge_cases(tmp_path: Path, text: bytes, expected: str | None) -> None:
    project(tmp_path, text)
    code, err = run(tmp_path, "validate", "order_ready.yaml")
    if expected is None:
        assert code == 0, err
    else:
        assert (code, err) == (1, f"error: {expected}\n")
        assert "s3cret" not in err


def test_a_secret_pasted_into_key_secret_env_is_not_echoed(tmp_path: Path) -> None:
    """`keySecretEnv: <the secret>` is a valid variable name; the error named it."""
    secret = "xQ7kLmP2vR9sT4wZ"
    project(
        tmp_path,
        "defaultTarget: prod\ntargets:\n  prod:\n    type: sinch\n    projectId: p1\n"
        f"    auth: {{type: basic, keyIdEnv: QA_KEY_ID, keySecretEnv: {secret}}}\n",
    )
    code, err = run(tmp_path, "plan", "order_ready.yaml", env={"QA_KEY_ID": "key"})
    assert code == 1
    assert secret not in err
    assert err == (
        "error: the environment variable named by targets.prod.auth.keySecretEnv in waform.yaml "
        "is not set (its name is not shown: it is not in capitals, so it may be a pasted secret)\n"
    )


def test_a_conventional_variable_name_is_still_shown(tmp_path: Path) -> None:
    project(
        tmp_path,
        "defaultTarget: prod\ntargets:\n  prod:\n    type: sinch\n    projectId: p1\n"
        "    auth: {type: basic, keyIdEnv: QA_KEY_ID, keySecretEnv: QA_KEY_SECRET}\n",
    )
    code, err = run(tmp_path, "plan", "order_ready.yaml", env={"QA_KEY_ID": "key"})
    assert (code, err) == (
        1,
        "error: environment variable QA_KEY_SECRET is not set (named by "
        "targets.prod.auth.keySecretEnv in waform.yaml)\n",
    )
