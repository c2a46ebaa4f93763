"""The Crossref deposit of an issue: `crossref.xml`, schema 5.3.1.

    render_crossref(issue, articles, *, timestamp=None, batch_id=None) -> ExportResult
    deposit_stamp(issue) -> (timestamp, batch_id)
    profile_gaps(issue) -> list[Problem]   # empty when a deposit can be made

One `doi_batch` registers every article of the issue that has a DOI: the journal
(`journal_metadata`: titles, ISSNs), the issue (`journal_issue`: date, volume, number, a
themed issue's title), then one `journal_article` per article, in print order. An article
without a DOI is left out with a warning. The result is not validated here: the issue build
calls `validation.validate_crossref` on it before writing it.

`ExportResult.xml` is None, with a note naming the missing field of the journal profile,
when the deposit cannot be made: no ISSN (Crossref identifies a journal by its ISSN, or by a
journal DOI, which we never invent), no Crossref depositor (`crossref.depositor-name`,
`crossref.depositor-email`), no registrant (`crossref.registrant`, else the publisher's
name), no site `url` (every DOI must resolve to a landing page, `Issue.landing_page_url`).

What goes where, and why (Crossref's documentation and schema 5.3.1):
- Titles: one `titles` element per language, the article's own language first (it is the
  `language` of the `journal_article`). `original_language_title` is for translations only,
  which our bilingual titles are not.
- Contributors: `person_name` with `given_name`, `surname`, `affiliations/institution`
  (`institution_name`, the ROR id as `institution_id`, the city and country as
  `institution_place`, departments) and the ORCID iD as `https://orcid.org/...` with
  `authenticated="false"` (we did not obtain it through ORCID's sign-in).
- `jats:abstract` with `xml:lang`, one per language: JATS paragraphs written by the JATS
  writer (italics, bold, links, math), cross-references to the reference list reduced to
  their text and footnote calls dropped (a deposit has no reference ids or notes).
- `publication_date` (online): the article's, which the issue sets; `acceptance_date`;
  `pages` from the final layout.
- `ai:program`: the article's licence, else the journal's, as `license_ref` for the version
  of record from the publication date.
- `fr:program` (funding): one `fundgroup` per funder the front matter's `funders` names,
  with its name, its Open Funder Registry DOI as `funder_identifier` (a ROR id has no place
  in 5.3.1's funding data: the name goes alone) and its award numbers. A free-text
  `funding` statement alone is not deposited: putting that sentence where a funder name
  belongs would be wrong data; the build notes it, and names the `funders` field.
- `doi_data`: the DOI (the one rule, `read/identifiers.normalise_doi`, already applied when
  the front matter was read) and the landing page.
- `citation_list`: one `citation` per reference, keyed by its anchor on the reading page,
  with the structured fields of its `ReferenceRecord` (journal or book title, first author,
  volume, issue, first page, year, title, DOI, ISBN, ISSN) where they fit Crossref's limits,
  and always the reference as the citation style printed it (`unstructured_citation`).

Timestamps: Crossref treats `timestamp` as the version of each record and rejects a deposit
whose timestamp is not larger than the last one. It is the time of the build to the
millisecond (yyyymmddhhmmssmmm), or, under `SOURCE_DATE_EPOCH`, that moment, so that a
reproducible build writes the same file twice.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from functools import cache

from lxml import etree

from typeset import i18n
from typeset.errors import Problem
from typeset.export.common import (
    ExportResult,
    issue_path,
    journal_titles,
    langs_body_first,
    missing_in_profile,
    note,
    one_line,
    profile_path,
    warning,
    xml_text,
)
from typeset.export.validation import CROSSREF_XSD
from typeset.model.article import Affiliation, Article, Author, Reference
from typeset.model.ast import stringify
from typeset.model.issue import Issue, IssueArticle
from typeset.read.identifiers import normalise_issn
from typeset.render.jats.article import country_name
from typeset.render.jats.writer import JatsWriter

CR = "http://www.crossref.org/schema/5.3.1"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
AI = "http://www.crossref.org/AccessIndicators.xsd"
FR = "http://www.crossref.org/fundref.xsd"
MML = "http://www.w3.org/1998/Math/MathML"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {None: CR, "xsi": XSI, "jats": JATS, "ai": AI, "fr": FR, "mml": MML, "xlink": XLINK}
SCHEMA_LOCATION = f"{CR} https://www.crossref.org/schemas/crossref5.3.1.xsd"

OUTPUT = "crossref.xml"

# Crossref's own patterns and lengths (common5.3.1.xsd, crossref5.3.1.xsd), checked before
# a value is written so that input the schema cannot take is told about, never deposited.
_CROSSREF_DOI = re.compile(r"10\.[0-9]{4,9}/.{1,200}")
_NAME = re.compile(r"[^\d?]*[^?\s]+[^\d]*")
_ISBN = re.compile(r"(97[89]-)?\d[\d \-]+[\dX]")
_NAME_MAX = 60
_CITATION_FIELD_MAX = 32  # volume, issue, first_page
_PLACE = (2, 255)  # institution_place, institution_department
_INSTITUTION_MAX = 1024
_FULL_TITLE_MAX = 255
_ABBREV_TITLE_MAX = 150
_CITATION_KEY_MAX = 128

# Which title of a cited work is which in a `citation`: the title of a part (an article, a
# chapter, a paper) is `article_title`; of a work that stands alone, `volume_title`. Other
# works (web pages, data, software) are matched by their unstructured text.
_PARTS = ("journal", "newspaper", "magazine", "chapter", "confproc")
_VOLUMES = ("book", "thesis", "report", "standard")


def deposit_stamp(issue: Issue, now: dt.datetime | None = None) -> tuple[str, str]:
    """(timestamp, doi_batch_id) for a deposit of `issue` made now, or at
    `SOURCE_DATE_EPOCH` when that is set. A corrected deposit of the same articles needs a
    later timestamp than the first: build it without `SOURCE_DATE_EPOCH`, or with a later
    one."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if now is None:
        now = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit()
               else dt.datetime.now(dt.UTC))
    moment = now.astimezone(dt.UTC)
    timestamp = moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    parts = (issue.journal.id, issue.volume, issue.number, timestamp)
    return timestamp, "-".join(i18n.slug(part) or "x" for part in parts if part)[:100]


