"""The issue model: an issue folder's `issue.yaml`, checked, and the articles it orders.

Built once by the issue's read stage (typeset/issue/) and read by every issue output: the
articles' final page numbers, the cover and contents, the issue PDF, the issue page, the
Crossref deposit and the DOAJ upload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from typeset import i18n
from typeset.model.article import Article, Journal, LangMap

ISSUE_FILE = "issue.yaml"  # what makes a folder an issue
# The name of an article's reading page in its folder of the issue's output.
LANDING_PAGE = "article.html"


@dataclass(frozen=True)
class IssueSection:
    title: LangMap[str]
    articles: tuple[str, ...]  # the article folders' names, in print order


@dataclass(frozen=True)
class Issue:
    """What `issue.yaml` says, checked and typed."""

    folder: Path
    journal: Journal
    volume: str | None  # None: the journal does not number volumes, or the issue has none
    number: str  # the issue: "1", or a text such as "Özel Sayı 2"
    published: dt.date
    first_page: int
    sections: tuple[IssueSection, ...]
    title: LangMap[str] = field(default_factory=LangMap)  # a themed or special issue's title
    cover: Path | None = None  # an image inside the issue folder

    @property
    def article_folders(self) -> tuple[str, ...]:
        return tuple(name for section in self.sections for name in section.articles)

    def url(self, *parts: str) -> str | None:
        """Where the issue is published on the journal's site, or a file of it:
        `<url>/<volume>/<issue>/` and `issue.url("aksoy", "article.html")` =
        `<url>/<volume>/<issue>/aksoy/article.html` (an issue named "Özel Sayı 2" is
        `ozel-sayi-2` there, see `site_path`; a folder's name is percent-encoded). None when
        the journal profile has no `url`.

        The one rule for the site's layout: the issue's `--out` folder is published at
        `issue.url()`. The landing pages (Crossref `resource`, DOAJ `fullTextUrl`), the
        issue page's links and the sitemap all come from here.
        """
        base = self.journal.url
        if not base:
            return None
        segments = [quote(str(part), safe="") for part in (*self.site_path, *parts)]
        return f"{base.rstrip('/')}/{'/'.join(segments)}{'' if parts else '/'}"

    @property
    def site_path(self) -> tuple[str, ...]:
        """The issue's folder under the journal's site (and under an archive's `--out`):
        volume, then issue, as web addresses want them ("Özel Sayı 2" -> "ozel-sayi-2")."""
        return tuple(i18n.slug(part) or quote(part, safe="") for part in
                     (self.volume, self.number) if part is not None)

    def supplied_fields(self, first_page: int | None = None) -> dict:
        """The front-matter fields the issue gives each of its articles, read as if the
        article had written them (so that defaults derived from them, such as the
        copyright year from `history.published`, follow): journal, volume, issue, date of
        publication and, once the pagination gives it, the first page. (The issue reader
        has already refused an article that states other values.)"""
        fields: dict = {"journal": self.journal.id, "issue": self.number,
                        "history": {"published": self.published}}
        if self.volume is not None:
            fields["volume"] = self.volume
        if first_page is not None:
            fields["first-page"] = first_page
        return fields

    def landing_page_url(self, folder: str) -> str | None:
        """The reading page of the article in `folder` (its DOI resolves there)."""
        return self.url(folder, LANDING_PAGE)


@dataclass(frozen=True)
class IssueArticle:
    """An article of the issue once laid out: its section and final pages."""

    article: Article  # with first_page/last_page filled in after layout
    section: int  # index into Issue.sections
    folder: str  # its folder's name in the issue
    first_page: int
    last_page: int

    @property
    def page_count(self) -> int:
        return self.last_page - self.first_page + 1
