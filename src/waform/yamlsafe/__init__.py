"""Safe, position-aware YAML reading: text → plain data, with every problem at ``line:col``.

Why not ``YAML(typ="safe").load``: it stops at the first problem, names only one side of a
duplicate key, forgets positions, and spends most of its time in Python tag resolution. Here
libyaml (PyYAML's C parser and composer) builds the node graph with marks, and a
small builder turns nodes into dicts, lists and scalars while it

- resolves plain scalars by the YAML 1.2 core schema (``yes``/``no``/``on``/``off`` and dates
  stay strings; ruamel's own regular expressions decide null, bool, int and float),
- refuses every tag outside the core schema (``!!python/object``, ``!!binary``, ``!custom``)
  without ever constructing it,
- reports each duplicate key with the line of its first occurrence, and carries on,
- memoises aliased nodes (the graph stays linear in the file size) and refuses documents whose
  alias expansion would exceed :data:`MAX_ALIAS_EXPANSION` nodes (billion laughs),
- refuses nesting deeper than :data:`MAX_DEPTH` (checked *before* libyaml's recursive composer,
  which would overflow the C stack on ``[[[[…`` and is quadratic in flow depth; where libyaml
  stops first at its own limit of 1,000 flow levels, at the same place as below it).

:func:`read_bounded` gets the bytes first: regular files only, never blocking on a FIFO, never
more than a limit. Nothing here knows about templates: :mod:`waform.loader` gives the data its
meaning, and :mod:`waform.config` reads ``waform.yaml`` the same way.

The package: :mod:`.files` (file → text), :mod:`.tags` (limits, tags, scalars), :mod:`.builder`
(nodes → values), :mod:`.problems`; this module composes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from waform.yamlsafe.builder import Builder
from waform.yamlsafe.files import FileTooLarge, UnreadableFile, decode, read_bounded
from waform.yamlsafe.problems import (
    FatalProblem,
    YamlDocument,
    YamlProblem,
    position,
    problem_at,
    show_tag,
)
from waform.yamlsafe.tags import (
    INDICATORS_CHECKED,
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    MERGE,
    STR,
    TOO_DEEP,
    Composer,
)

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "MAX_DEPTH",
    "FileTooLarge",
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "UnreadableFile",
    "YAMLError",
    "YamlDocument",
    "YamlProblem",
    "compose",
    "decode",
    "mapping_items",
    "position",
    "read_bounded",
    "read_yaml",
    "scalar_value",
    "show_tag",
]

# ---------------------------------------------------------------- text → data


def compose(text: str) -> Node | None:
    """The node graph of ``text`` (``None`` for an empty document). Raises ``YAMLError``.

    Only for texts that :func:`read_yaml` accepted: it is what locating values re-reads.
    """
    return Composer(text).get_single_node()


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
        doc.problems.append(_too_deep_before(exc, text) or _syntax_problem(exc, text))
        doc.fatal = True
        return doc
    doc.root = root
    if root is None:
        return doc
    builder = Builder(subject, echo)
    try:
        doc.data = builder.value(root, 0, root)
        if builder.reused:
            builder.check_expansion(root)
    except FatalProblem as exc:
        doc.problems.extend(builder.problems)
        doc.problems.append(exc.problem)
        doc.data = None
        doc.fatal = True
        return doc
    doc.problems.extend(builder.problems)
    return doc


def _syntax_problem(exc: YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, ReaderError):
        # libyaml counts the bytes of the UTF-8 it was given, not characters
        pos = len(
            text.encode("utf-8", "surrogatepass")[: max(0, exc.position)].decode("utf-8", "ignore")
        )
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
        return problem_at(exc.problem_mark, message, "yaml-syntax")
    if isinstance(exc, MarkedYAMLError) and exc.context_mark is not None:
        return problem_at(exc.context_mark, f"invalid YAML: {exc.context}", "yaml-syntax")
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
    if len(text) <= INDICATORS_CHECKED:
        return None  # every level needs at least one character
    flow = text.count("[") + text.count("{")
    block = text.count("- ") + text.count("? ") + text.count("-\t") + text.count("?\t")
    if flow <= INDICATORS_CHECKED and block <= INDICATORS_CHECKED:
        return None
    try:
        return _deeper_than_allowed(text)
    except YAMLError as exc:
        return _too_deep_before(exc, text)  # else the real parse reports it, with its position


def _deeper_than_allowed(text: str) -> YamlProblem | None:
    """Where ``text`` first nests deeper than :data:`MAX_DEPTH`. Raises ``YAMLError``."""
    parser = Composer(text)
    depth = 0
    while True:
        event = parser.get_event()
        if event is None:  # past the stream's end (never: its end event comes first)
            return None
        kind = event.__class__
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            depth += 1
            if depth > MAX_DEPTH:
                return problem_at(event.start_mark, TOO_DEEP, "too-deep")
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            depth -= 1
        elif kind is StreamEndEvent:
            return None


#: libyaml's own limit (1,000 flow levels, from 0.2.5 on), which it meets while it scans ahead:
#: its problem, or the context it names.
_LIBYAML_TOO_DEEP = frozenset({"exceeded maximum nesting depth", "while increasing flow level"})


def _too_deep_before(exc: YAMLError, text: str) -> YamlProblem | None:
    """Where the text passes :data:`MAX_DEPTH`, when libyaml stopped at its own, far deeper limit
    before it gave the events that pass ours: the text before that point gives them."""
    mark = getattr(exc, "problem_mark", None)
    said = {getattr(exc, "problem", None), getattr(exc, "context", None)}
    if mark is None or not said & _LIBYAML_TOO_DEEP:
        return None
    try:
        return _deeper_than_allowed(text[: mark.index])
    except YAMLError:
        return None


# ---------------------------------------------------------------- node lookups


def scalar_value(node: Node) -> Any:
    """The plain value of a scalar node as :func:`read_yaml` reads it (``true`` → ``True``)."""
    if node.__class__ is not ScalarNode:
        return None
    if node.tag is STR:
        return node.value
    return Builder().scalar(node)


def mapping_items(node: Node) -> Iterator[tuple[ScalarNode, Node]]:
    """``(key node, value node)`` of a mapping, merged mappings (``<<``) after its own keys."""
    merges: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.__class__ is ScalarNode:
            if key_node.tag is MERGE:
                merges.append(value_node)
            else:
                yield key_node, value_node
    for merge in merges:
        for source in merge.value if merge.__class__ is SequenceNode else [merge]:
            if source.__class__ is MappingNode:
                yield from mapping_items(source)
