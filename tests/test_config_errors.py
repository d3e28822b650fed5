"""waform.yaml's errors: one line with the file's position, the first of several with a count,
never a secret echoed, malformed or hostile YAML refused quickly, plain HTTP only to loopback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from test_config_loading import SINCH, error_of, write
from waform.config import (
    SinchTarget,
    load_config,
)
from waform.errors import ConfigError

# ---------------------------------------------------------------- one-line errors


def test_unknown_key_has_position_and_did_you_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = error_of(tmp_path, "targets: {local: {type: local}}\nprnue: true\n", monkeypatch)
    assert message == "waform.yaml:2:1: unknown key 'prnue' (did you mean 'prune'?)"


def test_nested_unknown_key_inside_a_tagged_union(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SINCH.replace("keyIdEnv: MY_KEY_ID", "keyIdEnv: MY_KEY_ID, tokenURL: 'https://x.test'")
    message = error_of(tmp_path, text, monkeypatch)
    assert message.startswith("waform.yaml:7:47: unknown key 'tokenURL' in targets.production.auth")
    assert "did you mean 'tokenUrl'?" in message


def test_a_secret_pasted_into_the_file_is_refused_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-live-0123456789abcdef"
    text = SINCH.replace("keySecretEnv: MY_KEY_SECRET", f"keySecret: {secret}")
    message = error_of(tmp_path, text, monkeypatch)
    assert secret not in message
    assert "unknown key 'keySecret'" in message
    assert "did you mean 'keySecretEnv'?" in message
    assert "environment variables" in message
    # A secret where an env var *name* belongs is refused by pattern, again without echo.
    secret2 = "p@ss:word/with+chars"
    message = error_of(
        tmp_path,
        SINCH.replace("keySecretEnv: MY_KEY_SECRET", f"keySecretEnv: '{secret2}'"),
        monkeypatch,
    )
    assert secret2 not in message
    assert message.startswith(
        "waform.yaml:7:61: targets.production.auth.keySecretEnv: String should"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prune: 'yes'\n", "waform.yaml:1:8: prune: Input should be a valid boolean"),
        (
            "safety: {minManaged: 1.5}\n",
            "waform.yaml:1:22: safety.minManaged: Input should be a valid integer",
        ),
        (
            "safety:\n  maxDeletePercent: 130\n",
            "waform.yaml:2:21: safety.maxDeletePercent: Input should be less than or equal to 100",
        ),
        (
            "scope: {include: shop_*}\n",
            "waform.yaml:1:18: scope.include: Input should be a valid list",
        ),
        (
            "rules: {WA-V9: of}\n",
            "waform.yaml:1:16: rules.WA-V9: Input should be 'off', 'warning' or 'error'",
        ),
        (
            "rules: {V9: off}\n",
            "waform.yaml:1:9: rules: key 'V9': String should match pattern '^WA-[A-Z]+[0-9]+$'",
        ),
        (
            "targets:\n  prod: {type: remote}\n",
            "waform.yaml:2:9: targets.prod: type must be one of 'local', 'sinch'",
        ),
        (
            "targets:\n  prod: {type: sinch}\n",
            "waform.yaml:2:9: targets.prod.projectId: required key is missing",
        ),
        (
            "targets:\n  prod: {type: sinch, projectId: p, auth: {keyIdEnv: A}}\n",
            "waform.yaml:2:43: targets.prod.auth: missing key 'type' (one of basic, oauth2)",
        ),
        (
            "ignore: {languages: [xx_YY]}\n",
            "waform.yaml:1:21: ignore.languages: unknown language code 'xx_YY' (Sinch codes look like EN_US, DE)",
        ),
        (
            "defaultTarget: stagin\ntargets: {staging: {type: local}, prod: {type: local}}\n",
            "waform.yaml:1:16: defaultTarget: 'stagin' is not one of the targets (prod, staging) "
            "(did you mean 'staging'?)",
        ),
        ("- a\n- b\n", "waform.yaml:1:1: expected a mapping of settings at the top level"),
    ],
)
def test_validation_errors_are_one_line_with_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    assert error_of(tmp_path, text, monkeypatch) == expected


def test_several_errors_report_the_first_and_count_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = error_of(tmp_path, "prune: 1\nsafety: {minManaged: x}\nfoo: 1\n", monkeypatch)
    assert message == "waform.yaml:1:8: prune: Input should be a valid boolean (and 2 more)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "targets: [\n",
            r"^waform\.yaml:2:1: invalid YAML: did not find expected node content "
            r"\(while parsing a flow node at line 2\)$",
        ),
        (
            "prune: true\nprune: false\n",
            r"^waform\.yaml:2:1: duplicate key 'prune' \(first defined at line 1, column 1\)$",
        ),
        (
            "prune: !!python/object/apply:os.system ['echo pwned']\n",
            r"^waform\.yaml:1:8: tag !!python/object/apply:os\.system is not allowed: "
            r"waform\.yaml is plain YAML \(strings, numbers, booleans, lists and mappings\)$",
        ),
        ("prune: !secret x\n", r"^waform\.yaml:1:8: tag !secret is not allowed"),
        (
            "a: 'unterminated\n",
            r"^waform\.yaml:2:1: invalid YAML: found unexpected end of stream",
        ),
    ],
)
def test_malformed_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    import re

    assert re.match(expected, error_of(tmp_path, text, monkeypatch))


def test_yaml_bomb_is_refused_quickly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    started = time.perf_counter()
    message = error_of(tmp_path, "\n".join(lines) + "\n", monkeypatch)
    assert time.perf_counter() - started < 2
    assert message == (
        "waform.yaml:9:5: aliases expand the document by more than 10,000 nodes "
        "(an alias bomb?); refusing to read it"
    )


def test_oversized_and_binary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    big = write(tmp_path, "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(ConfigError, match=r"^waform\.yaml: file is larger than 1048576 bytes$"):
        load_config(big)
    big.write_bytes(b"prune: \xff\xfe\n")
    with pytest.raises(
        ConfigError,
        match=r"^waform\.yaml:1:8: file is not valid UTF-8: byte 0xff cannot be decoded",
    ):
        load_config(big)


def test_error_path_is_shown_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = tmp_path / "conf"
    sub.mkdir()
    write(sub, "prune: 3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^conf/waform\.yaml:1:8: prune: "):
        load_config(None, sub)


# ---------------------------------------------------------------- https and targets


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://provisioning.api.sinch.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:9000", True),
        ("http://example.com", False),
        ("http://10.0.0.5:8080", False),
        ("ftp://example.com", False),
        ("https://user:pw@example.com", False),
    ],
)
def test_https_required_except_for_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, ok: bool
) -> None:
    text = f"targets:\n  t:\n    type: sinch\n    projectId: p\n    baseUrl: '{url}'\n"
    if ok:
        target = load_config(write(tmp_path, text)).target()
        assert isinstance(target, SinchTarget)
        assert target.base_url == url.rstrip("/")
    else:
        message = error_of(tmp_path, text, monkeypatch)
        assert message.startswith("waform.yaml:5:14: targets.t.baseUrl: ")
        assert "pw" not in message


def test_token_url_must_be_https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SINCH.replace(
        "keySecretEnv: MY_KEY_SECRET", "keySecretEnv: S, tokenUrl: 'http://auth.example.com/t'"
    )
    message = error_of(tmp_path, text, monkeypatch)
    assert message.startswith("waform.yaml:7:74: targets.production.auth.tokenUrl: must use https")
