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
is one line, ``waform.yaml:line:col: message``, and never echoes a value from the file (a secret
pasted in the wrong place must not end up in CI logs).
"""

from __future__ import annotations

import difflib
import fnmatch
import ipaddress
import math
import os
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from waform.errors import ConfigError
from waform.model.enums import LANGUAGE_SET, normalize_language
from waform.yamlsafe import FileTooLarge, UnreadableFile, decode, read_bounded, read_yaml

CONFIG_FILENAME = "waform.yaml"
DEFAULT_BASE_URL = "https://provisioning.api.sinch.com"
DEFAULT_TOKEN_URL = "https://auth.sinch.com/oauth2/token"
DEFAULT_STATE = ".waform/emulator.sqlite3"
#: A config file is a few hundred bytes; anything this large is a mistake (or an attack).
MAX_CONFIG_BYTES = 1 << 20

RuleSetting = Literal["off", "warning", "error"]
HttpUrl = Annotated[str, Field(pattern=r"^https?://", max_length=2048)]
_KEY_ID_ENV = "Name of the environment variable holding the access key id."
_KEY_SECRET_ENV = (
    "Name of the environment variable holding the key secret (never put the secret in this file)."
)


def _known_rule(rule_id: str) -> str:
    """Refuse a rule id the registry does not have, at its key (a typo must not pass)."""
    from waform.rules.registry import RULES  # the registry imports nothing of waform

    if rule_id not in RULES:
        close = difflib.get_close_matches(rule_id, RULES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown rule{hint} (`waform rules` lists the ids)")
    return rule_id


RuleId = Annotated[str, Field(pattern=r"^WA-[A-Z]+[0-9]+$"), AfterValidator(_known_rule)]
EnvName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        max_length=128,
        description="Name of an environment variable (its value is never stored in the file).",
    ),
]
TargetName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Glob = Annotated[str, Field(min_length=1, max_length=512)]
FIELD_PATH_PATTERN = (
    r"^[A-Za-z][A-Za-z0-9]*(\[(\*|[0-9]+)\])*(\.[A-Za-z][A-Za-z0-9]*(\[(\*|[0-9]+)\])*)*$"
)


class _Strict(BaseModel):
    """Strict, closed models: a misspelt key is an error with a "did you mean" hint."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ------------------------------------------------------------------------------------ auth


class BasicAuthConfig(_Strict):
    """HTTP Basic with a project access key. Sinch rate-limits Basic heavily: prefer oauth2."""

    type: Literal["basic"]
    keyIdEnv: EnvName = Field("SINCH_KEY_ID", description=_KEY_ID_ENV)
    keySecretEnv: EnvName = Field("SINCH_KEY_SECRET", description=_KEY_SECRET_ENV)


class OAuth2AuthConfig(_Strict):
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


# --------------------------------------------------------------------------------- targets


class LocalTargetConfig(_Strict):
    """The embedded emulator; its state lives in a file (relative to waform.yaml's directory)."""

    type: Literal["local"]
    state: Annotated[str, Field(min_length=1)] = Field(
        DEFAULT_STATE,
        description="Emulator state file (SQLite), relative to the directory of waform.yaml.",
    )
    projectId: Annotated[str, Field(min_length=1, max_length=128)] = Field(
        "local", description="Project id used inside the emulator."
    )