def render_crossref(issue: Issue, articles: Sequence[IssueArticle], *,
                    timestamp: str | None = None, batch_id: str | None = None
                    ) -> ExportResult:
    """The deposit for `articles` (in print order, with their final pages)."""
    journal = issue.journal
    problems = profile_gaps(issue)
    if problems:
        return ExportResult.of(None, problems)
    warnings: list[Problem] = []
    deposited = []
    for item in articles:
        gaps = article_gaps(item.article)
        if gaps:
            warnings += gaps
            continue
        deposited.append(item)
    if not deposited:
        warnings.append(note("crossref-no-articles", issue_path(issue), "doi",
                             f"{OUTPUT} is not written: no article of the issue has a DOI "
                             "it can register"))
        return ExportResult.of(None, warnings)

    if timestamp is None or batch_id is None:
        default_timestamp, default_batch = deposit_stamp(issue)
        timestamp = timestamp or default_timestamp
        batch_id = batch_id or default_batch

    root = etree.Element(f"{{{CR}}}doi_batch", nsmap=NSMAP)
    root.set("version", "5.3.1")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    head = _sub(root, "head")
    _sub(head, "doi_batch_id", batch_id)
    _sub(head, "timestamp", timestamp)
    depositor = _sub(head, "depositor")
    assert journal.crossref is not None
    _sub(depositor, "depositor_name", journal.crossref.depositor_name)
    _sub(depositor, "email_address", journal.crossref.depositor_email)
    _sub(head, "registrant", journal.crossref.registrant or journal.publisher)

    body = _sub(root, "body")
    journal_element = _sub(body, "journal")
    _journal_metadata(journal_element, issue)
    _journal_issue(journal_element, issue)
    for item in deposited:
        _journal_article(journal_element, issue, item)
        warnings += _funding_notes(item.article)

    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return ExportResult.of(xml, warnings)


