"""The PDF: the print page laid out by WeasyPrint in the journal's house style, once.

One layout per article
----------------------
`PdfLayout(article)` lays the article out once, with its page numbers not printed yet:
the page numbers are the only thing on a page that depends on where the article starts in
its issue, and the last one is known only after layout. `write(first_page)` then prints
them everywhere they show, without laying the article out again:

- the running feet's page numbers: the page-margin boxes (running heads and feet, the
  first page's foot) are made at write time, from each page's counters with the page
  number set to `first_page + index` (WeasyPrint's own `make_margin_boxes`);
- the "Cite as" line, in the first page's foot: it lives in that margin box, so it is laid
  out at write time too, with the page range filled in;
- the header band's page range ("Cilt 9, Sayı 1, 2023, ss. 23–41"), in the flow of page 1:
  its laid-out text box is shaped again with the numbers (Pango, a few milliseconds) and
  whatever follows it on its line moves by the difference in width; the numbers are never
  wider than the placeholders, so the line still fits and nothing else on the page moves;
- the PDF's page labels (/PageLabels), so that a reader's page box shows the printed
  numbers.

Until then those texts carry the placeholders of `model.article.FIRST_PAGE_PLACEHOLDER`
and `LAST_PAGE_PLACEHOLDER` (the "Cite as" entry from citeproc, the band from
`presentation.page_range`); only the elements marked `data-page-numbers` in the print
template are filled, so a number in the body that happens to equal a placeholder is
never touched. An article that is not paginated (no first page, not in an issue) prints
no page range and is numbered from 1.

For the issue build
-------------------
::

    article = builder.read(manuscript, supplied, paginated=True)  # first page unknown
    layout = PdfLayout(article)                           # laid out once, in a worker
    layout.page_count                                     # -> the issue's page plan
    article = with_pages(article, first, first + layout.page_count - 1)
    pdf, warnings = layout.write(first)                   # the final PDF bytes

`write` never changes the page count: what the issue planned with stays true.

`read.document.with_pages` fills the "Cite as" entry and sets `Article.first_page` and
`last_page`, which JATS (`fpage`/`lpage`) and the reading page
(`citation_firstpage`/`lastpage`) read: one truth for every output. `write` may be
called again with another first page. A `PdfLayout` is not picklable (it holds
WeasyPrint's layout context and box trees, which hold Pango objects): keep it in the
process that made it, and send back the bytes. Kept after its PDF is written it holds
about 2 MB a page (24 MB for the 11-page sample, 343 MB for a 195-page article; see
docs/performance.md).

Footnotes stay on the page of their call within this one layout (footnotes.py), and a
figure that does not fit goes to the top of the next page while the text runs on
(floats.py).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import threading
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from typeset.errors import ManuscriptError, Problem, warning
from typeset.model.article import PAGE_PLACEHOLDERS, Article, fill_page_numbers
from typeset.read.source import display_path
from typeset.render import Rendered, RenderJob
from typeset.render.pdf import declarations
from typeset.render.pdf.fetch import MANUSCRIPT_URL, STYLE_URL, SafeFetcher
from typeset.render.pdf.floats import FigureQueue, patch_figure_floats
from typeset.render.pdf.footnotes import patch_weasyprint
from typeset.render.pdf.hyphenation import register_turkish_hyphenation
from typeset.render.pdf.patching import recompiled
from typeset.render.pdf.shaping import keep_for_painting, patch_justification, patch_painting

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
PAGE_NUMBERS_ATTRIBUTE = "data-page-numbers"  # marks the print page's elements to fill
PRINT_TEMPLATE = "pdf/article.html.j2"

_loading = threading.Lock()


def warm_up_in_background() -> threading.Thread:
    """Start importing WeasyPrint (about a second) while Pandoc runs in its process."""
    thread = threading.Thread(target=_weasyprint, name="typeset-weasyprint-import",
                              daemon=True)
    thread.start()
    return thread


def _weasyprint():
    with _loading:
        return _load_weasyprint()


@cache
def _load_weasyprint():
    # Importing WeasyPrint costs about a second: pay it once per process, and only
    # when a PDF is wanted.
    _defer_font_tools()
    with _libraries_found_by_soname(), declarations.parsed_once():
        import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    register_turkish_hyphenation()
    patch_weasyprint()
    _defer_margin_boxes()
    patch_figure_floats()  # after the page count's patch: a page made again is counted
    patch_justification()
    patch_painting()
    _compress_at_zlib_default()
    font_config = FontConfiguration()
    # What is loaded now lives as long as the process: out of the cyclic collector's
    # sight, so that the collections a layout sets off (it makes hundreds of thousands
    # of objects) do not walk the modules again and again (a tenth of a cold layout).
    gc.freeze()
    return weasyprint, font_config


# pydyf deflates every stream of the PDF (the pages' content, the fonts, the object
# streams) at zlib's highest level, 9: a tenth of writing the sample's PDF, for a file
# 3 % smaller than at zlib's own default, 6, which is what most PDF writers use (and what
# the PDF is compressed at here: 142 KB for the sample against 138).
ZLIB_LEVEL = 6
PYDYF_DEFLATE = "zlib.compressobj(level=9)"


def _compress_at_zlib_default() -> None:
    """pydyf's Stream.data, made to deflate at ZLIB_LEVEL (idempotent)."""
    import pydyf

    data = pydyf.Stream.data.fget
    if getattr(data, "typeset_patched", False):
        return
    patched = recompiled(data, PYDYF_DEFLATE, f"zlib.compressobj(level={ZLIB_LEVEL})",
                         dict(vars(pydyf)), __file__)  # a property: set on the class below
    patched.fget.typeset_patched = True
    patched.fget.typeset_original = data  # for the tests
    pydyf.Stream.data = patched