class SinchTargetConfig(_Strict):
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


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(value: str) -> str:
    """Refuse plain HTTP except to loopback: credentials must never cross a network in clear."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise ValueError("must not contain credentials (use keyIdEnv / keySecretEnv)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"must use https (plain http is only allowed to loopback, not {parts.hostname})"
        )
    return value


# ------------------------------------------------------------------- scope, ignore, safety


class Scope(_Strict):
    """Which remote template names waform manages (``fnmatch`` globs, case-sensitive)."""

    include: list[Glob] = Field(
        default_factory=lambda: ["*"],
        description='Name globs waform manages, e.g. ["shop_*", "otp_login"].',
    )
    exclude: list[Glob] = Field(
        default_factory=list, description="Name globs removed from include."
    )

    def manages(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, g) for g in self.include) and not any(
            fnmatch.fnmatchcase(name, g) for g in self.exclude
        )

    def name_prefix(self) -> str | None:
        """The literal prefix every managed name starts with, if the scope is one ``prefix*``.

        The fetcher passes it as ``templateName`` (a prefix filter) to list fewer templates.
        """
        if len(self.include) != 1:
            return None
        glob = self.include[0]
        head = re.split(r"[*?\[]", glob, maxsplit=1)[0]
        if head and glob == head + "*":
            return head
        return None


class Ignore(_Strict):
    """Like Terraform's ``ignore_changes``: what waform neither changes nor reports as drift."""

    names: list[Glob] = Field(
        default_factory=list, description="Template name globs to leave alone."
    )
    languages: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z]{2})?$")]] = Field(
        default_factory=list, description="Language codes to leave alone (EN_US or en_US)."
    )
    fields: list[Annotated[str, Field(pattern=FIELD_PATH_PATTERN)]] = Field(
        default_factory=list,
        description='Paths inside `details` whose differences are ignored, e.g. "components[*].example".',
    )

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        out = []
        for code in value:
            norm = normalize_language(code)
            if norm not in LANGUAGE_SET:
                raise ValueError(
                    f"unknown language code {code!r} (Sinch codes look like EN_US, DE)"
                )
            out.append(norm)
        return out

    def ignores(self, name: str, language: str | None = None) -> bool:
        """True if (name, language) is left alone entirely."""
        if any(fnmatch.fnmatchcase(name, g) for g in self.names):
            return True
        return language is not None and normalize_language(language) in self.languages

    def field_paths(self) -> list[tuple[str | int, ...]]:
        """``"components[*].example"`` → ``("components", "*", "example")``."""
        return [parse_field_path(p) for p in self.fields]

    def strip(self, details: Any) -> Any:
        """A copy of ``details`` without the ignored fields (apply to both sides before diffing)."""
        for path in self.field_paths():
            details = _strip_path(details, path)
        return details


def parse_field_path(path: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for segment in path.split("."):
        name, *indexes = segment.replace("]", "").split("[")
        parts.append(name)
        parts.extend("*" if i == "*" else int(i) for i in indexes)
    return tuple(parts)


def _strip_path(value: Any, path: tuple[str | int, ...]) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and isinstance(head, str) and head in value:
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _strip_path(value[head], rest)}
    if isinstance(value, list) and (head == "*" or isinstance(head, int)):
        return [
            (_strip_path(item, rest) if head == "*" or i == head else item)
            for i, item in enumerate(value)
            if rest or not (head == "*" or i == head)
        ]
    return value


