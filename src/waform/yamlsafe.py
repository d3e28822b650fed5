"""Safe, position-aware YAML reading: text → plain data, with every problem at ``line:col``.

Why not ``YAML(typ="safe").load``: it stops at the first problem, names only one side of a
duplicate key, forgets positions, and spends most of its time in Python tag resolution. Here
libyaml (``ruamel.yaml.clib``'s C parser and composer) builds the node graph with marks, and a
small builder turns nodes into dicts, lists and scalars while it

- resolves plain scalars by the YAML 1.2 core schema (``yes``/``no``/``on``/``off`` and dates
  stay strings; ruamel's own regular expressions decide null, bool, int and float),
- refuses every tag outside the core schema (``!!python/object``, ``!!binary``, ``!custom``)
  without ever constructing it,
- reports each duplicate key with the line of its first occurrence, and carries on,
- memoises aliased nodes (the graph stays linear in the file size) and refuses documents whose
  alias expansion would exceed :data:`MAX_ALIAS_EXPANSION` nodes (billion laughs),
- refuses nesting deeper than :data:`MAX_DEPTH` (checked *before* libyaml's recursive composer,
  which would overflow the C stack on ``[[[[…`` and is quadratic in flow depth).

:func:`read_bounded` gets the bytes first: regular files only, never blocking on a FIFO, never
more than a limit. Nothing here knows about templates: :mod:`waform.loader` gives the data its
meaning, and :mod:`waform.config` reads ``waform.yaml`` the same way.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.cyaml import CParser  # libyaml, from ruamel.yaml.clib (a dependency)
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import Resolver
from ruamel.yaml.tag import Tag

#: Nesting deeper than this is refused (the template format needs about 14 levels).
MAX_DEPTH = 64
#: Nodes that aliases may add to a document, beyond the nodes written in it.
MAX_ALIAS_EXPANSION = 10_000
#: Above this many ``[``/``{`` (flow) or ``- ``/``? `` (compact block) indicators, the real
#: nesting depth is measured before composing. Below, the depth libyaml's recursive composer can
#: reach is a few thousand at most (block nesting by indentation needs depth² / 2 characters).
_INDICATORS_CHECKED = 2_000

_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; refusing to read this file"

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP, _MERGE = _CORE + "seq", _CORE + "map", _CORE + "merge"

# Shared Tag objects: ruamel's Node() wraps plain strings in a new Tag each time, and identity
# checks (``node.ctag is T_STR``) are the cheapest test in the builder's hot loop.
T_STR, T_INT, T_FLOAT, T_BOOL, T_NULL, T_SEQ, T_MAP, T_MERGE = (
    Tag(suffix=t) for t in (_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP, _MERGE)
)
_TAGS = {_INT: T_INT, _FLOAT: T_FLOAT, _BOOL: T_BOOL, _NULL: T_NULL, _MERGE: T_MERGE}


def _implicit_table() -> dict[str | None, list[tuple[Tag, re.Pattern[str]]]]:
    """ruamel's YAML 1.2 implicit resolvers, keyed by first character, without timestamps."""
    table: dict[str | None, list[tuple[Tag, re.Pattern[str]]]] = {}
    for first, resolvers in Resolver.yaml_implicit_resolvers.items():
        for tag, regexp in resolvers:
            if str(tag) in _TAGS:
                table.setdefault(first, []).append((_TAGS[str(tag)], regexp))
    return table


_IMPLICIT = _implicit_table()


#: Short plain scalars repeat (every key, every ``type: BODY``): their resolved tag is cached.
_PLAIN: dict[str, Tag] = {}
_PLAIN_CACHE_SIZE = 50_000


def _resolve_plain(value: str) -> Tag:
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return T_STR


