"""What the HTML and print templates show, worked out once from the article.

The templates stay declarative: they receive titles, author lines, the per-language info
blocks and the rendered body, and only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from typeset import i18n
from typeset.model.article import FIRST_PAGE_PLACEHOLDER, LAST_PAGE_PLACEHOLDER, Article
from typeset.render.html.writer import HtmlWriter


@dataclass(frozen=True)
class InfoBlock:
    """One language's "ARTICLE INFO" + "ABSTRACT" pair."""

    lang: str
    labels: dict[str, str]
    history: tuple[tuple[str, str], ...]  # (label, formatted date)
    keywords: tuple[str, ...]
    copyright: str
    abstract: Markup


def _labels(article: Article, lang: str) -> dict[str, str]:
    journal = article.journal
    table = dict(journal.labels.get("en", {}))
    table.update(journal.labels.get(i18n.base(lang), {}))
    return table


def float_labels(article: Article) -> dict[str, str]:
    """Words for numbered things in the body's language: Figure/Şekil, Table/Tablo, ..."""
    return {kind: article.journal.label(article.lang, kind)
            for kind in ("figure", "table", "appendix", "equation", "section")}


def numbered(label: str, value: str | None) -> str:
    """The label and a volume's or issue's number (Sayı 1); an issue named in words
    (Özel Sayı 2) as it is named. Empty when there is no value."""
    if not value:
        return ""
    return f"{label} {value}" if value[0].isdigit() else value


def page_range(article: Article, placeholders: bool = False) -> str | None:
    """The printed page range ("23–41"), once the layout has given it; before that, for
    the print page of a paginated article, the placeholders its layout fills in."""
    if article.first_page is not None:
        return f"{article.first_page}–{article.last_page}"
    if placeholders and article.paginated:
        return f"{FIRST_PAGE_PLACEHOLDER}–{LAST_PAGE_PLACEHOLDER}"
    return None


def page_context(article: Article, writer: HtmlWriter, print_page: bool = False) -> dict:
    """What a page template shows; `print_page`: for the PDF, where the page numbers are
    placeholders until the layout fills them in."""
    md, journal, lang = article.metadata, article.journal, article.lang
    body = writer.blocks(article.document.blocks)
    appendices = writer.blocks(article.document.appendices)
    notes = list(writer.notes)
    other_titles = [(code, text) for code, text in md.title.items() if code != lang]

    # One line per author and affiliation (the line carries the author's own position,
    # email and ORCID), each with its own mark: two authors of one institution are two
    # lines, 1 and 2, never two lines both marked 1.
    authors, affiliation_lines = [], []
    for author in md.authors:
        position = author.position.get(lang) or next(
            (text for _code, text in author.position.items()), None)
        marks = []
        for aff_id in author.affiliations:
            aff = md.affiliation(aff_id)
            parts = [p for p in (position, aff.institution, *aff.departments, aff.city) if p]
            marks.append(len(affiliation_lines) + 1)
            affiliation_lines.append({"mark": marks[-1], "text": ", ".join(parts),
                                      "email": author.email, "orcid": author.orcid})
        authors.append({"author": author, "marks": marks})

    blocks = []
    for block_lang in dict.fromkeys([*journal.languages, *md.abstract.langs]):
        if block_lang not in md.abstract:
            continue
        labels = _labels(article, block_lang)
        blocks.append(InfoBlock(
            lang=block_lang,
            labels=labels,
            history=tuple((labels[kind], i18n.format_date(date, block_lang))
                          for kind, date in md.history.events()),
            keywords=md.keywords.get(block_lang) or (),
            copyright=f"© {md.copyright.year} {md.copyright.holder} "
                      f"{labels['all-rights-reserved']}",
            abstract=writer.blocks(article.document.abstracts.get(block_lang, ())),
        ))
    statements = [(_labels(article, code).get(kind, kind), code, writer.blocks(blocks_))
                  for kind, texts in article.document.statements
                  for code, blocks_ in texts.items()]
    references = [(ref.html_id, writer.inlines(ref.inlines))
                  for ref in article.document.references]
    type_labels = journal.article_types.get(md.article_type)
    labels = _labels(article, lang)
    issue_parts = [numbered(labels["volume"], md.volume), numbered(labels["issue"], md.issue)]
    if any(issue_parts):
        issue_parts.append(str(md.year))
    if pages := page_range(article, placeholders=print_page):
        issue_parts.append(f"{labels['pages']} {pages}")
    return {
        "article": article,
        "md": md,
        "journal": journal,
        "lang": lang,
        "labels": labels,
        "band_issue": ", ".join(p for p in issue_parts if p),
        "title": md.title[lang],
        "title_upper": i18n.upper(md.title[lang], lang),
        "other_titles": other_titles,
        "short_title": md.short_title.get(lang) or md.title[lang],
        "journal_title": journal.title.get(lang) or journal.title.get("en"),
        "article_type_labels": [type_labels[code] for code in journal.languages
                                if type_labels and code in type_labels],
        "authors": authors,
        "surnames": ", ".join(a.surname for a in md.authors) if len(md.authors) < 3
                    else f"{md.authors[0].surname} {i18n.et_al(lang)}",
        "affiliation_lines": affiliation_lines,
        "info_blocks": blocks,
        "body": body,
        "appendices": appendices,
        "notes": [Markup(n) for n in notes],
        "statements": statements,
        "references": references,
        "cite_as": writer.inlines(article.document.cite_as),
        "keywords_all": [k for _code, words in md.keywords.items() for k in words],
    }
