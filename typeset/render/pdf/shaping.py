"""Justified lines shaped once less: a patch of WeasyPrint 70 that changes no byte of the PDF.

Our pages are justified; a plain page is not. For every text box of a justified line,
WeasyPrint's `layout.inline.add_word_spacing` shapes the box's text once more with Pango
(`create_layout`) and at once puts the result away (`deactivate`): only the text and the
spacing are kept, and the text is shaped again, with the spacing, when the page is painted
(`Layout.reactivate`). The shaping in between serves nothing. The patch keeps a copy of
the box's own (already shaped, already put away) layout object with the line's text and
spacing instead, which is what painting reads; on the sample it takes a quarter of the
Pango layouts made during layout away (1,988 to 1,525), and the PDF stays byte for byte
the same (`tests/test_layout.py` checks it).
"""

from __future__ import annotations

import copy

from typeset.render.pdf.footnotes import check_version
from typeset.render.pdf.patching import recompiled

SHAPED_AGAIN = """            layout = create_layout(
                box.text, box.style, context, max_width=None,
                justification_spacing=box.justification_spacing)
            layout.deactivate()
"""
KEPT = """            layout = _typeset_copy(box.pango_layout)  # put away; shaped when painted
            layout.text = box.text
            layout.justification_spacing = box.justification_spacing
"""


def patch_justification() -> None:
    """Apply the patch (idempotent)."""
    from weasyprint.layout import inline

    check_version()
    if getattr(inline.add_word_spacing, "typeset_patched", False):
        return
    function = inline.add_word_spacing
    inline._typeset_copy = copy.copy
    # In the module's namespace: add_word_spacing calls itself, and its callers look it
    # up there.
    recompiled(function, SHAPED_AGAIN, KEPT, vars(inline), __file__)
    inline.add_word_spacing.typeset_patched = True
    inline.add_word_spacing.typeset_original = function  # for the tests


# -- shaped once for layout and painting ------------------------------------------------
#
# WeasyPrint 70 frees each text's Pango layout once the line is laid out (`deactivate`)
# and, when it paints the page, makes it again and shapes the text again (`reactivate`):
# memory saved for long documents, a second shaping paid by every page. A text painted
# as it was laid out (not justified: its spacing unchanged) needs none of it, and a
# justified one needs the shaping only, with its spacing, not a new layout. The patch
# below keeps up to KEPT_LAYOUTS layouts a document (set again for each by
# `keep_for_painting`; beyond them WeasyPrint's own way goes on, so memory stays
# bounded) and paints from them. Painting asks for Pango's single-paragraph mode, which
# would discard the shaping if it changed then: a text without a paragraph separator (all
# a kept one can hold) is given that mode when it is set, where it changes nothing.

KEPT_LAYOUTS = 4000
_SEPARATORS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_kept = [0]  # layouts a document may still keep


def keep_for_painting(count: int = KEPT_LAYOUTS) -> None:
    """Let the next layout keep up to `count` Pango layouts for its painting."""
    _kept[0] = count


def patch_painting() -> None:
    """Apply the patch (idempotent)."""
    from weasyprint.text.ffi import pango
    from weasyprint.text.line_break import Layout

    check_version()
    if getattr(Layout.reactivate, "typeset_patched", False):
        return
    set_text, deactivate, reactivate = Layout.set_text, Layout.deactivate, Layout.reactivate

    def set_text_once_moded(self, text, justify=False):
        single = _SEPARATORS.isdisjoint(text)
        pango.pango_layout_set_single_paragraph_mode(self.layout, single)
        set_text(self, text, justify)
        self.typeset_shaped = self.text if single else None  # what Pango holds

    def deactivate_unless_kept(self):
        if (_kept[0] > 0 and not getattr(self, "typeset_painted", False)
                and getattr(self, "typeset_shaped", None) is not None):
            _kept[0] -= 1
            return  # kept, shaped, for painting
        self.typeset_shaped = None
        deactivate(self)

    def reactivate_kept(self, style):
        self.typeset_painted = True  # freed once painted
        if (getattr(self, "typeset_shaped", None) is not None
                and self.typeset_shaped == self.text and style is self.style):
            if self.justification_spacing:  # its spacing, shaped: as WeasyPrint paints it
                pango.pango_layout_set_width(self.layout, -1)
                self.set_text(self.text, justify=True)
            return
        reactivate(self, style)

    set_text_once_moded.typeset_patched = deactivate_unless_kept.typeset_patched = True
    reactivate_kept.typeset_patched = True
    reactivate_kept.typeset_original = (set_text, deactivate, reactivate)  # for the tests
    Layout.set_text, Layout.deactivate = set_text_once_moded, deactivate_unless_kept
    Layout.reactivate = reactivate_kept
