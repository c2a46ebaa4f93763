"""Bibliography entries turned into `ReferenceRecord`s, once, when the .bib is read."""

from __future__ import annotations

import re

from pybtex.database import BibliographyData, Entry

from typeset.model.reference import Person, ReferenceRecord
from typeset.read.identifiers import normalise_doi
from typeset.read.latex import latex_to_text, latex_to_url

# BibTeX (and BibLaTeX) entry type -> the record's kind
KIND_OF_TYPE = {
    "article": "journal", "book": "book", "booklet": "book", "mvbook": "book",
    "collection": "book", "mvcollection": "book", "inbook": "chapter",
    "incollection": "chapter", "bookinbook": "chapter", "inproceedings": "confproc",
    "conference": "confproc", "proceedings": "confproc", "phdthesis": "thesis",
    "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report",
    "report": "report", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "manual": "standard", "standard": "standard", "misc": "other",
    "unpublished": "preprint", "dataset": "data", "software": "software",
    "patent": "patent", "newspaper": "newspaper", "magazine": "magazine",
}
NEWS_SUBTYPES = ("newspaper", "magazine")
_URL_FIELDS = ("url", "doi")


def build_records(data: BibliographyData, lines: dict[str, int]) -> dict[str, ReferenceRecord]:
    return {key: record_of(key, entry, data, lines.get(key))
            for key, entry in data.entries.items()}


def record_of(key: str, entry: Entry, data: BibliographyData | None = None,
              line: int | None = None) -> ReferenceRecord:
    raw = {name.lower(): value for name, value in entry.fields.items()}
    persons = dict(entry.persons)
    parent = data.entries.get(raw["crossref"]) if data and raw.get("crossref") else None
    if parent is not None:  # BibTeX's crossref: the child's own fields win
        raw = {**{n.lower(): v for n, v in parent.fields.items()}, **raw}
        persons = {**parent.persons, **persons}

    def text(*names: str) -> str:
        for name in names:
            value = raw.get(name)
            if value:
                return (latex_to_url(value) if name in _URL_FIELDS
                        else latex_to_text(value))
        return ""

    entry_type = entry.type.lower()
    kind = KIND_OF_TYPE.get(entry_type, "other")
    subtype = text("entrysubtype").lower()
    if entry_type == "article" and subtype in NEWS_SUBTYPES:
        kind = subtype
    if entry_type == "misc" and raw.get("url"):
        kind = "webpage"  # what a @misc with a URL is, in JATS4R's list of types
    date = text("date")
    year_match = re.match(r"\d{4}", text("year") or date)
    first, _, last = text("pages").replace("—", "-").replace("–", "-").partition("-")
    degree = {"phdthesis": "phd", "mastersthesis": "masters"}.get(entry_type, "")
    if entry_type == "thesis":
        thesis_type = text("type").lower()
        degree = ("masters" if "master" in thesis_type or "yüksek lisans" in thesis_type
                  else "phd" if thesis_type else "")
    doi = raw.get("doi")
    return ReferenceRecord(
        key=key,
        kind=kind,
        entry_type=entry_type,
        authors=tuple(_person(p) for p in persons.get("author", ())),
        editors=tuple(_person(p) for p in persons.get("editor", ())),
        title=text("title"),
        container=text("journal", "journaltitle", "booktitle", "maintitle"),
        volume=text("volume"),
        issue=text("number", "issue") if kind not in ("report",) else text("issue"),
        edition=text("edition"),
        first_page=first.strip(),
        last_page=last.strip("- "),
        year=year_match.group(0) if year_match else "",
        date=date.split("/")[0],
        publisher=text("publisher", "organization"),
        publisher_location=text("address", "location"),
        institution=text("school", "institution"),
        report_number=text("number") if kind == "report" else "",
        doi=normalise_doi(latex_to_url(doi)) if doi else None,
        url=text("url"),
        access_date=text("urldate"),
        isbn=text("isbn"),
        issn=text("issn"),
        thesis_degree=degree,
        line=line,
    )


def _person(person) -> Person:
    surname = latex_to_text(" ".join(person.prelast_names + person.last_names))
    given = latex_to_text(" ".join(person.first_names + person.middle_names))
    return Person(surname, given)
