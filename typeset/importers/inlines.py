"""Pandoc inlines as text with marks: what the front-page and reference-list readers need.

A byline's superscript affiliation marks, a reference's italic journal name and its link
targets are formatting, which plain text loses. `Marked` keeps the plain text (for regular
expressions) and, beside it, where each italic, bold, superscript and link stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STYLE_KINDS = {"Emph": "italic", "Strong": "bold", "Superscript": "sup",
               "Subscript": "sub", "Underline": "underline", "SmallCaps": "smallcaps"}


@dataclass
class Mark:
    start: int
    end: int
    kind: str  # italic, bold, sup, sub, link, ...
    value: str = ""  # a link's target


@dataclass
class Marked:
    text: str = ""
    marks: list[Mark] = field(default_factory=list)

    def spans(self, kind: str) -> list[Mark]:
        return [m for m in self.marks if m.kind == kind and m.end > m.start]

    def has(self, kind: str, start: int, end: int) -> bool:
        """Whether [start, end) lies wholly inside a mark of this kind."""
        return any(m.start <= start and end <= m.end for m in self.spans(kind))

    def covered(self, kind: str, start: int, end: int) -> float:
        """The share of the letters of [start, end) inside marks of this kind."""
        letters = [i for i in range(start, end) if not self.text[i].isspace()]
        if not letters:
            return 0.0
        inside = sum(1 for i in letters if any(m.start <= i < m.end for m in self.spans(kind)))
        return inside / len(letters)


def marked(inlines: list) -> Marked:
    out = Marked()
    _walk(inlines, out)
    return out


def _walk(inlines: list, out: Marked) -> None:
    for node in inlines:
        kind = node["t"]
        if kind == "Str":
            out.text += node["c"]
        elif kind in ("Space", "SoftBreak"):
            out.text += " "
        elif kind == "LineBreak":
            out.text += "\n"
        elif kind in STYLE_KINDS:
            start = len(out.text)
            _walk(node["c"], out)
            out.marks.append(Mark(start, len(out.text), STYLE_KINDS[kind]))
        elif kind == "Link":
            start = len(out.text)
            _walk(node["c"][1], out)
            out.marks.append(Mark(start, len(out.text), "link", node["c"][2][0]))
        elif kind == "Quoted":
            quote = "“" if node["c"][0]["t"] == "DoubleQuote" else "‘"
            close = "”" if quote == "“" else "’"
            out.text += quote
            _walk(node["c"][1], out)
            out.text += close
        elif kind in ("Span", "Strikeout"):
            _walk(node["c"][-1], out)
        elif kind == "Cite":
            _walk(node["c"][1], out)
        elif kind == "Code" or kind == "Math":
            out.text += node["c"][1]
        # Note, Image, RawInline: not text of the paragraph itself


def plain(inlines: list) -> str:
    return marked(inlines).text


def block_inlines(block: dict) -> list | None:
    """The inlines of a paragraph-like block (Para, Plain, Header), else None."""
    if block["t"] in ("Para", "Plain"):
        return block["c"]
    if block["t"] == "Header":
        return block["c"][2]
    return None


def block_text(block: dict) -> str:
    inlines = block_inlines(block)
    return plain(inlines).strip() if inlines is not None else ""


def words(text: str) -> list[dict]:
    """Plain text back to Str/Space inlines."""
    out: list[dict] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def is_all_strong(inlines: list) -> bool:
    """A paragraph set wholly in bold (a heading typed as a bold paragraph)."""
    content = [n for n in inlines if n["t"] not in ("Space", "SoftBreak", "LineBreak")]
    return bool(content) and all(n["t"] == "Strong" for n in content)
