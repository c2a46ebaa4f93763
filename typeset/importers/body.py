"""The body of an author's file in the manuscript's forms.

Headings take their level from their typed number ("2.1." is level 2) or, unnumbered,
from Word's heading style; the numbers go (the style numbers headings), Introduction and
Conclusion become `{.unnumbered}`, headings typed in capitals are written in title case.
A "Tablo 1." / "Figure 2:" line beside a table or picture becomes its caption and label;
pictures move to figures/; an equation's typed "(1)" becomes its label; and "Tablo 1",
"Şekil 2", "Bölüm 3", "Denklem 1" in the text become cross-references when exactly one
target carries that number.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from typeset import mathtex
from typeset.i18n import ascii_fold
from typeset.importers import labels
from typeset.importers.inlines import block_inlines, block_text, plain, words
from typeset.importers.language import is_all_caps, title_case
from typeset.importers.layout import heading_of
from typeset.importers.report import Report
from typeset.model.ast import table_cell_blocks, table_rows
from typeset.read.images import image_kind

BODY = "body"
CAPTION = re.compile(r"^(?P<word>Tablo|Table|Şekil|Figure|Fig\.|Grafik|Resim|Harita)\s*"
                     r"(?P<number>\d+(?:\.\d+)?)\s*[.:–—-]?\s*(?P<rest>.*)$", re.S | re.I)
EQUATION_NUMBER = re.compile(r"^\s*\(?(\d+(?:\.\d+)?)\)\s*$")
USABLE_IMAGES = ("png", "jpeg", "svg", "gif")
REFERENCE_WORDS = {kind: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))
                   for kind, ws in labels.REFERRING_WORDS.items()}
CROSS_REFERENCE = re.compile(
    r"(?P<word>\b(?:" + "|".join(REFERENCE_WORDS.values()) + r"))\s*"
    r"(?P<open>\()?(?P<number>\d+(?:\.\d+)*)(?(open)\))(?P<after>['’][a-zçğıöşü]+)?",
    re.I)


@dataclass
class Targets:
    """What the text may refer to, by the author's numbers."""
    table: dict[str, list[str]] = field(default_factory=dict)
    figure: dict[str, list[str]] = field(default_factory=dict)
    equation: dict[str, list[str]] = field(default_factory=dict)
    section: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Body:
    blocks: list
    appendix: list
    targets: Targets
    figures: list[tuple[Path, str]]  # (extracted file, figures/name)


