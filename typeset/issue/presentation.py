"""What the issue's cover, contents and pages say about the issue and its articles, in
each of the journal's languages: worked out once here, laid out by the templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typeset import i18n
from typeset.model.article import Article, LangMap
from typeset.model.issue import Issue, IssueArticle
from typeset.render.presentation import numbered


def in_language(texts: LangMap[str], lang: str) -> str:
    """The text in `lang`, else the first one given."""
    return texts.get(lang) or next((text for _code, text in texts.items()), "")


def month_year(date: dt.date, lang: str) -> str:
    months = i18n.MONTHS.get(i18n.base(lang), i18n.MONTHS["en"])
    return f"{months[date.month - 1]} {date.year}"


def designation(issue: Issue, lang: str) -> str:
    """Cilt 9, Sayı 1 / Volume 9, Issue 1 (or the issue's name when it has one in words)."""
    journal = issue.journal
    parts = [numbered(journal.label(lang, "volume"), issue.volume),
             numbered(journal.label(lang, "issue"), issue.number)]
    return ", ".join(part for part in parts if part)


def issue_line(issue: Issue, lang: str) -> str:
    """Cilt 9, Sayı 1, Mart 2023."""
    return f"{designation(issue, lang)}, {month_year(issue.published, lang)}"


def document_title(issue: Issue) -> str:
    """The title of the issue PDF and page: journal, designation, year."""
    lang = issue.journal.languages[0]
    title = in_language(issue.journal.title, lang)
    return f"{title}, {designation(issue, lang)} ({issue.published.year})"


def authors_line(article: Article) -> str:
    return ", ".join(author.full_name for author in article.metadata.authors)


@dataclass(frozen=True)
class ContentsEntry:
    """One article in the contents."""

    index: int  # its place in the issue
    folder: str
    lang: str
    title: str  # in the article's language
    other_titles: tuple[tuple[str, str], ...]  # (lang, title), in the journal's order
    authors: str
    first_page: int
    last_page: int
    article_type: str  # in the journal's languages, "Araştırma Makalesi / Research Article"


@dataclass(frozen=True)
class ContentsSection:
    titles: tuple[tuple[str, str], ...]  # (lang, title), in the journal's languages
    entries: tuple[ContentsEntry, ...]


def contents(issue: Issue, articles: list[IssueArticle]) -> list[ContentsSection]:
    journal = issue.journal
    sections = []
    for index, section in enumerate(issue.sections):
        entries = []
        for position, item in enumerate(articles):
            if item.section != index:
                continue
            article = item.article
            md = article.metadata
            order = [*journal.languages, *md.title.langs]
            others = tuple((code, md.title[code]) for code in dict.fromkeys(order)
                           if code in md.title and code != article.lang)
            types = journal.article_types.get(md.article_type) or LangMap()
            entries.append(ContentsEntry(
                index=position, folder=item.folder, lang=article.lang,
                title=md.title[article.lang], other_titles=others,
                authors=authors_line(article), first_page=item.first_page,
                last_page=item.last_page,
                article_type=" / ".join(types[code] for code in journal.languages
                                        if code in types)))
        titles = tuple((code, section.title[code]) for code in journal.languages
                       if code in section.title) or tuple(section.title.items())
        sections.append(ContentsSection(titles, tuple(entries)))
    return sections


def issue_context(issue: Issue, articles: list[IssueArticle]) -> dict:
    """What the cover, the contents and the issue's page show."""
    journal = issue.journal
    languages = journal.languages
    return {
        "issue": issue,
        "journal": journal,
        "lang": languages[0],
        "languages": languages,
        "document_title": document_title(issue),
        "journal_titles": [(code, journal.title[code]) for code in languages
                           if code in journal.title],
        "issue_titles": [(code, issue.title[code]) for code in languages
                         if code in issue.title],
        "issue_lines": [(code, issue_line(issue, code)) for code in languages],
        "labels": {code: {key: journal.label(code, key) for key in (
            "contents", "full-issue", "cover-and-contents", "archive", "pages", "pdf",
            "issues")} for code in languages},
        "contents": contents(issue, articles),
        "published_iso": issue.published.isoformat(),
    }