class Safety(_Strict):
    """octoDNS-style brakes: refuse a plan that changes too much of a large managed set."""

    maxDeletePercent: Annotated[float, Field(ge=0, le=100)] = Field(
        30.0, description="Refuse plans deleting more than this % of the managed templates."
    )
    maxUpdatePercent: Annotated[float, Field(ge=0, le=100)] = Field(
        30.0, description="Refuse plans updating more than this % of the managed templates."
    )
    minManaged: Annotated[int, Field(ge=0)] = Field(
        10, description="Thresholds apply only when at least this many templates are managed."
    )

    @field_validator("maxDeletePercent", "maxUpdatePercent", mode="before")
    @classmethod
    def _int_percent(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def violations(self, *, managed: int, updates: int, deletes: int) -> list[str]:
        """Why a plan is refused (empty when it is within the thresholds); ``--force`` overrides."""
        if managed < self.minManaged or managed == 0:
            return []
        out = []
        for verb, count, limit in (
            ("updates", updates, self.maxUpdatePercent),
            ("deletes", deletes, self.maxDeletePercent),
        ):
            percent = 100.0 * count / managed
            if percent > limit:
                out.append(
                    f"plan {verb} {count} of {managed} managed templates "
                    f"({math.floor(percent * 10) / 10:g} % > {limit:g} %)"
                )
        return out


# ---------------------------------------------------------------------------- the file


class Config(_Strict):
    """The whole of ``waform.yaml``. ``root`` is the directory relative paths start from."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="waform.yaml",
        json_schema_extra={
            "description": "waform configuration: targets, scope, safety thresholds and rules.",
        },
    )

    targets: Annotated[dict[TargetName, TargetConfig], Field(min_length=1)] = Field(
        default_factory=lambda: {"local": LocalTargetConfig(type="local")},
        description="Where templates are reconciled to, by name (--target NAME picks one).",
    )
    defaultTarget: TargetName | None = Field(
        None, description="Target used without --target (default: the only target)."
    )
    scope: Scope = Field(
        default_factory=Scope, description="Which remote templates waform manages."
    )
    prune: bool = Field(False, description="Delete managed remote templates that are not in git.")
    ignore: Ignore = Field(
        default_factory=Ignore, description="Templates, languages and fields left alone."
    )
    safety: Safety = Field(
        default_factory=Safety, description="Thresholds that stop large plans without --force."
    )
    rules: dict[RuleId, RuleSetting] = Field(
        default_factory=dict, description="Rule id (e.g. WA-V9) → off | warning | error."
    )

    _root: Path = PrivateAttr(default_factory=Path.cwd)
    _path: Path | None = PrivateAttr(default=None)

    @field_validator("defaultTarget")
    @classmethod
    def _default_target_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        targets = info.data.get("targets")
        if value is not None and targets is not None and value not in targets:
            raise ValueError(
                f"{value!r} is not one of the targets ({', '.join(sorted(targets))})"
                f"{_did_you_mean(value, targets)}"
            )
        return value

    @property
    def root(self) -> Path:
        return self._root

    @property
    def path(self) -> Path | None:
        """The file this came from (``None`` for the built-in default)."""
        return self._path

    @property
    def display_path(self) -> str:
        return _display(self._path) if self._path else CONFIG_FILENAME

    def target(self, name: str | None = None) -> Target:
        """The target ``--target NAME`` picks (``None``: the default target), resolved."""
        if name is None:
            name = self.defaultTarget
            if name is None:
                if len(self.targets) != 1:
                    raise ConfigError(
                        f"{self.display_path}: several targets ({', '.join(sorted(self.targets))}) "
                        "and no defaultTarget; pass --target NAME"
                    )
                name = next(iter(self.targets))
        spec = self.targets.get(name)
        if spec is None:
            raise ConfigError(
                f"unknown target {name!r}{_did_you_mean(name, self.targets)}; "
                f"{self.display_path} defines: {', '.join(sorted(self.targets))}"
            )
        if isinstance(spec, LocalTargetConfig):
            state = Path(os.path.expanduser(spec.state))
            return LocalTarget(
                name=name,
                state_path=state if state.is_absolute() else self._root / state,
                project_id=spec.projectId,
            )
        return SinchTarget(
            name=name,
            project_id=spec.projectId,
            base_url=spec.baseUrl,
            auth=spec.auth,
            timeout=spec.timeout,
            config_path=self.display_path,
        )

    def manages(self, name: str, language: str | None = None) -> bool:
        """In scope and not ignored: the templates waform may create, change or delete."""
        return self.scope.manages(name) and not self.ignore.ignores(name, language)


# ---------------------------------------------------------------- resolved targets


@dataclass(frozen=True, slots=True)
class LocalTarget:
    """The embedded emulator (no network, no credentials)."""

    name: str
    state_path: Path
    project_id: str = "local"
    kind: Literal["local"] = "local"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A key id and secret read from the environment; ``repr`` never shows the secret."""

    key_id: str
    key_secret: SecretStr

    def __repr__(self) -> str:
        return f"Credentials(key_id={self.key_id!r}, key_secret='**********')"


@dataclass(frozen=True, slots=True)
class SinchTarget:
    """A Sinch project. Credentials are read from the environment only when needed."""

    name: str
    project_id: str
    base_url: str = DEFAULT_BASE_URL
    auth: BasicAuthConfig | OAuth2AuthConfig = OAuth2AuthConfig(type="oauth2")
    timeout: float = 30.0
    config_path: str = CONFIG_FILENAME
    kind: Literal["sinch"] = "sinch"

    def credentials(self, environ: typing.Mapping[str, str] | None = None) -> Credentials:
        """Read the key id/secret from the variables the config names (ConfigError if unset)."""
        env = os.environ if environ is None else environ
        values = []
        for field, var in (
            ("keyIdEnv", self.auth.keyIdEnv),
            ("keySecretEnv", self.auth.keySecretEnv),
        ):
            value = env.get(var, "")
            if not value:
                where = f"targets.{self.name}.auth.{field} in {self.config_path}"
                if not looks_like_env_name(var):
                    raise ConfigError(
                        f"the environment variable named by {where} is not set (its name is "
                        "not shown: it is not in capitals, so it may be a pasted secret)"
                    )
                raise ConfigError(f"environment variable {var} is not set (named by {where})")
            values.append(value)
        return Credentials(key_id=values[0], key_secret=SecretStr(values[1]))


Target = LocalTarget | SinchTarget

_CONVENTIONAL_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


def looks_like_env_name(name: str) -> bool:
    """``SINCH_KEY_SECRET``, not ``xK3v9q…``: only such names are printed in messages, because
    a secret pasted into ``keySecretEnv`` is a valid (if odd) variable name too."""
    return _CONVENTIONAL_ENV_NAME.fullmatch(name) is not None


# ------------------------------------------------------------------------------- loading


def find_config(start: Path) -> Path | None:
    """The nearest ``waform.yaml`` in ``start`` (a file's directory) or any parent."""
    here = _resolve(Path(start))
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | str | None = None, start: Path | str = ".") -> Config:
    """``--config FILE`` if given, else the nearest ``waform.yaml`` above ``start``, else defaults.

    Defaults are one ``local`` target whose state is under the current directory.
    """
    if explicit is not None:
        path = Path(explicit)
        if not os.path.lexists(path):
            raise ConfigError(f"{_display(path)}: config file not found")
    else:
        found = find_config(Path(start))
        if found is None:
            config = Config()
            config._root = Path.cwd()
            return config
        path = found
    return parse_config(_read(path), path)


