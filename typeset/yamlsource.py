"""YAML with positions: the front matter as plain Python values plus where each one stands.

PyYAML alone loses line numbers, silently keeps the last of two duplicate keys, and expands
aliases (a few nested aliases make a "billion laughs" bomb). We compose the node graph
ourselves, refuse aliases and duplicate keys, and record the file position of every key and
value so that each problem can be reported where the editor has to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.events import AliasEvent

Path_ = tuple  # a path into the data: ("authors", 0, "email")


@dataclass
class Positions:
    """File positions (line, column; 1-based) of values and keys, by data path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path_) -> tuple[int | None, int | None]:
        """Where `path` stands, or failing that its nearest parent."""
        for cut in range(len(path), -1, -1):
            found = self.values.get(path[:cut]) or self.keys.get(path[:cut])
            if found:
                return found
        return None, None

    def of_key(self, path: Path_) -> tuple[int | None, int | None]:
        return self.keys.get(path) or self.of(path)


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None, column: int | None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                f"YAML aliases (*{event.anchor}) are not allowed in front matter",
                event.start_mark.line + 1, event.start_mark.column + 1,
                "write the value out in full")
        return super().compose_node(parent, index)


def load(text: str, first_line: int) -> tuple[object, Positions]:
    """Parse `text` (YAML that starts at line `first_line` of its file)."""
    offset = first_line - 1
    loader = _NoAliasLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except YamlProblem as problem:
            if problem.line is not None:
                problem.line += offset
            raise
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
            line = mark.line + 1 + offset if mark else None
            column = mark.column + 1 if mark else None
            raise YamlProblem(f"YAML syntax error: {message}", line, column) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"YAML error: {exc}", first_line, None) from None
        positions = Positions()
        if node is None:
            return None, positions
        return _convert(loader, node, (), positions, offset), positions
    finally:
        loader.dispose()


def _mark(node, offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + offset, node.start_mark.column + 1


def _convert(loader, node, path: Path_, positions: Positions, offset: int):
    positions.values[path] = _mark(node, offset)
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = _mark(key_node, offset)
                raise YamlProblem("a key must be plain text", line, column)
            key = key_node.value
            if key in result:
                line, column = _mark(key_node, offset)
                first_line, _ = positions.keys[(*path, key)]
                raise YamlProblem(f"duplicate key '{key}' (first given on line {first_line})",
                                  line, column, "keep one of them")
            positions.keys[(*path, key)] = _mark(key_node, offset)
            result[key] = _convert(loader, value_node, (*path, key), positions, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, index), positions, offset)
                for index, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):
        # e.g. 2022-13-45 looks like a date to YAML but is none: let validation say so.
        return node.value