# The shared libraries WeasyPrint opens, by the names the dynamic loader knows them by on
# Linux. WeasyPrint tries several names for each (one per platform) and each name that
# is not a file makes cffi ask `ctypes.util.find_library`, which runs `ldconfig -p`, `gcc`
# and `ld` in subprocesses: some fifty processes and 0.3 s of every cold start, to end up
# opening these same files.
LINUX_LIBRARIES = ("libgobject-2.0.so.0", "libpango-1.0.so.0", "libharfbuzz.so.0",
                   "libfontconfig.so.1", "libpangoft2-1.0.so.0")


@contextmanager
def _libraries_found_by_soname():
    """While WeasyPrint is imported, let a library name that is not a file fail at once
    (WeasyPrint then tries the next name of its list, the soname, which the loader opens
    directly) when every library it needs opens by its soname here; elsewhere, change
    nothing. The libraries loaded are the same files either way (a test compares them)."""
    import ctypes
    import ctypes.util
    import sys

    try:
        if not sys.platform.startswith("linux"):
            raise OSError(sys.platform)
        for name in LINUX_LIBRARIES:
            ctypes.CDLL(name)
    except OSError:
        yield  # the general, slower search
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


# fontTools modules WeasyPrint imports at start-up for fonts our PDFs never embed: the
# subsetter (HarfBuzz-Subset does the subsetting, `make setup` installs it) and the
# variable-font instancer (the style's fonts are static). Imported when first used.
DEFERRED_MODULES = {"fontTools.subset": (), "fontTools.varLib.instancer":
                    ("instantiateVariableFont",)}


def _defer_font_tools() -> None:
    """Leave a stand-in for each of DEFERRED_MODULES (a seventh of WeasyPrint's import
    time), which imports the real module on its first use."""
    import sys

    for name, functions in DEFERRED_MODULES.items():
        if name not in sys.modules:
            sys.modules[name] = _DeferredModule(name, functions)


class _DeferredModule(types.ModuleType):
    def __init__(self, name: str, functions: tuple[str, ...]):
        super().__init__(name)
        for function in functions:  # names imported from the module (from x import f)
            setattr(self, function, self._forward(function))

    def _forward(self, name: str):
        def function(*args, **kwargs):
            return getattr(self._real(), name)(*args, **kwargs)
        return function

    def _real(self):
        import importlib
        import sys

        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system asking (`__path__`), not a use
            raise AttributeError(name)
        return getattr(self._real(), name)


