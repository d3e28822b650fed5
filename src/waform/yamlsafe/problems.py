"""What reading YAML can go wrong with, placed at 1-based ``line:col``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from waform.yamlsafe.tags import CORE


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """One problem in a YAML text; ``line`` and ``column`` are 1-based."""

    line: int
    column: int
    message: str
    code: str


@dataclass
class YamlDocument:
    """What :func:`read_yaml` made of a text.

    ``data`` is ``None`` when a fatal problem (syntax, encoding, depth, alias bomb) made the
    content unusable; otherwise it is the document's value, even if ``problems`` lists
    non-fatal ones (duplicate keys keep their first value, unsafe tags are read untagged).
    ``root`` is the composed node graph, for locating values while it is still in hand.
    """

    data: Any = None
    problems: list[YamlProblem] = field(default_factory=list)
    root: Node | None = None
    fatal: bool = False


class FatalProblem(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def position(mark: Any) -> tuple[int, int]:
    """1-based ``(line, column)`` of a libyaml mark."""
    return (mark.line + 1, mark.column + 1)


def problem_at(mark: Any, message: str, code: str) -> YamlProblem:
    line, column = position(mark)
    return YamlProblem(line, column, message, code)


def show_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` → ``!!python/object`` (as the author wrote it)."""
    return "!!" + tag[len(CORE) :] if tag.startswith(CORE) else tag
