"""The parts of an author's file: front page, body, statements, reference list, appendices.

Authors lay out a submission in the same order (titles, byline, affiliations, abstracts and
keywords, the text, statements, references, appendices) but with any styles. The body
starts at the first heading that is the introduction or carries a section number; the
reference list at its heading; statements are found by their labels wherever they stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from typeset.importers import labels
from typeset.importers.inlines import block_inlines, block_text, is_all_strong, plain

NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?[\s\u00a0]+(\S.*)$", re.S)


@dataclass(frozen=True)
class Heading:
    text: str  # without its number
    number: str  # "2.1" as typed, or ""
    style_level: int | None  # from Word's heading style; None for a bold paragraph


def heading_of(block: dict) -> Heading | None:
    """A heading: Word's heading style, or a short paragraph set wholly in bold."""
    if block["t"] == "Header":
        level = block["c"][0]
        text = plain(block["c"][2]).strip()
    elif block["t"] == "Para" and is_all_strong(block["c"]):
        text = plain(block["c"]).strip()
        level = None
        if len(text) > 160 or text.endswith(":") or not text:
            return None
    else:
        return None
    text = re.sub(r"\s+", " ", text)
    if match := NUMBERED.match(text):
        return Heading(match[2].strip(), match[1], level)
    known = (labels.lookup(labels.INTRODUCTION, text) or labels.lookup(labels.CONCLUSION, text)
             or labels.lookup(labels.REFERENCES, text) or labels.APPENDIX.match(text)
             or _statement_label(text))
    # a bold paragraph that is no known heading and has no number is emphasis, not a
    # heading, unless it is typed in capitals
    if block["t"] == "Para" and not known and not (text.isupper() and len(text) < 100):
        return None
    return Heading(text, "", level)


@dataclass(frozen=True)
class Statement:
    kind: str  # funding, conflict-of-interest, ...
    label: str  # as typed
    blocks: tuple  # the statement's paragraphs (inlines of the text after a "Label:" too)
    inlines: tuple = ()  # "Funding: text" -> the inlines after the label


@dataclass
class Layout:
    meta_blocks: list[tuple[str, list]] = field(default_factory=list)  # (style, inlines)
    front: list[dict] = field(default_factory=list)
    body: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)  # one Para/Plain per entry
    reference_heading: str = ""
    appendix: list[dict] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


def _statement_label(text: str) -> str | None:
    found = labels.split_label(text, list(labels.STATEMENTS.values()))
    if not found:
        return None
    return next(kind for kind, table in labels.STATEMENTS.items() if found[0] in table)


def split(ast: dict) -> Layout:
    layout = Layout()
    meta = ast.get("meta", {})
    for style in ("title", "subtitle", "author", "date", "abstract"):
        if style in meta:
            for inlines in _meta_inlines(meta[style]):
                layout.meta_blocks.append((style, inlines))
    blocks = list(ast["blocks"])
    start = _body_start(blocks)
    layout.front = blocks[:start]
    rest = blocks[start:]
    ref_index = next((i for i, b in enumerate(rest)
                      if (h := heading_of(b)) and labels.lookup(labels.REFERENCES, h.text)),
                     None)
    if ref_index is None:
        body, tail = rest, []
    else:
        layout.reference_heading = block_text(rest[ref_index])
        body, tail = rest[:ref_index], rest[ref_index + 1:]
    appendix_at = next((i for i, b in enumerate(tail)
                        if (h := heading_of(b)) and labels.APPENDIX.match(h.text)), len(tail))
    references, layout.appendix = tail[:appendix_at], tail[appendix_at:]
    layout.front, front_statements = _take_statements(layout.front)
    layout.body, body_statements = _take_statements(body)
    references, reference_statements = _take_statements(references)
    layout.appendix, appendix_statements = _take_statements(layout.appendix)
    layout.statements = (front_statements + body_statements + reference_statements
                         + appendix_statements)
    layout.references = _entries(references)
    return layout