def _defer_margin_boxes() -> None:
    """Let a layout leave its page-margin boxes to `PdfLayout.write`, and count the pages
    WeasyPrint lays out (the benchmark and the tests read the count)."""
    import weasyprint.layout as layout_module
    from weasyprint.layout import page as page_module

    if getattr(layout_module.make_margin_boxes, "typeset_patched", False):
        return
    make_margin_boxes, make_page = layout_module.make_margin_boxes, page_module.make_page

    def margin_boxes(context, page, state):
        if getattr(context, "typeset_margins_later", False):
            return ()
        return make_margin_boxes(context, page, state)

    def counted_make_page(context, *args, **kwargs):
        if hasattr(context, "typeset_pages_made"):
            context.typeset_pages_made += 1
        return make_page(context, *args, **kwargs)

    margin_boxes.typeset_patched = counted_make_page.typeset_patched = True
    margin_boxes.original = make_margin_boxes
    layout_module.make_margin_boxes = margin_boxes
    page_module.make_page = counted_make_page


def creation_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit()
              else dt.datetime.now(dt.UTC))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare_print_page() -> None:
    """What render_print_html needs, imported, and its template compiled."""
    from typeset.render import presentation  # noqa: F401
    from typeset.render.html import writer  # noqa: F401
    from typeset.render.templating import environment

    environment().get_template(PRINT_TEMPLATE)


def render_print_html(article: Article) -> str:
    """The print page, its page numbers still placeholders when it is paginated."""
    # Imported here: WeasyPrint's own process (process.py) lays pages out, never writes one.
    from typeset import i18n
    from typeset.render.html.writer import HtmlWriter
    from typeset.render.presentation import float_labels, page_context
    from typeset.render.templating import environment

    writer = HtmlWriter(print_notes=True, quotes=i18n.quotes(article.lang),
                        labels=float_labels(article))
    context = page_context(article, writer, print_page=True)
    context["created"] = creation_date()
    return environment().get_template(PRINT_TEMPLATE).render(context)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        # About the machine, not the document: reported once by `make setup`, not per build.
        if "HarfBuzz-Subset" not in message:
            self.messages.append(message)


@dataclass(frozen=True)
class PrintSource:
    """What laying an article out reads of it: the print page and the files it may load.
    Small and picklable, unlike the article: it is what a build sends to WeasyPrint's
    own process (process.py)."""

    print_html: str
    folder: Path  # the manuscript's
    style: Path  # the journal's style folder
    file_data: dict[str, bytes]  # the manuscript's files, as read with it
    name: str  # the manuscript, as messages name it
    first_page: int | None  # the front matter's

    @classmethod
    def of(cls, article: Article, print_html: str | None = None) -> PrintSource:
        return cls(print_html or render_print_html(article), article.folder,
                   article.journal.folder, dict(article.file_data),
                   display_path(article.source_path), article.metadata.first_page)