def _read(path: Path) -> str:
    """The file's text: a regular file of at most 1 MiB, UTF-8 (a BOM is fine)."""
    shown = _display(path)
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except FileTooLarge:
        raise ConfigError(f"{shown}: file is larger than {MAX_CONFIG_BYTES} bytes") from None
    except UnreadableFile as exc:
        raise ConfigError(f"{shown}: {exc}") from None
    text, bad = decode(raw)
    if bad is not None:
        raise ConfigError(f"{shown}:{bad.line}:{bad.column}: {bad.message}")
    return text  # type: ignore[return-value]


def parse_config(text: str, path: Path) -> Config:
    """Validate ``text`` (the content of ``path``) into a :class:`Config`; one-line errors.

    Read by :mod:`waform.yamlsafe`, like template files: libyaml, no tags beyond plain YAML,
    duplicate keys, alias bombs and deep nesting refused, scalar values kept out of messages.
    """
    shown = _display(path)
    doc = read_yaml(text, subject="waform.yaml is", echo=False)
    if doc.problems:
        first = min(doc.problems, key=lambda p: (p.line, p.column))
        more = len(doc.problems) - 1
        raise ConfigError(
            f"{shown}:{first.line}:{first.column}: {first.message}"
            + (f" (and {more} more)" if more else "")
        )
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}:1:1: expected a mapping of settings at the top level")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, doc.root, shown)) from None
    config._root = _resolve(path).parent
    config._path = path
    return config


