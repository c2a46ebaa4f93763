"""The PDF: the print page laid out by WeasyPrint in the journal's house style."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from functools import cache

from typeset import i18n
from typeset.errors import ManuscriptError, Problem, warning
from typeset.model.article import Article
from typeset.read.document import with_last_page
from typeset.read.source import display_path
from typeset.render import Rendered, RenderJob
from typeset.render.html.writer import HtmlWriter
from typeset.render.pdf.fetch import MANUSCRIPT_URL, STYLE_URL, SafeFetcher
from typeset.render.pdf.footnotes import drifted_notes
from typeset.render.pdf.hyphenation import register_turkish_hyphenation
from typeset.render.presentation import float_labels, page_context
from typeset.render.templating import environment

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
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    register_turkish_hyphenation()
    _ignore_footnote_area_float_noise()
    _tag_footnotes_as_notes()
    return weasyprint, FontConfiguration()


NOTE_ELEMENT = "fn-note"  # the print page's footnote element (see HtmlWriter.note)


def _tag_footnotes_as_notes() -> None:
    """WeasyPrint derives PDF structure tags from HTML element names and has none for
    footnotes; ours are `<fn-note>` elements, tagged as PDF `Note`s."""
    from weasyprint.pdf import tags

    pdf_tag = tags._get_pdf_tag
    if getattr(pdf_tag, "typeset_patched", False):
        return

    def get_pdf_tag(tag):
        return "Note" if tag == NOTE_ELEMENT else pdf_tag(tag)

    get_pdf_tag.typeset_patched = True
    tags._get_pdf_tag = get_pdf_tag


def _ignore_footnote_area_float_noise() -> None:
    """WeasyPrint 70 finds that the footnote area "overflows" when the bottom of its last
    note equals the area's bottom but for float rounding (any padding or margin on
    `@footnote` triggers it), and then defers every note to the next page. An area of
    automatic height grows with its notes and cannot overflow, so we say so; the real
    check, whether the page has room for the area, is made separately by WeasyPrint."""
    from weasyprint.layout import LayoutContext

    update = LayoutContext._update_footnote_area
    if getattr(update, "typeset_patched", False):
        return

    def update_footnote_area(self):
        overflow = update(self)
        return overflow and self.current_footnote_area.style["height"] != "auto"

    update_footnote_area.typeset_patched = True
    LayoutContext._update_footnote_area = update_footnote_area


def creation_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit()
              else dt.datetime.now(dt.UTC))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_print_html(article: Article, page_breaks: dict[int, int] | None = None) -> str:
    """The print page; `page_breaks` (note number -> word) splits the paragraph of a note
    before that word, with a page break (see footnotes.py)."""
    writer = HtmlWriter(print_notes=True, quotes=i18n.quotes(article.lang),
                        page_breaks=page_breaks, labels=float_labels(article))
    context = page_context(article, writer)
    context["created"] = creation_date()
    return environment().get_template("pdf/article.html.j2").render(context)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        # About the machine, not the document: reported once by `make setup`, not per build.
        if "HarfBuzz-Subset" not in message:
            self.messages.append(message)


# Layouts allowed to bring drifted footnotes back to the page of their call.
MAX_FOOTNOTE_PASSES = 3


class PdfLayout:
    """A laid-out print page: its page count is known before the PDF is written."""

    def __init__(self, article: Article, print_html: str | None = None):
        weasyprint, font_config = _weasyprint()
        style = article.journal.folder
        self.article = article
        # The folders are seen under fixed URLs: no path of this machine's in the PDF.
        self.fetcher = SafeFetcher([article.folder, style],
                                   {MANUSCRIPT_URL: article.folder, STYLE_URL: style})
        self.collector = _WarningCollector()
        with self._collecting():
            stylesheet = weasyprint.CSS(url=STYLE_URL + "print.css",
                                        url_fetcher=self.fetcher, font_config=font_config)
            page_breaks: dict[int, int] = {}
            html = print_html or render_print_html(article)
            for _ in range(MAX_FOOTNOTE_PASSES):
                self.document = weasyprint.HTML(
                    string=html, base_url=MANUSCRIPT_URL,
                    url_fetcher=self.fetcher,
                ).render(stylesheets=[stylesheet], font_config=font_config, pdf_tags=True,
                         pdf_variant="pdf/ua-1")
                drifted = drifted_notes(self.document)
                if not drifted or drifted.items() <= page_breaks.items():
                    break
                page_breaks.update(drifted)
                html = render_print_html(article, page_breaks)
        self._check_refused()

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def write(self) -> tuple[bytes, list[str]]:
        """The PDF bytes and WeasyPrint's warnings."""
        with self._collecting():
            pdf = self.document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
        self._check_refused()
        return pdf, self.collector.messages

    def _collecting(self):
        return _LoggerHandler(logging.getLogger("weasyprint"), self.collector)

    def _check_refused(self) -> None:
        if self.fetcher.refused:
            raise ManuscriptError([Problem(display_path(self.article.source_path), None, None,
                                           f"refused to load {what}")
                                   for what in self.fetcher.refused])


def render_output(article: Article, job: RenderJob) -> Rendered:
    """The PDF of the layout the build made (see Builder._layout)."""
    data, messages = job.layout.write()
    name = display_path(article.source_path)
    return Rendered(data, warnings=[warning("weasyprint", name, None, None,
                                            f"WeasyPrint: {message}")
                                    for message in messages])


def lay_out(article: Article) -> PdfLayout:
    """The PDF laid out; with a first page set, laid out once more with the last page
    filled in where it is printed (the "Cite as" line, the header band)."""
    layout = PdfLayout(article)
    if article.metadata.first_page:
        last_page = article.metadata.first_page + layout.page_count - 1
        layout = PdfLayout(with_last_page(article, last_page))
    return layout


class _LoggerHandler:
    def __init__(self, logger: logging.Logger, handler: logging.Handler):
        self.logger, self.handler = logger, handler

    def __enter__(self):
        self.logger.addHandler(self.handler)

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