class PdfLayout:
    """An article laid out once; `write(first_page)` gives the PDF with its page numbers
    (see the module's docstring)."""

    def __init__(self, article: Article | PrintSource, print_html: str | None = None, *,
                 stylesheet=None):
        # The print page first: in a cold build WeasyPrint may still be importing.
        source = article if isinstance(article, PrintSource) else \
            PrintSource.of(article, print_html)
        weasyprint, font_config = _weasyprint()
        self.source = source
        # The manuscript's files from the bytes read with it; the style's from its folder;
        # both seen under fixed URLs, so that no path of this machine's is in the PDF.
        self.fetcher = SafeFetcher(
            [source.folder, source.style],
            {os.path.normpath(source.folder / name): data
             for name, data in source.file_data.items()},
            {MANUSCRIPT_URL: source.folder, STYLE_URL: source.style})
        self.collector = _WarningCollector()
        self._font_config = font_config
        with self._collecting():
            # `stylesheet`: the style's print.css parsed already (process.py warms it up).
            stylesheet = stylesheet or house_stylesheet(source.style, self.fetcher)
            self._html = weasyprint.HTML(string=source.print_html, base_url=MANUSCRIPT_URL,
                                         url_fetcher=self.fetcher)
            self._paginate(stylesheet)
        self._check_refused()

    @property
    def page_count(self) -> int:
        return len(self._pages)

    @property
    def pages_laid_out(self) -> int:
        """Pages WeasyPrint has laid out for this article: `page_count` when the article
        was laid out once (more if WeasyPrint re-made pages, e.g. for page-based counters)."""
        return self._context.typeset_pages_made

    def write(self, first_page: int | None = None) -> tuple[bytes, list[str]]:
        """The PDF bytes, numbered from `first_page` (by default the front matter's first
        page, else 1), and WeasyPrint's warnings."""
        if first_page is None:
            first_page = self.source.first_page
        if first_page is None:
            if self._unlaid_numbers or self._laid_numbers:
                raise ValueError("a paginated article needs its first page to be written")
            first_page = 1
        from weasyprint import Document
        from weasyprint.pdf.metadata import DocumentMetadata

        with self._collecting():
            document = Document(self._number_pages(first_page),
                                DocumentMetadata(**self._metadata),
                                self.fetcher, self._font_config, {},
                                self._options["output_intent"])

            def page_labels(_document, pdf):
                if first_page != 1:
                    import pydyf

                    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(
                        [0, pydyf.Dictionary({"S": "/D", "St": first_page})])})

            pdf = document.write_pdf(finisher=page_labels, **PDF_OPTIONS)
        self._check_refused()
        return pdf, self.collector.messages

    # -- the layout ---------------------------------------------------------------------

    def _paginate(self, stylesheet) -> None:
        """WeasyPrint's HTML.render, in the steps of Document._render, keeping what
        write() needs: the layout context, the box tree, the pages without margin boxes."""
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.html import get_html_metadata
        from weasyprint.layout import layout_document
        from weasyprint.pdf import VARIANTS

        html = self._html
        options = {**DEFAULT_OPTIONS, "stylesheets": [stylesheet], **PDF_OPTIONS}
        for key, value in VARIANTS[options["pdf_variant"]][1].items():
            if options.get(key) is None:
                options[key] = value
        counter_style = CounterStyle()
        context = Document._build_layout_context(html, self._font_config, counter_style,
                                                 {}, options)
        root_box = build_formatting_structure(
            html.etree_element, context.style_for, context.get_image_from_uri,
            html.base_url, context.target_collector, counter_style, context.footnotes)
        marked = _marked_elements(html.etree_element)
        # The boxes with page placeholders: before layout for what the page margins show
        # (laid out at write time), after layout for what the flow shows.
        self._unlaid_numbers = [(box, box.text) for _line, box in
                                _boxes_with_placeholders(root_box, marked)]
        context.typeset_margins_later = True
        context.typeset_pages_made = 0
        context.typeset_figures = FigureQueue()
        keep_for_painting()
        self._pages = list(layout_document(html, root_box, context))
        self._children = [page.children for page in self._pages]
        self._laid_numbers = [(line, box, box.text) for page in self._pages
                              for line, box in _boxes_with_placeholders(page.children[0],
                                                                        marked)]
        self._context, self._options = context, options
        self._metadata = get_html_metadata(html)

    def _number_pages(self, first_page: int) -> list:
        """The pages, with the page numbers filled in and their margin boxes made."""
        from weasyprint import Page
        from weasyprint.layout import make_margin_boxes
        from weasyprint.layout.background import layout_box_backgrounds

        last_page = first_page + self.page_count - 1
        for box, text in self._unlaid_numbers:  # in margin boxes, laid out below
            box.text = fill_page_numbers(text, first_page, last_page)
        for line, box, text in self._laid_numbers:  # in the flow, laid out already
            _replace_text(self._context, line, box, fill_page_numbers(text, first_page,
                                                                       last_page))
        context = self._context
        pages = []
        for index, page in enumerate(self._pages):
            context.current_page = index + 1  # which running elements the margins show
            state = _page_state(context.page_maker[index + 1][3], first_page + index)
            margins = list(make_margin_boxes.original(context, page, state))
            for box in margins:
                layout_box_backgrounds(page, box, context.get_image_from_uri)
            page.children = (*self._children[index], *margins)
            pages.append(Page(page))
        return pages

    # -- warnings and refused resources -------------------------------------------------

    def _collecting(self):
        return _LoggerHandler(logging.getLogger("weasyprint"), self.collector)

    def _check_refused(self) -> None:
        if self.fetcher.refused:
            raise ManuscriptError([Problem(self.source.name, None, None,
                                           f"refused to load {what}")
                                   for what in self.fetcher.refused])


def house_stylesheet(style: Path, fetcher: SafeFetcher):
    """The journal's print.css, parsed, its fonts loaded through `fetcher`."""
    weasyprint, font_config = _weasyprint()
    return weasyprint.CSS(url=STYLE_URL + "print.css", url_fetcher=fetcher,
                          font_config=font_config)