class BodyReader:
    def __init__(self, lang: str, acronyms: frozenset[str], report: Report, media: Path,
                 text_width_emu: int | None):
        self.lang = lang
        self.acronyms = acronyms
        self.report = report
        self.media = media
        self.text_width = text_width_emu
        self.targets = Targets()
        self.ids: set[str] = set()
        self.figures: list[tuple[Path, str]] = []

    def note(self, severity: str, message: str, block: dict, snippet: str = "") -> None:
        self.report.add(BODY, severity, message, ("node", id(block), snippet))

    def read(self, body: list, appendix: list) -> Body:
        body = self.headings(body, appendix=False)
        appendix = self.headings(appendix, appendix=True)
        body = self.floats(body)
        appendix = self.floats(appendix)
        for block in body + appendix:
            self.clean(block)
        return Body(body, appendix, self.targets, self.figures)

    # -- headings ------------------------------------------------------------------------

    def headings(self, blocks: list, appendix: bool) -> list:
        found = [(i, h) for i, b in enumerate(blocks) if (h := heading_of(b)) is not None]
        styled = [h.style_level for _, h in found if h.style_level]
        top_style = min(styled) if styled else 1
        numbered = [h for _, h in found if h.number]
        out = list(blocks)
        previous_level = 0
        previous_number: list[int] = []
        for index, heading in found:
            block = blocks[index]
            classes: list[str] = []
            ident = ""
            named = labels.lookup(labels.INTRODUCTION, heading.text) or labels.lookup(
                labels.CONCLUSION, heading.text)
            typed = heading  # as in the file, its number with it
            if heading.number and named and "." not in heading.number:
                self.note("check", f"\"{heading.number}. {heading.text}\" is numbered in the "
                                   "file; the introduction and conclusion are not numbered in "
                                   "the journal's style: its number is removed, and the "
                                   "sections after it are numbered differently from the file",
                          block, heading.text[:20])
                heading = type(heading)(heading.text, "", heading.style_level)
            if heading.number:
                level = heading.number.count(".") + 1
                parts = [int(p) for p in heading.number.split(".")]
                expected = _next_numbers(previous_number, level)
                if parts != expected and previous_number:
                    self.note("check", f"the heading number {heading.number} does not follow "
                                       f"{'.'.join(map(str, previous_number))}: the style "
                                       "numbers headings itself, check the order", block,
                              heading.text[:30])
                previous_number = parts
                ident = self.unique("sec:" + _slug(heading.text))
                self.targets.section.setdefault(heading.number, []).append(ident)
            elif labels.lookup(labels.INTRODUCTION, heading.text) or labels.lookup(
                    labels.CONCLUSION, heading.text):
                level = 1
                classes.append("unnumbered")
            else:
                level = max(1, (heading.style_level or top_style) - top_style + 1)
                if numbered:
                    classes.append("unnumbered")
                    self.note("check", f"the heading \"{heading.text}\" has no number among "
                                       "numbered headings: made unnumbered at level "
                                       f"{level}", block, heading.text[:30])
            if appendix and index == found[0][0]:
                classes.append("appendix")
                if "unnumbered" in classes:
                    classes.remove("unnumbered")
            if previous_level and level > previous_level + 1:
                self.note("check", f"the heading \"{heading.text}\" jumps from level "
                                   f"{previous_level} to {level}", block, heading.text[:30])
            previous_level = level
            text = heading.text
            inlines = _heading_inlines(block, typed)
            if appendix and (prefix := labels.APPENDIX.match(text)):
                # "EK 1. Örnek Adaların Listesi": the style labels appendices itself
                rest = text[prefix.end():].lstrip(" .:–-")
                if rest:
                    text, inlines = rest, words(rest)
            if _mostly_caps(text) and len(text.split()) > 1:
                cased = title_case(text, self.lang, self.acronyms)
                inlines = words(cased)
                self.note("check", f"the heading \"{_short(text)}\" is typed in capitals: "
                                   f"written \"{_short(cased)}\" (the style sets level-1 "
                                   "headings in capitals itself; check proper names)",
                          block, "")
            elif is_all_caps(text):
                inlines = words(title_case(text, self.lang, self.acronyms))
            new = {"t": "Header", "c": [level, [ident, classes, []], inlines]}
            out[index] = new
            self._rekey(block, new)
        return out

    def _rekey(self, old: dict, new: dict) -> None:
        for item in self.report.items:
            if item.anchor[:2] == ("node", id(old)):
                item.anchor = ("node", id(new), *item.anchor[2:])

    def unique(self, ident: str) -> str:
        base, number = ident, 2
        while ident in self.ids:
            ident, number = f"{base}-{number}", number + 1
        self.ids.add(ident)
        return ident

    # -- tables, figures, equations --------------------------------------------------------

    def floats(self, blocks: list) -> list:
        out: list = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            caption = _caption(block)
            nxt = blocks[index + 1] if index + 1 < len(blocks) else None
            if caption and nxt is not None and self.float_kind(nxt) == caption[0]:
                out.append(self.captioned(nxt, caption, block))
                index += 2
                continue
            if self.float_kind(block) and nxt is not None and (
                    (cap := _caption(nxt)) and cap[0] == self.float_kind(block)):
                out.append(self.captioned(block, cap, nxt))
                index += 2
                continue
            if (equation := _equation_in_table(block)) is not None:
                # An equation set in a borderless table, its number in the next cell.
                out.append(self.equation(equation))
                index += 1
                continue
            if self.is_equation(block) and nxt is not None and nxt["t"] in ("Para", "Plain") \
                    and EQUATION_NUMBER.match(block_text(nxt)) and not EQUATION_NUMBER.match(
                        plain([n for n in block["c"] if n["t"] != "Math"])):
                # Its number on the line below ("(1)" alone in a paragraph).
                block = {"t": "Para", "c": [*block["c"], {"t": "Space"}, *nxt["c"]]}
                out.append(self.equation(block))
                index += 2
                continue
            kind = self.float_kind(block)
            if kind == "table":
                self.note("check", "a table without a \"Tablo N.\" caption line: add a "
                                   "caption", block)
                out.append(block)
            elif kind == "figure":
                out.append(self.figure(block, None, None))
            elif self.is_equation(block):
                out.append(self.equation(block))
            else:
                if caption:
                    self.note("check", f"a caption line \"{_short(block_text(block))}\" with "
                                       "no table or picture beside it: left as a paragraph",
                              block)
                out.append(block)
            index += 1
        return out

    def float_kind(self, block: dict) -> str | None:
        if block["t"] == "Table":
            align_numbers(block)
            return "table"
        if block["t"] == "Figure" or (block["t"] in ("Para", "Plain") and _images(block)):
            return "figure"
        return None

    def captioned(self, block: dict, caption: tuple, caption_block: dict) -> dict:
        kind, number, inlines = caption
        if kind == "table":
            ident = self.unique("tbl:" + _slug(plain(inlines)) if inlines else f"tbl:{number}")
            self.targets.table.setdefault(number, []).append(ident)
            block["c"][0] = [ident, [], []]
            block["c"][1] = [None, [{"t": "Plain", "c": inlines}]]
            self.moved_notes(caption_block, block)
            return block
        return self.figure(block, number, inlines, caption_block)

    def moved_notes(self, old: dict, new: dict) -> None:
        self._rekey(old, new)

    def figure(self, block: dict, number: str | None, caption: list | None,
               caption_block: dict | None = None) -> dict:
        images = _images(block)
        if block["t"] == "Figure":
            image = images[0] if images else None
            caption = caption or [n for b in block["c"][1][1] for n in (block_inlines(b) or [])]
        else:
            image = images[0] if images else None
        if image is None:
            return block
        if len(images) > 1:
            self.note("check", f"{len(images)} pictures in one paragraph: only the first is "
                               "kept as the figure", block)
        if not caption:
            self.note("check", "a picture without a \"Şekil N.\" caption line: add a caption",
                      block)
            caption = []
        slug = _slug(plain(caption)) if caption else str(len(self.figures) + 1)
        ident = self.unique("fig:" + slug)
        if number:
            self.targets.figure.setdefault(number, []).append(ident)
        attr, alt, (src, _) = image["c"]
        source = (self.media / src) if not Path(src).is_absolute() else Path(src)
        if not source.is_file():
            found = list(self.media.rglob(Path(src).name))
            source = found[0] if found else source
        extension = source.suffix.lower().lstrip(".") or "bin"
        head = source.read_bytes()[:512] if source.is_file() else b""
        kind = image_kind(head)
        suffix = "jpg" if kind == "jpeg" else kind or extension
        name = f"figures/{ident.removeprefix('fig:')}.{suffix}"
        self.figures.append((source, name))
        if kind not in USABLE_IMAGES:
            self.note("check", f"the picture is in a format the outputs cannot show "
                               f"({extension.upper()}): convert {name} to PNG or SVG", block)
        pairs = []
        width = _percent(dict(attr[2]).get("width"), self.text_width)
        if width:
            pairs.append(["width", width])
        description = plain(alt).strip()
        if description and description != plain(caption or []).strip():
            pairs.append(["alt", description])
        elif not description:
            self.note("check", f"the picture {name} has no description (alt text) in the Word "
                               "file: add alt=\"...\" for readers who cannot see it", block)
        figure_image = {"t": "Image", "c": [["", [], pairs], caption, [name, ""]]}
        new = {"t": "Figure", "c": [[ident, [], []], [None, [{"t": "Plain", "c": caption}]],
                                    [{"t": "Plain", "c": [figure_image]}]]}
        self._rekey(block, new)
        if caption_block is not None:
            self._rekey(caption_block, new)
        return new

    def is_equation(self, block: dict) -> bool:
        content = block_inlines(block) if block["t"] in ("Para", "Plain") else None
        return bool(content) and any(n["t"] == "Math" and n["c"][0]["t"] == "DisplayMath"
                                     for n in content)

    def equation(self, block: dict) -> dict:
        content = block["c"]
        maths = [n for n in content if n["t"] == "Math" and n["c"][0]["t"] == "DisplayMath"]
        rest = plain([n for n in content if n not in maths]).strip()
        tex = maths[0]["c"][1]
        problem = mathtex.check(tex)
        if problem:
            self.note("check", f"the equation's TeX (from Word's equation) is not supported "
                               f"by the outputs: {problem}", block)
        if len(maths) > 1 or (rest and not EQUATION_NUMBER.match(rest)):
            return block
        new_content = [maths[0]]
        if match := EQUATION_NUMBER.match(rest):
            ident = self.unique(f"eq:{match[1]}")
            self.targets.equation.setdefault(match[1], []).append(ident)
            new_content += [{"t": "Space"}, {"t": "Str", "c": "{#" + ident + "}"}]
        block["c"] = new_content
        return block

    # -- what the manuscript format refuses ---------------------------------------------

    def clean(self, block: dict) -> None:
        if block["t"] in ("BulletList", "OrderedList"):
            items = block["c"] if block["t"] == "BulletList" else block["c"][1]
            if all(len(item) == 1 and item[0]["t"] == "Para" for item in items):
                for item in items:
                    item[0]["t"] = "Plain"  # one paragraph per item: a tight list
        if block["t"] == "Table":
            for row in block["c"][3][1]:
                for cell in row[1]:
                    for child in cell[4]:
                        inlines = child.get("c") if child["t"] in ("Para", "Plain") else None
                        if inlines and len(inlines) == 1 and inlines[0]["t"] == "Strong":
                            child["c"] = inlines[0]["c"]  # the style sets headers in bold

        def visit(node) -> None:
            if isinstance(node, dict):
                if node.get("t") in ("RawInline", "RawBlock"):
                    self.note("check", f"raw {node['c'][0]} from the Word file was dropped",
                              block)
                    node["t"], node["c"] = ("Str", "") if node["t"] == "RawInline" else (
                        "Plain", [])
                for value in node.values():
                    visit(value)
            elif isinstance(node, list):
                for item in node:
                    visit(item)
        visit(block)

    # -- cross-references ----------------------------------------------------------------

    def cross_references(self, blocks: list) -> None:
        for block in blocks:
            self._xref_block(block, block)

    def _xref_block(self, block: dict, top: dict) -> None:
        if block["t"] in ("Para", "Plain"):
            block["c"] = self._xref_inlines(block["c"], top)
        elif block["t"] == "BlockQuote":
            for child in block["c"]:
                self._xref_block(child, top)
        elif block["t"] == "BulletList":
            for item in block["c"]:
                for child in item:
                    self._xref_block(child, top)
        elif block["t"] == "OrderedList":
            for item in block["c"][1]:
                for child in item:
                    self._xref_block(child, top)

    def _xref_inlines(self, inlines: list, top: dict) -> list:
        out, run = [], []
        for node in inlines:
            if node["t"] in ("Str", "Space", "SoftBreak"):
                run.append(node)
                continue
            out += self._xref_run(run, top)
            run = []
            if node["t"] == "Note":
                for child in node["c"]:
                    self._xref_block(child, top)
            out.append(node)
        return out + self._xref_run(run, top)

    def _xref_run(self, run: list, top: dict) -> list:
        if not run:
            return []
        text = "".join(n["c"] if n["t"] == "Str" else " " for n in run)
        pieces, position = [], 0
        for match in CROSS_REFERENCE.finditer(text):
            word = match["word"].lower().replace("i̇", "i")
            kind = next(k for k, ws in labels.REFERRING_WORDS.items()
                        if word in ws or match["word"].replace("İ", "i").lower() in ws)
            table = getattr(self.targets, kind)
            number = match["number"]
            found = table.get(number, [])
            if len(found) != 1:
                if kind != "section" or found:
                    what = f"{match['word']} {number}"
                    self.note("check", f"\"{what}\" in the text: "
                                       + ("no target carries this number" if not found else
                                          "several targets carry this number")
                              + "; left as text", top, match["word"])
                continue
            before = text[position:match.start()]
            if kind == "equation":
                # The style prints an equation's reference as "(1)" alone: the author's
                # word ("Denklem 1'de") stays, so the sentence reads "Denklem (1)'de".
                before += match["word"] + " "
            pieces += words(before)
            pieces.append({"t": "Cite", "c": [[{
                "citationId": found[0], "citationPrefix": [], "citationSuffix": [],
                "citationMode": {"t": "AuthorInText"}, "citationNoteNum": 0,
                "citationHash": 0}], words(match[0])]})
            if match["after"]:
                pieces.append({"t": "Str", "c": match["after"]})
            position = match.end()
        if position == 0:
            return run
        return pieces + words(text[position:])


