"""YAML with positions: the front matter as plain Python values plus where each one stands.

PyYAML alone loses line numbers, silently keeps the last of two duplicate keys, expands
aliases (a few nested aliases make a "billion laughs" bomb), recurses without bound on
deeply nested flow collections, and turns tags into arbitrary types. We compose the node
graph ourselves, refuse aliases, unusual tags, duplicate keys and deep nesting, and record
the file position of every key and value so that each problem can be reported where the
editor has to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.events import AliasEvent

Path_ = tuple  # a path into the data: ("authors", 0, "email")

# Front matter is a few levels deep (authors[0].position.tr); far beyond that is a mistake
# or an attack on PyYAML's recursive composer.
MAX_DEPTH = 32

_STANDARD_TAGS = {f"tag:yaml.org,2002:{name}" for name in
                  ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@dataclass
class Positions:
    """File positions (line, column; 1-based) of values and keys, by data path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # A scalar's text as written and its quoting style (None: plain, "'" or '"'): an
    # ORCID YAML read as a number is read again from its text, and typographic quotes
    # around a plain value are told apart from quotes inside a quoted one.
    scalars: dict[Path_, tuple[str, str | None]] = field(default_factory=dict)

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
    """A YAML problem; `others` holds further independent ones found in the same pass."""

    def __init__(self, message: str, line: int | None, column: int | None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint
        self.others: list[YamlProblem] = []

    @property
    def all(self) -> list[YamlProblem]:
        return [self, *self.others]


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                f"YAML aliases (*{event.anchor}) are not allowed in front matter",
                event.start_mark.line + 1, event.start_mark.column + 1,
                "write the value out in full")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlProblem(f"the YAML is nested more than {MAX_DEPTH} levels deep",
                                  mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# Spaces other than the ASCII one: word processors put non-breaking spaces where an author
# indented, and YAML then reads them as part of a key ("\u00a0holder"), not as indentation.
_ODD_SPACES = re.compile("^[ ]*([\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff])")
_SPACE_NAMES = {"\u00a0": "a non-breaking space", "\u202f": "a narrow non-breaking space",
                "\ufeff": "a zero-width no-break space", "\u3000": "an ideographic space"}


def _indentation_problems(text: str, offset: int) -> list[YamlProblem]:
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _ODD_SPACES.match(line)
        if match:
            char = match.group(1)
            name = _SPACE_NAMES.get(char, f"the space U+{ord(char):04X}")
            found.append(YamlProblem(f"{name} in the indentation: YAML is indented with "
                                     "ordinary spaces", number + offset, match.start(1) + 1,
                                     "replace it with an ordinary space; word processors "
                                     "insert such spaces"))
    return found


def load(text: str, first_line: int) -> tuple[object, Positions]:
    """Parse `text` (YAML that starts at line `first_line` of its file)."""
    offset = first_line - 1
    indentation = _indentation_problems(text, offset)
    if indentation:
        first, *others = indentation
        first.others = others
        raise first
    loader = None
    try:
        try:
            loader = _StrictLoader(text)
            node = loader.get_single_node()
        except YamlProblem as problem:
            if problem.line is not None:
                problem.line += offset
            raise
        except yaml.MarkedYAMLError as exc:
            raise _syntax_problem(exc, offset) from None
        except yaml.reader.ReaderError as exc:
            line, column = _position(text, exc.position)
            raise YamlProblem(f"the character U+{exc.character:04X} is not allowed in YAML",
                              line + offset, column, "delete it") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"YAML error: {exc}", first_line, 1) from None
        positions = Positions()
        if node is None:
            return None, positions
        problems: list[YamlProblem] = []
        data = _convert(loader, node, (), positions, offset, problems)
        if problems:
            first, *others = problems
            first.others = others
            raise first
        return data, positions
    finally:
        if loader is not None:
            loader.dispose()


