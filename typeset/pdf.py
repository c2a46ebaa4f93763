"""The PDF: the print page laid out by WeasyPrint in the journal's house style."""

from __future__ import annotations

import datetime as dt
import logging
import os
from functools import cache

from . import i18n
from .errors import ManuscriptError, Problem
from .fetch import SafeFetcher
from .html_writer import HtmlWriter
from .hyphenation import register_turkish_hyphenation
from .model import Article
from .presentation import page_context
from .templating import environment


@cache
def _weasyprint():
    # Importing WeasyPrint costs about a second: pay it once per process, and only
    # when a PDF is wanted.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    register_turkish_hyphenation()
    return weasyprint, FontConfiguration()


def creation_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit()
              else dt.datetime.now(dt.UTC))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_print_html(article: Article) -> str:
    writer = HtmlWriter(print_notes=True, quotes=i18n.quotes(article.lang))
    context = page_context(article, writer)
    context["created"] = creation_date()
    return environment().get_template("pdf/article.html.j2").render(context)


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def render_pdf(article: Article, print_html: str) -> tuple[bytes, list[str]]:
    """The PDF bytes and WeasyPrint's warnings."""
    weasyprint, font_config = _weasyprint()
    style = article.journal.folder
    fetcher = SafeFetcher([article.folder, style])
    collector = _WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        stylesheet = weasyprint.CSS(filename=str(style / "print.css"), url_fetcher=fetcher,
                                    font_config=font_config)
        document = weasyprint.HTML(string=print_html, base_url=str(article.folder) + os.sep,
                                   url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=font_config, pdf_tags=True,
            pdf_variant="pdf/ua-1")
        pdf = document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
    finally:
        logger.removeHandler(collector)
    if fetcher.refused:
        raise ManuscriptError([Problem(article.metadata.journal and str(article.source_path),
                                       None, None, f"refused to load {what}")
                               for what in fetcher.refused])
    return pdf, collector.messages