def _resolve(path: Path) -> Path:
    """Absolute, symbolic links resolved; never raises (a link loop stays as it is)."""
    return Path(os.path.realpath(path))


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (links not followed,
    so a looping or redirected link is shown by the name it was given)."""
    cwd = Path.cwd()
    for absolute in (Path(os.path.abspath(path)), _resolve(path)):
        try:
            return str(absolute.relative_to(cwd))
        except ValueError:
            continue
    return str(path)


# ---------------------------------------------------------------- error positions


def _first_error(exc: ValidationError, root: Node | None, shown: str) -> str:
    """The earliest error in the file as ``file:line:col: message`` (+ how many more)."""
    located = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        key_error = loc[-1:] == ("[key]",)
        if key_error:
            loc = loc[:-1]
        node = _locate(root, loc, key=key_error or err["type"] == "extra_forbidden")
        mark = node.start_mark if node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        located.append((line, col, _message(err, loc, key_error=key_error)))
    located.sort()
    line, col, message = located[0]
    more = f" (and {len(located) - 1} more)" if len(located) > 1 else ""
    return f"{shown}:{line}:{col}: {message}{more}"


def _locate(root: Node | None, loc: tuple[Any, ...], *, key: bool) -> Node | None:
    """The node at a pydantic ``loc``; parts that are not in the document (union tags) are skipped."""
    node = root
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == str(part):
                    node = k if (last and key) else v
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
    return node


def _message(err: Any, loc: tuple[Any, ...], *, key_error: bool = False) -> str:
    where = ".".join(str(p) for p in _document_loc(loc[:-1] if key_error else loc))
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        name = str(loc[-1])
        hint = _did_you_mean(name, parent.model_fields if parent else ())
        if name.lower() in ("keyid", "keysecret", "secret", "password", "token", "username"):
            hint += (
                "; credentials are read from environment variables named by keyIdEnv/keySecretEnv"
            )
        return (
            f"unknown key {name!r}"
            + (f" in {where.rsplit('.', 1)[0]}" if "." in where else "")
            + hint
        )
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "missing":
        msg = "required key is missing"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        msg = f"type must be one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        model: Any = Config
        for part in loc:
            step = _step(model, part)
            model = _tag_member(model, part) if step is _TAG else step
        tags = [
            typing.get_args(m.model_fields["type"].annotation)[0] for m in _union_members(model)
        ]
        msg = f"missing key 'type' (one of {', '.join(tags)})"
    if key_error:
        return f"{where}: key {str(loc[-1])!r}: {msg}"
    return f"{where}: {msg}" if where else msg


def _document_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop union tags (``sinch``, ``oauth2``…) that pydantic inserts into locs."""
    out: list[Any] = []
    model: Any = Config
    for part in loc:
        step = _step(model, part)
        if step is _TAG:
            model = _tag_member(model, part)
            continue
        out.append(part)
        model = step
    return tuple(out)


_TAG = object()


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> tuple[Any, ...]:
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(_unwrap(a) for a in typing.get_args(tp) if a is not type(None))
    return ()


def _tag_member(tp: Any, tag: Any) -> Any:
    for member in _union_members(tp):
        field = getattr(member, "model_fields", {}).get("type")
        if field is not None and tag in typing.get_args(field.annotation):
            return member
    return None


def _step(tp: Any, part: Any) -> Any:
    """Type reached from ``tp`` through loc ``part`` (``_TAG`` when ``part`` is a union tag)."""
    tp = _unwrap(tp)
    if tp is None:
        return None
    if _union_members(tp):
        return _TAG if _tag_member(tp, part) is not None else None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field is not None else None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: Any = Config
    for part in loc:
        step = _step(model, part)
        model = _tag_member(model, part) if step is _TAG else step
    model = _unwrap(model)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = word.lower()
        close = [c for c in options if c.lower() == lowered] or [
            c for c in options if c.lower().startswith(lowered) and len(lowered) >= 3
        ]
        close = close if len(close) == 1 else []
    return f" (did you mean {close[0]!r}?)" if close else ""
