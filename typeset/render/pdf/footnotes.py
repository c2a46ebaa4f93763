"""Keeping each footnote on the page of its call, in the PDF.

WeasyPrint sets a note that does not fit under its call's line on the next page, and its
`footnote-policy: line` (which should move the line instead) misplaces notes in 70.0. So
after layout we look for notes that drifted, and lay out again with the paragraph split
before the call's line: the head keeps its last line justified, the tail starts a new page,
and the call's line and its note land together. Only a drifted note costs a second layout.
"""

from __future__ import annotations

from typeset.model.ast import stringify

HYPHENS = ("-", "\u2010", "\u00ad")


def drifted_notes(document) -> dict[int, int]:
    """Notes set on another page than their call: note number -> words of its paragraph
    that stand before the call's line."""
    from weasyprint.formatting_structure import boxes

    call_pages: dict[str, int] = {}
    words_before: dict[str, int] = {}
    note_pages: dict[str, int] = {}
    paragraph_lines: dict[object, list[str]] = {}  # <p> -> text of its lines so far
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.FootnoteAreaBox):
                for note in box.children:
                    if note.element is not None and note.element.get("id"):
                        note_pages.setdefault(note.element.get("id"), index)
            elif isinstance(box, boxes.LineBox) and box.element is not None:
                lines = paragraph_lines.setdefault(box.element, [])
                for inner in box.descendants():
                    note = getattr(inner, "footnote", None)
                    if note is not None and note.element.get("id"):
                        call_pages[note.element.get("id")] = index
                        words_before[note.element.get("id")] = count_words(lines)
                lines.append("".join(t.text for t in box.descendants()
                                     if isinstance(t, boxes.TextBox)))
    drifted = {}
    for note_id, page in call_pages.items():
        if note_pages.get(note_id, page) != page and note_id.startswith("fn"):
            drifted[int(note_id[2:])] = words_before[note_id]
    return drifted


def count_words(lines: list[str]) -> int:
    """Words in laid-out lines, a word hyphenated across two lines counted once."""
    text = ""
    for line in lines:
        stripped = line.rstrip()
        if stripped.endswith(HYPHENS):
            text += stripped  # the word goes on in the next line
        else:
            text += stripped + " "
    return len(text.split())


def split_before_word(inlines: list, word: int) -> tuple[list, list]:
    """The inlines cut at the top-level space before their `word`-th word (from 0)."""
    if word <= 0:
        return [], inlines
    seen = 0
    cut = None
    text = ""
    for index, node in enumerate(inlines):
        if node["t"] in ("Space", "SoftBreak", "LineBreak"):
            if len(text.split()) <= word:
                cut = index
            text += " "
            continue
        text += stringify([node])
        seen = len(text.split())
        if seen > word:
            break
    if cut is None:
        return [], inlines
    return inlines[:cut], inlines[cut + 1:]
