"""Reading and writing content YAML the way humans edit it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import BaseConstructor, ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:  # libyaml's parser, when PyYAML was built with it (its wheels are)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    _CParser = None  # type: ignore[misc,assignment]

from bot.bank.rawinput import read_text, unstorable

# Content nests a handful of levels (file, section, item, claim); far deeper is a broken file,
# and would exhaust the recursion of the parser and of everything that reads the data.
MAX_DEPTH = 32
# Nodes a file may hold once aliases are expanded: a few aliases of aliases can otherwise
# stand for billions of values ("billion laughs").
MAX_NODES = 200_000


class _StrictRules:
    """Every scalar is a string, and a key written twice is an error, not a silent overwrite.

    Nesting and alias expansion are bounded, and text no database can store is refused, each
    with the line where it happens. Mixed into a loader ahead of PyYAML's composer and
    constructor, whose methods it extends.
    """

    _depth = 0
    _sizes: dict[int, int]  # id(node) -> node count with aliases expanded

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose as PyYAML does, refusing nesting past MAX_DEPTH and more than MAX_NODES."""
        if not hasattr(self, "_sizes"):
            self._sizes = {}
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = parent.start_mark if parent is not None else None
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        try:
            node: Node | None = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1
        if node is not None:
            self._count(node)
        return node

    def _count(self, node: Node) -> None:
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        # A child still being composed (a recursive alias) counts once; PyYAML refuses it later.
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_NODES:
            raise ComposerError(
                None,
                None,
                f"holds more than {MAX_NODES} values with aliases expanded",
                node.start_mark,
            )
        self._sizes[id(node)] = size

    def construct_scalar(self, node: ScalarNode) -> str:
        """The scalar's text; an escape that makes a NUL or half a surrogate pair is refused."""
        value: str = super().construct_scalar(node)  # type: ignore[misc]
        reason = unstorable(value)
        if reason:
            raise ConstructorError(None, None, f"the text {reason}", node.start_mark)
        return value

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping; a key that is not plain text, or is written twice, is an error."""
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if not isinstance(key, str):
                raise ConstructorError(
                    None,
                    None,
                    "a key must be plain text, not a list or mapping",
                    key_node.start_mark,
                )
            if key in seen:
                raise ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return mapping


class _StrictStringLoader(_StrictRules, yaml.BaseLoader):
    """The rules on PyYAML's pure-Python parser, whose errors quote the offending line."""


class _NamedText(io.StringIO):
    """A file's text under the file's name, which libyaml puts in its marks."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


if _CParser is not None:

    class _FastStrictLoader(_StrictRules, Composer, _CParser, BaseConstructor, BaseResolver):
        """The same rules on libyaml's parser (about five times faster to read the bank);
        composing stays in Python, where the rules apply, and libyaml parses without
        recursion, so a deep file reaches MAX_DEPTH here, not the C stack."""

        def __init__(self, stream: _NamedText) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            BaseConstructor.__init__(self)
            BaseResolver.__init__(self)


def _read_slowly(text: str, name: str) -> Any:
    loader = _StrictStringLoader(text)  # BaseLoader builds no objects: safe
    loader.name = name  # error marks name the file, not "<unicode string>"
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Parse a content file; yaml.YAMLError with a line number on bad syntax, RawInputError when
    it is not UTF-8 text."""
    text = read_text(path)
    if _CParser is None:
        return _read_slowly(text, str(path))
    loader = _FastStrictLoader(_NamedText(text, str(path)))
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        # Rare, and worth the second read: PyYAML's own message shows the line and a caret.
        _read_slowly(text, str(path))
        raise error from None  # the two parsers disagree: libyaml's verdict stands
    finally:
        loader.dispose()


class _BankDumper(yaml.SafeDumper):
    """Block style for multi-line text, so lesson bodies stay readable in the file."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """YAML text for content data, Persian kept as is."""
    return yaml.dump(
        data, Dumper=_BankDumper, allow_unicode=True, sort_keys=False, width=1000, indent=2
    )
