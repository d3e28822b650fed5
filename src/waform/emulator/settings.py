"""How an emulator instance is configured: state file, credentials, review timing, strictness.

Everything has a default that makes the emulator usable with no configuration at all (the
embedded target of ``plan``/``apply``). :meth:`EmulatorSettings.from_env` reads the
``WAFORM_EMULATOR_*`` variables so ``waform emulator serve`` can be configured without flags
(handy in CI containers); flags override the environment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from waform.errors import WaformError

T = TypeVar("T")

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
#: Header carrying ``control_token`` on control-API requests from other hosts than loopback.
CONTROL_TOKEN_HEADER = "x-emulator-control-token"


class EmulatorSetupError(WaformError, ValueError):
    """A setting, ``WAFORM_EMULATOR_*`` variable or state file the emulator cannot start with.

    A :class:`~waform.errors.WaformError`, so every way of starting the emulator (``serve``,
    ``review``/``reset``, the embedded ``local`` target of ``plan``/``apply``) ends with one
    line naming the culprit instead of a traceback.
    """


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
    #: Echo content as sent instead of showing Meta's rewrites (:mod:`waform.emulator.meta`).
    literal: bool = False
    #: Token the control API (``/_emulator``) requires from clients that are not on loopback;
    #: without one such clients are refused. Loopback clients never need it.
    control_token: str | None = field(default=None, repr=False)
    #: httpx transport used for webhook deliveries (tests may inject one); None = real HTTP.
    webhook_transport: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            _seconds(self.review_delay)
        except ValueError as exc:
            raise EmulatorSetupError(f"review delay: {exc}") from None

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
        (comma list), ``_LITERAL`` (``1``: echo, no rewrites), ``_CONTROL_TOKEN``.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for suffix, attribute, parse in _VARIABLES:
            variable = f"WAFORM_EMULATOR_{suffix}"
            if variable in env:
                values[attribute] = _parse(variable, env[variable], parse)
        if env.get("WAFORM_EMULATOR_PROJECTS"):
            values["projects"] = tuple(
                p.strip() for p in env["WAFORM_EMULATOR_PROJECTS"].split(",") if p.strip()
            )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    # Anything else is a typo; reading it as "off" would silently disable authentication.
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def _seconds(value: str | float) -> float:
    seconds = float(value)
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"expected a number of seconds ≥ 0, not {value}")
    return seconds


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"expected a whole number > 0, not {value}")
    return number


def _parse(variable: str, raw: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(raw)
    except ValueError as exc:
        raise EmulatorSetupError(f"{variable}: {exc}") from None


#: ``WAFORM_EMULATOR_<suffix>`` → settings attribute, parser.
_VARIABLES: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("STATE", "state_path", str),
    ("KEY_ID", "key_id", str),
    ("KEY_SECRET", "key_secret", str),
    ("AUTH", "auth", _flag),
    ("REVIEW_DELAY", "review_delay", _seconds),
    ("TOKEN_TTL", "token_ttl", _positive_int),
    ("STRICT_PROJECTS", "strict_projects", _flag),
    ("LITERAL", "literal", _flag),
    ("CONTROL_TOKEN", "control_token", str),
)
