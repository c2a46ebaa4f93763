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

from typeset.model.article import Article, Author
from typeset.model.ast import stringify

DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.I)


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
    """Where `name` (a file beside the page) is published: absolute when the journal
    profile gives `article-base-url`, relative to the page otherwise.

    Under the base URL each article has a folder named like its manuscript's folder: the
    layout that `build.py build FOLDER_OF_ARTICLES --out SITE` writes.
    """
    base = article.journal.article_base_url
    if not base:
        return quote(name)
    return f"{base.rstrip('/')}/{quote(article.folder.name)}/{quote(name)}"


def page_range(article: Article) -> tuple[int | None, int | None]:
    """First and last page, each when known (the last once the PDF has been laid out)."""
    first = article.metadata.first_page
    return first, (article.last_page if first is not None else None)


# -- Highwire Press ----------------------------------------------------------------------

def highwire_tags(article: Article, pdf_name: str) -> list[MetaTag]:
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
    tags.append(MetaTag("citation_pdf_url", published_url(article, pdf_name)))
    if article.journal.article_base_url:
        page = published_url(article, article.source_path.stem + ".html")
        tags.append(MetaTag("citation_abstract_html_url", page))
        tags.append(MetaTag("citation_fulltext_html_url", page))
    tags += [MetaTag("citation_reference", citation_reference(article, ref.key, ref.inlines))
             for ref in article.document.references]
    return tags


def _langs_body_first(article: Article, langs) -> list[str]:
    return sorted(langs, key=lambda code: code != article.lang)


def citation_reference(article: Article, key: str, inlines) -> str:
    """One `citation_reference`: `citation_field=value` pairs joined by "; " (the form
    Highwire-style publishers use), or the rendered entry's text when there is no entry."""
    entry = _entry(article, key)
    if entry is None:
        return plain(stringify(list(inlines)))
    return "; ".join(f"{name}={value.replace(';', ',')}" for name, value in
                     reference_fields(entry))


def _entry(article: Article, key: str):
    bibliography = article.bibliography
    if bibliography is None or key not in bibliography.data.entries:
        return None
    return bibliography.entry(key)


# -- BibTeX entries as citation fields ---------------------------------------------------

_COMMAND_WITH_ARGUMENT = re.compile(r"\\(?:url|emph|textit|textbf|textsc|mkbibquote|enquote)"
                                    r"\s*\{([^{}]*)\}")
_ESCAPED = {"\\&": "&", "\\%": "%", "\\_": "_", "\\$": "$", "\\#": "#", "~": "\u00a0"}


def latex_text(value: str) -> str:
    """A BibTeX field as plain text: the few LaTeX constructs bibliographies use."""
    value = _COMMAND_WITH_ARGUMENT.sub(r"\1", value)
    for escaped, char in _ESCAPED.items():
        value = value.replace(escaped, char)
    if not re.match(r"https?://", value):
        value = value.replace("---", "—").replace("--", "–")
    return plain(value.replace("{", "").replace("}", ""))


def person_name(person) -> str:
    surname = latex_text(" ".join(person.prelast_names + person.last_names))
    given = latex_text(" ".join(person.first_names + person.middle_names))
    return f"{surname}, {given}" if given else surname  # no given names: an organisation


# BibTeX type -> the citation field that names the container, and the one for its publisher.
_CONTAINER = {
    "article": ("journal", "citation_journal_title"),
    "incollection": ("booktitle", "citation_inbook_title"),
    "inbook": ("booktitle", "citation_inbook_title"),
    "inproceedings": ("booktitle", "citation_conference_title"),
}
_INSTITUTION = {
    "phdthesis": "citation_dissertation_institution",
    "mastersthesis": "citation_dissertation_institution",
    "thesis": "citation_dissertation_institution",
    "techreport": "citation_technical_report_institution",
    "report": "citation_technical_report_institution",
}


class _Fields:
    """An entry's fields as plain text, converted when first asked for."""

    def __init__(self, entry):
        self._raw = {name.lower(): value for name, value in entry.fields.items()}
        self._text: dict[str, str] = {}

    def get(self, name: str) -> str:  # "" when the entry lacks it
        if name not in self._text:
            raw = self._raw.get(name)
            self._text[name] = latex_text(raw) if raw else ""
        return self._text[name]


