"""What the HTML and JATS writers share: the walk over Pandoc's AST and the inline markup
every output writes alike (text, spaces, simple emphasis, quotation marks, notes numbered
through the document). Each writer names its elements (`SIMPLE`, the breaks) and writes
what differs (links, citations, images, math, notes) in the methods named after the kind
of element: `inline_link`, `inline_cite`, ...
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup


class AstWriter:
    SIMPLE: ClassVar[dict[str, str]] = {}  # inline element kind -> the output's element name
    SPACE = " "
    SOFT_BREAK = " "
    LINE_BREAK = ""

    def __init__(self, quotes: tuple[str, str, str, str], labels: dict[str, str] | None):
        self.quotes = quotes  # double open, double close, single open, single close
        self.labels = labels or {"figure": "Figure", "table": "Table",
                                 "appendix": "Appendix"}
        self.notes: list[str] = []  # each note's markup, numbered from 1

    @staticmethod
    def escape(text: str) -> str:
        raise NotImplementedError

    def blocks(self, blocks) -> Markup:
        return Markup("".join(self.block(b) for b in blocks))

    def inlines(self, inlines) -> Markup:
        return Markup("".join(self.inline(i) for i in inlines))

    def block(self, block: dict) -> str:
        raise NotImplementedError

    def inline(self, node: dict) -> str:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            return self.escape(content)
        if kind == "Space":
            return self.SPACE
        if kind == "SoftBreak":
            return self.SOFT_BREAK
        if kind == "LineBreak":
            return self.LINE_BREAK
        if kind in self.SIMPLE:
            tag = self.SIMPLE[kind]
            return f"<{tag}>{self.inlines(content)}</{tag}>"
        if kind == "Quoted":
            double = content[0]["t"] == "DoubleQuote"
            left, right = self.quotes[:2] if double else self.quotes[2:]
            return f"{left}{self.inlines(content[1])}{right}"
        if kind == "Math":
            return self.math(content[1], content[0]["t"] == "DisplayMath")
        if kind == "Note":
            return self.note(content)
        write = getattr(self, f"inline_{kind.lower()}", None)
        return write(node) if write is not None else ""  # RawInline was refused earlier

    def math(self, tex: str, display: bool) -> str:
        raise NotImplementedError

    def note(self, blocks) -> str:
        raise NotImplementedError

    def next_note(self) -> int:
        """The next note's number, reserved before its content is written (a note's text
        may hold another element that counts notes)."""
        self.notes.append("")
        return len(self.notes)
