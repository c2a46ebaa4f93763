"""What indexers read in the reading page's `<head>`.

Three vocabularies, all computed from the `Article` model:

- the Highwire Press `citation_*` tags, which Google Scholar requires (its inclusion
  guidelines: one `citation_author` per author, in byline order, each followed by that
  author's institutions; `citation_publication_date` as `YYYY/MM/DD` or the bare year);
- Dublin Core (`DC.*`, `DCTERMS.*`), which repositories and library harvesters read;
- a schema.org `ScholarlyArticle` as JSON-LD, which general search engines read.

Nothing unknown is invented: a tag whose value the front matter and the journal profile do
not give is left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from typeset.model.article import Article, Author, Reference
from typeset.model.ast import stringify
from typeset.model.reference import ReferenceRecord


@dataclass(frozen=True)
class MetaTag:
    name: str
    content: str
    lang: str | None = None


def plain(text: str) -> str:
    """One line of text: what a `content` attribute should hold."""
    return " ".join(text.split())


def abstract_text(article: Article, lang: str) -> str | None:
    blocks = article.document.abstracts.get(lang)
    return plain(stringify(list(blocks))) if blocks else None


def author_name(author: Author) -> str:
    """`Surname, Given Names`: the form Google Scholar parses without guessing."""
    return f"{author.surname}, {author.given_names}" if author.given_names else author.surname


def publication_date(article: Article) -> str:
    published = article.metadata.history.published
    if published:
        return f"{published.year}/{published.month:02d}/{published.day:02d}"
    return str(article.metadata.year)


def iso_publication_date(article: Article) -> str:
    published = article.metadata.history.published
    return published.isoformat() if published else str(article.metadata.year)


def journal_title(article: Article) -> str:
    journal = article.journal
    return journal.title.get(article.lang) or journal.title.get("en") or journal.id


def issns(article: Article) -> list[str]:
    return [issn for issn in (article.journal.issn, article.journal.eissn) if issn]


def published_url(article: Article, name: str) -> str:
    """Where `name` (a file beside the page) is published: absolute when it is known
    (the article's folder in its issue on the journal's site, or under the profile's
    `article-base-url`), relative to the page otherwise.

    Under the base URL each article has a folder named like its manuscript's folder: the
    layout that `build.py build FOLDER_OF_ARTICLES --out SITE` writes.
    """
    if article.published_folder:
        return f"{article.published_folder.rstrip('/')}/{quote(name)}"
    base = article.journal.article_base_url
    if not base:
        return quote(name)
    return f"{base.rstrip('/')}/{quote(article.folder.name)}/{quote(name)}"


def published_online(article: Article) -> bool:
    """Whether the article's address on the web is known."""
    return bool(article.published_folder or article.journal.article_base_url)


def page_range(article: Article) -> tuple[int | None, int | None]:
    """First and last page, once the PDF has been laid out (read.document.with_pages)."""
    return article.first_page, article.last_page


# -- Highwire Press ----------------------------------------------------------------------

def highwire_tags(article: Article, pdf_name: str | None) -> list[MetaTag]:
    md, journal, lang = article.metadata, article.journal, article.lang
    tags = [MetaTag("citation_title", md.title[lang])]
    for author in md.authors:
        tags.append(MetaTag("citation_author", author_name(author)))
        tags += [MetaTag("citation_author_institution", md.affiliation(aff).institution)
                 for aff in author.affiliations]
        if author.email:
            tags.append(MetaTag("citation_author_email", author.email))
        if author.orcid:
            tags.append(MetaTag("citation_author_orcid", f"https://orcid.org/{author.orcid}"))
    tags.append(MetaTag("citation_publication_date", publication_date(article)))
    tags.append(MetaTag("citation_journal_title", journal_title(article)))
    if journal.abbreviation:
        tags.append(MetaTag("citation_journal_abbrev", journal.abbreviation))
    if journal.publisher:
        tags.append(MetaTag("citation_publisher", journal.publisher))
    if md.volume:
        tags.append(MetaTag("citation_volume", md.volume))
    if md.issue:
        tags.append(MetaTag("citation_issue", md.issue))
    first, last = page_range(article)
    if first is not None:
        tags.append(MetaTag("citation_firstpage", str(first)))
    if last is not None:
        tags.append(MetaTag("citation_lastpage", str(last)))
    if md.doi:
        tags.append(MetaTag("citation_doi", md.doi))
    tags += [MetaTag("citation_issn", issn) for issn in issns(article)]
    tags.append(MetaTag("citation_language", lang))
    for code in _langs_body_first(article, md.keywords.langs):
        tags += [MetaTag("citation_keywords", word, code) for word in md.keywords[code]]
    abstract = abstract_text(article, lang)
    if abstract:
        tags.append(MetaTag("citation_abstract", abstract, lang))
    if pdf_name:
        tags.append(MetaTag("citation_pdf_url", published_url(article, pdf_name)))
    if published_online(article):
        page = published_url(article, article.source_path.stem + ".html")
        tags.append(MetaTag("citation_abstract_html_url", page))
        tags.append(MetaTag("citation_fulltext_html_url", page))
    tags += [MetaTag("citation_reference", citation_reference(ref))
             for ref in article.document.references]
    return tags


