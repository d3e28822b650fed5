"""Pydantic's validation errors as one-line messages at ``file:line:col`` — the one place.

Templates, ``waform.yaml`` and saved plans are all validated by pydantic models, whose errors
name a ``loc`` (``targets.prod.sinch.auth.oauth2.tokenURL``) rather than a place. Here each
error becomes a *document path* (union tags dropped, language codes spelt as in the file,
:mod:`.document`), a node of the composed YAML/JSON (:mod:`.nodes`) and so a ``line:col``, and a
message in the words of its file kind (:mod:`.template_messages`, :mod:`.config_messages`).
The type walking behind it (which model a ``loc`` reaches, "did you mean") is
:mod:`.model_walk`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from waform.validation_errors.config_messages import config_message, plan_message
from waform.validation_errors.document import SchemaProblem, document_path
from waform.validation_errors.model_walk import closest, did_you_mean, union_tags
from waform.validation_errors.nodes import NodeFinder, find_node
from waform.validation_errors.template_messages import explain
from waform.yamlsafe import Node

Wording = Callable[..., str]

__all__ = [
    "SchemaProblem",
    "NodeFinder",
    "closest",
    "config_message",
    "did_you_mean",
    "document_path",
    "explain",
    "find_node",
    "first_error",
    "place",
    "plan_message",
]


def place(finder: NodeFinder, problem: SchemaProblem) -> tuple[int, int]:
    """``(line, column)`` of a template problem: its value, its key, or the mapping lacking it."""
    if problem.target == "parent":
        return finder.position(problem.path[:-1])
    return finder.position(problem.path, key=problem.target == "key")


def first_error(
    exc: ValidationError,
    *,
    model: type[BaseModel],
    data: Any,
    root: Node | None,
    shown: str | None,
    wording: Wording = config_message,
) -> str:
    """The earliest error in the file as ``shown:line:col: message`` (+ how many more).

    For files with one-line errors (``waform.yaml``, plans): the first problem is enough to act
    on, and the count says whether more follow. ``shown`` is the file's name (``None``: no name,
    ``line:col: message``).
    """
    tags = union_tags(model)
    finder = NodeFinder(root, tags) if root is not None else None
    located = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        key_error = loc[-1:] == ("[key]",)
        if key_error:
            loc = loc[:-1]
        path = document_path(data, loc, tags)
        on_key = key_error or err["type"] == "extra_forbidden"
        line, col = finder.position(path, key=on_key) if finder is not None else (1, 1)
        located.append((line, col, wording(err, loc, path, model, key=key_error)))
    located.sort()
    line, col, message = located[0]
    more = f" (and {len(located) - 1} more)" if len(located) > 1 else ""
    where = f"{shown}:{line}:{col}" if shown else f"{line}:{col}"
    return f"{where}: {message}{more}"
