"""The article model: built once from the inputs, then read by every output.

Everything here is frozen. Renderers receive an `Article` and never change it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from typeset.model.reference import ReferenceRecord

T = TypeVar("T")


@dataclass(frozen=True)
class LangMap(Generic[T]):
    """A value given per language, in the order the editor wrote the languages."""

    pairs: tuple[tuple[str, T], ...] = ()

    def get(self, lang: str, default: Any = None) -> Any:
        for key, value in self.pairs:
            if key == lang:
                return value
        base = lang.split("-")[0]
        for key, value in self.pairs:
            if key.split("-")[0] == base:
                return value
        return default

    def __getitem__(self, lang: str) -> T:
        value = self.get(lang)
        if value is None:
            raise KeyError(lang)
        return value

    def __contains__(self, lang: object) -> bool:
        return isinstance(lang, str) and self.get(lang) is not None

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.pairs)

    def items(self) -> tuple[tuple[str, T], ...]:
        return self.pairs

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.pairs)


@dataclass(frozen=True)
class Funder:
    """A funder of the work, as Crossref and JATS want it beside the funding statement."""

    name: str
    identifier: str | None = None  # an Open Funder Registry DOI (10.13039/...) or a ROR URL
    awards: tuple[str, ...] = ()  # grant numbers

    @property
    def registry_doi(self) -> str | None:
        return self.identifier if self.identifier and self.identifier.startswith(
            "10.13039/") else None


@dataclass(frozen=True)
class Affiliation:
    id: str
    institution: str
    departments: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    ror: str | None = None


@dataclass(frozen=True)
class Author:
    given_names: str
    surname: str
    affiliations: tuple[str, ...]
    position: LangMap[str] = LangMap()
    email: str | None = None
    orcid: str | None = None  # the bare 0000-0000-0000-0000 form
    corresponding: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}".strip()


@dataclass(frozen=True)
class History:
    received: dt.date
    accepted: dt.date
    revised: dt.date | None = None
    published: dt.date | None = None

    def events(self) -> tuple[tuple[str, dt.date], ...]:
        """(kind, date) for every date given, in the order of the article's life."""
        named = (("received", self.received), ("revised", self.revised),
                 ("accepted", self.accepted), ("published", self.published))
        return tuple((kind, date) for kind, date in named if date is not None)


@dataclass(frozen=True)
class Copyright:
    holder: str
    year: int


STATEMENT_KINDS = ("funding", "acknowledgements", "conflict-of-interest", "ethics",
                   "data-availability")


@dataclass(frozen=True)
class Metadata:
    """What the front matter says, checked and typed."""

    journal: str
    article_type: str
    lang: str
    title: LangMap[str]
    short_title: LangMap[str]
    authors: tuple[Author, ...]
    affiliations: tuple[Affiliation, ...]
    history: History
    keywords: LangMap[tuple[str, ...]]
    abstract: LangMap[str]  # Markdown
    copyright: Copyright
    volume: str | None = None
    issue: str | None = None
    first_page: int | None = None
    doi: str | None = None
    license: str | None = None
    statements: tuple[tuple[str, LangMap[str]], ...] = ()  # (kind, Markdown per language)
    bibliography: str | None = None
    nocite: tuple[str, ...] = ()
    funders: tuple[Funder, ...] = ()

    @property
    def year(self) -> int:
        """The publication year: of `published`, else the copyright year."""
        if self.history.published:
            return self.history.published.year
        return self.copyright.year

    def affiliation(self, affiliation_id: str) -> Affiliation:
        return next(a for a in self.affiliations if a.id == affiliation_id)

    @property
    def corresponding_authors(self) -> tuple[Author, ...]:
        return tuple(a for a in self.authors if a.corresponding)


@dataclass(frozen=True)
class CrossrefAccount:
    """Who deposits the journal's DOIs with Crossref (the deposit's `head`)."""

    depositor_name: str
    depositor_email: str
    registrant: str | None = None


