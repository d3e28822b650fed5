"""What every part of the ``waform.yaml`` models shares: strictness, field types, path display."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CONFIG_FILENAME = "waform.yaml"
DEFAULT_BASE_URL = "https://provisioning.api.sinch.com"
DEFAULT_TOKEN_URL = "https://auth.sinch.com/oauth2/token"
DEFAULT_STATE = ".waform/emulator.sqlite3"

HttpUrl = Annotated[str, Field(pattern=r"^https?://", max_length=2048)]
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


class StrictModel(BaseModel):
    """Strict, closed models: a misspelt key is an error with a "did you mean" hint."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def resolve(path: Path) -> Path:
    """Absolute, symbolic links resolved; never raises (a link loop stays as it is)."""
    return Path(os.path.realpath(path))


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (links not followed,
    so a looping or redirected link is shown by the name it was given)."""
    cwd = Path.cwd()
    for absolute in (Path(os.path.abspath(path)), resolve(path)):
        try:
            return str(absolute.relative_to(cwd))
        except ValueError:
            continue
    return str(path)
