"""Pandoc AST -> HTML fragments, for the reading page and for the print (PDF) page.

Every text goes through `escape`; nothing raw from the manuscript reaches the output (raw
HTML was refused earlier). Footnotes are either collected for an endnote list (screen) or
left in place as `float: footnote` spans (print), which WeasyPrint sets at the page foot.
"""

from __future__ import annotations

from html import escape as _escape
from typing import ClassVar

from typeset import mathtex
from typeset.model.ast import attr_of, stringify, table_cells
from typeset.render.writer import AstWriter


def escape(text: str) -> str:
    return _escape(text, quote=True)


class HtmlWriter(AstWriter):
    SIMPLE: ClassVar[dict[str, str]] = {
        "Emph": "em", "Strong": "strong", "Underline": "u", "Strikeout": "s",
        "Superscript": "sup", "Subscript": "sub"}
    SOFT_BREAK = "\n"
    LINE_BREAK = "<br>\n"
    PARAGRAPH = ("<p>", "</p>\n")
    QUOTE = ("<blockquote>\n", "</blockquote>\n")
    CODE = ("<pre><code>", "</code></pre>\n")
    escape = staticmethod(escape)

    def __init__(self, *, print_notes: bool = False, heading_offset: int = 1,
                 quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’"),
                 labels: dict[str, str] | None = None, font_size_pt: float = 11):
        super().__init__(quotes, labels)
        self.print_notes = print_notes  # print: notes in place, math as SVG; else MathML
        self.font_size_pt = font_size_pt
        self._figure_caption = ""  # alt text for a figure's image that has none
        self.heading_offset = heading_offset

    # -- blocks -------------------------------------------------------------------------

    def block_plain(self, block: dict) -> str:
        return str(self.inlines(block["c"]))

    def block_bulletlist(self, block: dict) -> str:
        items = "".join(f"<li>{self.blocks(item)}</li>\n" for item in block["c"])
        return f"<ul>\n{items}</ul>\n"

    def block_orderedlist(self, block: dict) -> str:
        (start, style, _delim), items = block["c"]
        kind_attr = {"LowerAlpha": ' type="a"', "UpperAlpha": ' type="A"',
                     "LowerRoman": ' type="i"', "UpperRoman": ' type="I"'}.get(style["t"], "")
        start_attr = f' start="{start}"' if start != 1 else ""
        body = "".join(f"<li>{self.blocks(item)}</li>\n" for item in items)
        return f"<ol{start_attr}{kind_attr}>\n{body}</ol>\n"

    def block_definitionlist(self, block: dict) -> str:
        parts = []
        for term, definitions in block["c"]:
            parts.append(f"<dt>{self.inlines(term)}</dt>\n")
            parts += [f"<dd>{self.blocks(d)}</dd>\n" for d in definitions]
        return f"<dl>\n{''.join(parts)}</dl>\n"

    def block_horizontalrule(self, block: dict) -> str:
        return "<hr>\n"

    def block_lineblock(self, block: dict) -> str:
        lines = "<br>\n".join(str(self.inlines(line)) for line in block["c"])
        return f'<div class="line-block">{lines}</div>\n'

    def block_div(self, block: dict) -> str:
        ident, classes, pairs = attr_of(block)
        return (f"<div{self.attrs(ident, classes, pairs)}>\n"
                f"{self.blocks(block['c'][1])}</div>\n")

    def block_header(self, block: dict) -> str:
        level, _attr, inlines = block["c"]
        ident, classes, pairs = attr_of(block)
        tag = f"h{min(level + self.heading_offset, 6)}"
        number = pairs.get("number")
        numbered = f'<span class="secnum">{escape(number)}.</span> ' if number else ""
        if number and level == 1 and pairs.get("appendix"):
            label = escape(self.labels["appendix"])
            numbered = f'<span class="secnum">{label} {escape(number)}.</span> '

        css = [c for c in classes if c not in ("unnumbered", "unlisted")]
        css.append(f"level{level}")
        return (f"<{tag}{self.attrs(ident, css, {})}>{numbered}"
                f"{self.inlines(inlines)}</{tag}>\n")

    def figure(self, block: dict) -> str:
        ident, classes, pairs = attr_of(block)
        caption = block["c"][1][1]
        self._figure_caption = stringify(caption)
        body = self.blocks(block["c"][2])
        self._figure_caption = ""
        label = self._label("figure", pairs)
        cap = f"<figcaption>{label}{self._caption_text(caption)}</figcaption>"
        return (f'<figure{self.attrs(ident, ["figure", *classes], {})}>{body}{cap}'
                "</figure>\n")

    def _label(self, kind: str, pairs: dict) -> str:
        number = pairs.get("number")
        if not number:
            return ""
        return f'<span class="float-label">{escape(self.labels[kind])} {escape(number)}.</span> '

    def _caption_text(self, caption_blocks) -> str:
        return "".join(str(self.inlines(b["c"])) if b["t"] in ("Para", "Plain")
                       else str(self.block(b)) for b in caption_blocks)

    def equation(self, block: dict) -> str:
        ident, _classes, pairs = attr_of(block)
        number = pairs.get("number")
        tag = f'<span class="equation-number">({escape(number)})</span>' if number else ""
        math = "".join(str(self.inlines(b["c"])) for b in block["c"][1])
        # The number first: floated right, it then shares the formula's line.
        return (f'<div{self.attrs(ident, ["equation"], {})}>{tag}'
                f'<span class="equation-body">{math}</span></div>\n')

    def math(self, tex: str, display: bool) -> str:
        if not self.print_notes:
            return mathtex.mathml(tex, display)
        uri, width, height, depth = mathtex.svg_data_uri(tex, display, self.font_size_pt)
        css = "display math" if display else "inline math"
        return (f'<img class="{css}" src="{uri}" alt="{escape(tex.strip())}" '
                f'style="width: {width:.2f}pt; height: {height:.2f}pt; '
                f'vertical-align: -{depth:.2f}pt">')

    def table(self, block: dict) -> str:
        _attr, caption, specs, head, bodies, foot = block["c"]
        ident, classes, _ = attr_of(block)
        pairs = attr_of(block)[2]
        parts = [f"<table{self.attrs(ident, classes, {})}>"]
        if caption[1] or pairs.get("number"):
            parts.append(f"<caption>{self._label('table', pairs)}"
                         f"{self._caption_text(caption[1])}</caption>")
        widths = [spec[1].get("c") for spec in specs]
        if all(isinstance(width, float) for width in widths) and widths:
            parts.append("<colgroup>" + "".join(f'<col style="width: {w * 100:.1f}%">'
                                                for w in widths) + "</colgroup>")
        parts.append(self._rows(head[1], "thead", "th", specs))
        for body in bodies:
            parts.append(self._rows(body[2] + body[3], "tbody", "td", specs))
        if foot[1]:
            parts.append(self._rows(foot[1], "tfoot", "td", specs))
        parts.append("</table>\n")
        return "".join(parts)

    def _rows(self, rows, section: str, cell_tag: str, specs) -> str:
        if not rows:
            return ""
        out = [f"<{section}>"]
        for row in rows:
            out.append("<tr>")
            for align, rowspan, colspan, blocks in table_cells(row, specs):
                extra = f' style="text-align: {align}"' if align else ""
                extra += f' rowspan="{rowspan}"' if rowspan > 1 else ""
                extra += f' colspan="{colspan}"' if colspan > 1 else ""
                out.append(f"<{cell_tag}{extra}>{self.blocks(blocks)}</{cell_tag}>")
            out.append("</tr>")
        out.append(f"</{section}>")
        return "".join(out)

    # -- inlines ------------------------------------------------------------------------

    def inline_smallcaps(self, node: dict) -> str:
        return f'<span class="smallcaps">{self.inlines(node["c"])}</span>'

    def inline_cite(self, node: dict) -> str:
        keys = " ".join(c["citationId"] for c in node["c"][0])
        return (f'<span class="citation" data-cites="{escape(keys)}">'
                f"{self.inlines(node['c'][1])}</span>")

    def inline_code(self, node: dict) -> str:
        return f"<code>{escape(node['c'][1])}</code>"

    def inline_link(self, node: dict) -> str:
        return self.link(node)

    def inline_image(self, node: dict) -> str:
        ident, classes, pairs = attr_of(node)
        content = node["c"]
        alt = pairs.get("alt") or stringify(content[1]) or self._figure_caption
        style = ""
        for dimension in ("width", "height"):
            if pairs.get(dimension):
                style += f"{dimension}: {escape(pairs[dimension])}; "
        style_attr = f' style="{style.strip()}"' if style else ""
        return (f'<img src="{escape(content[2][0])}" alt="{escape(alt)}"'
                f"{style_attr}{self.attrs(ident, classes, {})}>")

    def inline_span(self, node: dict) -> str:
        ident, classes, pairs = attr_of(node)
        return f"<span{self.attrs(ident, classes, pairs)}>{self.inlines(node['c'][1])}</span>"

    def link(self, node: dict) -> str:
        ident, classes, _pairs = attr_of(node)
        inlines, (url, title) = node["c"][1], node["c"][2]
        extra = f' title="{escape(title)}"' if title else ""
        return (f'<a href="{escape(url)}"{extra}{self.attrs(ident, classes, {})}>'
                f"{self.inlines(inlines)}</a>")

    def note(self, blocks) -> str:
        number = self.next_note()
        if self.print_notes:
            inner = "".join(str(self.inlines(b["c"])) if b["t"] in ("Para", "Plain")
                            else str(self.block(b)) for b in blocks)
            self.notes[number - 1] = inner
            return f'<fn-note class="footnote" id="fn{number}">{inner}</fn-note>'
        self.notes[number - 1] = str(self.blocks(blocks))
        return (f'<a class="footnote-ref" id="fnref{number}" href="#fn{number}" '
                f'role="doc-noteref"><sup>{number}</sup></a>')

    @staticmethod
    def attrs(ident: str, classes, pairs: dict) -> str:
        out = f' id="{escape(ident)}"' if ident else ""
        if classes:
            out += f' class="{escape(" ".join(classes))}"'
        for key, value in pairs.items():
            if key in ("lang",) or key.startswith("data-"):
                out += f' {escape(key)}="{escape(value)}"'
        return out