# A cell that holds a number, as tables print them: "12", "-3,5", "45.2 %", "1.250", "(0,02)".
_NUMBER_CELL = re.compile(r"^[(\[]?[-−+±]?\d[\d.,  ]*%?[)\]]?\*{0,3}$")


def align_numbers(table: dict) -> None:
    """Word's reader gives every column the default alignment: a column whose body cells
    all hold numbers is set flush right, as a typesetter sets figures in a table."""
    _attr, _caption, specs, _head, bodies, _foot = table["c"]
    rows = [row for body in bodies for row in body[2] + body[3]]
    for column, spec in enumerate(specs):
        if spec[0]["t"] != "AlignDefault":
            continue
        cells = [plain([n for b in row[1][column][4] for n in (block_inlines(b) or [])])
                 for row in rows if column < len(row[1]) and row[1][column][2] == 1
                 and row[1][column][3] == 1]
        cells = [cell.strip() for cell in cells if cell.strip()]
        if cells and all(_NUMBER_CELL.match(cell) for cell in cells):
            spec[0] = {"t": "AlignRight"}


def _equation_in_table(block: dict) -> dict | None:
    """A table of one row whose cells hold one equation and at most its number ("(1)"),
    as the paragraph the manuscript writes for it; else None."""
    if block["t"] != "Table" or len(table_rows(block["c"])) != 1:
        return None
    maths, number = [], []
    for cell_blocks in table_cell_blocks(block["c"]):
        inlines = [n for b in cell_blocks for n in (block_inlines(b) or [])]
        if len(cell_blocks) != len([b for b in cell_blocks if block_inlines(b) is not None]):
            return None
        content = [n for n in inlines if n["t"] not in ("Space", "SoftBreak")]
        if not content:
            continue
        if len(content) == 1 and content[0]["t"] == "Math":
            maths.append({"t": "Math", "c": [{"t": "DisplayMath"}, content[0]["c"][1]]})
        elif EQUATION_NUMBER.match(plain(inlines)) and not number:
            number = [{"t": "Space"}, {"t": "Str", "c": plain(inlines).strip()}]
        else:
            return None
    if len(maths) != 1:
        return None
    return {"t": "Para", "c": [*maths, *number]}


