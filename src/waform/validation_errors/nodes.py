"""Where a path of a document is: its node (and so its ``line:col``) in the composed YAML.

A *path* is a document path (keys and indices as written) or a pydantic ``loc``: union tags and
``[key]`` are skipped, language codes match any spelling, ``example`` finds ``examples``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from waform.model import wire
from waform.model.enums import LANGUAGE_SET, normalize_language
from waform.model.template import TemplateFile
from waform.validation_errors.model_walk import union_tags
from waform.yamlsafe import (
    MappingNode,
    Node,
    SequenceNode,
    mapping_items,
    position,
    scalar_value,
)

_EXAMPLE_SPELLINGS = frozenset({wire.SINGLE_EXAMPLE, *wire.SINGLE_EXAMPLE_ALIASES})


def find_node(root: Node, loc: Sequence[Any], *, key: bool) -> Node:
    """The node at ``loc`` (its key node if ``key``), or the nearest ancestor that exists.

    ``loc`` may be a pydantic loc (union tags and ``[key]`` are skipped, language codes match
    any spelling) or a document path (:func:`waform.validation_errors.document_path`).
    For many look-ups in one document, keep a :class:`NodeFinder` instead.
    """
    return NodeFinder(root).find(loc, key=key)


class NodeFinder:
    """:func:`find_node` for one composed document, with large mappings indexed on first use.

    A file with 100,000 unknown keys gets 100,000 diagnostics, each located by a look-up in the
    same mapping: scanning it each time would be quadratic (minutes), an index keeps it linear.
    """

    __slots__ = ("root", "tags", "_indexes")

    #: Mappings up to this size are scanned (cheaper than building an index).
    SCAN_LIMIT = 16

    def __init__(self, root: Node, tags: Collection[str] | None = None) -> None:
        self.root = root
        #: Loc parts skipped when not in the document (the union tags of the document's model).
        self.tags = union_tags(TemplateFile) if tags is None else tags
        self._indexes: dict[int, _MappingIndex] = {}

    def find(self, loc: Sequence[Any], *, key: bool) -> Node:
        node = self.root
        key_node: Node | None = None
        for part in loc:
            if part == "[key]":
                continue
            if isinstance(node, MappingNode):
                match = self._lookup(node, part)
                if match is not None:
                    key_node, node = match
                    continue
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key_node, node = None, node.value[part]
                    continue
            if isinstance(part, str) and part in self.tags:
                continue
            return node
        if key and key_node is not None:
            return key_node
        return node

    def position(self, loc: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
        """1-based ``(line, column)`` of :meth:`find`'s node."""
        return position(self.find(loc, key=key).start_mark)

    def _lookup(self, mapping: MappingNode, part: Any) -> tuple[Node, Node] | None:
        if len(mapping.value) <= self.SCAN_LIMIT:
            return _MappingIndex(mapping).lookup(part)
        index = self._indexes.get(id(mapping))
        if index is None:
            index = self._indexes[id(mapping)] = _MappingIndex(mapping, indexed=True)
        return index.lookup(part)


class _MappingIndex:
    """The entries of one mapping (merged keys included), found by key as an author means it:
    the key as written, a language code in any spelling, ``example``/``examples``, or a
    non-string key (``true:``, ``1:``) by its value."""

    __slots__ = ("items", "_exact", "_languages", "_values")

    def __init__(self, mapping: MappingNode, *, indexed: bool = False) -> None:
        self.items = list(mapping_items(mapping))
        self._exact: dict[str, tuple[Node, Node]] | None = None
        self._languages: dict[str, tuple[Node, Node]] | None = None
        self._values: dict[Any, tuple[Node, Node]] | None = None
        if indexed:
            self._exact = {}
            for pair in self.items:
                self._exact.setdefault(pair[0].value, pair)

    def lookup(self, part: Any) -> tuple[Node, Node] | None:
        wanted = part if isinstance(part, str) else str(part)
        if self._exact is not None:
            found = self._exact.get(wanted)
            if found is not None:
                return found
        else:
            for pair in self.items:
                if pair[0].value == wanted:
                    return pair
        if not isinstance(part, str):
            return self._by_value(part)
        code = normalize_language(part)
        if code in LANGUAGE_SET:
            if self._languages is None:
                self._languages = {}
                for pair in self.items:
                    self._languages.setdefault(normalize_language(str(pair[0].value)), pair)
            found = self._languages.get(code)
            if found is not None:
                return found
        if part in _EXAMPLE_SPELLINGS:
            for pair in self.items:
                if pair[0].value in _EXAMPLE_SPELLINGS:
                    return pair
        return None

    def _by_value(self, part: Any) -> tuple[Node, Node] | None:
        """A key written as ``true``, ``~`` or ``0x1F``: pydantic names it by its value."""
        if self._values is None:
            self._values = {}
            for pair in self.items:
                value = scalar_value(pair[0])
                if not isinstance(value, str):
                    self._values.setdefault((type(value), value), pair)
        return self._values.get((type(part), part))