class _Composer(CParser):  # type: ignore[misc]
    """libyaml's parser and composer; node tags resolved here, in as few steps as possible."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path-dependent resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path-dependent resolvers: nothing to track."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> Tag:
        if kind is ScalarNode:
            if implicit[0]:
                tag = _PLAIN.get(value)  # type: ignore[arg-type]
                if tag is None:
                    tag = _resolve_plain(value)  # type: ignore[arg-type]
                    if len(value) <= 64 and len(_PLAIN) < _PLAIN_CACHE_SIZE:  # type: ignore[arg-type]
                        _PLAIN[value] = tag  # type: ignore[index]
                return tag
            return T_STR
        return T_MAP if kind is MappingNode else T_SEQ


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


class _Fatal(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def position(mark: Any) -> tuple[int, int]:
    """1-based ``(line, column)`` of a libyaml mark."""
    return (mark.line + 1, mark.column + 1)


def _problem(mark: Any, message: str, code: str) -> YamlProblem:
    line, column = position(mark)
    return YamlProblem(line, column, message, code)


def show_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` → ``!!python/object`` (as the author wrote it)."""
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


# ---------------------------------------------------------------- file → bytes


class UnreadableFile(Exception):
    """A file that cannot be read as a small text file; ``str()`` is the reason, one line."""


