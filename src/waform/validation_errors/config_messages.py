"""The wording of ``waform.yaml`` and plan-file errors: ``where: what`` with the dotted path.

Values from the file are never echoed: a secret pasted into the wrong key must not reach CI logs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from waform.validation_errors.model_walk import did_you_mean, field_names, model_at, type_at
from waform.validation_errors.model_walk import union_members as _union_members

#: Keys that look like a credential pasted into the file instead of named by a variable.
_CREDENTIAL_KEYS = frozenset({"keyid", "keysecret", "secret", "password", "token", "username"})


def config_message(
    err: Any, loc: tuple[Any, ...], path: tuple[Any, ...], model: type[BaseModel], *, key: bool
) -> str:
    """One error of a settings file; ``path`` is ``loc`` as written (``key``: a key's error)."""
    where = ".".join(str(p) for p in (path[:-1] if key else path))
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = model_at(model, loc[:-1])
        name = str(loc[-1])
        hint = did_you_mean(name, field_names(parent) if parent else ())
        if name.lower() in _CREDENTIAL_KEYS:
            hint += (
                "; credentials are read from environment variables named by keyIdEnv/keySecretEnv"
            )
        return (
            f"unknown key {name!r}"
            + (f" in {where.rsplit('.', 1)[0]}" if "." in where else "")
            + hint
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        msg = "required key is missing"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        msg = f"type must be one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        tags = [tags[0] for _member, tags in _union_members(type_at(model, loc)) if tags]
        msg = f"missing key 'type' (one of {', '.join(tags)})"
    if key:
        return f"{where}: key {str(loc[-1])!r}: {msg}"
    return f"{where}: {msg}" if where else msg


def plan_message(
    err: Any, loc: tuple[Any, ...], path: tuple[Any, ...], model: type[BaseModel], *, key: bool
) -> str:
    """One error of a saved plan (machine-written, so pydantic's own words are enough)."""
    where = ".".join(str(p) for p in loc)
    return f"invalid plan file: {where}: {err['msg']}"
