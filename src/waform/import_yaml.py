"""How ``waform import`` writes a template file: YAML a person would write, that means exactly
what was read.

Block style everywhere, literal blocks for multi-line text, quotes only where a YAML 1.1 reader
would take a word for a boolean or null; a ``$schema`` header for editors. Each text is read back
and compared before it is returned.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from waform.errors import WaformError
from waform.model.template import TemplateFile

#: Where a repository keeps the JSON Schema of template files (``waform schema`` writes it).
SCHEMA_RELPATH = Path("schemas") / "template.schema.json"
SCHEMA_HEADER = "# yaml-language-server: $schema="

#: Plain scalars that YAML 1.1 readers (PyYAML, many editors) take for booleans or null.
_YAML11_SPECIAL = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|)$"
)
#: Characters a literal block scalar cannot carry faithfully (line breaks other than ``\n``).
_NOT_LITERAL_SAFE = re.compile(r"[\r\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value: Any) -> Any:
    """Wrap strings so the dump is unambiguous and readable (block style everywhere)."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(_plain(item) for item in value)
        return seq
    if isinstance(value, str):
        if "\n" in value and not _NOT_LITERAL_SAFE.search(value):
            return LiteralScalarString(value)
        if _YAML11_SPECIAL.match(value):
            return SingleQuotedScalarString(value)
    return value


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per scalar: readable diffs, no folding surprises
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    return yaml


def dump_document(document: dict[str, Any], schema_ref: str | None) -> str:
    """YAML text of one template file: schema header, block style, literal multi-line text.

    The text is read back and compared with ``document`` before it is returned, so a quirk of the
    emitter can never turn into a file that means something else.
    """
    buffer = io.StringIO()
    if schema_ref:
        buffer.write(f"{SCHEMA_HEADER}{schema_ref}\n")
    _yaml().dump(_plain(document), buffer)
    text = buffer.getvalue()
    reread = YAML(typ="safe", pure=True).load(text)
    if reread != document:
        raise WaformError(
            f"internal error: YAML for template {document.get('name')!r} re-reads differently"
        )
    TemplateFile.model_validate(reread)
    return text


def schema_reference(
    directory: Path, explicit: str | None = None, root: Path | None = None
) -> str | None:
    """What the ``$schema=`` header points at, relative to ``directory``.

    An explicit value (path or URL) wins; otherwise the nearest ``schemas/template.schema.json``
    found walking up from ``directory``; otherwise where ``waform schema`` would write it in
    ``root`` (the repository: the directory of waform.yaml); ``None`` without a root.
    """
    if explicit:
        return explicit
    start = directory.resolve()
    for parent in (start, *start.parents):
        candidate = parent / SCHEMA_RELPATH
        if candidate.is_file():
            return Path(os.path.relpath(candidate, start)).as_posix()
    if root is not None:
        return Path(os.path.relpath(root.resolve() / SCHEMA_RELPATH, start)).as_posix()
    return None