def reference_fields(entry) -> list[tuple[str, str]]:
    fields = _Fields(entry)
    kind = entry.type.lower()
    out = [("citation_author", person_name(p)) for p in entry.persons.get("author", ())]
    if not out:
        out = [("citation_editor", person_name(p)) for p in entry.persons.get("editor", ())]
    if fields.get("title"):
        out.append(("citation_title", fields.get("title")))
    if kind in _CONTAINER:
        source_field, tag = _CONTAINER[kind]
        container = fields.get(source_field) or fields.get("journaltitle")
        if container:
            out.append((tag, container))
    if kind in _INSTITUTION:
        institution = fields.get("school") or fields.get("institution")
        if institution:
            out.append((_INSTITUTION[kind], institution))
        if kind in ("techreport", "report") and fields.get("number"):
            out.append(("citation_technical_report_number", fields.get("number")))
    elif fields.get("publisher"):
        out.append(("citation_publisher", fields.get("publisher")))
    if fields.get("volume"):
        out.append(("citation_volume", fields.get("volume")))
    if fields.get("number") and kind not in ("techreport", "report"):
        out.append(("citation_issue", fields.get("number")))
    if fields.get("pages"):
        first, _, last = fields.get("pages").replace("–", "-").partition("-")
        out.append(("citation_firstpage", first.strip()))
        if last.strip("- "):
            out.append(("citation_lastpage", last.strip("- ")))
    date = _entry_date(fields)
    if date:
        out.append(("citation_publication_date", date))
    if fields.get("doi"):
        out.append(("citation_doi", DOI_PREFIX.sub("", fields.get("doi"))))
    if fields.get("isbn"):
        out.append(("citation_isbn", fields.get("isbn")))
    return out


def _entry_date(fields: _Fields) -> str | None:
    date = fields.get("date").split("/")[0]
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", date):
        return date.replace("-", "/")
    year = fields.get("year")
    match = re.match(r"\d{4}", year)
    return match.group(0) if match else None


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

def json_ld(article: Article, pdf_name: str) -> dict:
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
    if journal.article_base_url:
        data["url"] = published_url(article, article.source_path.stem + ".html")
    data["encoding"] = {"@type": "MediaObject", "encodingFormat": "application/pdf",
                        "contentUrl": published_url(article, pdf_name)}
    citations = [_cited_work(article, ref.key, ref.inlines)
                 for ref in article.document.references]
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


def _cited_work(article: Article, key: str, inlines) -> dict:
    text = plain(stringify(list(inlines)))
    entry = _entry(article, key)
    if entry is None:
        return {"@type": "CreativeWork", "description": text}
    pairs = reference_fields(entry)
    fields = dict(pairs)
    work: dict = {"@type": "ScholarlyArticle" if entry.type.lower() == "article"
                  else "Book" if entry.type.lower() == "book" else "CreativeWork"}
    if fields.get("citation_title"):
        work["name"] = fields["citation_title"]
    authors = [value for name, value in pairs if name == "citation_author"]
    if authors:
        work["author"] = authors
    if fields.get("citation_publication_date"):
        work["datePublished"] = fields["citation_publication_date"].replace("/", "-")
    if fields.get("citation_doi"):
        work["sameAs"] = f"https://doi.org/{fields['citation_doi']}"
    url = entry.fields.get("url")
    if url:
        work["url"] = latex_text(url)
    work["description"] = text
    return work


_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: dict) -> Markup:
    """JSON safe inside `<script>`: no `</script>` or `<!--` can end the element early
    (the escapes are still the same characters to a JSON parser)."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_UNSAFE))


def head_context(article: Article, pdf_name: str) -> dict:
    """What the `<head>` partial needs."""
    return {
        "highwire": highwire_tags(article, pdf_name),
        "dublin_core": dublin_core_tags(article),
        "dc_schemas": DC_SCHEMAS,
        "json_ld": script_json(json_ld(article, pdf_name)),
    }

