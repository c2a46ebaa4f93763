"""Footnotes in the PDF: each on the page of its call, in one layout.

The print style asks for `float: footnote; footnote-policy: line`: a note that does not fit
under its call's line takes the line to the next page with it (CSS GCPM 3, §2.6), and the
page's other lines stay where they are. WeasyPrint 70 honours that policy when it places a
note, but two places in its layout separate notes from their calls anyway; both are
patched here, in the function at fault, and reported upstream with a minimal case
(docs/upstream/weasyprint-footnote-policy.md and weasyprint-footnote-area-rounding.md):

1. **The orphans/widows rescue** (`layout.block._linebox_layout`). When a line near the
   foot of a page overflows and the paragraph may be broken after that line but not
   before it (orphans or widows would be violated), WeasyPrint makes room by moving the
   page's footnotes, last first, to the next page until the line fits. It does so whatever
   the notes' `footnote-policy`, and those notes' calls stay on the page: a note called
   twenty lines up lands on the next page. The patch allows that rescue only when every
   note on the page has `footnote-policy: auto` (the one policy that allows a note on a
   later page than its call); otherwise the line is broken as for any paragraph, which
   moves lines (and, for orphans, the paragraph) to the next page with their notes.
2. **Rounding in the footnote area** (`LayoutContext._update_footnote_area`). The area
   "overflows" when the bottom of its last note exceeds the area's own bottom, which for
   an area of automatic height happens only by float rounding (a border and padding on
   `@footnote`, as in our style, trigger it), and the note is then deferred: without
   this patch every note of the samples lands on the page after its call. An area of
   automatic height grows with its notes and cannot overflow; whether the page has room
   for it is checked separately by WeasyPrint.

The patches check the WeasyPrint version they were written for (the one pinned in
pyproject.toml) and fail loudly on another: a new release must be checked again, and
`tests/test_layout.py` renders the upstream reports' cases with and without them.

The notes are `<fn-note>` elements in the print page; WeasyPrint derives PDF structure
tags from element names, and the third patch tags these as PDF `Note`s.
"""

from __future__ import annotations

from typeset.render.pdf.patching import recompiled

PATCHED_FOR = "70.0"  # the WeasyPrint release these patches were written and tested for
NOTE_ELEMENT = "fn-note"  # the print page's footnote element (see HtmlWriter.note)

# Patch 1, as a change of one line of `_linebox_layout` (applied to its source, so that
# our tree holds the change, not a copy of WeasyPrint's function).
RESCUE_LINE = "report = not context.in_column and can_break_now and not could_break_before"
RESCUE_PATCHED = (RESCUE_LINE + " and all(note.style['footnote_policy'] == 'auto'"
                  " for note in context.current_page_footnotes)")


def check_version() -> None:
    """Refuse a WeasyPrint other than the one our patches were written for."""
    import weasyprint

    if weasyprint.__version__ != PATCHED_FOR:
        raise RuntimeError(
            f"typeset patches WeasyPrint {PATCHED_FOR}'s layout, but WeasyPrint "
            f"{weasyprint.__version__} is installed: check the patches in "
            "typeset/render/pdf/ (footnotes.py, floats.py, shaping.py) against it, or "
            "install the version pinned in pyproject.toml")


def patch_weasyprint() -> None:
    """Apply the three patches (idempotent)."""
    check_version()
    _keep_notes_out_of_the_rescue()
    _ignore_footnote_area_rounding()
    _tag_notes()


def _keep_notes_out_of_the_rescue() -> None:
    from weasyprint.layout import block

    if getattr(block._linebox_layout, "typeset_patched", False):
        return
    function = block._linebox_layout
    # In the module's namespace: block_container_layout looks _linebox_layout up there
    # at each call.
    recompiled(function, RESCUE_LINE, RESCUE_PATCHED, vars(block), __file__)
    block._linebox_layout.typeset_patched = True
    block._linebox_layout.typeset_original = function  # for the tests


def _ignore_footnote_area_rounding() -> None:
    from weasyprint.layout import LayoutContext

    update = LayoutContext._update_footnote_area
    if getattr(update, "typeset_patched", False):
        return

    def update_footnote_area(self):
        overflow = update(self)
        return overflow and self.current_footnote_area.style["height"] != "auto"

    update_footnote_area.typeset_patched = True
    update_footnote_area.typeset_original = update  # for the tests
    LayoutContext._update_footnote_area = update_footnote_area


def _tag_notes() -> None:
    from weasyprint.pdf import tags

    pdf_tag = tags._get_pdf_tag
    if getattr(pdf_tag, "typeset_patched", False):
        return

    def get_pdf_tag(tag):
        return "Note" if tag == NOTE_ELEMENT else pdf_tag(tag)

    get_pdf_tag.typeset_patched = True
    tags._get_pdf_tag = get_pdf_tag
