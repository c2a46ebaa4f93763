"""The HTML reading page: `article.html`, with its stylesheet and fonts in `article_files/`
beside it and the figures under the paths the manuscript gives them (the pipeline copies
them, for the JATS too), so that the folder works wherever it is copied.

The page needs no JavaScript. Its `<head>` carries the metadata indexers read
(`scholar.py`). The live preview (`preview.py`) serves the same page from memory, with the
same files (`asset_map`), and adds its reload script itself.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from typeset import i18n
from typeset.model.article import Article, Journal
from typeset.render import Rendered, RenderJob
from typeset.render.html import scholar
from typeset.render.html.writer import HtmlWriter
from typeset.render.presentation import float_labels, page_context
from typeset.render.templating import environment

ASSETS = "article_files"


class ScreenWriter(HtmlWriter):
    """The shared writer plus what only the reading page needs: an id on every citation
    link, so that each reference can link back to where it is cited."""

    def __init__(self, article: Article):
        super().__init__(quotes=i18n.quotes(article.lang), labels=float_labels(article))
        self.citing: dict[str, list[str]] = {}  # reference id -> ids of the citing links
        self._citations = 0

    def link(self, node: dict) -> str:
        (ident, classes, pairs), inlines, (url, title) = node["c"]
        if url.startswith("#ref-") and not ident:
            self._citations += 1
            ident = f"cite-{self._citations}"
            self.citing.setdefault(url[1:], []).append(ident)
            node = {"t": "Link", "c": [[ident, classes, pairs], inlines, [url, title]]}
        return super().link(node)


def style_files(article: Article) -> dict[str, Path]:
    """The stylesheet and fonts: their path relative to the page -> the journal's file."""
    return {f"{ASSETS}/{relative}": path
            for relative, path in reading_style_files(article.journal).items()}


def reading_style_files(journal: Journal) -> dict[str, Path]:
    """The journal's reading style: stylesheet and fonts, by their path relative to the
    folder they are copied into (the issue's pages use them too)."""
    style = journal.folder
    files = {name: style / name for name in ("screen.css", "fonts.css")}
    fonts = style / "fonts"
    if fonts.is_dir():
        files.update({f"fonts/{font.name}": font
                      for font in sorted(fonts.iterdir()) if font.is_file()})
    return files


def asset_map(article: Article) -> dict[str, Path]:
    """Every file the page loads: its path relative to the page -> the file (the preview
    serves them, read through the confinement at each request)."""
    return {**article.files, **style_files(article)}


def render_output(article: Article, job: RenderJob) -> Rendered:
    """The reading page, with the files it loads (the figures as read with the
    manuscript); it links the PDF only when one is built beside it."""
    pdf_name = job.file_name("pdf") if "pdf" in job.formats else None
    return Rendered(render_html(article, pdf_name).encode("utf-8"),
                    files={**article.file_data, **style_files(article)})


def render_html(article: Article, pdf_name: str | None) -> str:
    writer = ScreenWriter(article)
    context = page_context(article, writer)
    context.update(_page_extras(article, writer, pdf_name))
    return environment().get_template("html/article.html.j2").render(context)


def _page_extras(article: Article, writer: ScreenWriter, pdf_name: str | None) -> dict:
    md, journal = article.metadata, article.journal
    return {
        "stylesheet": f"{ASSETS}/screen.css",
        "pdf_href": quote(pdf_name) if pdf_name else None,
        "eissn": journal.eissn,
        "issn": journal.issn,
        "history_iso": [date.isoformat() for _kind, date in md.history.events()],
        "corresponding": md.corresponding_authors,
        "cite_as_label": " / ".join(dict.fromkeys(journal.label(code, "cite-as")
                                                  for code in journal.languages)),
        "backlinks": writer.citing,
        "license": md.license,
        **scholar.head_context(article, pdf_name),
        "description": scholar.abstract_text(article, article.lang) or "",
    }


