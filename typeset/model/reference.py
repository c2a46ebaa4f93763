"""A cited work as structured data: one record per bibliography entry, built once when the
bibliography is read, and read by every output that describes references in fields (JATS
`element-citation`, the Highwire and JSON-LD tags of the reading page, Crossref's
`citation_list`). The rendered reference list itself comes from the citation style.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a work is, in JATS's `publication-type` vocabulary (JATS4R's recommended values),
# which every output maps from.
KINDS = ("journal", "book", "chapter", "confproc", "thesis", "report", "webpage",
         "newspaper", "magazine", "data", "software", "patent", "standard", "preprint",
         "other")


@dataclass(frozen=True)
class Person:
    surname: str  # for an organisation, its name
    given_names: str = ""

    @property
    def is_organisation(self) -> bool:
        return not self.given_names

    @property
    def inverted(self) -> str:
        """"Surname, Given" (an organisation's name alone)."""
        return f"{self.surname}, {self.given_names}" if self.given_names else self.surname


@dataclass(frozen=True)
class ReferenceRecord:
    """One bibliography entry; text fields are plain text ("" when the entry lacks one)."""

    key: str
    kind: str  # one of KINDS
    entry_type: str  # the BibTeX type, lower-case
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    title: str = ""
    container: str = ""  # the journal, book or proceedings the work appeared in
    volume: str = ""
    issue: str = ""
    edition: str = ""
    first_page: str = ""
    last_page: str = ""
    year: str = ""  # four digits
    date: str = ""  # ISO 8601, as precise as the entry is ("2019", "2019-05-02")
    publisher: str = ""
    publisher_location: str = ""
    institution: str = ""  # a thesis's school, a report's institution
    report_number: str = ""
    doi: str | None = None  # bare: 10.1234/abc
    url: str = ""
    access_date: str = ""  # ISO 8601
    isbn: str = ""
    issn: str = ""
    thesis_degree: str = ""  # "phd" or "masters" for theses
    line: int | None = None  # of the entry in the .bib

    @property
    def pages(self) -> str:
        return f"{self.first_page}–{self.last_page}" if self.last_page else self.first_page
