"""YAML parsing that remembers line numbers, so every problem can name its line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml


class YamlSyntaxError(ValueError):
    """A YAML file that does not parse; carries the 1-based line of the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text into plain data plus its node tree (for line look-ups)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"YAML syntax error: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML error: {exc}") from exc
    return data, node


def line_of(node: yaml.Node | None, path: Sequence[str | int]) -> int:
    """Return the 1-based line of the deepest node reachable along `path` (unknown steps are skipped)."""
    if node is None:
        return 1
    current = node
    for step in path:
        child = _child(current, step)
        if child is not None:
            current = child
    return current.start_mark.line + 1


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    """Return the child of a mapping (by key) or sequence (by index), or None."""
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def duplicate_keys(node: yaml.Node | None) -> list[tuple[int, str]]:
    """Return (line, key) for every key that appears twice in one mapping (YAML silently keeps the last)."""
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    found.append((key.start_mark.line + 1, key.value))
                seen.add(key.value)
            found.extend(duplicate_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(duplicate_keys(item))
    return found