class FileTooLarge(UnreadableFile):
    """Larger than the limit; ``size`` is what ``fstat`` said (``None``: it grew while read)."""

    def __init__(self, size: int | None) -> None:
        super().__init__("file is too large")
        self.size = size


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, without ever blocking or
    reading more than ``limit + 1`` bytes (a FIFO or ``/dev/zero`` named ``x.yaml`` would
    otherwise hang or exhaust memory). Raises :class:`UnreadableFile` with a one-line reason.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile("cannot read file: symbolic link loop") from None
        if exc.errno == errno.ENOENT and os.path.islink(path):
            try:
                target = f" to {os.readlink(path)}"
            except OSError:
                target = ""
            raise UnreadableFile(f"cannot read file: broken symbolic link{target}") from None
        raise UnreadableFile(f"cannot read file: {_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size)
        chunks = []
        remaining = limit + 1  # the file may have grown since fstat
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise FileTooLarge(None)
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {_reason(exc)}") from None
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# ---------------------------------------------------------------- bytes → text


def decode(raw: bytes) -> tuple[str | None, YamlProblem | None]:
    """UTF-8 text (a leading BOM dropped), or where the first undecodable byte is."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
        line_start = raw.rfind(b"\n", 0, bad) + 1
        line = raw.count(b"\n", 0, bad) + 1
        column = len(raw[line_start:bad].decode("utf-8", "replace")) + 1
        hint = " (UTF-16?)" if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else ""
        return None, YamlProblem(
            line,
            column,
            f"file is not valid UTF-8{hint}: byte 0x{raw[bad]:02x} cannot be decoded; "
            "save the file as UTF-8",
            "encoding",
        )


# ---------------------------------------------------------------- text → data


def compose(text: str) -> Node | None:
    """The node graph of ``text`` (``None`` for an empty document). Raises ``YAMLError``.

    Only for texts that :func:`read_yaml` accepted: it is what locating values re-reads.
    """
    return _Composer(text).get_single_node()


def read_yaml(text: str, *, subject: str = "templates are", echo: bool = True) -> YamlDocument:
    """Parse one YAML document safely; every problem is returned, none is raised.

    ``subject`` names the file kind in messages ("tag !x is not allowed: templates are plain
    YAML"); ``echo=False`` keeps scalar values out of messages (for files that may hold a
    pasted secret).
    """
    doc = YamlDocument()
    deep = _nesting_problem(text)
    if deep is not None:
        doc.problems.append(deep)
        doc.fatal = True
        return doc
    try:
        root = compose(text)
    except YAMLError as exc:
        doc.problems.append(_syntax_problem(exc, text))
        doc.fatal = True
        return doc
    doc.root = root
    if root is None:
        return doc
    builder = _Builder(subject, echo)
    try:
        doc.data = builder.value(root, 0, root)
        if builder.reused:
            builder.check_expansion(root)
    except _Fatal as exc:
        doc.problems.extend(builder.problems)
        doc.problems.append(exc.problem)
        doc.data = None
        doc.fatal = True
        return doc
    doc.problems.extend(builder.problems)
    return doc


def _syntax_problem(exc: YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, ReaderError):
        pos = max(0, min(exc.position, len(text)))
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return YamlProblem(
            line,
            column,
            f"character #x{exc.character:04x} is not allowed in YAML ({exc.reason}); "
            "is this a text file?",
            "encoding",
        )
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        context, context_mark = exc.context, exc.context_mark
        if context and "duplicate anchor" in context and context_mark is not None:
            message = f"anchor defined twice (first at line {context_mark.line + 1})"
        elif context and str(exc.problem).startswith("but "):  # "expected X, but found Y"
            message = f"invalid YAML: {context}, {exc.problem}"
        else:
            message = f"invalid YAML: {exc.problem}"
            if context and context_mark is not None:
                message += f" ({context} at line {context_mark.line + 1})"
        return _problem(exc.problem_mark, message, "yaml-syntax")
    if isinstance(exc, MarkedYAMLError) and exc.context_mark is not None:
        return _problem(exc.context_mark, f"invalid YAML: {exc.context}", "yaml-syntax")
    first = str(exc).strip().splitlines()
    return YamlProblem(
        1, 1, f"invalid YAML: {first[0] if first else type(exc).__name__}", "yaml-syntax"
    )


def _nesting_problem(text: str) -> YamlProblem | None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` before libyaml composes it.

    Cheap triggers first (a few ``str.count``); only a suspicious text
    pays for the exact measure, an event walk that stops as soon as the limit is passed (so it
    stays linear even where libyaml's scanner is quadratic in the depth).
    """
    if len(text) <= _INDICATORS_CHECKED:
        return None  # every level needs at least one character
    flow = text.count("[") + text.count("{")
    block = text.count("- ") + text.count("? ") + text.count("-\t") + text.count("?\t")
    if flow <= _INDICATORS_CHECKED and block <= _INDICATORS_CHECKED:
        return None
    parser = _Composer(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            kind = event.__class__
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    return _problem(
                        event.start_mark,
                        _TOO_DEEP,
                        "too-deep",
                    )
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
            elif kind is StreamEndEvent:
                return None
    except YAMLError:
        return None  # the real parse reports it, with its position


class _Builder:
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
            return node.value if node.ctag is T_STR else self.scalar(node)
        key = id(node)
        if key in self.memo:
            if key in self.active:
                raise _Fatal(
                    _problem(where.start_mark, "an alias refers to its own parent", "alias-bomb")
                )
            self.reused.append((node, where))
            return self.memo[key]
        if depth >= MAX_DEPTH:
            raise _Fatal(_problem(node.start_mark, _TOO_DEEP, "too-deep"))
        if node.ctag is not (T_SEQ if cls is SequenceNode else T_MAP):
            self.check_tag(node, _SEQ if cls is SequenceNode else _MAP)
        self.active.add(key)
        if cls is SequenceNode:
            items: list[Any] = []
            self.memo[key] = items
            depth += 1
            for item in node.value:
                if item.__class__ is ScalarNode and item.ctag is T_STR:
                    items.append(item.value)
                else:
                    items.append(self.value(item, depth, node))
            self.active.discard(key)
            return items
        mapping: dict[Any, Any] = {}
        self.memo[key] = mapping
        merges: list[Node] = []
        first_keys: dict[Any, ScalarNode] | None = None  # built on the first duplicate only
        depth += 1
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problems.append(
                    _problem(
                        key_node.start_mark,
                        "a mapping key must be a plain value, not a list or a mapping",
                        "yaml-syntax",
                    )
                )
                continue
            if key_node.ctag is T_STR:
                name = key_node.value
            elif key_node.ctag is T_MERGE:
                merges.append(value_node)
                continue
            else:
                name = self.scalar(key_node)
            if name in mapping:
                if first_keys is None:
                    first_keys = self.first_keys(node)
                self.duplicate(first_keys.get(key_node.value, key_node), key_node)
                continue
            if value_node.__class__ is ScalarNode and value_node.ctag is T_STR:
                mapping[name] = value_node.value
            else:
                mapping[name] = self.value(value_node, depth, key_node)
        for merge in merges:
            self.merge(mapping, merge, depth)
        self.active.discard(key)
        return mapping

    def merge(self, mapping: dict[Any, Any], node: Node, depth: int) -> None:
        """``<<: *base`` / ``<<: [*a, *b]``: keys written in the mapping win, then earlier merges."""
        sources = node.value if node.__class__ is SequenceNode else [node]
        for source in sources:
            if source.__class__ is not MappingNode:
                self.problems.append(
                    _problem(
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
            _problem(
                key_node.start_mark,
                f"duplicate key {key_node.value!r} (first defined at line {line}, column {column})",
                "duplicate-key",
            )
        )

    def check_tag(self, node: Node, expected: str) -> None:
        tag = str(node.ctag)
        if tag != expected and tag != "!":
            self.problems.append(self.unsafe_tag(node, tag))

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.ctag
        text = node.value
        if tag is T_NULL:
            return None
        if tag is T_BOOL:
            return text.lower() == "true"
        if tag is T_MERGE:
            return text
        if tag is T_INT:
            name, convert = _INT, _to_int
        elif tag is T_FLOAT:
            name, convert = _FLOAT, _to_float
        else:
            name = str(tag)
            if name in (_STR, "!"):
                return text
            convert = _CONVERTERS.get(name)
            if convert is None:
                self.problems.append(self.unsafe_tag(node, name))
                return text
        try:
            return convert(text)
        except ValueError as exc:
            if isinstance(exc, _TooManyDigits):
                message = f"a value of {len(text):,} characters is too long for a number"
            else:
                shown = repr(text) if len(text) <= 40 else repr(text[:36]) + "…"
                shown = shown if self.echo else "the value"
                message = f"{shown} is not a valid {show_tag(name)} value"
            self.problems.append(_problem(node.start_mark, message, "yaml-syntax"))
            return text

    def unsafe_tag(self, node: Node, tag: str) -> YamlProblem:
        return _problem(
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
        raise _Fatal(
            _problem(
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


class _TooManyDigits(ValueError):
    """An integer too long to convert (Python refuses more than 4,300 decimal digits)."""


#: Longer integers are refused before conversion (a template needs at most ten digits).
_MAX_INT_DIGITS = 4_000


def _to_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise _TooManyDigits(text[:20])
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def _to_float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value.lstrip("+-") in (".inf", ".nan"):
        return float(value.replace(".", ""))
    return float(value)


def _to_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(text)
    return text.lower() == "true"


def _to_null(text: str) -> None:
    if text not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(text)


_CONVERTERS = {_INT: _to_int, _FLOAT: _to_float, _BOOL: _to_bool, _NULL: _to_null}


# ---------------------------------------------------------------- node lookups


def scalar_value(node: Node) -> Any:
    """The plain value of a scalar node as :func:`read_yaml` reads it (``true`` → ``True``)."""
    if node.__class__ is not ScalarNode:
        return None
    if node.ctag is T_STR:
        return node.value
    return _Builder().scalar(node)


def mapping_items(node: Node) -> Iterator[tuple[ScalarNode, Node]]:
    """``(key node, value node)`` of a mapping, merged mappings (``<<``) after its own keys."""
    merges: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.__class__ is ScalarNode:
            if key_node.ctag is T_MERGE:
                merges.append(value_node)
            else:
                yield key_node, value_node
    for merge in merges:
        for source in merge.value if merge.__class__ is SequenceNode else [merge]:
            if source.__class__ is MappingNode:
                yield from mapping_items(source)
