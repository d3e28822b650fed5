"""Config errors through the real CLI: one line on stderr, exit 1, no traceback, no echo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prnue: true\n", "error: waform.yaml:1:1: unknown key 'prnue' (did you mean 'prune'?)\n"),
        (
            "targets:\n  p: {type: sinch, projectId: x, baseUrl: 'http://example.com'}\n",
            "error: waform.yaml:2:43: targets.p.baseUrl: must use https (plain http is only "
            "allowed to loopback, not example.com)\n",
        ),
        (
            "rules: [\n",
            "error: waform.yaml:2:1: invalid YAML: did not find expected node content "
            "(while parsing a flow node at line 2)\n",
        ),
    ],
)
def test_bad_config_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "waform.yaml").write_text(text)
    code, out, err = run(["rules", "--config", "waform.yaml"])
    assert (code, out, err) == (1, "", expected)


def test_pasted_secret_stays_out_of_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    secret = "live-secret-4f3e2d1c0b"
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  prod:\n    type: sinch\n    projectId: p\n"
        f"    auth: {{type: basic, keySecret: {secret}}}\n"
    )
    code, out, err = run(["rules", "--config", "waform.yaml"])
    assert code == 1
    assert secret not in out + err
    assert err.startswith("error: waform.yaml:5:25: unknown key 'keySecret' in targets.prod.auth")


def test_config_is_found_upward_and_its_rules_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "waform.yaml").write_text("rules: {WA-V9: 'off'}\n")
    sub = tmp_path / "templates" / "shop"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    code, out, err = run(["rules", "--format", "json"])
    assert code == 0, err
    rules = {r["id"]: r for r in json.loads(out)["rules"]}
    assert rules["WA-V9"]["severity"] == "off"