# -- what must be known first ------------------------------------------------------------

def profile_gaps(issue: Issue) -> list[Problem]:
    """Why no deposit can be made for `issue` whatever its articles (missing fields of the
    journal profile, an issue number too long): empty when one can. Known before layout,
    so a build can tell whether to start compiling the schema early."""
    journal = issue.journal
    gaps = []
    if not (journal.issn or journal.eissn):
        gaps.append(missing_in_profile(
            "crossref-no-issn", journal, "issn", OUTPUT,
            "Crossref identifies a journal by its ISSN: give issn or eissn"))
    if journal.crossref is None:
        gaps.append(missing_in_profile(
            "crossref-no-depositor", journal, "crossref.depositor-name", OUTPUT,
            "a deposit names who makes it: give crossref: {depositor-name: ..., "
            "depositor-email: ...}"))
    elif not (journal.crossref.registrant or journal.publisher):
        gaps.append(missing_in_profile(
            "crossref-no-registrant", journal, "crossref.registrant", OUTPUT,
            "the member organisation the DOIs belong to: give crossref.registrant or "
            "publisher.name"))
    if not journal.url:
        gaps.append(missing_in_profile(
            "crossref-no-url", journal, "url", OUTPUT,
            "every DOI must resolve to the article's page on the journal's site"))
    account = journal.crossref
    registrant = (account.registrant or journal.publisher) if account else None
    for value, name, (shortest, longest) in (
            (journal_titles(journal)[0][1], "title", (1, _FULL_TITLE_MAX)),
            (account and account.depositor_name, "crossref.depositor-name", (1, 130)),
            (account and account.depositor_email, "crossref.depositor-email", (6, 200)),
            (registrant, "crossref.registrant", (1, 255))):
        if value and not shortest <= len(value) <= longest:
            gaps.append(note("crossref-unfit", profile_path(journal), name,
                                f"{OUTPUT} is not written: Crossref takes a {name} of "
                                f"{shortest} to {longest} characters"))
    for value, name in ((issue.volume, "volume"), (issue.number, "issue")):
        if value and len(value) > _CITATION_FIELD_MAX:
            gaps.append(warning("crossref-unfit", issue_path(issue), name,
                                f"{OUTPUT} is not written: Crossref takes an issue's {name} "
                                f"of up to {_CITATION_FIELD_MAX} characters"))
    return gaps


def article_gaps(article: Article) -> list[Problem]:
    """Why an article is left out of the deposit (no DOI, or something Crossref's schema
    cannot take), as warnings: known without its layout, so `check` says them too."""
    path = article.source_path
    if not article.metadata.doi:
        return [warning("crossref-no-doi", path, "doi",
                        f"not in {OUTPUT}: the article has no DOI",
                        "give it one (doi: in its front matter) to register it with "
                        "Crossref")]
    gaps = []
    doi = article.metadata.doi
    if not _CROSSREF_DOI.fullmatch(doi):
        gaps.append(warning(
            "crossref-unfit", path, "doi",
            f"not in {OUTPUT}: Crossref registers DOIs of the form 10.NNNN/suffix (suffix "
            f"up to 200 characters), not '{doi}'"))
    for index, author in enumerate(article.metadata.authors):
        for name, value in (("given-names", author.given_names),
                            ("surname", author.surname)):
            text = one_line(value)
            if text and (len(text) > _NAME_MAX or not _NAME.fullmatch(text)):
                gaps.append(warning("crossref-unfit", path, f"authors.[{index}].{name}",
                                    f"not in {OUTPUT}: Crossref takes names of up to "
                                    f"{_NAME_MAX} characters without '?'"))
    for index, affiliation in enumerate(article.metadata.affiliations):
        if len(affiliation.institution) > _INSTITUTION_MAX:
            gaps.append(warning(
                "crossref-unfit", path, f"affiliations.[{index}].institution",
                f"not in {OUTPUT}: Crossref takes institution names of up to "
                f"{_INSTITUTION_MAX} characters"))
    return gaps


