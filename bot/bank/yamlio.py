"""Reading and writing content YAML the way humans edit it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode


class _StrictStringLoader(yaml.BaseLoader):
    """Every scalar is a string, and a key written twice is an error, not a silent overwrite."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """Parse a content file; raises yaml.YAMLError with a line number on bad syntax."""
    with path.open(encoding="utf-8-sig") as stream:
        return yaml.load(stream, Loader=_StrictStringLoader)  # BaseLoader builds no objects: safe


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
