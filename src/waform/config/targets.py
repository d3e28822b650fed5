"""Targets: how ``waform.yaml`` describes one (``*TargetConfig``) and the resolved form
(:class:`LocalTarget`, :class:`SinchTarget`) that clients are opened for."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from waform.config.base import (
    CONFIG_FILENAME,
    DEFAULT_BASE_URL,
    DEFAULT_STATE,
    HttpUrl,
    StrictModel,
)
from waform.config.credentials import (
    AuthConfig,
    BasicAuthConfig,
    Credentials,
    OAuth2AuthConfig,
    read_credentials,
)
from waform.config.urls import check_url


class LocalTargetConfig(StrictModel):
    """The embedded emulator; its state lives in a file (relative to waform.yaml's directory)."""

    type: Literal["local"]
    state: Annotated[str, Field(min_length=1)] = Field(
        DEFAULT_STATE,
        description="Emulator state file (SQLite), relative to the directory of waform.yaml.",
    )
    projectId: Annotated[str, Field(min_length=1, max_length=128)] = Field(
        "local", description="Project id used inside the emulator."
    )


class SinchTargetConfig(StrictModel):
    """A real Sinch project reached over HTTPS."""

    type: Literal["sinch"]
    projectId: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")] = (
        Field(description="The Sinch project id (Sinch Build Dashboard).")
    )
    baseUrl: HttpUrl = Field(
        DEFAULT_BASE_URL,
        description="Provisioning API base URL; https (plain http only to loopback hosts).",
    )
    auth: AuthConfig = Field(
        default_factory=lambda: OAuth2AuthConfig(type="oauth2"),
        description="How to authenticate: oauth2 (recommended) or basic.",
    )
    timeout: Annotated[float, Field(gt=0, le=600)] = Field(
        30.0, description="Seconds to wait for a connection / a response."
    )

    @field_validator("baseUrl")
    @classmethod
    def _base_url_is_safe(cls, value: str) -> str:
        return check_url(value).rstrip("/")

    @field_validator("timeout", mode="before")
    @classmethod
    def _int_timeout(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


TargetConfig = Annotated[LocalTargetConfig | SinchTargetConfig, Field(discriminator="type")]


@dataclass(frozen=True, slots=True)
class LocalTarget:
    """The embedded emulator (no network, no credentials)."""

    name: str
    state_path: Path
    project_id: str = "local"
    kind: Literal["local"] = "local"

    @property
    def address(self) -> str:
        """What the target is, recorded in saved plans: the project of the embedded emulator
        (not its state file, whose path differs between machines)."""
        return f"local/{self.project_id}"


@dataclass(frozen=True, slots=True)
class SinchTarget:
    """A Sinch project. Credentials are read from the environment only when needed."""

    name: str
    project_id: str
    base_url: str = DEFAULT_BASE_URL
    auth: BasicAuthConfig | OAuth2AuthConfig = OAuth2AuthConfig(type="oauth2")
    timeout: float = 30.0
    config_path: str = CONFIG_FILENAME
    #: ``(field, "file:line:col")`` of the URLs in the file, so refusals point at them.
    places: tuple[tuple[str, str], ...] = ()
    kind: Literal["sinch"] = "sinch"

    @property
    def address(self) -> str:
        """What the target is, recorded in saved plans: the API and project it reaches."""
        return f"{self.base_url}/v1/projects/{self.project_id}"

    def where(self, field: str) -> str:
        """Where ``field`` (``baseUrl``, ``auth.tokenUrl``) is written: ``file:line:col``."""
        return dict(self.places).get(field, self.config_path)

    def credentials(self, environ: typing.Mapping[str, str] | None = None) -> Credentials:
        """Read the key id/secret from the variables the config names (ConfigError if unset)."""
        return read_credentials(
            self.auth, target=self.name, config_path=self.config_path, environ=environ
        )


Target = LocalTarget | SinchTarget
