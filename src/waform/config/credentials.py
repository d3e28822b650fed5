"""How a ``sinch`` target authenticates, and its key read from the environment when needed.

The file only *names* the variables (``keyIdEnv``/``keySecretEnv``); their values are read when
a client is opened, and never printed.
"""

from __future__ import annotations

import os
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator

from waform.config.base import DEFAULT_TOKEN_URL, EnvName, HttpUrl, StrictModel
from waform.config.urls import check_url
from waform.errors import ConfigError

_KEY_ID_ENV = "Name of the environment variable holding the access key id."
_KEY_SECRET_ENV = (
    "Name of the environment variable holding the key secret (never put the secret in this file)."
)


class BasicAuthConfig(StrictModel):
    """HTTP Basic with a project access key. Sinch rate-limits Basic heavily: prefer oauth2."""

    type: Literal["basic"]
    keyIdEnv: EnvName = Field("SINCH_KEY_ID", description=_KEY_ID_ENV)
    keySecretEnv: EnvName = Field("SINCH_KEY_SECRET", description=_KEY_SECRET_ENV)


class OAuth2AuthConfig(StrictModel):
    """OAuth2 client credentials: the key id/secret buy a short-lived bearer token."""

    type: Literal["oauth2"]
    keyIdEnv: EnvName = Field("SINCH_KEY_ID", description=_KEY_ID_ENV)
    keySecretEnv: EnvName = Field("SINCH_KEY_SECRET", description=_KEY_SECRET_ENV)
    tokenUrl: HttpUrl = Field(
        DEFAULT_TOKEN_URL, description="OAuth2 token endpoint (client-credentials grant)."
    )

    @field_validator("tokenUrl")
    @classmethod
    def _token_url_is_safe(cls, value: str) -> str:
        return check_url(value)


AuthConfig = Annotated[BasicAuthConfig | OAuth2AuthConfig, Field(discriminator="type")]


@dataclass(frozen=True, slots=True)
class Credentials:
    """A key id and secret read from the environment; ``repr`` never shows the secret."""

    key_id: str
    key_secret: SecretStr

    def __repr__(self) -> str:
        return f"Credentials(key_id={self.key_id!r}, key_secret='**********')"


def read_credentials(
    auth: BasicAuthConfig | OAuth2AuthConfig,
    *,
    target: str,
    config_path: str,
    environ: typing.Mapping[str, str] | None = None,
) -> Credentials:
    """The key id/secret from the variables ``auth`` (of ``target`` in ``config_path``) names;
    :class:`ConfigError`, naming where the variable was named, if one is unset."""
    env = os.environ if environ is None else environ
    values = []
    for field, var in (("keyIdEnv", auth.keyIdEnv), ("keySecretEnv", auth.keySecretEnv)):
        value = env.get(var, "")
        if not value:
            where = f"targets.{target}.auth.{field} in {config_path}"
            if not looks_like_env_name(var):
                raise ConfigError(
                    f"the environment variable named by {where} is not set (its name is "
                    "not shown: it is not in capitals, so it may be a pasted secret)"
                )
            raise ConfigError(f"environment variable {var} is not set (named by {where})")
        values.append(value)
    return Credentials(key_id=values[0], key_secret=SecretStr(values[1]))


_CONVENTIONAL_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


def looks_like_env_name(name: str) -> bool:
    """``SINCH_KEY_SECRET``, not ``xK3v9q…``: only such names are printed in messages, because
    a secret pasted into ``keySecretEnv`` is a valid (if odd) variable name too."""
    return _CONVENTIONAL_ENV_NAME.fullmatch(name) is not None
