"""How an emulator instance is configured: state file, credentials, review timing, strictness.

Everything has a default that makes the emulator usable with no configuration at all (the
embedded target of ``plan``/``apply``). :meth:`EmulatorSettings.from_env` reads the
``WAFORM_EMULATOR_*`` variables so ``waform emulator serve`` can be configured without flags
(handy in CI containers); flags override the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: Credentials the embedded emulator accepts unless told otherwise (Basic or OAuth2 client).
DEFAULT_KEY_ID = "local"
DEFAULT_KEY_SECRET = "local"
#: Where the embedded default target keeps its state, relative to the working directory.
DEFAULT_STATE_PATH = Path(".waform") / "emulator.sqlite3"
#: Seconds between a submission and Meta's (emulated) verdict.
DEFAULT_REVIEW_DELAY = 2.0
#: Lifetime of OAuth2 access tokens, as Sinch's token endpoint reports it.
DEFAULT_TOKEN_TTL = 3600

MEMORY = ":memory:"


@dataclass(frozen=True)
class EmulatorSettings:
    """Configuration of one emulator app. Immutable; derive variants with :meth:`with_`.

    ``auth=False`` turns authentication off entirely (any or no credentials accepted); the
    default requires ``key_id``/``key_secret`` via HTTP Basic or a Bearer token issued by
    ``POST /oauth2/token``. ``strict_projects`` answers unknown project ids with
    ``project_not_initialized`` (projects listed in ``projects`` or created through the control
    API are known); by default any project id is usable.
    """

    state_path: str | Path = MEMORY
    key_id: str = DEFAULT_KEY_ID
    key_secret: str = DEFAULT_KEY_SECRET
    auth: bool = True
    token_ttl: int = DEFAULT_TOKEN_TTL
    review_delay: float = DEFAULT_REVIEW_DELAY
    strict_projects: bool = False
    projects: tuple[str, ...] = ()
    #: Start the background loops (webhook delivery, review ticker). The served emulator does;
    #: the in-process transport starts delivery lazily instead.
    background: bool = True
    #: Webhook delivery: attempts per event and the first retry delay (doubles each time).
    webhook_attempts: int = 5
    webhook_retry_delay: float = 0.5
    webhook_timeout: float = 5.0
    #: Keep at most this many request-log rows (oldest are pruned).
    request_log_limit: int = 20_000
    #: Template limit per project (Meta's per-WABA cap); beyond → 424 template_limit_reached.
    template_limit: int = 6000
    #: httpx transport used for webhook deliveries (tests may inject one); None = real HTTP.
    webhook_transport: Any = field(default=None, compare=False, repr=False)

    def with_(self, **changes: object) -> EmulatorSettings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def in_memory(self) -> bool:
        return str(self.state_path) == MEMORY

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: object
    ) -> EmulatorSettings:
        """Settings from ``WAFORM_EMULATOR_*`` variables, then ``overrides`` (non-None wins).

        ``WAFORM_EMULATOR_STATE``, ``_KEY_ID``, ``_KEY_SECRET``, ``_AUTH`` (``0`` disables),
        ``_REVIEW_DELAY`` (seconds), ``_TOKEN_TTL``, ``_STRICT_PROJECTS`` (``1``), ``_PROJECTS``
        (comma list).
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if "WAFORM_EMULATOR_STATE" in env:
            values["state_path"] = env["WAFORM_EMULATOR_STATE"]
        if "WAFORM_EMULATOR_KEY_ID" in env:
            values["key_id"] = env["WAFORM_EMULATOR_KEY_ID"]
        if "WAFORM_EMULATOR_KEY_SECRET" in env:
            values["key_secret"] = env["WAFORM_EMULATOR_KEY_SECRET"]
        if "WAFORM_EMULATOR_AUTH" in env:
            values["auth"] = _truthy(env["WAFORM_EMULATOR_AUTH"])
        if "WAFORM_EMULATOR_REVIEW_DELAY" in env:
            values["review_delay"] = float(env["WAFORM_EMULATOR_REVIEW_DELAY"])
        if "WAFORM_EMULATOR_TOKEN_TTL" in env:
            values["token_ttl"] = int(env["WAFORM_EMULATOR_TOKEN_TTL"])
        if "WAFORM_EMULATOR_STRICT_PROJECTS" in env:
            values["strict_projects"] = _truthy(env["WAFORM_EMULATOR_STRICT_PROJECTS"])
        if env.get("WAFORM_EMULATOR_PROJECTS"):
            values["projects"] = tuple(
                p.strip() for p in env["WAFORM_EMULATOR_PROJECTS"].split(",") if p.strip()
            )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")
