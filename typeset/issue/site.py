"""The issue on the journal's site: its page (`index.html`, in the reading style, linking
every article's page, PDF and XML), its `sitemap.xml`, and for a folder of issues the
journal's archive page listing them, newest first.

Links between the pages are relative, so that the output folder works wherever it is
copied; the sitemap and the canonical addresses come from `Issue.url`, the one rule for
where the issue is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from typeset.errors import Problem
from typeset.issue.paginate import ARTICLE_OUTPUTS
from typeset.issue.presentation import in_language, issue_context, issue_line
from typeset.model.article import Journal
from typeset.model.issue import Issue, IssueArticle
from typeset.render.html.scholar import script_json
from typeset.render.templating import environment

ASSETS = "issue_files"  # the issue page's stylesheet, fonts and cover image
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def cover_name(issue: Issue) -> str | None:
    return f"{ASSETS}/cover{issue.cover.suffix.lower()}" if issue.cover else None


def render_issue_site(issue: Issue, articles: Sequence[IssueArticle],
                      archive_href: str | None = None
                      ) -> tuple[dict[str, bytes], list[Problem]]:
    """index.html and, when the journal's address is known, sitemap.xml; the notes (what
    the profile lacks)."""
    context = issue_context(issue, list(articles))
    lang = context["lang"]
    context.update(
        stylesheet=f"{ASSETS}/screen.css",
        canonical=issue.url(),
        archive_href=archive_href,
        cover_href=cover_name(issue),
        cover_alt=in_language(issue.title, lang) or context["issue_lines"][0][1],
        json_ld=script_json(issue_json_ld(issue, articles)),
    )
    files = {"index.html": environment().get_template("issue/index.html.j2")
             .render(context).encode("utf-8")}
    notes = []
    if issue.url():
        pages = [issue.url(), *(issue.landing_page_url(item.folder) for item in articles)]
        files["sitemap.xml"] = sitemap(pages)
    else:
        notes.append(missing_url(issue.journal, "sitemap.xml"))
    return files, notes


def missing_url(journal: Journal, output: str) -> Problem:
    from typeset.export.common import missing_in_profile

    return missing_in_profile("sitemap-no-url", journal, "url", output,
                              "a sitemap lists the pages' addresses on the journal's site")


def issue_json_ld(issue: Issue, articles: Sequence[IssueArticle]) -> dict:
    """schema.org: the issue, its volume and periodical, and its articles."""
    journal = issue.journal
    lang = journal.languages[0]
    periodical: dict = {"@type": "Periodical", "name": in_language(journal.title, lang)}
    issns = [issn for issn in (journal.issn, journal.eissn) if issn]
    if issns:
        periodical["issn"] = issns
    if journal.publisher:
        periodical["publisher"] = {"@type": "Organization", "name": journal.publisher}
    part_of = periodical
    if issue.volume:
        part_of = {"@type": "PublicationVolume", "volumeNumber": issue.volume,
                   "isPartOf": periodical}
    data: dict = {"@context": "https://schema.org", "@type": "PublicationIssue",
                  "issueNumber": issue.number, "datePublished": issue.published.isoformat(),
                  "isPartOf": part_of}
    if issue.url():
        data["url"] = issue.url()
    if issue.title:
        data["name"] = in_language(issue.title, lang)
    data["hasPart"] = []
    for item in articles:
        article = item.article
        entry = {"@type": "ScholarlyArticle", "inLanguage": article.lang,
                 "headline": article.metadata.title[article.lang],
                 "author": [{"@type": "Person", "name": a.full_name}
                            for a in article.metadata.authors],
                 "pageStart": str(item.first_page), "pageEnd": str(item.last_page),
                 "url": issue.landing_page_url(item.folder)
                 or f"{quote(item.folder)}/{ARTICLE_OUTPUTS['html']}"}
        if article.metadata.doi:
            entry["sameAs"] = f"https://doi.org/{article.metadata.doi}"
        data["hasPart"].append(entry)
    return data


def sitemap(urls: Sequence[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    lines += [f"<url><loc>{escape(url)}</loc></url>" for url in dict.fromkeys(urls)]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def issue_asset_files(issue: Issue) -> dict[str, Path]:
    """The page's stylesheet and fonts (the journal's reading style) and the cover image,
    under `ASSETS`: name in the output folder -> the file."""
    files = style_files(issue.journal)
    if issue.cover:
        files[cover_name(issue)] = issue.cover
    return files


def style_files(journal: Journal) -> dict[str, Path]:
    """The journal's reading style under `ASSETS`: name -> the file."""
    from typeset.render.html.page import reading_style_files

    return {f"{ASSETS}/{relative}": source
            for relative, source in reading_style_files(journal).items()}


# -- the archive -----------------------------------------------------------------------

@dataclass(frozen=True)
class ArchivedIssue:
    issue: Issue
    path: tuple[str, ...]  # its folder under the archive's output folder


def render_archive(journal: Journal, issues: Sequence[ArchivedIssue]
                   ) -> tuple[dict[str, bytes], list[Problem]]:
    """The archive page (index.html, newest issue first) and, when the journal's address
    is known, a sitemap of the archive and every issue's pages; the notes."""
    languages = journal.languages
    lang = languages[0]
    ordered = sorted(issues, key=lambda entry: (entry.issue.published, entry.path),
                     reverse=True)
    entries = []
    for entry in ordered:
        href = "/".join(quote(part) for part in entry.path)
        entries.append({
            "href": f"{href}/index.html", "pdf_href": f"{href}/issue.pdf",
            "lines": [(code, issue_line(entry.issue, code)) for code in languages],
            "titles": [(code, entry.issue.title[code]) for code in languages
                       if code in entry.issue.title],
        })
    context = {
        "journal": journal, "lang": lang, "languages": languages,
        "journal_titles": [(code, journal.title[code]) for code in languages
                           if code in journal.title],
        "labels": {code: {key: journal.label(code, key) for key in (
            "archive", "full-issue")} for code in languages},
        "issues": entries, "stylesheet": f"{ASSETS}/screen.css",
        "canonical": f"{journal.url.rstrip('/')}/" if journal.url else None,
    }
    files = {"index.html": environment().get_template("issue/archive.html.j2")
             .render(context).encode("utf-8")}
    if journal.url:
        urls = [f"{journal.url.rstrip('/')}/"]
        for entry in ordered:
            urls.append(entry.issue.url())
            urls += [entry.issue.landing_page_url(name)
                     for name in entry.issue.article_folders]
        files["sitemap.xml"] = sitemap(urls)
        return files, []
    return files, [missing_url(journal, "the archive's sitemap.xml")]


def archive_href(issue: Issue) -> str:
    """From an issue's page in an archive back to the archive page."""
    return "../" * len(issue.site_path) + "index.html"
