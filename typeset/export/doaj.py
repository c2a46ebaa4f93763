"""The DOAJ upload of an issue: `doaj.xml`, DOAJ's article XML (`doajArticles.xsd` 1.3).

    render_doaj(issue, articles) -> ExportResult

One `record` per article, in print order, with or without a DOI (DOAJ identifies an article
by its DOI or its full-text URL). The result is not validated here: the issue build calls
`validation.validate_doaj` on it before writing it.

`ExportResult.xml` is None, with a note naming the missing field of the journal profile,
when the upload cannot be made: no ISSN (DOAJ matches every record to a journal it lists by
the ISSNs), no site `url` (`fullTextUrl` is required: the article's reading page,
`Issue.landing_page_url`, which holds the full text).

Choices, from DOAJ's documentation and its ingest code:
- Languages are ISO 639-2/B codes (`tur`, `eng`; pycountry's bibliographic code where a
  language has one, e.g. `ger`), limited to DOAJ's own list; a language outside it is left
  unnamed rather than guessed.
- DOAJ keeps one title, one abstract and one set of keywords per record, the first it
  finds: every language is written, the article's own first.
- Authors carry their name, affiliation and ORCID iD. E-mail addresses are left out: DOAJ
  does not keep them, and an upload is no place to pass on personal data.
- `documentType` and `publisherRecordId` are left out (DOAJ ignores the first; we have no
  record ids of our own).
- Abstracts are plain text, a blank line between paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pycountry
from lxml import etree

from typeset.errors import Problem
from typeset.export.common import (
    ExportResult,
    journal_titles,
    langs_body_first,
    missing_in_profile,
    note,
    one_line,
    plain_text,
    profile_path,
    xml_text,
)
from typeset.export.validation import DOAJ_XSD
from typeset.model.article import Affiliation
from typeset.model.issue import Issue, IssueArticle
from typeset.render.jats.article import country_name

OUTPUT = "doaj.xml"

# DOAJ's pattern for fullTextUrl (doajArticles.xsd), with \p{L} spelt for Python's re.
_FULL_TEXT_URL = re.compile(r"https?://([^/:]+\.[^\W\d_]{2,10}|([0-9]{1,3}\.){3}[0-9]{1,3})"
                            r"(:[0-9]+)?(.*)?")


def render_doaj(issue: Issue, articles: Sequence[IssueArticle]) -> ExportResult:
    """The upload for `articles` (in print order, with their final pages)."""
    gaps = profile_gaps(issue)
    if gaps:
        return ExportResult.of(None, gaps)
    if not articles:
        return ExportResult(None, [])

    root = etree.Element("records")
    for item in articles:
        root.append(_record(issue, item))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return ExportResult(xml, [])


def profile_gaps(issue: Issue) -> list[Problem]:
    """Why no upload can be made for `issue` whatever its articles: empty when one can."""
    journal = issue.journal
    gaps: list[Problem] = []
    if not (journal.issn or journal.eissn):
        gaps.append(missing_in_profile(
            "doaj-no-issn", journal, "issn", OUTPUT,
            "DOAJ matches each record to the journal by its ISSN: give issn or eissn"))
    if not journal.url:
        gaps.append(missing_in_profile(
            "doaj-no-url", journal, "url", OUTPUT,
            "each record links to the article's full text on the journal's site"))
    elif not _FULL_TEXT_URL.fullmatch(issue.landing_page_url("x") or ""):
        gaps.append(note("doaj-no-url", profile_path(journal), "url",
                            f"{OUTPUT} is not written: DOAJ takes full-text addresses on a "
                            "named host (https://journal.example.org/...) or an IP address",
                            f"not '{journal.url}'"))
    return gaps


def _record(issue: Issue, item: IssueArticle):
    article = item.article
    md, journal = article.metadata, article.journal
    record = etree.Element("record")
    language = doaj_language(article.lang)
    if language:
        _sub(record, "language", language)
    if journal.publisher:
        _sub(record, "publisher", journal.publisher)
    _sub(record, "journalTitle", journal_titles(journal)[0][1])
    if journal.issn:
        _sub(record, "issn", journal.issn)
    if journal.eissn:
        _sub(record, "eissn", journal.eissn)
    published = md.history.published or issue.published
    _sub(record, "publicationDate", published.isoformat())
    if issue.volume:
        _sub(record, "volume", issue.volume)
    _sub(record, "issue", issue.number)
    _sub(record, "startPage", str(item.first_page))
    _sub(record, "endPage", str(item.last_page))
    if md.doi:
        _sub(record, "doi", md.doi)
    for lang in langs_body_first(article, md.title.langs):
        _sub(record, "title", one_line(md.title[lang]), **_language_attribute(lang))

    # Affiliations are numbered in the order the front matter lists them, from 1.
    numbers = {affiliation.id: str(index) for index, affiliation
               in enumerate(md.affiliations, 1)}
    authors = _sub(record, "authors")
    for author in md.authors:
        element = _sub(authors, "author")
        _sub(element, "name", one_line(author.full_name))
        for affiliation_id in author.affiliations:
            _sub(element, "affiliationId", numbers[affiliation_id])
        if author.orcid:
            _sub(element, "orcid_id", f"https://orcid.org/{author.orcid}")
    if md.affiliations:
        affiliations = _sub(record, "affiliationsList")
        for affiliation in md.affiliations:
            _sub(affiliations, "affiliationName", affiliation_text(affiliation),
                 affiliationId=numbers[affiliation.id])

    abstracts = article.document.abstracts
    for lang in langs_body_first(article, abstracts.langs):
        text = plain_text(abstracts[lang])
        if text:
            _sub(record, "abstract", text, **_language_attribute(lang))
    _sub(record, "fullTextUrl", issue.landing_page_url(item.folder), format="html")
    for lang in langs_body_first(article, md.keywords.langs):
        keywords = _sub(record, "keywords", **_language_attribute(lang))
        for keyword in md.keywords[lang]:
            _sub(keywords, "keyword", one_line(keyword))
    return record


def affiliation_text(affiliation: Affiliation) -> str:
    """"Institution, Department, ..., City, Country": DOAJ keeps an affiliation as text."""
    country = country_name(affiliation.country, "en") if affiliation.country else None
    parts = (affiliation.institution, *affiliation.departments, affiliation.city, country)
    return ", ".join(one_line(part) for part in parts if part)


def doaj_language(lang: str) -> str | None:
    """The ISO 639-2/B code of a BCP 47 language tag, when DOAJ's list has it."""
    base = lang.split("-")[0].lower()
    found = (pycountry.languages.get(alpha_2=base) if len(base) == 2
             else pycountry.languages.get(alpha_3=base))
    if found is None:
        return None
    code = getattr(found, "bibliographic", None) or found.alpha_3
    return code if code in _doaj_languages() else None


def _language_attribute(lang: str) -> dict[str, str]:
    code = doaj_language(lang)
    return {"language": code} if code else {}


@cache
def _doaj_languages() -> frozenset[str]:
    tree = etree.parse(str(DOAJ_XSD.parent / "iso_639-2b.xsd"))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    return frozenset(e.get("value") for e in tree.getroot().iter(f"{xs}enumeration"))


def _sub(parent, tag: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, tag, **attributes)
    if text is not None:
        element.text = xml_text(text)
    return element
