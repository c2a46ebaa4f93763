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
import inspect

from typeset.render.pdf.footnotes import check_version

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
    source = inspect.getsource(function)
    if source.count(SHAPED_AGAIN) != 1:
        raise RuntimeError("WeasyPrint's add_word_spacing no longer reads as expected; "
                           f"check the patch in {__file__}")
    inline._typeset_copy = copy.copy
    padding = "\n" * (function.__code__.co_firstlineno - 1)
    # Run in the module's namespace: add_word_spacing calls itself, and its callers look
    # it up there.
    exec(compile(padding + source.replace(SHAPED_AGAIN, KEPT), inline.__file__, "exec"),
         vars(inline))
    inline.add_word_spacing.typeset_patched = True
    inline.add_word_spacing.typeset_original = function  # for the tests
