"""A small writer of Word (.docx) files for the import tests: the OOXML written directly.

Only what an author's file needs: paragraphs with styles, runs (bold, italic, superscript,
subscript), hyperlinks, footnotes, bulleted and numbered lists, tables, one picture per
paragraph and Word equations (OMML). The output is byte-for-byte reproducible (fixed zip
dates, fixed order), so the committed fixtures can be compared with their script's output.

Inline markup accepted by `Docx.para` (a tiny subset of Markdown, enough to lay out a
manuscript as an author would): `**bold**`, `*italic*`, `^superscript^`, `~subscript~`,
`[text](url)`, `<url>`, and `[^name]` for the call of a footnote given to `Docx.footnote`.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NAMESPACES = (
    f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:m="{M_NS}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
EMU_PER_CM = 360000
TOKEN = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>[^*]+?)\*|\^(?P<sup>[^^]+?)\^"
                   r"|~(?P<sub>[^~]+?)~|\[\^(?P<note>[^\]]+)\]"
                   r"|\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)\)|<(?P<auto>https?://[^>]+)>")


def _run(text: str, *, bold=False, italic=False, sup=False, sub=False, style: str = ""
         ) -> str:
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if sup:
        props += '<w:vertAlign w:val="superscript"/>'
    if sub:
        props += '<w:vertAlign w:val="subscript"/>'
    return (f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


@dataclass
class Docx:
    """A document under construction; `save` writes the .docx."""

    body: list[str] = field(default_factory=list)
    footnotes: dict[str, tuple[int, str]] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    media: list[tuple[str, bytes]] = field(default_factory=list)
    title: str = ""
    author: str = ""

    # -- inline content ----------------------------------------------------------------

    def runs(self, text: str, bold: bool = False, italic: bool = False) -> str:
        out, position = [], 0
        for match in TOKEN.finditer(text):
            if match.start() > position:
                out.append(_run(text[position:match.start()], bold=bold, italic=italic))
            position = match.end()
            kind = match.lastgroup
            if kind == "bold":
                out.append(self.runs(match["bold"], bold=True, italic=italic))
            elif kind == "italic":
                out.append(self.runs(match["italic"], bold=bold, italic=True))
            elif kind == "sup":
                out.append(_run(match["sup"], bold=bold, italic=italic, sup=True))
            elif kind == "sub":
                out.append(_run(match["sub"], bold=bold, italic=italic, sub=True))
            elif kind == "note":
                number = self.footnotes[match["note"]][0]
                out.append('<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                           f'<w:footnoteReference w:id="{number}"/></w:r>')
            else:
                url = match["auto"] or match["url"]
                label = match["auto"] or match["text"]
                out.append(self.hyperlink(url, label, bold=bold, italic=italic))
        if position < len(text):
            out.append(_run(text[position:], bold=bold, italic=italic))
        return "".join(out)

    def hyperlink(self, url: str, label: str, bold: bool = False, italic: bool = False) -> str:
        self.links.append(url)
        rid = f"rIdLink{len(self.links)}"
        return (f'<w:hyperlink r:id="{rid}">'
                + self.runs(label, bold=bold, italic=italic).replace(
                    "<w:r><w:rPr>", '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/>').replace(
                    "<w:r><w:t", '<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t')
                + "</w:hyperlink>")

    # -- blocks ------------------------------------------------------------------------

    def para(self, text: str = "", style: str = "", align: str = "", bold: bool = False,
             italic: bool = False, numbering: tuple[int, int] | None = None,
             indent_cm: float = 0) -> None:
        props = ""
        if style:
            props += f'<w:pStyle w:val="{style}"/>'
        if numbering:
            props += (f'<w:numPr><w:ilvl w:val="{numbering[1]}"/>'
                      f'<w:numId w:val="{numbering[0]}"/></w:numPr>')
        if indent_cm:
            twips = round(indent_cm * 567)
            props += f'<w:ind w:left="{twips}" w:right="{twips}"/>'
        if align:
            props += f'<w:jc w:val="{align}"/>'
        self.body.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}"
                         f"{self.runs(text, bold=bold, italic=italic)}</w:p>")

    def heading(self, text: str, level: int, bold: bool = False) -> None:
        self.para(text, style=f"Heading{level}", bold=bold)

    def footnote(self, name: str, text: str) -> None:
        """Define a footnote before the paragraph that calls it with `[^name]`."""
        self.footnotes[name] = (len(self.footnotes) + 1, text)

    def bullets(self, items: list[str], ordered: bool = False, level: int = 0) -> None:
        for item in items:
            self.para(item, style="ListParagraph", numbering=(2 if ordered else 1, level))

    def table(self, rows: list[list[str]], header: bool = True) -> None:
        columns = len(rows[0])
        grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(columns))
        xml = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" '
               'w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1"/></w:tblPr>'
               f"<w:tblGrid>{grid}</w:tblGrid>"]
        for index, row in enumerate(rows):
            head = ("<w:trPr><w:tblHeader/></w:trPr>" if header and index == 0 else "")
            cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>'
                            f"<w:p>{self.runs(cell, bold=header and index == 0)}</w:p></w:tc>"
                            for cell in row)
            xml.append(f"<w:tr>{head}{cells}</w:tr>")
        xml.append("</w:tbl>")
        self.body.append("".join(xml))

    def picture(self, data: bytes, width_cm: float, height_cm: float, description: str,
                extension: str = "png") -> None:
        self.media.append((f"image{len(self.media) + 1}.{extension}", data))
        number = len(self.media)
        cx, cy = round(width_cm * EMU_PER_CM), round(height_cm * EMU_PER_CM)
        self.body.append(
            '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>'
            f'<wp:inline><wp:extent cx="{cx}" cy="{cy}"/>'
            f'<wp:docPr id="{number}" name="Picture {number}" descr="{escape(description)}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
            'picture"><pic:pic><pic:nvPicPr>'
            f'<pic:cNvPr id="{number}" name="image{number}.{extension}" '
            f'descr="{escape(description)}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="rIdImage{number}"/><a:stretch><a:fillRect/>'
            '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>")

    def equation(self, omml: str, number: str = "") -> None:
        """A display equation (OMML inside m:oMathPara), with the author's number typed
        after it, as Word users do: `(1)`."""
        tail = _run(f"\t({number})") if number else ""
        self.body.append(f'<w:p><m:oMathPara><m:oMath>{omml}</m:oMath></m:oMathPara>'
                         f"{tail}</w:p>")

    def equation_in_table(self, omml: str, number: str) -> None:
        """A display equation in the first cell of a borderless one-row table and its
        number in the second, as many authors align them in Word."""
        cell = '<w:tc><w:tcPr><w:tcW w:w="{}" w:type="dxa"/></w:tcPr>{}</w:tc>'
        self.body.append(
            '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
            + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right",
                                                               "insideH", "insideV"))
            + '</w:tblBorders></w:tblPr><w:tblGrid><w:gridCol w:w="8000"/><w:gridCol '
            'w:w="1000"/></w:tblGrid><w:tr>'
            + cell.format(8000, f"<w:p><m:oMathPara><m:oMath>{omml}</m:oMath></m:oMathPara>"
                                "</w:p>")
            + cell.format(1000, f'<w:p><w:pPr><w:jc w:val="right"/></w:pPr>'
                                f"{_run(f'({number})')}</w:p>")
            + "</w:tr></w:tbl>")

    def page_break(self) -> None:
        self.body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    # -- the package -------------------------------------------------------------------

    def save(self, path: Path) -> None:
        document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f"<w:document {NAMESPACES}><w:body>{''.join(self.body)}"
                    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1418" '
                    'w:right="1418" w:bottom="1418" w:left="1418" w:header="709" '
                    'w:footer="709" w:gutter="0"/></w:sectPr></w:body></w:document>')
        notes = "".join(
            f'<w:footnote w:id="{number}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>'
            '</w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteRef/></w:r>{_run(" ")}{self.runs(text)}</w:p></w:footnote>'
            for number, text in self.footnotes.values())
        footnotes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     f"<w:footnotes {NAMESPACES}>"
                     '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
                     '</w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" '
                     'w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                     f"{notes}</w:footnotes>")
        relationships = [
            ("rIdStyles", "styles", "styles.xml", ""),
            ("rIdNumbering", "numbering", "numbering.xml", ""),
            ("rIdFootnotes", "footnotes", "footnotes.xml", ""),
            *((f"rIdLink{i}", "hyperlink", url, ' TargetMode="External"')
              for i, url in enumerate(self.links, 1)),
            *((f"rIdImage{i}", "image", f"media/{name}", "")
              for i, (name, _) in enumerate(self.media, 1)),
        ]
        rels = "".join(
            f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/{kind}" Target="{escape(target, {chr(34): "&quot;"})}"{mode}/>'
            for rid, kind, target, mode in relationships)
        parts = {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "docProps/core.xml": CORE.format(title=escape(self.title),
                                             author=escape(self.author)),
            "word/document.xml": document,
            "word/styles.xml": STYLES,
            "word/numbering.xml": NUMBERING,
            "word/footnotes.xml": footnotes,
            "word/_rels/document.xml.rels":
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                "</Relationships>",
            **{f"word/media/{name}": data for name, data in self.media},
        }
        write_zip(path, parts)


def write_zip(path: Path, parts: dict[str, str | bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8") if isinstance(content, str)
                             else content)


def png(width: int, height: int, pixel) -> bytes:
    """A small RGB PNG drawn by `pixel(x, y) -> (r, g, b)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Default Extension="png" ContentType="image/png"/>\
<Default Extension="jpeg" ContentType="image/jpeg"/>\
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
<Override PartName="/word/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
<Override PartName="/word/numbering.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>\
<Override PartName="/word/footnotes.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>\
<Override PartName="/docProps/core.xml" \
ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="word/document.xml"/>\
<Relationship Id="rId2" \
Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
Target="docProps/core.xml"/></Relationships>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties \
xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>\
<dc:creator>{author}</dc:creator></cp:coreProperties>"""


def _style(style_id: str, name: str, kind: str = "paragraph", extra: str = "",
           based_on: str = "Normal") -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on and style_id != "Normal" else ""
    return (f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            f"{based}{extra}</w:style>")


STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          f'<w:styles xmlns:w="{W_NS}">'
          + _style("Normal", "Normal")
          + _style("Title", "Title", extra='<w:pPr><w:jc w:val="center"/></w:pPr>'
                   '<w:rPr><w:b/><w:sz w:val="32"/></w:rPr>')
          + "".join(_style(f"Heading{n}", f"heading {n}",
                           extra=f'<w:pPr><w:keepNext/><w:outlineLvl w:val="{n - 1}"/></w:pPr>'
                                 '<w:rPr><w:b/></w:rPr>')
                    for n in range(1, 5))
          + _style("Quote", "Quote", extra='<w:pPr><w:ind w:left="864" w:right="864"/>'
                   "</w:pPr><w:rPr><w:i/></w:rPr>")
          + _style("Caption", "caption", extra="<w:rPr><w:b/><w:sz w:val='18'/></w:rPr>")
          + _style("ListParagraph", "List Paragraph",
                   extra='<w:pPr><w:ind w:left="720"/></w:pPr>')
          + _style("FootnoteText", "footnote text", extra="<w:rPr><w:sz w:val='20'/></w:rPr>")
          + _style("FootnoteReference", "footnote reference", kind="character",
                   extra='<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>', based_on="")
          + _style("Hyperlink", "Hyperlink", kind="character",
                   extra='<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>',
                   based_on="")
          + _style("TableGrid", "Table Grid", kind="table", based_on="")
          + "</w:styles>")


def _levels(ordered: bool) -> str:
    levels = []
    for level in range(3):
        if ordered:
            fmt, text = ("decimal", f"%{level + 1}.") if level == 0 else (
                "lowerLetter", f"%{level + 1})")
        else:
            fmt, text = "bullet", "•–◦"[level]
        levels.append(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                      f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr>'
                      f'<w:ind w:left="{720 * (level + 1)}" w:hanging="360"/></w:pPr></w:lvl>')
    return "".join(levels)


NUMBERING = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             f'<w:numbering xmlns:w="{W_NS}">'
             f'<w:abstractNum w:abstractNumId="0">{_levels(False)}</w:abstractNum>'
             f'<w:abstractNum w:abstractNumId="1">{_levels(True)}</w:abstractNum>'
             '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
             '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
             "</w:numbering>")


# -- OMML pieces, for writing equations by hand ---------------------------------------------

def m_run(text: str) -> str:
    return f"<m:r><m:t xml:space=\"preserve\">{escape(text)}</m:t></m:r>"


def m_sub(base: str, sub: str) -> str:
    return f"<m:sSub><m:e>{base}</m:e><m:sub>{sub}</m:sub></m:sSub>"


def m_frac(numerator: str, denominator: str) -> str:
    return f"<m:f><m:num>{numerator}</m:num><m:den>{denominator}</m:den></m:f>"
