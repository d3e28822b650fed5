"""Finding and reading ``waform.yaml``: like git finds ``.git``, unless ``--config`` names it."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from waform.config.base import CONFIG_FILENAME, display, resolve
from waform.config.model import Config
from waform.errors import ConfigError
from waform.validation_errors import first_error
from waform.yamlsafe import FileTooLarge, UnreadableFile, decode, read_bounded, read_yaml

#: A config file is a few hundred bytes; anything this large is a mistake (or an attack).
MAX_CONFIG_BYTES = 1 << 20


def find_config(start: Path) -> Path | None:
    """The nearest ``waform.yaml`` in ``start`` (a file's directory) or any parent."""
    here = resolve(Path(start))
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
            raise ConfigError(f"{display(path)}: config file not found")
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
    shown = display(path)
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
    shown = display(path)
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
        raise ConfigError(
            first_error(exc, model=Config, data=data, root=doc.root, shown=shown)
        ) from None
    config._root = resolve(path).parent
    config._path = path
    config._source = doc.root
    return config
