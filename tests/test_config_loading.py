"""waform.yaml: discovery, defaults, one-line errors with positions, and credentials hygiene."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from waform.config import (
    CONFIG_FILENAME,
    Config,
    LocalTarget,
    SinchTarget,
    find_config,
    load_config,
)
from waform.errors import ConfigError
from waform.schema import config_json_schema

REPO = Path(__file__).resolve().parents[1]

SINCH = """\
defaultTarget: production
targets:
  local: {type: local}
  production:
    type: sinch
    projectId: proj-123
    auth: {type: oauth2, keyIdEnv: MY_KEY_ID, keySecretEnv: MY_KEY_SECRET}
"""


def write(tmp_path: Path, text: str, name: str = CONFIG_FILENAME) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- discovery and defaults


def test_found_by_searching_upward_from_the_templates_path(tmp_path: Path) -> None:
    write(tmp_path, SINCH)
    deep = tmp_path / "repo" / "templates" / "shop"
    deep.mkdir(parents=True)
    (deep / "order.yaml").write_text("name: x\n")
    assert find_config(deep) == tmp_path / CONFIG_FILENAME
    assert find_config(deep / "order.yaml") == tmp_path / CONFIG_FILENAME
    config = load_config(None, deep)
    assert config.root == tmp_path.resolve()
    assert config.target().name == "production"


def test_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path, SINCH)
    inner = tmp_path / "inner"
    inner.mkdir()
    write(inner, "targets: {mine: {type: local, state: state.db}}\n")
    target = load_config(None, inner).target()
    assert isinstance(target, LocalTarget)
    assert target.state_path == inner.resolve() / "state.db"


def test_no_file_means_one_local_target_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, tmp_path)
    assert config.path is None
    target = config.target()
    assert isinstance(target, LocalTarget)
    assert target.name == "local"
    assert target.state_path == tmp_path / ".waform" / "emulator.sqlite3"
    assert config.prune is False
    assert config.scope.manages("anything")
    assert (config.safety.maxDeletePercent, config.safety.minManaged) == (30.0, 10)


def test_empty_file_is_all_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing yet\n"))
    assert config.target().name == "local"
    assert config.root == tmp_path.resolve()


def test_explicit_config_wins_and_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "targets: {a: {type: local}}\n")
    other = write(tmp_path, SINCH, "other.yaml")
    assert load_config(other, tmp_path).target().name == "production"
    with pytest.raises(ConfigError, match=r"^missing\.yaml: config file not found$"):
        load_config(tmp_path / "missing.yaml")


def test_examples_config_defaults_to_the_local_target() -> None:
    config = load_config(None, REPO / "examples" / "templates")
    assert config.path == REPO / "examples" / CONFIG_FILENAME
    target = config.target()
    assert isinstance(target, LocalTarget)
    assert target.state_path == REPO / "examples" / ".waform" / "emulator.sqlite3"
    production = config.target("production")
    assert isinstance(production, SinchTarget)
    assert production.base_url == "https://provisioning.api.sinch.com"


def test_target_selection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(write(tmp_path, SINCH))
    assert config.target().name == "production"
    assert isinstance(config.target("local"), LocalTarget)
    with pytest.raises(ConfigError) as info:
        config.target("prodution")
    assert str(info.value) == (
        "unknown target 'prodution' (did you mean 'production'?); "
        "waform.yaml defines: local, production"
    )

    with pytest.raises(
        ConfigError, match=r"^unknown target 'prod' \(did you mean 'production'\?\)"
    ):
        config.target("prod")

    two = load_config(write(tmp_path, "targets: {a: {type: local}, b: {type: local}}\n"))
    with pytest.raises(
        ConfigError, match="several targets .a, b. and no defaultTarget; pass --target NAME"
    ):
        two.target()


def test_credentials_come_from_the_named_variables_and_never_show(tmp_path: Path) -> None:
    target = load_config(write(tmp_path, SINCH)).target()
    assert isinstance(target, SinchTarget)
    with pytest.raises(ConfigError) as info:
        target.credentials({"MY_KEY_ID": "id-1"})
    assert str(info.value).startswith(
        "environment variable MY_KEY_SECRET is not set (named by targets.production.auth.keySecretEnv"
    )
    with pytest.raises(ConfigError, match="MY_KEY_ID is not set"):
        target.credentials({"MY_KEY_ID": "", "MY_KEY_SECRET": "x"})
    creds = target.credentials({"MY_KEY_ID": "id-1", "MY_KEY_SECRET": "very-secret-value"})
    assert creds.key_id == "id-1"
    assert creds.key_secret.get_secret_value() == "very-secret-value"
    assert "very-secret-value" not in repr(creds) + str(creds) + repr(target)


# ---------------------------------------------------------------- scope, ignore, safety


def test_scope_globs_and_prefix() -> None:
    config = Config.model_validate(
        {"scope": {"include": ["shop_*", "otp_login"], "exclude": ["shop_test_*"]}}
    )
    assert config.scope.manages("shop_order")
    assert config.scope.manages("otp_login")
    assert not config.scope.manages("shop_test_1")
    assert not config.scope.manages("marketing_x")
    assert config.scope.name_prefix() is None
    assert Config.model_validate({"scope": {"include": ["shop_*"]}}).scope.name_prefix() == "shop_"
    assert Config().scope.name_prefix() is None  # "*": everything
    assert Config.model_validate({"scope": {"include": ["sh?p_*"]}}).scope.name_prefix() is None


def test_ignore_rules() -> None:
    config = Config.model_validate(
        {
            "ignore": {
                "names": ["legacy_*"],
                "languages": ["pt_BR"],
                "fields": ["components[*].example", "components[0].buttons[1].url", "optimization"],
            }
        }
    )
    assert config.ignore.languages == ["PT_BR"]
    assert config.ignore.ignores("legacy_promo")
    assert config.ignore.ignores("order", "pt-br")
    assert not config.ignore.ignores("order", "EN_US")
    assert not config.manages("legacy_x", "EN_US") and config.manages("order", "EN_US")
    details = {
        "components": [
            {
                "type": "HEADER",
                "example": "a",
                "buttons": [{"url": "u0"}, {"url": "u1", "text": "t"}],
            },
            {"type": "BODY", "example": "b"},
        ],
        "optimization": {"bidAmount": 1},
        "messageSendTtlSeconds": 60,
    }
    assert config.ignore.strip(details) == {
        "components": [
            {"type": "HEADER", "buttons": [{"url": "u0"}, {"text": "t"}]},
            {"type": "BODY"},
        ],
        "messageSendTtlSeconds": 60,
    }
    assert details["optimization"] == {"bidAmount": 1}  # not mutated


def test_bad_ignore_field_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = error_of(tmp_path, "ignore:\n  fields: ['components[x]']\n", monkeypatch)
    assert message.startswith("waform.yaml:2:12: ignore.fields.0: String should match pattern")


@pytest.mark.parametrize(
    ("managed", "updates", "deletes", "refused"),
    [
        (10, 3, 3, []),  # exactly 30 %: allowed
        (10, 4, 0, ["updates"]),
        (10, 0, 4, ["deletes"]),
        (20, 7, 7, ["updates", "deletes"]),
        (9, 9, 9, []),  # fewer than minManaged: thresholds do not apply
        (0, 0, 0, []),
    ],
)
def test_safety_thresholds(managed: int, updates: int, deletes: int, refused: list[str]) -> None:
    violations = Config().safety.violations(managed=managed, updates=updates, deletes=deletes)
    assert [v.split()[1] for v in violations] == refused
    for v in violations:
        assert v.endswith("%)")
    if refused == ["updates"]:
        assert violations[0] == "plan updates 4 of 10 managed templates (40 % > 30 %)"


# ---------------------------------------------------------------- JSON Schema


def test_committed_schema_is_current_and_accepts_the_example() -> None:
    committed = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(config_json_schema()))
    validator = jsonschema.Draft202012Validator(committed)
    example = YAML(typ="safe").load(
        (REPO / "examples" / CONFIG_FILENAME).read_text(encoding="utf-8")
    )
    assert list(validator.iter_errors(example)) == []
    assert (
        (REPO / "examples" / CONFIG_FILENAME)
        .read_text()
        .startswith("# yaml-language-server: $schema=../schemas/config.schema.json")
    )


@pytest.mark.parametrize(
    "document",
    [
        {"prnue": True},
        {"targets": {"p": {"type": "sinch"}}},
        {
            "targets": {
                "p": {
                    "type": "sinch",
                    "projectId": "x",
                    "auth": {"type": "oauth2", "keySecret": "s"},
                }
            }
        },
        {"targets": {"bad name": {"type": "local"}}},
        {"rules": {"V9": "off"}},
        {"safety": {"maxDeletePercent": 101}},
    ],
)
def test_schema_and_model_agree_on_bad_documents(document: dict) -> None:
    validator = jsonschema.Draft202012Validator(config_json_schema())
    assert list(validator.iter_errors(document)), "schema accepted a bad document"
    with pytest.raises(Exception):  # noqa: B017 - pydantic's ValidationError
        Config.model_validate(document)