def _mostly_caps(text: str) -> bool:
    """ "INTERCHANGE of RUSSIA-IRAN'S INTERESTS": typed in capitals, a small word aside."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _next_numbers(previous: list[int], level: int) -> list[int]:
    if not previous:
        return [1] + [1] * (level - 1)
    if level <= len(previous):
        return [*previous[:level - 1], previous[level - 1] + 1]
    return previous + [1] * (level - len(previous))


def _heading_inlines(block: dict, heading) -> list:
    """The heading's inlines without its number and without bold (the style sets it)."""
    inlines = block["c"][2] if block["t"] == "Header" else block["c"]
    flat: list = []
    for node in inlines:
        flat += node["c"] if node["t"] == "Strong" else [node]
    text = plain(flat).strip()
    if heading.number and text.startswith(heading.number):
        return words(heading.text)
    if any(n["t"] not in ("Str", "Space", "SoftBreak") for n in flat):
        return flat
    return words(re.sub(r"\s+", " ", text))


def _caption(block: dict) -> tuple[str, str, list] | None:
    """("table" | "figure", number, caption inlines) for a caption line."""
    if block["t"] not in ("Para", "Plain"):
        return None
    text = plain(block["c"]).strip()
    match = CAPTION.match(text)
    if not match or len(text) > 600:
        return None
    kind = labels.FLOAT_WORDS.get(match["word"].replace("İ", "i").replace("Ş", "ş").lower())
    if kind is None:
        return None
    return kind[0], match["number"], _drop_prefix(block["c"], len(text) - len(match["rest"]))