def _funding_notes(article: Article) -> list[Problem]:
    if "funding" not in dict(article.metadata.statements) or article.metadata.funders:
        return []
    # A note, not a warning: the format has no field the editor could fill in instead.
    return [note("crossref-funding", article.source_path, "funding",
                    f"the funding statement is not deposited in {OUTPUT}: Crossref's funding "
                    "data names each funder (with its Funder Registry id), which a free-text "
                    "statement does not",
                    "name them in the front matter: funders: [{name: ..., id: 10.13039/..., "
                    "award: ...}]")]


# -- the journal and the issue -----------------------------------------------------------

def _journal_metadata(parent, issue: Issue) -> None:
    journal = issue.journal
    metadata = _sub(parent, "journal_metadata")
    first_lang = journal_titles(journal)[0][0]
    if _crossref_language(first_lang):
        metadata.set("language", _crossref_language(first_lang))
    titles = [title for _, title in journal_titles(journal)
              if len(title) <= _FULL_TITLE_MAX][:10]
    for title in titles:
        _sub(metadata, "full_title", title)
    if journal.abbreviation and len(journal.abbreviation) <= _ABBREV_TITLE_MAX:
        _sub(metadata, "abbrev_title", journal.abbreviation)
    for value, media in ((journal.issn, "print"), (journal.eissn, "electronic")):
        if value:
            _sub(metadata, "issn", value, media_type=media)


def _journal_issue(parent, issue: Issue) -> None:
    element = _sub(parent, "journal_issue")
    if issue.title:
        # An issue takes one `titles`: the title in the journal's first language.
        first = next((issue.title[lang] for lang in issue.journal.languages
                      if lang in issue.title), issue.title.items()[0][1])
        _sub(_sub(element, "titles"), "title", one_line(first))
    _date(element, "publication_date", issue.published, media_type="online")
    if issue.volume:  # a journal that does not number volumes has none
        _sub(_sub(element, "journal_volume"), "volume", issue.volume)
    _sub(element, "issue", issue.number)


# -- an article ----------------------------------------------------------------------------

def _journal_article(parent, issue: Issue, item: IssueArticle) -> None:
    article = item.article
    md = article.metadata
    element = _sub(parent, "journal_article", publication_type="full_text")
    language = _crossref_language(article.lang)
    if language:
        element.set("language", language)

    for lang in langs_body_first(article, md.title.langs):
        _sub(_sub(element, "titles"), "title", one_line(md.title[lang]))

    contributors = _sub(element, "contributors")
    for index, author in enumerate(md.authors):
        _person(contributors, article, author, "first" if index == 0 else "additional")

    abstracts = article.document.abstracts
    for lang in langs_body_first(article, abstracts.langs):
        element.append(jats_abstract(abstracts[lang], lang))

    published = md.history.published or issue.published
    _date(element, "publication_date", published, media_type="online")
    _date(element, "acceptance_date", md.history.accepted)
    pages = _sub(element, "pages")
    _sub(pages, "first_page", str(item.first_page))
    _sub(pages, "last_page", str(item.last_page))

    if md.funders:
        program = etree.SubElement(element, f"{{{FR}}}program", name="fundref")
        for funder in md.funders:
            group = etree.SubElement(program, f"{{{FR}}}assertion", name="fundgroup")
            name = etree.SubElement(group, f"{{{FR}}}assertion", name="funder_name")
            name.text = one_line(funder.name)
            if funder.registry_doi:
                identifier = etree.SubElement(name, f"{{{FR}}}assertion",
                                              name="funder_identifier")
                identifier.text = f"https://doi.org/{funder.registry_doi}"
            for award in funder.awards:
                number = etree.SubElement(group, f"{{{FR}}}assertion", name="award_number")
                number.text = one_line(award)

    licence = md.license or article.journal.license
    if licence:
        program = etree.SubElement(element, f"{{{AI}}}program", name="AccessIndicators")
        ref = etree.SubElement(program, f"{{{AI}}}license_ref", applies_to="vor",
                               start_date=published.isoformat())
        ref.text = licence

    doi_data = _sub(element, "doi_data")
    _sub(doi_data, "doi", md.doi)
    _sub(doi_data, "resource", issue.landing_page_url(item.folder))

    references = article.document.references
    if references:
        citations = _sub(element, "citation_list")
        for reference in references:
            citations.append(citation(reference))


