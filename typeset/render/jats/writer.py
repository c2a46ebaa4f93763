"""Pandoc AST -> JATS 1.3 body fragments (sections, paragraphs, inline markup, notes).

Everything is escaped here and the result is parsed and validated after assembly, so an
odd character in a manuscript can never make the XML ill-formed.
"""

from __future__ import annotations

import re
from typing import ClassVar
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from markupsafe import Markup

from typeset import i18n, mathtex
from typeset.model.ast import attr_of, joined_inlines, stringify, table_cells, walk
from typeset.render.writer import AstWriter

_XML_CHARS = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XREF_TYPES = {"fig": "fig", "tbl": "table", "eq": "disp-formula", "sec": "sec"}
_XREF_KINDS = {"figure": "fig", "table": "table", "equation": "disp-formula",
               "section": "sec", "appendix": "app"}


def escape(text: str) -> str:
    """Text for XML content and attribute values alike."""
    return _escape(_XML_CHARS.sub("", text), {'"': "&quot;"})


def xml_id(ident: str) -> str:
    """A valid XML ID from a Pandoc identifier (no colons, starts with a letter), in ASCII
    letters ("giriş" -> "giris", as PMC and link targets want them)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", i18n.ascii_fold(ident))
    return cleaned if cleaned[:1].isalpha() else f"id-{cleaned}"


def section_id(ident: str) -> str:
    return xml_id(ident if ident.startswith("sec:") else f"sec-{ident}")


class JatsWriter(AstWriter):
    SIMPLE: ClassVar[dict[str, str]] = {
        "Emph": "italic", "Strong": "bold", "Underline": "underline", "Strikeout": "strike",
        "Superscript": "sup", "Subscript": "sub", "SmallCaps": "sc"}
    LINE_BREAK = "<break/>"
    PARAGRAPH = ("<p>", "</p>\n")
    QUOTE = ("<disp-quote>", "</disp-quote>\n")
    CODE = ("<preformat>", "</preformat>\n")
    escape = staticmethod(escape)

    def __init__(self, quotes: tuple[str, str, str, str], labels: dict[str, str] | None = None):
        super().__init__(quotes, labels)
        self.images: list[str] = []  # files the XML points at, relative to the manuscript
        self.formulas = 0  # numbers the formulas' ids

    def body(self, blocks, top: str = "sec") -> Markup:
        """Blocks with headings turned into nested <sec> elements (level-1 ones into `top`,
        `app` for appendices)."""
        out: list[str] = []
        open_levels: list[tuple[int, str]] = []
        for block in blocks:
            if block["t"] == "Header":
                level = block["c"][0]
                while open_levels and open_levels[-1][0] >= level:
                    out.append(f"</{open_levels.pop()[1]}>\n")
                ident, _classes, pairs = attr_of(block)
                number = pairs.get("number")
                label = f"<label>{escape(number)}.</label>" if number else ""
                if number and level == 1 and pairs.get("appendix"):
                    label = f"<label>{escape(self.labels['appendix'])} {escape(number)}</label>"
                sec_type = ' sec-type="intro"' if ident == "introduction" else ""
                sec_type = ' sec-type="conclusions"' if ident == "conclusion" else sec_type
                tag = top if level == 1 else "sec"
                out.append(f'<{tag} id="{section_id(ident)}"{sec_type}>{label}'
                           f"<title>{self.inlines(block['c'][2])}</title>\n")
                open_levels.append((level, tag))
            else:
                out.append(self.block(block))
        out.extend(f"</{tag}>\n" for _level, tag in reversed(open_levels))
        return Markup("".join(out))

    def block_plain(self, block: dict) -> str:  # JATS has no bare text between blocks
        return f"<p>{self.inlines(block['c'])}</p>\n"

    def block_bulletlist(self, block: dict) -> str:
        return self._list("bullet", block["c"])

    def block_orderedlist(self, block: dict) -> str:
        return self._list("order", block["c"][1])

    def block_definitionlist(self, block: dict) -> str:
        items = "".join(
            f"<def-item><term>{self.inlines(term)}</term>"
            + "".join(f"<def>{self.blocks(d)}</def>" for d in definitions)
            + "</def-item>" for term, definitions in block["c"])
        return f"<def-list>{items}</def-list>\n"

    def block_lineblock(self, block: dict) -> str:
        lines = "".join(f"<line>{self.inlines(line)}</line>" for line in block["c"])
        return f"<verse-group>{lines}</verse-group>\n"

    def block_div(self, block: dict) -> str:
        return str(self.blocks(block["c"][1]))

    def block_header(self, block: dict) -> str:  # a heading inside a div: keep its text
        return f"<p><bold>{self.inlines(block['c'][2])}</bold></p>\n"

    def _label(self, kind: str, pairs: dict) -> str:
        number = pairs.get("number")
        return f"<label>{escape(self.labels[kind])} {escape(number)}</label>" if number else ""

    def _caption(self, caption_blocks) -> str:
        if not caption_blocks:
            return ""
        return f"<caption>{self.blocks(caption_blocks)}</caption>"

    def figure(self, block: dict) -> str:
        ident, _classes, pairs = attr_of(block)
        caption = block["c"][1][1]
        images = [node for node in walk(block["c"][2]) if node["t"] == "Image"]
        graphics = []
        for image in images:
            alt = attr_of(image)[2].get("alt") or stringify(image["c"][1]) or stringify(
                caption)
            href = image["c"][2][0]
            self.images.append(href)
            graphics.append(f"<graphic xlink:href={quoteattr(_clean(href))}>"
                            f"<alt-text>{escape(alt)}</alt-text></graphic>")
        id_attr = f' id="{xml_id(ident)}"' if ident else ""
        return (f"<fig{id_attr}>{self._label('figure', pairs)}{self._caption(caption)}"
                f"{''.join(graphics)}</fig>\n")

    def equation(self, block: dict) -> str:
        ident, _classes, pairs = attr_of(block)
        math = next(node for node in walk(block["c"][1]) if node["t"] == "Math")
        number = pairs.get("number")
        id_attr = f' id="{xml_id(ident)}"' if ident else ""
        label = f"<label>({escape(number)})</label>" if number else ""
        return (f"<disp-formula{id_attr}>{label}{self._alternatives(math['c'][1], True)}"
                "</disp-formula>\n")

    def _alternatives(self, tex: str, display: bool) -> str:
        # PMC's style checker wants an id on every mml:math and tex-math.
        self.formulas += 1
        mathml = mathtex.jats_mathml(tex, display).replace(
            "<mml:math", f'<mml:math id="mml-{self.formulas}"', 1)
        return (f"<alternatives>{mathml}"
                f'<tex-math id="tex-{self.formulas}">{escape(tex.strip())}</tex-math>'
                "</alternatives>")

    def _list(self, list_type: str, items) -> str:
        body = "".join(f"<list-item>{self.blocks(item)}</list-item>" for item in items)
        return f'<list list-type="{list_type}">{body}</list>\n'

    def table(self, block: dict) -> str:
        _attr, caption, specs, head, bodies, foot = block["c"]
        ident, _classes, pairs = attr_of(block)

        def rows(rows_, cell_tag):
            out = []
            for row in rows_:
                cells = []
                for align, rowspan, colspan, blocks in table_cells(row, specs):
                    extra = f' align="{align}"' if align else ""
                    extra += f' rowspan="{rowspan}"' if rowspan > 1 else ""
                    extra += f' colspan="{colspan}"' if colspan > 1 else ""
                    cells.append(f"<{cell_tag}{extra}>{self.inlines(joined_inlines(blocks))}"
                                 f"</{cell_tag}>")
                out.append(f"<tr>{''.join(cells)}</tr>")
            return "".join(out)

        head_rows = rows(head[1], "th")
        body_rows = "".join(rows(b[2] + b[3], "td") for b in bodies)
        foot_rows = rows(foot[1], "td")
        id_attr = f' id="{xml_id(ident)}"' if ident else ""
        return (f"<table-wrap{id_attr}>{self._label('table', pairs)}"
                f"{self._caption(caption[1])}<table>"
                f"{'<thead>' + head_rows + '</thead>' if head_rows else ''}"
                f"<tbody>{body_rows}</tbody>"
                f"{'<tfoot>' + foot_rows + '</tfoot>' if foot_rows else ''}"
                "</table></table-wrap>\n")

    def inline_cite(self, node: dict) -> str:
        return str(self.inlines(node["c"][1]))

    def inline_code(self, node: dict) -> str:
        return f"<monospace>{escape(node['c'][1])}</monospace>"

    def math(self, tex: str, display: bool) -> str:
        tag = "disp-formula" if display else "inline-formula"
        return f"<{tag}>{self._alternatives(tex, display)}</{tag}>"

    def inline_link(self, node: dict) -> str:
        return self.link(node)

    def inline_image(self, node: dict) -> str:
        self.images.append(node["c"][2][0])
        return f"<inline-graphic xlink:href={quoteattr(_clean(node['c'][2][0]))}/>"

    def note(self, blocks) -> str:
        number = self.next_note()
        self.notes[number - 1] = str(self.blocks(blocks))
        return f'<xref ref-type="fn" rid="fn{number}">{number}</xref>'

    def inline_span(self, node: dict) -> str:
        if "smallcaps" in attr_of(node)[1]:
            return f"<sc>{self.inlines(node['c'][1])}</sc>"
        return str(self.inlines(node["c"][1]))

    def link(self, node: dict) -> str:
        inlines, (url, _title) = node["c"][1], node["c"][2]
        text = self.inlines(inlines)
        if url.startswith("#ref-"):
            return f'<xref ref-type="bibr" rid="{xml_id(url[1:])}">{text}</xref>'
        if url.startswith("#"):
            target = url[1:]
            kind = attr_of(node)[2].get("data-kind")
            ref_type = _XREF_KINDS.get(kind) or _XREF_TYPES.get(target.split(":")[0], "sec")
            rid = section_id(target) if ref_type == "sec" else xml_id(target)
            return f'<xref ref-type="{ref_type}" rid="{rid}">{text}</xref>'
        if url.startswith("mailto:"):
            return f"<email>{escape(url[7:])}</email>"
        return (f'<ext-link ext-link-type="uri" xlink:href={quoteattr(_clean(url))}>'
                f"{text}</ext-link>")

    def fn_group(self) -> Markup:
        if not self.notes:
            return Markup("")
        notes = "".join(f'<fn id="fn{index}"><label>{index}</label>{note}</fn>\n'
                        for index, note in enumerate(self.notes, 1))
        return Markup(f"<fn-group>\n{notes}</fn-group>")


def _clean(url: str) -> str:
    return _XML_CHARS.sub("", url)


def plain(inlines) -> str:
    return escape(stringify(inlines))