def _position(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _mark(node, offset: int) -> tuple[int, int]:
    return node.start_mark.line + 1 + offset, node.start_mark.column + 1


def _convert(loader, node, path: Path_, positions: Positions, offset: int,
             problems: list[YamlProblem]):
    positions.values[path] = _mark(node, offset)
    if node.tag not in _STANDARD_TAGS:
        line, column = _mark(node, offset)
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(YamlProblem(f"the YAML tag '{tag}' is not allowed", line, column,
                                    "remove the tag; put text in quotes instead"))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            line, column = _mark(key_node, offset)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem("a key must be plain text", line, column))
                continue
            key = key_node.value
            if key in result:
                first_line, _ = positions.keys[(*path, key)]
                problems.append(YamlProblem(
                    f"duplicate key '{key}' (first given on line {first_line})", line, column,
                    "keep one of them"))
                continue
            positions.keys[(*path, key)] = (line, column)
            result[key] = _convert(loader, value_node, (*path, key), positions, offset,
                                   problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, (*path, index), positions, offset, problems)
                for index, item in enumerate(node.value)]
    positions.scalars[path] = (node.value, node.style)
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. 2022-13-45 looks like a date to YAML but is none: let validation say so.
        return node.value


# -- syntax errors in words an editor understands -------------------------------------------

_OPENERS = {"flow mapping": "{", "flow sequence": "["}


def _typographic_quote_on_line(mark) -> bool:
    buffer = getattr(mark, "buffer", None)
    if not buffer or mark is None:
        return False
    start = buffer.rfind("\n", 0, mark.pointer) + 1
    end = buffer.find("\n", mark.pointer)
    line = buffer[start:end if end >= 0 else len(buffer)]
    return any(char in line for char in "“”„‘’‚«»")


def _syntax_problem(exc: yaml.MarkedYAMLError, offset: int) -> YamlProblem:
    context, problem = exc.context or "", exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    hint = ""
    message = " ".join(p for p in (context, problem) if p) or "invalid YAML"

    if "quoted scalar" in context and "end of stream" in problem:
        mark = exc.context_mark or mark
        message = "this quotation mark is never closed"
        hint = "add the closing quotation mark"
    elif context.startswith("while parsing a flow ") and exc.context_mark is not None:
        kind = context.removeprefix("while parsing a ")
        opener = _OPENERS.get(kind, "bracket")
        closer = "}" if opener == "{" else "]"
        found = exc.problem_mark
        mark = exc.context_mark
        where = (f": unexpected text at line {found.line + 1 + offset}, column "
                 f"{found.column + 1}" if found else "")
        message = f"the '{opener}' opened here is not closed properly{where}"
        hint = (f"check the quotation marks and the commas between the items; end with "
                f"'{closer}'")
    elif "found character '\\t'" in problem:
        message = "a tab character: YAML is indented with spaces only"
        hint = "replace the tab with spaces"
    elif match := re.search(r"found character '(.)' that cannot start any token", problem):
        message = f"a value cannot start with '{match.group(1)}'"
        hint = "put the value in quotes"
    elif problem == "mapping values are not allowed here" and _typographic_quote_on_line(mark):
        message = ("unexpected ':' here: the value is in typographic quotes, which YAML does "
                   "not read as quotes")
        hint = "use straight quotes: \"...\" (word processors make them typographic)"
    elif problem == "mapping values are not allowed here":
        message = "unexpected ':' here"
        hint = "a value that contains ': ' must be put in quotes; or check the indentation"
    elif "could not find expected ':'" in problem:
        mark = exc.context_mark or mark
        message = "this line is not a 'field: value' pair"
        hint = "add the ':' or indent the line as part of the value above"
    elif context.startswith("while parsing a block") and "expected <block end>" in problem:
        if "<scalar>" in problem:
            message = "unexpected text after the value"
            hint = "put the whole value in quotes"
        else:
            message = "this line is indented wrongly"
            hint = "the fields of one mapping, and the items of one list, start in the " \
                   "same column"
    elif "double-quoted scalar" in context and "escape" in problem:
        message = "a backslash in double quotes starts an escape sequence: " + problem
        hint = "write \\\\ for a backslash, or use single quotes"
    if "typographic" not in message and (_typographic_quote_on_line(exc.problem_mark)
                                         or _typographic_quote_on_line(exc.context_mark)):
        hint = ("the quotes on this line are typographic, “...”, which YAML does not read "
                "as quotes: use straight ones")
    return YamlProblem(f"YAML syntax error: {message}",
                       mark.line + 1 + offset if mark else None,
                       mark.column + 1 if mark else None, hint)