def _person(parent, article: Article, author: Author, sequence: str) -> None:
    person = _sub(parent, "person_name", sequence=sequence, contributor_role="author")
    if one_line(author.given_names):
        _sub(person, "given_name", one_line(author.given_names))
    _sub(person, "surname", one_line(author.surname))
    if author.affiliations:
        affiliations = _sub(person, "affiliations")
        for affiliation_id in author.affiliations:
            _institution(affiliations, article.metadata.affiliation(affiliation_id))
    if author.orcid:
        _sub(person, "ORCID", f"https://orcid.org/{author.orcid}", authenticated="false")


def _institution(parent, affiliation: Affiliation) -> None:
    institution = _sub(parent, "institution")
    _sub(institution, "institution_name", one_line(affiliation.institution))
    if affiliation.ror:
        _sub(institution, "institution_id", affiliation.ror, type="ror")
    # Crossref's affiliations have no country element; the place (city) carries it.
    country = country_name(affiliation.country, "en") if affiliation.country else None
    place = ", ".join(part for part in (affiliation.city, country) if part)
    if _PLACE[0] <= len(place) <= _PLACE[1]:
        _sub(institution, "institution_place", place)
    departments = [one_line(d) for d in affiliation.departments
                   if _PLACE[0] <= len(one_line(d)) <= _PLACE[1]]
    for department in departments[:6]:
        _sub(institution, "institution_department", department)


def jats_abstract(blocks, lang: str):
    """`jats:abstract` from an abstract's Pandoc blocks: one JATS `p` per paragraph, with
    the inline markup the JATS writer gives (a list or a quotation gives a paragraph per
    item or paragraph: an abstract holds paragraphs only)."""
    writer = JatsWriter(i18n.quotes(lang))
    paragraphs = [f"<p>{writer.inlines(inlines)}</p>" for inlines in _paragraphs(blocks)]
    fragment = etree.fromstring(
        f'<abstract xmlns:jats="{JATS}" xmlns:xlink="{XLINK}" xmlns:mml="{MML}">'
        f'{"".join(paragraphs)}</abstract>')
    for element in list(fragment.iter()):
        if element.tag == "xref":
            # A citation or cross-reference keeps its text; a footnote call goes (the
            # deposit has neither the reference ids nor the notes).
            _unwrap(element, keep_content=element.get("ref-type") != "fn")
        elif element.tag == "inline-graphic":
            _unwrap(element, keep_content=False)
        elif element.tag == "break":  # a JATS paragraph has no line breaks
            element.text = " "
            _unwrap(element, keep_content=True)
    for element in fragment.iter():
        if isinstance(element.tag, str) and not element.tag.startswith("{"):
            element.tag = f"{{{JATS}}}{element.tag}"
    fragment.set(XML_LANG, lang)
    return fragment


