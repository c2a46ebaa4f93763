"""What the HTML and JATS writers share: the walk over Pandoc's AST and the inline markup
every output writes alike (text, spaces, simple emphasis, quotation marks, notes numbered
through the document). Each writer names its elements (`SIMPLE`, the breaks) and writes
what differs (links, citations, images, math, notes, and every block) in the methods named
after the kind of element: `inline_link`, `inline_cite`, `block_para`, ...
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from typeset.model.ast import attr_of


class AstWriter:
    SIMPLE: ClassVar[dict[str, str]] = {}  # inline element kind -> the output's element name
    SPACE = " "
    SOFT_BREAK = " "
    LINE_BREAK = ""
    # The blocks that are their content between two tags: (opening, closing) markup.
    PARAGRAPH = ("", "")  # a Para's inlines
    QUOTE = ("", "")  # a BlockQuote's blocks
    CODE = ("", "")  # a CodeBlock's text, escaped

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
        kind = block["t"]
        if kind == "Div" and "equation" in attr_of(block)[1]:
            return self.equation(block)
        if kind == "Figure":
            return self.figure(block)
        if kind == "Table":
            return self.table(block)
        content = block.get("c")
        if kind == "Para":
            return f"{self.PARAGRAPH[0]}{self.inlines(content)}{self.PARAGRAPH[1]}"
        if kind == "BlockQuote":
            return f"{self.QUOTE[0]}{self.blocks(content)}{self.QUOTE[1]}"
        if kind == "CodeBlock":
            return f"{self.CODE[0]}{self.escape(content[1])}{self.CODE[1]}"
        write = getattr(self, f"block_{kind.lower()}", None)
        return write(block) if write is not None else ""  # RawBlock was refused earlier

    def equation(self, block: dict) -> str:
        raise NotImplementedError

    def figure(self, block: dict) -> str:
        raise NotImplementedError

    def table(self, block: dict) -> str:
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
