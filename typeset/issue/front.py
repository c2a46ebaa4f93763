"""The issue's front matter: a cover and the contents (`front.pdf`, and the first pages of
`issue.pdf`), laid out by WeasyPrint from `templates/issue/front.html.j2` with the
journal's `issue.css`, tagged (PDF/UA-1) like the articles.

Each contents entry links to its article. The link is laid out as a marker naming the
article (`typeset-article:N`), and resolved once it is known where the article is: in the
issue PDF, its first page (`join.py`); in `front.pdf` read alone, the article's page on the
journal's site when the profile gives the site's address, else its PDF beside front.pdf
(`<folder>/article.pdf`, a link into another PDF file).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence

from typeset.errors import ManuscriptError, Problem
from typeset.issue.paginate import ARTICLE_OUTPUTS
from typeset.issue.presentation import issue_context
from typeset.model.issue import Issue, IssueArticle
from typeset.read.source import display_path
from typeset.render.templating import environment

LINK_MARKER = "typeset-article:"
_MARKER = re.compile(rf"^{re.escape(LINK_MARKER)}(\d+)$")
STYLESHEET = "issue.css"


def article_link(index: int) -> str:
    return f"{LINK_MARKER}{index}"


def article_of_link(uri: str) -> int | None:
    """The article a contents link names, or None for any other link."""
    found = _MARKER.match(uri)
    return int(found.group(1)) if found else None


def render_front_html(issue: Issue, articles: Sequence[IssueArticle]) -> str:
    from typeset.render.pdf.layout import creation_date

    context = issue_context(issue, list(articles))
    lang = context["lang"]
    context.update(
        created=creation_date(),
        link=article_link,
        cover_src=issue.cover.relative_to(issue.folder).as_posix() if issue.cover else None,
        cover_alt=" / ".join(text for _code, text in context["issue_lines"])
        if not issue.title else issue.title.get(lang) or context["issue_lines"][0][1],
    )
    return environment().get_template("issue/front.html.j2").render(context)


def render_front(issue: Issue, articles: Sequence[IssueArticle]) -> tuple[bytes, list[str]]:
    """The cover and contents as a tagged PDF (links still markers), and WeasyPrint's
    warnings."""
    from typeset.render.pdf import layout
    from typeset.render.pdf.fetch import SafeFetcher

    weasyprint, font_config = layout._weasyprint()
    style = issue.journal.folder
    fetcher = SafeFetcher([issue.folder, style])
    collector = layout._WarningCollector()
    with layout._LoggerHandler(layout.logging.getLogger("weasyprint"), collector):
        stylesheets = [weasyprint.CSS(filename=str(style / STYLESHEET), url_fetcher=fetcher,
                                      font_config=font_config)] \
            if (style / STYLESHEET).is_file() else []
        document = weasyprint.HTML(string=render_front_html(issue, articles),
                                   base_url=str(issue.folder) + os.sep,
                                   url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=font_config, pdf_tags=True,
            pdf_variant="pdf/ua-1")
        pdf = document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
    if fetcher.refused:
        raise ManuscriptError([Problem(display_path(issue.folder / "issue.yaml"), None, None,
                                       f"refused to load {what}") for what in fetcher.refused])
    return pdf, [f"WeasyPrint (cover and contents): {m}" for m in collector.messages]


def link_for_reading_alone(issue: Issue, articles: Sequence[IssueArticle],
                           front_pdf: bytes) -> bytes:
    """front.pdf as a file of its own: each contents link goes to the article's page on
    the journal's site, or (no site address known) to its PDF beside front.pdf."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(front_pdf))
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            index = article_of_link(str(action.URI))
            if index is None:
                continue
            item = articles[index]
            landing = issue.landing_page_url(item.folder)
            if landing:
                action.URI = pikepdf.String(landing)
                annotation.Contents = pikepdf.String(landing)
            else:
                target = f"{item.folder}/{ARTICLE_OUTPUTS['pdf']}"
                annotation.A = pikepdf.Dictionary(
                    Type=pikepdf.Name.Action, S=pikepdf.Name.GoToR,
                    F=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String(target),
                                         UF=pikepdf.String(target)),
                    D=pikepdf.Array([0, pikepdf.Name.Fit]), NewWindow=False)
                annotation.Contents = pikepdf.String(target)
    # Its pages are numbered in roman (the cover's number is not printed): so are they
    # labelled, as in the issue PDF.
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(
        [0, pikepdf.Dictionary(S=pikepdf.Name.r)]))
    output = io.BytesIO()
    pdf.save(output, deterministic_id=True)
    return output.getvalue()