def _langs_body_first(article: Article, langs) -> list[str]:
    return sorted(langs, key=lambda code: code != article.lang)


def citation_reference(reference: Reference) -> str:
    """One `citation_reference`: `citation_field=value` pairs joined by "; " (the form
    Highwire-style publishers use), or the rendered entry's text when there is no record."""
    if reference.record is None:
        return plain(stringify(list(reference.inlines)))
    return "; ".join(f"{name}={value.replace(';', ',')}" for name, value in
                     reference_fields(reference.record))


# The citation field that names a work's container, by the kind of work.
_CONTAINER = {"journal": "citation_journal_title", "newspaper": "citation_journal_title",
              "magazine": "citation_journal_title", "chapter": "citation_inbook_title",
              "confproc": "citation_conference_title"}
_INSTITUTION = {"thesis": "citation_dissertation_institution",
                "report": "citation_technical_report_institution"}


def reference_fields(record: ReferenceRecord) -> list[tuple[str, str]]:
    out = [("citation_author", plain(p.inverted)) for p in record.authors]
    if not out:
        out = [("citation_editor", plain(p.inverted)) for p in record.editors]
    if record.title:
        out.append(("citation_title", record.title))
    if record.kind in _CONTAINER and record.container:
        out.append((_CONTAINER[record.kind], record.container))
    if record.kind in _INSTITUTION:
        if record.institution:
            out.append((_INSTITUTION[record.kind], record.institution))
        if record.report_number:
            out.append(("citation_technical_report_number", record.report_number))
    elif record.publisher:
        out.append(("citation_publisher", record.publisher))
    if record.volume:
        out.append(("citation_volume", record.volume))
    if record.issue:
        out.append(("citation_issue", record.issue))
    if record.first_page:
        out.append(("citation_firstpage", record.first_page))
        if record.last_page:
            out.append(("citation_lastpage", record.last_page))
    date = _record_date(record)
    if date:
        out.append(("citation_publication_date", date))
    if record.doi:
        out.append(("citation_doi", record.doi))
    if record.isbn:
        out.append(("citation_isbn", record.isbn))
    return out


def _record_date(record: ReferenceRecord) -> str | None:
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", record.date):
        return record.date.replace("-", "/")
    return record.year or None


# -- Dublin Core -------------------------------------------------------------------------

DC_SCHEMAS = (("schema.DC", "http://purl.org/dc/elements/1.1/"),
              ("schema.DCTERMS", "http://purl.org/dc/terms/"))


def dublin_core_tags(article: Article) -> list[MetaTag]:
    md, journal, lang = article.metadata, article.journal, article.lang
    tags = [MetaTag("DC.title", md.title[lang], lang)]
    tags += [MetaTag("DCTERMS.alternative", text, code) for code, text in md.title.items()
             if code != lang]
    tags += [MetaTag("DC.creator", author_name(a)) for a in md.authors]
    tags.append(MetaTag("DC.date", iso_publication_date(article)))
    tags.append(MetaTag("DCTERMS.dateSubmitted", md.history.received.isoformat()))
    tags.append(MetaTag("DCTERMS.dateAccepted", md.history.accepted.isoformat()))
    if md.doi:
        tags.append(MetaTag("DC.identifier", f"https://doi.org/{md.doi}"))
    tags.append(MetaTag("DC.language", lang))
    for code in _langs_body_first(article, md.keywords.langs):
        tags += [MetaTag("DC.subject", word, code) for word in md.keywords[code]]
    for code in _langs_body_first(article, article.document.abstracts.langs):
        text = abstract_text(article, code)
        if text:
            tags.append(MetaTag("DC.description", text, code))
    if journal.publisher:
        tags.append(MetaTag("DC.publisher", journal.publisher))
    tags.append(MetaTag("DC.source", _source_line(article)))
    tags.append(MetaTag("DC.type", "Text"))
    tags.append(MetaTag("DC.format", "text/html"))
    tags.append(MetaTag("DC.rights", f"© {md.copyright.year} {md.copyright.holder}"))
    if md.license:
        tags.append(MetaTag("DCTERMS.license", md.license))
    return tags


def _source_line(article: Article) -> str:
    """The journal, then volume(issue), pages, ISSN: what DC.source conventionally holds."""
    md = article.metadata
    parts = [journal_title(article)]
    if md.volume:
        parts.append(md.volume + (f"({md.issue})" if md.issue else ""))
    elif md.issue:
        parts.append(f"({md.issue})")
    first, last = page_range(article)
    if first is not None:
        parts.append(f"{first}–{last}" if last is not None else str(first))
    parts += [f"ISSN {issn}" for issn in issns(article)]
    return ", ".join(parts)