def _meta_inlines(value: dict) -> list[list]:
    if value["t"] == "MetaInlines":
        return [value["c"]]
    if value["t"] == "MetaBlocks":
        return [b["c"] for b in value["c"] if b["t"] in ("Para", "Plain")]
    if value["t"] == "MetaList":
        return [inl for item in value["c"] for inl in _meta_inlines(item)]
    if value["t"] == "MetaString":
        return [[{"t": "Str", "c": value["c"]}]]
    return []


def _body_start(blocks: list) -> int:
    """Index of the first block of the body."""
    last_front = -1
    for index, block in enumerate(blocks):
        heading = heading_of(block)
        text = block_text(block)
        if heading is not None and (labels.lookup(labels.INTRODUCTION, heading.text) or (
                heading.number and not labels.lookup(labels.ABSTRACT, heading.text))):
            return index
        if text and (labels.split_label(text, [labels.ABSTRACT, labels.KEYWORDS,
                                               labels.SKIPPED, *labels.DATES.values()])
                     or text.startswith("©")):
            last_front = index
    # No introduction and no numbered heading: the body starts after the last front-page
    # label's paragraph (its abstract or keywords).
    if last_front >= 0:
        index = last_front + 1
        while index < len(blocks) and heading_of(blocks[index]) is None and _short(
                blocks[index]):
            index += 1
        return index
    return 0


def _short(block: dict) -> bool:
    return len(block_text(block)) < 200


def _take_statements(blocks: list) -> tuple[list, list[Statement]]:
    kept: list = []
    found: list[Statement] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        text = block_text(block)
        kind = _statement_label(text) if text and len(text) < 4000 else None
        heading = heading_of(block)
        if kind and heading is not None and heading.text == text.strip():
            # a heading: the statement is the paragraphs up to the next heading or label
            end = index + 1
            while end < len(blocks) and heading_of(blocks[end]) is None and not (
                    _statement_label(block_text(blocks[end]) or "")
                    and ":" in block_text(blocks[end])[:60]):
                end += 1
            found.append(Statement(kind, text, tuple(blocks[index + 1:end])))
            index = end
            continue
        if kind and ":" in text[:80]:
            found.append(Statement(kind, text.partition(":")[0], (),
                                   tuple(_after_colon(block_inlines(block) or []))))
            index += 1
            continue
        kept.append(block)
        index += 1
    return kept, found


def _after_colon(inlines: list) -> list:
    """The inlines after the first colon ("Funding: ..." -> "...")."""
    for position, node in enumerate(inlines):
        if node["t"] == "Str" and ":" in node["c"]:
            rest = node["c"].split(":", 1)[1]
            tail = inlines[position + 1:]
            out = ([{"t": "Str", "c": rest}] if rest else []) + tail
            while out and out[0]["t"] in ("Space", "SoftBreak"):
                out = out[1:]
            return out
        if node["t"] in ("Strong", "Emph"):
            inner = plain(node["c"])
            if ":" in inner:
                rest = inner.split(":", 1)[1].strip()
                out = ([{"t": "Str", "c": rest}] if rest else []) + inlines[position + 1:]
                while out and out[0]["t"] in ("Space", "SoftBreak"):
                    out = out[1:]
                return out
    return inlines


def _entries(blocks: list) -> list[dict]:
    entries: list[dict] = []
    for block in blocks:
        if block["t"] in ("Para", "Plain") and plain(block["c"]).strip():
            entries.append(block)
        elif block["t"] in ("BulletList", "OrderedList"):
            items = block["c"] if block["t"] == "BulletList" else block["c"][1]
            for item in items:
                inlines = [n for b in item if b["t"] in ("Para", "Plain") for n in b["c"]]
                if plain(inlines).strip():
                    entries.append({"t": "Para", "c": inlines})
    return entries