@dataclass(frozen=True)
class Journal:
    """A journal profile: `styles/<id>/journal.yaml` plus the folder it lives in."""

    id: str
    folder: Path
    title: LangMap[str]
    languages: tuple[str, ...]
    citation_styles: LangMap[str]
    article_types: dict[str, LangMap[str]]
    labels: dict[str, dict[str, str]]
    abbreviation: str | None = None
    publisher: str | None = None
    publisher_location: str | None = None
    issn: str | None = None
    eissn: str | None = None
    url: str | None = None
    article_base_url: str | None = None
    license: str | None = None
    doi_prefix: str | None = None  # the journal's DOIs must start with it, when given
    crossref: CrossrefAccount | None = None
    page_limit: int | None = None  # the longest article the journal prints, in pages
    # In an issue, each article starts on a right-hand (odd) page, a blank verso before it
    # when needed (`article-start: right` in the profile).
    articles_start_right: bool = False

    def label(self, lang: str, key: str) -> str:
        table = self.labels.get(lang) or self.labels.get(lang.split("-")[0]) or {}
        return table.get(key) or self.labels.get("en", {}).get(key, key)


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list, as the citation style rendered it."""

    key: str
    html_id: str
    inlines: tuple  # Pandoc inlines of the rendered entry
    record: ReferenceRecord | None = None  # the entry's fields (None: not from the .bib)


@dataclass(frozen=True)
class Section:
    """A heading of the body: its level, number (None when unnumbered) and anchor."""

    id: str
    level: int
    number: str | None
    title: tuple  # Pandoc inlines
    appendix: bool = False


@dataclass(frozen=True)
class Document:
    """The converted body: Pandoc blocks plus what the outputs need to find in them."""

    blocks: tuple  # Pandoc blocks of the body, headings numbered
    abstracts: LangMap[tuple]  # Pandoc blocks per language
    statements: tuple[tuple[str, LangMap[tuple]], ...]
    references: tuple[Reference, ...]
    sections: tuple[Section, ...]
    cite_as: tuple  # Pandoc inlines: the article's own entry in the citation style
    appendices: tuple = ()  # Pandoc blocks from the first {.appendix} heading on
    # Every local file the document shows (figures, wherever they stand: body, abstracts,
    # statements, appendices), as paths relative to the manuscript's folder (normalised),
    # checked to lie inside it. The one list the outputs copy, the build cache hashes and
    # the preview watches.
    files: tuple[str, ...] = ()
    # Their bytes, read once through the confinement when the manuscript was read: what
    # the PDF embeds, the HTML and JATS copy and the build cache hashes, whatever happens
    # to the files afterwards.
    file_data: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Article:
    source_path: Path
    metadata: Metadata
    journal: Journal
    document: Document
    bibliography: Any = field(default=None, compare=False)  # typeset.read.bibliography.Bibliography
    warnings: tuple[str, ...] = ()
    # Whether its pages are numbered in print (its first page is set, or it is built in an
    # issue): then the "Cite as" entry and the print page's header band carry
    # PAGE_PLACEHOLDERS until the layout tells the page count.
    paginated: bool = False
    # The printed page numbers, filled after layout (read.document.with_pages): what the
    # PDF prints, JATS fpage/lpage and citation_firstpage/lastpage all read these.
    first_page: int | None = None
    last_page: int | None = None
    # Where the article's folder is published on the journal's site, when an issue
    # publishes it (Issue.url); None: see the profile's article-base-url.
    published_folder: str | None = None
    # SHA-256 of every input file of the manuscript's, as read: path -> digest.
    digests: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def lang(self) -> str:
        return self.metadata.lang

    @property
    def folder(self) -> Path:
        return self.source_path.parent

    @property
    def files(self) -> dict[str, Path]:
        """The files the document shows: path relative to the manuscript -> the file."""
        return {relative: self.folder / relative for relative in self.document.files}

    @property
    def file_data(self) -> dict[str, bytes]:
        """The bytes of the files the document shows, as read once: name -> bytes."""
        return self.document.file_data

    @property
    def input_files(self) -> list[Path]:
        """Every file of the manuscript's that a build reads: the manuscript itself, its
        bibliography and the files the document shows (the style's are the journal's)."""
        bibliography = [Path(self.bibliography.path)] if self.bibliography else []
        return [self.source_path, *bibliography, *self.files.values()]


# The page numbers an article's texts carry until its layout gives them: six digits, so
# that citeproc formats them as page numbers, and different from the first digit on, so
# that no page-range format ("expanded", "minimal", "chicago") abbreviates the range.
FIRST_PAGE_PLACEHOLDER = "111111"
LAST_PAGE_PLACEHOLDER = "999999"
PAGE_PLACEHOLDERS = re.compile(rf"(?<!\d)(?:{FIRST_PAGE_PLACEHOLDER}|{LAST_PAGE_PLACEHOLDER})"
                               r"(?!\d)")


def fill_page_numbers(text: str, first_page: int, last_page: int) -> str:
    """`text` with the page placeholders replaced by the printed page numbers."""
    numbers = {FIRST_PAGE_PLACEHOLDER: str(first_page), LAST_PAGE_PLACEHOLDER: str(last_page)}
    return PAGE_PLACEHOLDERS.sub(lambda match: numbers[match.group()], text)
