"""Figures that float: a figure that does not fit where it stands goes to the top of the
next page, and the text that follows it fills the page (as LaTeX's `[tp]` floats do).

WeasyPrint has no page floats (`float: top`): a figure that does not fit moves to the next
page with everything after it, and leaves a blank at the foot of its page, up to a third
of a page. This module gives the layout that rule, inside the one layout of the article
(no extra pass), with two patches of WeasyPrint 70:

- **deferral** (around `layout.block._in_flow_layout`): when a `<figure>` does not fit
  after what the page already holds, it is put in a queue instead of ending the page, and
  the layout goes on with what follows it. While a figure waits, later figures wait
  behind it, so figures keep their number order. A figure met again in the flow (when the
  page ended before its place after all) is not laid out twice.
- **placement** (around `layout.page.remake_page`): at the start of each page, the
  waiting figures are set at the top of the page, in order, as many as fill at most
  `TOP_FRACTION` of it (always the first): as full-width floats, through the mechanism
  WeasyPrint uses for floats broken across pages (`context.broken_out_of_flow`), so the
  page's text runs on below them. Were the article to end while figures still wait, its
  last page is made again with every waiting figure at its top and none deferred (one
  page laid out again, counted like any other).

A figure set at a page's top has no top margin (as a figure that starts a page in the
flow) and keeps its bottom margin before the text. Lines and tables keep clear of it; a
block with a background that starts the page below it (a code block) would draw that
background behind it, which our samples never do.
"""

from __future__ import annotations

FLOATING = "figure"  # the elements that float
TOP_FRACTION = 0.7  # of a page, at most, for the figures set at its top (LaTeX's default)


class FigureQueue:
    """The figures waiting for a page top, in number order; made for one layout."""

    def __init__(self):
        self.waiting: list[tuple] = []  # (float box, containing block, height, figure)
        self.placed: set[int] = set()  # id() of the figures set at a page top
        self.deferring = True
        self.page_height: float | None = None
        self._at_page: dict[int, tuple] = {}  # page index -> state at its start

    def holds(self, figure) -> bool:
        return id(figure) in self.placed or any(
            id(original) == id(figure) for _box, _block, _height, original in self.waiting)

    def start_page(self, index: int, context, everything: bool = False) -> None:
        """Restore the queue as it was when page `index` started (if it is being made
        again), then set the waiting figures that fit at its top."""
        if index in self._at_page:
            waiting, placed = self._at_page[index]
            self.waiting, self.placed = list(waiting), set(placed)
        else:
            self._at_page[index] = (tuple(self.waiting), frozenset(self.placed))
        room = TOP_FRACTION * (self.page_height or 0)
        used = 0.0
        while self.waiting:
            float_box, block, height, original = self.waiting[0]
            if used and not everything and used + height > room:
                break
            self.waiting.pop(0)
            used += height
            self.placed.add(id(original))
            placed = float_box.copy()  # laid out anew each time the page is made
            context.broken_out_of_flow[placed] = (placed, block, None, None)


def patch_figure_floats() -> None:
    """Install the two patches (idempotent); a layout uses them when its context has a
    `typeset_figures` queue."""
    from weasyprint.layout import block, page

    from typeset.render.pdf.footnotes import check_version

    check_version()
    if not getattr(block._in_flow_layout, "typeset_patched", False):
        block._in_flow_layout = _deferring(block._in_flow_layout)
    if not getattr(page.remake_page, "typeset_patched", False):
        page.remake_page = _placing(page.remake_page)


def _deferring(in_flow_layout):
    def layout(context, box, index, child, new_children, page_is_empty, absolute_boxes,
               fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
               first_letter_style, first_line_style, discard, next_page, max_lines):
        queue = getattr(context, "typeset_figures", None)
        skipped = (False, False, None, position_y, adjoining_margins, next_page,
                   new_children, max_lines)
        if (queue is None or skip_stack is not None
                or getattr(child, "element_tag", None) != FLOATING):
            return in_flow_layout(
                context, box, index, child, new_children, page_is_empty, absolute_boxes,
                fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                first_letter_style, first_line_style, discard, next_page, max_lines)
        if queue.holds(child):
            return skipped  # set at a page top already, or waiting for one
        if queue.waiting and queue.deferring:
            _defer(context, queue, child, box)  # behind the figures that wait
            return skipped
        placed = len(new_children)
        result = in_flow_layout(
            context, box, index, child, new_children, page_is_empty, absolute_boxes,
            fixed_boxes, list(adjoining_margins), bottom_space, position_y, skip_stack,
            first_letter_style, first_line_style, discard, next_page, max_lines)
        abort, stop, resume_at, _y, _margins, _next, children, _lines = result
        did_not_fit = (not abort and stop and resume_at == {index: None}
                       and children is new_children and len(children) == placed > 0)
        if did_not_fit and queue.deferring:
            _defer(context, queue, child, box)
            return skipped
        return result

    layout.typeset_patched = True
    layout.typeset_original = in_flow_layout
    return layout


def _defer(context, queue: FigureQueue, figure, containing_block) -> None:
    """Queue `figure` as a full-width float, with its height (laid out apart)."""
    from math import inf

    from weasyprint.css.properties import Dimension
    from weasyprint.layout.float import float_layout

    float_box = figure.copy()
    float_box.style = figure.style.copy()
    float_box.style["float"] = "left"
    float_box.style["width"] = Dimension(100, "%")
    float_box.style["margin_top"] = Dimension(0, "px")
    # Laid out once apart, in a formatting context of its own and with no footnotes to
    # place (a caption may call one), only to learn its height.
    notes, context.footnotes = context.footnotes, []
    context.create_block_formatting_context(float_box)
    try:
        laid_out, _resume = float_layout(context, float_box.copy(), containing_block, [], [],
                                         -inf, None)
    finally:
        context.finish_block_formatting_context()
        context.footnotes = notes
    queue.waiting.append((float_box, containing_block, laid_out.margin_height(), figure))


def _placing(remake_page):
    def remake(index, context, root_box, html):
        queue = getattr(context, "typeset_figures", None)
        if queue is None:
            return remake_page(index, context, root_box, html)
        start = _PageStart(context)
        queue.start_page(index, context)
        page, resume_at = remake_page(index, context, root_box, html)
        if resume_at is None and queue.waiting:
            # The article ends here while figures wait: make this page again with all
            # of them at its top, and none deferred.
            start.restore(context, index)
            queue.start_page(index, context, everything=True)
            queue.deferring = False
            try:
                page, resume_at = remake_page(index, context, root_box, html)
            finally:
                queue.deferring = True
        if queue.page_height is None:
            queue.page_height = page.height
        return page, resume_at

    remake.typeset_patched = True
    remake.typeset_original = remake_page
    return remake


class _PageStart:
    """What making a page changes in the layout context, to make the page again."""

    def __init__(self, context):
        self.reported = list(context.reported_footnotes)
        self.broken = {box: entry for box, entry in context.broken_out_of_flow.items()}

    def restore(self, context, index: int) -> None:
        laid = [*context.current_page_footnotes, *context.reported_footnotes]
        context.footnotes.extend(note for note in laid if note not in self.reported)
        context.reported_footnotes = list(self.reported)
        context.broken_out_of_flow = dict(self.broken)
        # The page's own record of anchors and counters, refilled by the new make.
        remake_state = context.page_maker[index][-1]
        remake_state["anchors"], remake_state["content_lookups"] = [], []
