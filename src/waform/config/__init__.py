"""``waform.yaml``: where templates are reconciled to (targets) and what waform may touch.

The file is found like git finds ``.git``: searching upward from the templates path, unless
``--config FILE`` names it. Without a file waform uses one ``local`` target (the embedded
emulator), so every command works on a fresh checkout. Shape (all keys optional)::

    defaultTarget: local
    targets:
      local: {type: local, state: .waform/emulator.sqlite3}
      production:
        type: sinch
        projectId: 1a2b3c
        baseUrl: https://provisioning.api.sinch.com
        auth: {type: oauth2, keyIdEnv: SINCH_KEY_ID, keySecretEnv: SINCH_KEY_SECRET}
    scope: {include: ["*"], exclude: []}
    prune: false
    ignore: {names: [], languages: [], fields: []}
    safety: {maxDeletePercent: 30, maxUpdatePercent: 30, minManaged: 10}
    rules: {WA-V9: off}

Credentials are never in the file: a ``sinch`` target names the environment variables that hold
the key id and secret, and they are read only when a client is opened. Every problem in the file
is one line, ``waform.yaml:line:col: message`` (placed by :mod:`waform.validation_errors`), and
never echoes a value from the file (a secret pasted in the wrong place must not end up in CI logs).

One module per job: :mod:`.model` (the file, safety, rules), :mod:`.targets` (target kinds and
their resolved form), :mod:`.credentials` (auth and the key read from the environment),
:mod:`.urls` (https-only checks), :mod:`.scope` (scope and ignore), :mod:`.loading` (finding and
reading the file); :mod:`.base` holds what they share.
"""

from __future__ import annotations

from waform.config.base import (
    CONFIG_FILENAME,
    DEFAULT_BASE_URL,
    DEFAULT_STATE,
    DEFAULT_TOKEN_URL,
)
from waform.config.credentials import (
    AuthConfig,
    BasicAuthConfig,
    Credentials,
    OAuth2AuthConfig,
    looks_like_env_name,
)
from waform.config.loading import MAX_CONFIG_BYTES, find_config, load_config, parse_config
from waform.config.model import Config, RuleSetting, Safety
from waform.config.scope import FIELD_PATH_PATTERN, Ignore, Scope, parse_field_path
from waform.config.targets import (
    LocalTarget,
    LocalTargetConfig,
    SinchTarget,
    SinchTargetConfig,
    Target,
    TargetConfig,
)
from waform.config.urls import check_url

__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_BASE_URL",
    "DEFAULT_STATE",
    "DEFAULT_TOKEN_URL",
    "FIELD_PATH_PATTERN",
    "MAX_CONFIG_BYTES",
    "AuthConfig",
    "BasicAuthConfig",
    "Config",
    "Credentials",
    "Ignore",
    "LocalTarget",
    "LocalTargetConfig",
    "OAuth2AuthConfig",
    "RuleSetting",
    "Safety",
    "Scope",
    "SinchTarget",
    "SinchTargetConfig",
    "Target",
    "TargetConfig",
    "check_url",
    "find_config",
    "load_config",
    "looks_like_env_name",
    "parse_config",
    "parse_field_path",
]
