"""The HTML reading page: `article.html` with its stylesheet and fonts beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import i18n
from .html_writer import HtmlWriter
from .model import Article
from .presentation import page_context
from .templating import environment

ASSETS = "article_files"


def render_html(article: Article, pdf_name: str) -> str:
    writer = HtmlWriter(quotes=i18n.quotes(article.lang))
    context = page_context(article, writer)
    context.update(stylesheet=f"{ASSETS}/screen.css", pdf_href=pdf_name)
    return environment().get_template("html/article.html.j2").render(context)


def copy_assets(article: Article, out_dir: Path) -> None:
    """The page's stylesheet and fonts, so the folder works wherever it is copied."""
    style = article.journal.folder
    target = out_dir / ASSETS
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    for name in ("screen.css", "fonts.css"):
        shutil.copyfile(style / name, target / name)
    for font in sorted((style / "fonts").iterdir()):
        shutil.copyfile(font, target / "fonts" / font.name)