# -- schema.org JSON-LD ------------------------------------------------------------------

def json_ld(article: Article, pdf_name: str | None) -> dict:
    md, journal, lang = article.metadata, article.journal, article.lang
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": md.title[lang],
        "name": md.title[lang],
        "inLanguage": lang,
        "author": [_person(article, a) for a in md.authors],
        "datePublished": iso_publication_date(article),
        "keywords": list(md.keywords.get(lang) or ()),
    }
    others = [text for code, text in md.title.items() if code != lang]
    if others:
        data["alternativeHeadline"] = others[0] if len(others) == 1 else others
    abstract = abstract_text(article, lang)
    if abstract:
        data["abstract"] = abstract
    data["isPartOf"] = _container(article)
    first, last = page_range(article)
    if first is not None:
        data["pageStart"] = str(first)
    if last is not None:
        data["pageEnd"] = str(last)
    if md.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI",
                              "value": md.doi}
        data["sameAs"] = f"https://doi.org/{md.doi}"
    if journal.publisher:
        data["publisher"] = {"@type": "Organization", "name": journal.publisher}
    data["copyrightHolder"] = {"@type": "Organization", "name": md.copyright.holder}
    data["copyrightYear"] = md.copyright.year
    if md.license:
        data["license"] = md.license
    if published_online(article):
        data["url"] = published_url(article, article.source_path.stem + ".html")
    if pdf_name:
        data["encoding"] = {"@type": "MediaObject", "encodingFormat": "application/pdf",
                            "contentUrl": published_url(article, pdf_name)}
    citations = [_cited_work(ref) for ref in article.document.references]
    if citations:
        data["citation"] = citations
    return data


def _person(article: Article, author: Author) -> dict:
    person: dict = {"@type": "Person", "name": author.full_name,
                    "givenName": author.given_names, "familyName": author.surname}
    if author.email:
        person["email"] = author.email
    if author.orcid:
        person["identifier"] = f"https://orcid.org/{author.orcid}"
        person["sameAs"] = f"https://orcid.org/{author.orcid}"
    affiliations = []
    for aff_id in author.affiliations:
        aff = article.metadata.affiliation(aff_id)
        organization: dict = {"@type": "Organization", "name": aff.institution}
        if aff.departments:
            organization["department"] = [{"@type": "Organization", "name": d}
                                          for d in aff.departments]
        if aff.country or aff.city:
            address: dict = {"@type": "PostalAddress"}
            if aff.city:
                address["addressLocality"] = aff.city
            if aff.country:
                address["addressCountry"] = aff.country
            organization["address"] = address
        if aff.ror:
            organization["identifier"] = aff.ror
        affiliations.append(organization)
    if affiliations:
        person["affiliation"] = affiliations
    return person


def _container(article: Article) -> dict:
    md, journal = article.metadata, article.journal
    periodical: dict = {"@type": "Periodical", "name": journal_title(article)}
    if issns(article):
        periodical["issn"] = issns(article)
    if journal.url:
        periodical["url"] = journal.url
    container = periodical
    if md.volume:
        container = {"@type": "PublicationVolume", "volumeNumber": md.volume,
                     "isPartOf": container}
    if md.issue:
        container = {"@type": "PublicationIssue", "issueNumber": md.issue,
                     "isPartOf": container}
    return container


def _cited_work(reference: Reference) -> dict:
    text = plain(stringify(list(reference.inlines)))
    record = reference.record
    if record is None:
        return {"@type": "CreativeWork", "description": text}
    work: dict = {"@type": {"journal": "ScholarlyArticle", "book": "Book"}.get(
        record.kind, "CreativeWork")}
    if record.title:
        work["name"] = record.title
    if record.authors:
        work["author"] = [plain(p.inverted) for p in record.authors]
    date = _record_date(record)
    if date:
        work["datePublished"] = date.replace("/", "-")
    if record.doi:
        work["sameAs"] = f"https://doi.org/{record.doi}"
    if record.url:
        work["url"] = record.url
    work["description"] = text
    return work


_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: dict) -> Markup:
    """JSON safe inside `<script>`: no `</script>` or `<!--` can end the element early
    (the escapes are still the same characters to a JSON parser)."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_UNSAFE))


def head_context(article: Article, pdf_name: str | None) -> dict:
    """What the `<head>` partial needs."""
    return {
        "highwire": highwire_tags(article, pdf_name),
        "dublin_core": dublin_core_tags(article),
        "dc_schemas": DC_SCHEMAS,
        "json_ld": script_json(json_ld(article, pdf_name)),
    }