def _drop_prefix(inlines: list, count: int) -> list:
    """The inlines without the first `count` characters of their text (the "Tablo 1."
    label, bold or not)."""
    flat: list = []
    for node in inlines:
        flat += node["c"] if node["t"] == "Strong" and len(plain(node["c"])) <= count + 2 \
            else [node]
    out, skipped = [], 0
    for node in flat:
        if skipped >= count:
            out.append(node)
            continue
        text = plain([node]) if node["t"] != "Space" else " "
        if node["t"] in ("Str",) and skipped + len(text) > count:
            out.append({"t": "Str", "c": text[count - skipped:]})
            skipped = count
            continue
        skipped += len(text)
    while out and out[0]["t"] in ("Space", "SoftBreak"):
        out = out[1:]
    return out


def _images(block: dict) -> list:
    found = []

    def visit(node):
        if isinstance(node, dict):
            if node.get("t") == "Image":
                found.append(node)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)
    if block["t"] == "Figure":
        visit(block["c"][2])
    else:
        visit(block["c"])
        if plain(block["c"]).strip():
            return []  # a picture inside running text is not a figure
    return found


def _percent(width: str | None, text_width_emu: int | None) -> str | None:
    if not width or not text_width_emu:
        return None
    match = re.match(r"^([\d.]+)(in|cm|mm|pt|px)?$", width)
    if not match:
        return None
    inches = float(match[1]) / {"in": 1, "cm": 2.54, "mm": 25.4, "pt": 72, "px": 96,
                                None: 96}[match[2]]
    share = inches * 914400 / text_width_emu * 100
    share = max(10, min(100, round(share / 5) * 5))
    return f"{share}%"


def _slug(text: str, words_kept: int = 3) -> str:
    stop = {"the", "of", "and", "in", "a", "an", "on", "for", "to", "ve", "ile", "bir", "için",
            "da", "de"}
    text = re.sub(r"['’]\w*", "", ascii_fold(text).lower())  # Iran's -> iran
    tokens = [w for w in re.findall(r"[a-z0-9]+", text) if w not in stop]
    return "-".join(tokens[:words_kept]) or "x"


def _short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def copy_figures(figures: list[tuple[Path, str]], folder: Path) -> None:
    for source, name in figures:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_file():
            shutil.copyfile(source, target)
