"""Small helpers over Pandoc's JSON AST (blocks and inlines as `{"t": ..., "c": ...}`)."""

from __future__ import annotations

from collections.abc import Iterator

# Where the children of each element stand in its "c" value: "inlines", "blocks", or a
# path of indices leading to them. Elements not listed have no children to visit.
_INLINE_CHILDREN = {"Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
                    "SmallCaps"}


def attr_of(element: dict) -> tuple[str, list[str], dict[str, str]]:
    """(id, classes, attributes) of an element that has an Attr."""
    if element["t"] == "Header":
        ident, classes, pairs = element["c"][1]
    elif element["t"] in ("Div", "Span", "Link", "Image", "Code", "CodeBlock", "Figure",
                          "Table"):
        ident, classes, pairs = element["c"][0]
    else:
        return "", [], {}
    return ident, list(classes), dict(pairs)


def stringify(nodes) -> str:
    """The plain text of inlines or blocks, as a reader would see it."""
    out: list[str] = []
    _stringify(nodes, out)
    return "".join(out)


def _stringify(nodes, out: list[str]) -> None:
    if isinstance(nodes, dict):
        nodes = [nodes]
    for node in nodes:
        kind = node["t"]
        content = node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in _INLINE_CHILDREN:
            _stringify(content, out)
        elif kind == "Quoted":
            open_, close = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
            out.append(open_)
            _stringify(content[1], out)
            out.append(close)
        elif kind == "Cite":
            _stringify(content[1], out)
        elif kind in ("Code", "Math"):
            out.append(content[1])
        elif kind in ("Link", "Image", "Span"):
            _stringify(content[1], out)
        elif kind == "Note":
            pass
        elif kind in ("Para", "Plain"):
            _stringify(content, out)
            out.append("\n")
        elif kind == "Header":
            _stringify(content[2], out)
            out.append("\n")
        elif kind in ("Div", "BlockQuote"):
            _stringify(content[1] if kind == "Div" else content, out)


_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}


def table_cells(row, specs) -> Iterator[tuple[str | None, int, int, list]]:
    """(alignment, rowspan, colspan, blocks) of each cell of a table row; a cell without an
    alignment of its own takes its column's."""
    for index, cell in enumerate(row[1]):
        _attr, align, rowspan, colspan, blocks = cell
        column = _ALIGN.get(specs[index][0]["t"]) if index < len(specs) else None
        yield _ALIGN.get(align["t"]) or column, rowspan, colspan, blocks


def joined_inlines(blocks) -> list:
    """The inlines of paragraph blocks, joined by spaces (for places that take text only:
    a table cell, a funding statement)."""
    inlines: list = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            if inlines:
                inlines.append({"t": "Space"})
            inlines.extend(block["c"])
    return inlines


def walk(nodes) -> Iterator[dict]:
    """Every element under `nodes` (blocks or inlines), depth first, notes included."""
    stack = list(reversed(nodes if isinstance(nodes, list) else [nodes]))
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or "t" not in node:
            continue
        yield node
        stack.extend(reversed(list(_children(node))))


def _children(node: dict) -> Iterator:
    content = node.get("c")
    if content is None or isinstance(content, str):
        return
    kind = node["t"]
    if kind in _INLINE_CHILDREN or kind in ("Para", "Plain", "BlockQuote", "Note"):
        yield from content
    elif kind == "LineBlock":
        for line in content:
            yield from line
    elif kind in ("Emph",):
        yield from content
    elif kind == "Quoted":
        yield from content[1]
    elif kind == "Cite":
        for citation in content[0]:
            yield from citation["citationPrefix"]
            yield from citation["citationSuffix"]
        yield from content[1]
    elif kind in ("Link", "Image", "Span", "Div"):
        yield from content[1]
    elif kind == "Header":
        yield from content[2]
    elif kind in ("BulletList",):
        for item in content:
            yield from item
    elif kind == "OrderedList":
        for item in content[1]:
            yield from item
    elif kind == "DefinitionList":
        for term, definitions in content:
            yield from term
            for definition in definitions:
                yield from definition
    elif kind == "Figure":
        yield from content[1][1]
        yield from content[2]
    elif kind == "Table":
        yield from _table_children(content)


def _table_children(content) -> Iterator:
    yield from content[1][1]  # the caption's blocks
    for cell in table_cell_blocks(content):
        yield from cell


def table_rows(content) -> list:
    """The rows of a Pandoc 3 table (the Table's "c"): head, bodies, foot."""
    _attr, _caption, _specs, head, bodies, foot = content
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    return rows + list(foot[1])


def table_cell_blocks(content) -> Iterator[list]:
    """Each cell's blocks of a Pandoc 3 table (the Table's "c"): head, bodies, foot."""
    for row in table_rows(content):
        for cell in row[1]:
            yield cell[4]
