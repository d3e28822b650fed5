"""Nodes → plain Python values, collecting problems (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from waform.yamlsafe.problems import FatalProblem, YamlProblem, position, problem_at, show_tag
from waform.yamlsafe.tags import (
    BOOL,
    CONVERTERS,
    FLOAT,
    INT,
    MAP,
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    MERGE,
    NULL,
    SEQ,
    STR,
    TOO_DEEP,
    TooManyDigits,
    to_float,
    to_int,
)


class Builder:
    """Nodes → plain Python values, collecting problems (see the module docstring)."""

    __slots__ = ("problems", "memo", "active", "reused", "subject", "echo")

    def __init__(self, subject: str = "templates are", echo: bool = True) -> None:
        self.subject = subject
        self.echo = echo
        self.problems: list[YamlProblem] = []
        self.memo: dict[int, Any] = {}  # id(collection node) → its value (aliases share it)
        self.active: set[int] = set()  # collections being built (an alias to one is a cycle)
        self.reused: list[tuple[Node, Node]] = []  # (aliased node, where the alias is used)

    def value(self, node: Node, depth: int, where: Node) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return node.value if node.tag is STR else self.scalar(node)  # type: ignore[arg-type]
        key = id(node)
        if key in self.memo:
            if key in self.active:
                raise FatalProblem(
                    problem_at(where.start_mark, "an alias refers to its own parent", "alias-bomb")
                )
            self.reused.append((node, where))
            return self.memo[key]
        if depth >= MAX_DEPTH:
            raise FatalProblem(problem_at(node.start_mark, TOO_DEEP, "too-deep"))
        if node.tag is not (SEQ if cls is SequenceNode else MAP):
            self.check_tag(node, SEQ if cls is SequenceNode else MAP)
        self.active.add(key)
        if cls is SequenceNode:
            items: list[Any] = []
            self.memo[key] = items
            depth += 1
            for item in node.value:
                if item.__class__ is ScalarNode and item.tag is STR:
                    items.append(item.value)
                else:
                    items.append(self.value(item, depth, node))
            self.active.discard(key)
            return items
        mapping = self.mapping(node, depth + 1, key)
        self.active.discard(key)
        return mapping

    def mapping(self, node: Node, depth: int, key: int) -> dict[Any, Any]:
        """A mapping's entries (``depth``: of its values); duplicate keys are problems, merge
        keys (``<<``) are applied after the keys written in it."""
        mapping: dict[Any, Any] = {}
        self.memo[key] = mapping
        merges: list[Node] = []
        first_keys: dict[Any, ScalarNode] | None = None  # built on the first duplicate only
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problems.append(
                    problem_at(
                        key_node.start_mark,
                        "a mapping key must be a plain value, not a list or a mapping",
                        "yaml-syntax",
                    )
                )
                continue
            if key_node.tag is STR:
                name = key_node.value
            elif key_node.tag is MERGE:
                merges.append(value_node)
                continue
            else:
                name = self.scalar(key_node)
            if name in mapping:
                if first_keys is None:
                    first_keys = self.first_keys(node)
                self.duplicate(first_keys.get(key_node.value, key_node), key_node)
                continue
            if value_node.__class__ is ScalarNode and value_node.tag is STR:
                mapping[name] = value_node.value
            else:
                mapping[name] = self.value(value_node, depth, key_node)
        for merge in merges:
            self.merge(mapping, merge, depth)
        return mapping

    def merge(self, mapping: dict[Any, Any], node: Node, depth: int) -> None:
        """``<<: *base`` / ``<<: [*a, *b]``: keys written in the mapping win, then earlier merges."""
        sources = node.value if node.__class__ is SequenceNode else [node]
        for source in sources:
            if source.__class__ is not MappingNode:
                self.problems.append(
                    problem_at(
                        source.start_mark,
                        "a merge key (<<) takes a mapping or a list of mappings",
                        "yaml-syntax",
                    )
                )
                continue
            for name, value in self.value(source, depth, node).items():
                mapping.setdefault(name, value)

    @staticmethod
    def first_keys(mapping: Node) -> dict[Any, ScalarNode]:
        """Key text → its first key node: one pass, so 100,000 repeated keys stay linear."""
        first: dict[Any, ScalarNode] = {}
        for k, _ in mapping.value:
            if k.__class__ is ScalarNode:
                first.setdefault(k.value, k)
        return first

    def duplicate(self, first: ScalarNode, key_node: ScalarNode) -> None:
        line, column = position(first.start_mark)
        self.problems.append(
            problem_at(
                key_node.start_mark,
                f"duplicate key {key_node.value!r} (first defined at line {line}, column {column})",
                "duplicate-key",
            )
        )

    def check_tag(self, node: Node, expected: str) -> None:
        tag = node.tag
        if tag != expected and tag != "!":
            self.problems.append(self.unsafe_tag(node, tag))

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        text = node.value
        if tag is NULL:
            return None
        if tag is BOOL:
            return text.lower() == "true"
        if tag is MERGE:
            return text
        convert: Callable[[str], Any] | None
        if tag is INT:
            name, convert = INT, to_int
        elif tag is FLOAT:
            name, convert = FLOAT, to_float
        else:
            name = tag
            if name in (STR, "!"):
                return text
            convert = CONVERTERS.get(name)
            if convert is None:
                self.problems.append(self.unsafe_tag(node, name))
                return text
        try:
            return convert(text)
        except ValueError as exc:
            if isinstance(exc, TooManyDigits):
                message = f"a value of {len(text):,} characters is too long for a number"
            else:
                shown = repr(text) if len(text) <= 40 else repr(text[:36]) + "…"
                shown = shown if self.echo else "the value"
                message = f"{shown} is not a valid {show_tag(name)} value"
            self.problems.append(problem_at(node.start_mark, message, "yaml-syntax"))
            return text

    def unsafe_tag(self, node: Node, tag: str) -> YamlProblem:
        return problem_at(
            node.start_mark,
            f"tag {show_tag(tag)} is not allowed: {self.subject} plain YAML "
            "(strings, numbers, booleans, lists and mappings)",
            "unsafe-tag",
        )

    def check_expansion(self, root: Node) -> None:
        """Refuse the document if aliases expand it by more than :data:`MAX_ALIAS_EXPANSION`."""
        sizes: dict[int, int] = {}
        cap = MAX_ALIAS_EXPANSION * 1000  # sizes beyond this all mean "far too big"

        def size(node: Node) -> int:
            known = sizes.get(id(node))
            if known is not None:
                return known
            total = 1
            if node.__class__ is MappingNode:
                for k, v in node.value:
                    total += size(k) + size(v)
            elif node.__class__ is SequenceNode:
                for v in node.value:
                    total += size(v)
            total = min(total, cap)
            sizes[id(node)] = total
            return total

        expanded = size(root)
        written = _count_written(root)
        if expanded - written <= MAX_ALIAS_EXPANSION:
            return
        node, where = max(self.reused, key=lambda pair: sizes.get(id(pair[0]), 0))
        raise FatalProblem(
            problem_at(
                where.start_mark,
                f"aliases expand the document by more than {MAX_ALIAS_EXPANSION:,} nodes "
                "(an alias bomb?); refusing to read it",
                "alias-bomb",
            )
        )


def _count_written(root: Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.__class__ is MappingNode:
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif node.__class__ is SequenceNode:
            stack.extend(node.value)
    return len(seen)