def render_output(article: Article, job: RenderJob) -> Rendered:
    """The PDF of the layout the build made (see Builder._layout), with a warning when it
    is longer than the journal prints."""
    layout = job.layout
    data, messages = layout.write()
    name = display_path(article.source_path)
    warnings = [warning("weasyprint", name, None, None, f"WeasyPrint: {message}")
                for message in messages]
    limit = article.journal.page_limit
    if limit and layout.page_count > limit:
        warnings.append(warning(
            "page-limit", name, None, None,
            f"the article runs to {layout.page_count} pages, over the journal's limit of "
            f"{limit}", hint=f"page-limit in "
                             f"{display_path(article.journal.folder / 'journal.yaml')}"))
    return Rendered(data, warnings=warnings)


def lay_out(article: Article) -> PdfLayout:
    """The article's PDF, laid out once."""
    return PdfLayout(article)


def _page_state(state, page_number: int):
    """A copy of a page's counter state with its page number set."""
    import copy

    state = copy.deepcopy(state)
    counters = state[1]
    counters["page"] = [*counters.get("page", [0])[:-1], page_number]
    return state


def _marked_elements(root_element) -> set:
    """The elements the template marks as holding page numbers, and their ancestors."""
    parents = {child: parent for parent in root_element.iter() for child in parent}
    wanted = set()
    for element in root_element.iter():
        if element.get(PAGE_NUMBERS_ATTRIBUTE) is not None:
            while element is not None and element not in wanted:
                wanted.add(element)
                element = parents.get(element)
    return wanted


def _boxes_with_placeholders(root, marked: set):
    """(line box or None, text box) for each text box under `root` that carries a page
    placeholder and lies inside a marked element; only the marked elements' ancestors
    are walked, so the body's boxes are never visited. Laid-out text boxes are found in
    the page margins' boxes only at write time, so here a running element is skipped
    once the layout has taken it out of the flow."""
    from weasyprint.formatting_structure import boxes

    stack = [(root, None, False)]
    while stack:
        box, line, inside = stack.pop()
        inside = inside or (box.element is not None and box.element.get(
            PAGE_NUMBERS_ATTRIBUTE) is not None)
        if isinstance(box, boxes.LineBox):
            line = box
        if isinstance(box, boxes.TextBox) and inside and PAGE_PLACEHOLDERS.search(box.text):
            yield line, box
        for child in getattr(box, "children", ()):
            if inside or child.element in marked:
                stack.append((child, line, inside))


def _replace_text(context, line, box, text: str) -> None:
    """Give a laid-out text box another text, shaped anew. On its line, what follows it
    moves by the change in width and the inline boxes around it widen; a centred or
    right-aligned line moves as a whole to stay so."""
    from math import inf

    from weasyprint.text.line_break import split_first_line

    layout, _length, _resume, width, _height, _baseline = split_first_line(
        text, box.style, context, inf, box.justification_spacing)
    delta = width - box.width
    box.text, box.pango_layout, box.width = text, layout, width
    if line is None or not delta:
        return
    following = False
    for other in line.descendants():
        if other is box:
            following = True
        elif following:
            other.position_x += delta
    for ancestor in _ancestors(line, box):
        ancestor.width += delta
    align = line.style["text_align_last"]
    if align == "auto":
        align = line.style["text_align_all"]
    shift = {"center": -delta / 2, "right": -delta, "end": -delta}.get(align, 0)
    for child in line.children if shift else ():
        child.translate(dx=shift)


def _ancestors(root, box) -> list:
    """The boxes between `root` (excluded) and `box` (excluded)."""
    for child in getattr(root, "children", ()):
        if child is box:
            return []
        path = _ancestors(child, box)
        if path is not None:
            return [child, *path]
    return None


class _LoggerHandler:
    """WeasyPrint's log messages, and the Python warnings of the libraries it runs (Pillow
    decoding a picture), into the collector: reported as the build's warnings, never
    printed raw."""

    def __init__(self, logger: logging.Logger, handler: _WarningCollector):
        self.logger, self.handler = logger, handler
        self._warnings = warnings.catch_warnings(record=True)

    def __enter__(self):
        self.logger.addHandler(self.handler)
        self._caught = self._warnings.__enter__()

    def __exit__(self, *exc):
        self._warnings.__exit__(*exc)
        self.handler.messages += [str(caught.message) for caught in self._caught]
        self.logger.removeHandler(self.handler)
