"""The front matter: YAML in, a checked `Metadata` out, or every problem at once.

The schema is the table of fields below; `FrontMatterReader` walks it top to bottom and
collects problems instead of stopping at the first, each located at the line and column
where the editor has to fix it.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pycountry

from typeset import i18n
from typeset.errors import ManuscriptError, Problem, shown
from typeset.model.article import (
    STATEMENT_KINDS,
    Affiliation,
    Author,
    Copyright,
    Funder,
    History,
    Journal,
    Metadata,
)
from typeset.read import yamlsource
from typeset.read.confined import outside
from typeset.read.identifiers import normalise_doi, orcid_checksum_ok, orcid_form
from typeset.read.schema import LANG, URL, YamlReader, describe
from typeset.read.source import Source

ARTICLE_TYPES = ("research-article", "review-article", "book-review", "editorial",
                 "case-report", "brief-report")

# field name -> required?  (the order is the order problems are looked for)
FIELDS: dict[str, bool] = {
    "journal": False, "article-type": True, "lang": True, "title": True,
    "short-title": False, "authors": True, "affiliations": True, "history": True,
    "volume": False, "issue": False, "first-page": False, "doi": False, "keywords": True,
    "abstract": True, "copyright": True, "license": False, "bibliography": False,
    "nocite": False, "funders": False, **{kind: False for kind in STATEMENT_KINDS},
}
AUTHOR_FIELDS = {"given-names": True, "surname": True, "position": False,
                 "affiliations": True, "email": False, "orcid": False,
                 "corresponding": False}
AFFILIATION_FIELDS = {"id": True, "institution": True, "department": False, "city": False,
                      "country": False, "ror": False}
FUNDER_FIELDS = {"name": True, "id": False, "award": False}
HISTORY_FIELDS = {"received": True, "revised": False, "accepted": True, "published": False}
COPYRIGHT_FIELDS = {"holder": True, "year": False}

EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
ROR = re.compile(r"^https://ror\.org/0[a-z0-9]{6}\d{2}$")
SAFE_RELATIVE_PATH = re.compile(r"^[^/\\:][^:]*$")
# A line of three or more colons would close the fenced div that carries a Markdown field
# through Pandoc, spilling the rest of the field into the body.
DIV_FENCE = re.compile(r"^\s*:::", re.M)
# A note's call: the note it calls is defined in the body, where a front-matter field
# cannot reach it (Pandoc would print "[^1]" as it stands).
NOTE_CALL = re.compile(r"\[\^[^\]\s]+\]")
# Emphasis written as in Markdown: a title is plain text, and would print the asterisks.
TITLE_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}(?=\S)[^*\n]*?(?<=\S)\*{1,2}(?![\w*])")


def parse_front_matter(source: Source, journals: Callable[[str], Journal | None],
                       supplied: dict | None = None) -> tuple[Metadata, Journal]:
    """Read and check the front matter; `journals` finds a journal profile by its id.
    `supplied` holds fields given from outside (an issue gives its articles their volume,
    issue, date and first page), read as if the front matter had them where it does not."""
    try:
        data, positions = yamlsource.load(source.front_matter, source.front_matter_first_line)
    except yamlsource.YamlProblem as found:
        raise ManuscriptError([Problem(source.name, problem.line, problem.column,
                                       problem.message, hint=problem.hint)
                               for problem in found.all]) from None
    if supplied and isinstance(data, dict):
        data = with_supplied(data, supplied)
    reader = FrontMatterReader(source.name, positions, source.front_matter_first_line,
                               folder=Path(source.path).resolve().parent)
    metadata, journal = reader.read(data, journals)
    if reader.problems:
        raise ManuscriptError(reader.problems)
    assert metadata is not None and journal is not None
    return metadata, journal


def with_supplied(data: dict, supplied: dict) -> dict:
    """`data` with the `supplied` fields it lacks (nested mappings merged into those the
    front matter has; a missing one stays missing, and is reported as such)."""
    merged = dict(data)
    for key, value in supplied.items():
        if isinstance(value, dict):
            if isinstance(merged.get(key), dict):
                merged[key] = with_supplied(merged[key], value)
        elif merged.get(key) is None:
            merged[key] = value
    return merged


class FrontMatterReader(YamlReader):
    def __init__(self, name: str, positions: yamlsource.Positions, first_line: int,
                 folder: Path | None = None):
        super().__init__(name, positions, first_line)
        self.folder = folder  # the manuscript's, to check the bibliography's path against

    # -- the manuscript's fields --------------------------------------------------------

    def read(self, data: Any, journals) -> tuple[Metadata | None, Journal | None]:
        if data is None:
            self.error((), "the front matter is empty")
            return None, None
        fields = self.mapping(data, (), FIELDS)
        if fields is None:
            return None, None

        journal_id = self.text(fields.get("journal", "pesa"), ("journal",)) or "pesa"
        journal = journals(journal_id)
        if journal is None:
            self.error(("journal",), f"no journal profile '{journal_id}'",
                       f"expected styles/{journal_id}/journal.yaml")
            return None, None

        article_type = self.text(fields.get("article-type"), ("article-type",), optional=True)
        if article_type and article_type not in ARTICLE_TYPES:
            close = difflib.get_close_matches(article_type, ARTICLE_TYPES, n=1)
            self.error(("article-type",), f"unknown article type '{article_type}'",
                       f"did you mean '{close[0]}'?" if close else
                       "one of: " + ", ".join(ARTICLE_TYPES))

        lang = self.text(fields.get("lang"), ("lang",), optional=True)
        if lang and not LANG.match(lang):
            self.error(("lang",), f"'{shown(lang)}' is not a language code", "e.g. en or tr")
            lang = None
        needed = tuple(dict.fromkeys(([lang] if lang else []) + list(journal.languages)))

        def one_text(value, path):
            return self.text(value, path)

        def no_note_call(text, path) -> bool:
            if text and (call := NOTE_CALL.search(text)):
                self.error(path, f"a footnote cannot be called from the front matter "
                                 f"({call[0]}): notes belong to the body",
                           "what a note on the title says, such as the thesis or project "
                           "the article comes from or a grant, goes in the acknowledgements "
                           "or funding statement")
                return False
            return True

        def title_text(value, path):
            # Printed beside the body's text: with its curly quotes and apostrophes.
            text = self.text(value, path)
            if not no_note_call(text, path):
                return None
            if text and (emphasis := TITLE_EMPHASIS.search(text)):
                self.error(path, f"a title is plain text: {emphasis[0]} would print its "
                                 "asterisks", "write the words without them, or in quotation "
                                              "marks")
                return None
            return i18n.typographic(text, path[-1] if len(path) > 1 else lang or "en") \
                if text else text

        def markdown(value, path):
            text = self.text(value, path)
            if text and DIV_FENCE.search(text):
                self.error(path, "a line starting with ':::' (a fenced div) is not allowed "
                                 "here", "write the text as plain paragraphs")
                return None
            return text if no_note_call(text, path) else None

        title = self.lang_map(fields.get("title"), ("title",), lang, title_text, needed)
        short_title = self.lang_map(fields.get("short-title"), ("short-title",), lang,
                                    title_text)
        keywords = self.lang_map(fields.get("keywords"), ("keywords",), lang, self.keyword_list,
                                 needed)
        abstract = self.lang_map(fields.get("abstract"), ("abstract",), lang, markdown, needed)
        statements = tuple(
            (kind, self.lang_map(fields[kind], (kind,), lang, markdown))
            for kind in STATEMENT_KINDS if fields.get(kind) is not None)

        affiliations = self.affiliations(fields.get("affiliations"))
        authors = self.authors(fields.get("authors"), lang, {a.id for a in affiliations})
        history = self.history(fields.get("history"))
        copyright_ = self.copyright(fields.get("copyright"), history)

        doi = self.text(fields.get("doi"), ("doi",), optional=True)
        if doi:
            bare = normalise_doi(doi)
            if bare is None:
                self.error(("doi",), f"'{shown(doi)}' is not a DOI",
                           "a DOI looks like 10.1234/abc")
            doi = bare
        license_url = self.text(fields.get("license"), ("license",), optional=True)
        if license_url and not URL.match(license_url):
            self.error(("license",), f"'{shown(license_url)}' is not a licence URL",
                       "e.g. https://creativecommons.org/licenses/by/4.0/")
        bibliography = self.bibliography(fields.get("bibliography"))
        nocite = tuple(key.lstrip("@") for key in
                       self.string_list(fields.get("nocite") or [], ("nocite",)))

        funders = self.funders(fields.get("funders"))
        volume = self.volume_or_issue(fields.get("volume"), ("volume",), "volume")
        issue = self.volume_or_issue(fields.get("issue"), ("issue",), "issue")
        first_page = self.positive_int(fields.get("first-page"), ("first-page",))
        if self.problems or lang is None or article_type is None or history is None \
                or copyright_ is None:
            return None, journal
        return Metadata(
            journal=journal.id, article_type=article_type, lang=lang, title=title,
            short_title=short_title, authors=authors, affiliations=affiliations,
            history=history, keywords=keywords, abstract=abstract, copyright=copyright_,
            volume=volume, issue=issue, first_page=first_page,
            doi=doi, license=license_url or journal.license, statements=statements,
            funders=funders,
            bibliography=bibliography, nocite=nocite,
        ), journal

    def bibliography(self, value: Any) -> str | None:
        """The .bib file's path, checked here so that its problems point at this line."""
        path = ("bibliography",)
        relative = self.text(value, path, optional=True)
        if not relative:
            return None
        if not SAFE_RELATIVE_PATH.match(relative):
            self.error(path, "must be a path relative to the manuscript's folder",
                       "e.g. references.bib")
            return None
        if not relative.lower().endswith(".bib"):
            self.error(path, f"'{shown(relative)}' is not a BibTeX file",
                       "the bibliography is a .bib file, e.g. references.bib")
            return None
        if self.folder is None:
            return relative
        folder = self.folder.resolve()
        target = (folder / relative).resolve()
        how = outside(folder, relative)
        if how:
            message = (f"'{shown(relative)}' is {how}" if how.startswith("a link") else
                       f"'{shown(relative)}' lies {how}")
            self.error(path, message, "keep the .bib file itself beside the manuscript")
            return None
        if target.is_dir():
            self.error(path, f"'{shown(relative)}' is a folder, not a .bib file")
            return None
        if not target.exists():
            present = sorted(p.name for p in folder.glob("*.bib"))
            close = difflib.get_close_matches(relative, present, n=1)
            hint = (f"did you mean '{close[0]}'?" if close else
                    "the .bib files here: " + ", ".join(present) if present else
                    "there is no .bib file in the manuscript's folder")
            self.error(path, f"the file '{shown(relative)}' does not exist", hint)
            return None
        return relative

    def keyword_list(self, value: Any, path: tuple) -> tuple[str, ...] | None:
        if isinstance(value, str):
            self.error(path, "expected a list of keywords, got a single text",
                       "write them as [first, second] or one '- keyword' per line")
            return None
        items = self.string_list(value, path)
        if not items and isinstance(value, list):
            self.error(path, "the list of keywords is empty")
        return items or None

    def funders(self, value: Any) -> tuple[Funder, ...]:
        """`funders: [{name, id, award}]`: who paid for the work, for Crossref's funding data
        and JATS's award groups (the `funding` statement is the text printed)."""
        result = []
        for path, fields in self.mappings(value, "funders", FUNDER_FIELDS, empty_allowed=True,
                                          hint="funders: [{name: ..., id: 10.13039/..., "
                                               "award: ...}]"):
            name = self.text(fields.get("name"), (*path, "name"), optional=True)
            raw_id = fields.get("id")
            if isinstance(raw_id, int) and not isinstance(raw_id, bool):
                raw_id = self.scalar_text((*path, "id")) or str(raw_id)  # the id's digits
            identifier = self.text(raw_id, (*path, "id"), optional=True)
            if identifier:
                doi = normalise_doi(identifier)
                if doi and doi.startswith("10.13039/"):
                    identifier = doi
                elif not ROR.match(identifier):
                    hint = (f"a Funder Registry id is a DOI: 10.13039/{identifier}"
                            if identifier.isdigit() else
                            "e.g. 10.13039/501100004410 (TÜBİTAK) or https://ror.org/04w9kkr77")
                    self.error((*path, "id"), f"'{shown(identifier)}' is neither an Open "
                                              "Funder Registry DOI nor a ROR id", hint)
                    identifier = None
            awards = fields.get("award")
            awards = [awards] if isinstance(awards, str | int) and not isinstance(
                awards, bool) else awards or []
            award_texts = tuple(
                text for i, award in enumerate(awards)
                if (text := self.number_or_text(award, (*path, "award", i))))
            if name:
                result.append(Funder(name, identifier, award_texts))
        return tuple(result)

    def affiliations(self, value: Any) -> tuple[Affiliation, ...]:
        result, seen = [], set()
        for path, fields in self.mappings(value, "affiliations", AFFILIATION_FIELDS):
            ident = self.identifier(fields.get("id"), (*path, "id"))
            if ident in seen:
                self.error((*path, "id"), f"the id '{ident}' is used twice")
            institution = self.text(fields.get("institution"), (*path, "institution"),
                                    optional=True)
            departments = self.string_list(fields.get("department") or [],
                                           (*path, "department"))
            city = self.text(fields.get("city"), (*path, "city"), optional=True)
            country = self.text(fields.get("country"), (*path, "country"), optional=True)
            if isinstance(fields.get("country"), bool):
                pass  # reported by text(): YAML reads NO as false
            elif country and (len(country) != 2 or not country.isascii() or
                              pycountry.countries.get(alpha_2=country.upper()) is None):
                self.error((*path, "country"), f"'{shown(country)}' is not an ISO 3166-1 "
                                               "country code",
                           "the United Kingdom's code is GB" if country.upper() == "UK"
                           else "two letters, e.g. TR")
                country = None
            ror = self.text(fields.get("ror"), (*path, "ror"), optional=True)
            if ror and not ROR.match(ror):
                self.error((*path, "ror"), f"'{shown(ror)}' is not a ROR id",
                           "e.g. https://ror.org/01dzn5f42")
            if ident and institution:
                seen.add(ident)
                result.append(Affiliation(ident, institution, departments, city,
                                          country.upper() if country else None, ror))
        return tuple(result)

    def authors(self, value: Any, lang: str | None, affiliation_ids: set[str]
                ) -> tuple[Author, ...]:
        result = []
        for path, fields in self.mappings(value, "authors", AUTHOR_FIELDS):
            given = self.text(fields.get("given-names"), (*path, "given-names"), optional=True)
            surname = self.text(fields.get("surname"), (*path, "surname"), optional=True)
            position = self.lang_map(fields.get("position"), (*path, "position"), lang,
                                     lambda v, p: self.text(v, p))
            listed = fields.get("affiliations")
            if isinstance(listed, list):
                if not listed:
                    self.error((*path, "affiliations"), "lists no affiliation",
                               "give the id of at least one affiliation")
                ids = [self.identifier(item, (*path, "affiliations", index))
                       for index, item in enumerate(listed)]
            else:  # one id without brackets; a missing one is reported by mapping()
                ids = [] if listed is None else [self.identifier(listed,
                                                                 (*path, "affiliations"))]
            affiliations = tuple(ident for ident in ids if ident)
            for aff_index, aff in enumerate(affiliations):
                if affiliation_ids and aff not in affiliation_ids:
                    close = difflib.get_close_matches(aff, sorted(affiliation_ids), n=1)
                    self.error((*path, "affiliations", aff_index),
                               f"no affiliation has the id '{shown(aff)}'",
                               f"did you mean '{close[0]}'?" if close else
                               "known ids: " + ", ".join(sorted(affiliation_ids)))
            email = self.text(fields.get("email"), (*path, "email"), optional=True)
            if email and not EMAIL.match(email):
                self.error((*path, "email"), f"'{shown(email)}' is not an email address")
            orcid = self.orcid(fields.get("orcid"), (*path, "orcid"))
            corresponding = fields.get("corresponding", False)
            if not isinstance(corresponding, bool):
                self.error((*path, "corresponding"), f"expected true or false, got "
                                                     f"{describe(corresponding)}")
                corresponding = False
            if corresponding and not email:
                self.error(path, "the corresponding author needs an email")
            if given is not None and surname:
                result.append(Author(given, surname, affiliations, position, email, orcid,
                                     corresponding))
        if result and len(result) == len(value) and not any(a.corresponding for a in result):
            self.error(("authors",), "no corresponding author",
                       "add 'corresponding: true' and an email to one author")
        return tuple(result)

    def orcid(self, value: Any, path: tuple) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            # Sixteen digits without hyphens: YAML read a number (an octal one when it
            # starts with 0); the ORCID is the text as written.
            value = self.scalar_text(path) or str(value)
        text = self.text(value, path, optional=True)
        if not text:
            return None
        orcid = orcid_form(text)
        if orcid is None:
            self.error(path, f"'{shown(text)}' is not an ORCID iD",
                       "e.g. 0000-0002-1825-0097")
            return None
        if not orcid_checksum_ok(orcid):
            self.error(path, f"the ORCID iD '{text}' has a wrong check digit",
                       "copy it again from the author's ORCID record")
            return None
        return orcid

    def history(self, value: Any) -> History | None:
        if value is None:
            return None
        fields = self.mapping(value, ("history",), HISTORY_FIELDS)
        if fields is None:
            return None
        dates = {key: self.date(fields.get(key), ("history", key)) for key in HISTORY_FIELDS}
        order = [(key, dates[key]) for key in HISTORY_FIELDS if dates[key] is not None]
        for (earlier, first), (later, second) in itertools.pairwise(order):
            if second < first:
                self.error(("history", later), f"{later} ({second}) is before {earlier} "
                                               f"({first})")
        if dates["received"] is None or dates["accepted"] is None:
            return None
        return History(dates["received"], dates["accepted"], dates["revised"],
                       dates["published"])

    def copyright(self, value: Any, history: History | None) -> Copyright | None:
        if value is None:
            return None
        fields = self.mapping(value, ("copyright",), COPYRIGHT_FIELDS)
        if fields is None:
            return None
        holder = self.text(fields.get("holder"), ("copyright", "holder"), optional=True)
        year = fields.get("year")
        if isinstance(year, str) and re.fullmatch(r"\s*\d{4}\s*", year):
            year = int(year)
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                                 or not 1000 <= year <= 9999):
            self.error(("copyright", "year"), f"expected a year, got {describe(year)}")
            year = None
        if year is None and history is not None:
            year = (history.published or history.accepted).year
        if holder is None or year is None:
            return None
        return Copyright(holder, year)