def _paragraphs(blocks):
    """The inlines of each paragraph in `blocks`, looking into lists, quotations and divs
    (never into notes); other blocks (a table, code) give their plain text."""
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            yield content
        elif kind == "LineBlock":
            yield from content
        elif kind == "BlockQuote":
            yield from _paragraphs(content)
        elif kind == "Div":
            yield from _paragraphs(content[1])
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                yield from _paragraphs(item)
        elif kind == "DefinitionList":
            for term, definitions in content:
                yield term
                for definition in definitions:
                    yield from _paragraphs(definition)
        else:
            text = one_line(stringify([block]))
            if text:
                yield [{"t": "Str", "c": text}]


def citation(reference: Reference):
    """One `citation` of the `citation_list`."""
    key = reference.html_id[:_CITATION_KEY_MAX]
    element = etree.Element(f"{{{CR}}}citation", key=key)
    record = reference.record
    if record is not None:
        issn = normalise_issn(record.issn) if record.issn else None
        if issn:
            _sub(element, "issn", issn)
        if record.kind in ("journal", "newspaper", "magazine") and record.container:
            _sub(element, "journal_title", one_line(record.container))
        if record.authors:
            _sub(element, "author", one_line(record.authors[0].surname))
        for name, value in (("volume", record.volume), ("issue", record.issue),
                            ("first_page", record.first_page)):
            value = one_line(value)
            if value and len(value) <= _CITATION_FIELD_MAX:
                _sub(element, name, value)
        if re.fullmatch(r"\d{4}", record.year):
            _sub(element, "cYear", record.year)
        if record.doi and _CROSSREF_DOI.fullmatch(record.doi):
            _sub(element, "doi", record.doi)
        isbn = one_line(record.isbn)
        if isbn and 10 <= len(isbn) <= 17 and _ISBN.fullmatch(isbn):
            _sub(element, "isbn", isbn)
        if record.kind in ("chapter", "confproc") and record.container:
            _sub(element, "volume_title", one_line(record.container))
        elif record.kind in _VOLUMES and record.title:
            _sub(element, "volume_title", one_line(record.title))
        edition = one_line(record.edition)
        if edition and len(edition) <= 15 and record.kind in ("book", "chapter"):
            _sub(element, "edition_number", edition)
        if record.title and record.kind in _PARTS:
            _sub(element, "article_title", one_line(record.title))
    text = one_line(stringify(list(reference.inlines)))
    if text:
        _sub(element, "unstructured_citation", text)
    return element


# -- small helpers -------------------------------------------------------------------------

def _sub(parent, tag: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, f"{{{CR}}}{tag}", **attributes)
    if text is not None:
        element.text = xml_text(text)
    return element


def _date(parent, tag: str, date: dt.date, **attributes: str) -> None:
    element = _sub(parent, tag, **attributes)
    _sub(element, "month", f"{date.month:02d}")
    _sub(element, "day", f"{date.day:02d}")
    _sub(element, "year", str(date.year))


def _unwrap(element, keep_content: bool) -> None:
    """Take `element` out of the tree, leaving its text and children (or not) in place."""
    parent = element.getparent()
    index = parent.index(element)
    tail = element.tail or ""
    if keep_content:
        children = list(element)
        text = element.text or ""
    else:
        children, text = [], ""
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    # The text goes after the previous sibling (or the parent's text); the tail after the
    # last moved child, or with the text when nothing moved.
    if children:
        _append_text(parent, index, text)
        last = children[-1]
        last.tail = (last.tail or "") + tail
    else:
        _append_text(parent, index, text + tail)


def _append_text(parent, index: int, text: str) -> None:
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


@cache
def _crossref_languages() -> frozenset[str]:
    """The language codes Crossref's `language` attribute takes (ISO 639-1, from the
    schema itself)."""
    tree = etree.parse(str(CROSSREF_XSD.parent / "common5.3.1.xsd"))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    group = next(g for g in tree.getroot().iter(f"{xs}attributeGroup")
                 if g.get("name") == "language.atts")
    return frozenset(e.get("value") for e in group.iter(f"{xs}enumeration"))


def _crossref_language(lang: str) -> str | None:
    code = i18n.base(lang) if lang else ""
    return code if code in _crossref_languages() else None


