"""The bibliography: a BibTeX file parsed by pybtex and checked before Pandoc sees it.

Pandoc's citeproc renders the references from the same file; pybtex gives us what Pandoc
does not: syntax errors with their line, duplicate keys, entries that lack the fields their
type needs, malformed DOIs and dates, and the structured fields that JATS wants.

pybtex knows the position of a syntax error but not of an entry, so the entries' positions
come from a light scan of the text (`_entry_starts`); every problem is reported at the line
and column of the entry, or of the field, that has to be fixed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import DuplicateField, Parser, UndefinedMacro
from pybtex.scanner import PrematureEOF, PybtexError, PybtexSyntaxError, TokenRequired

from typeset.errors import ManuscriptError, Problem, shown
from typeset.model.reference import ReferenceRecord
from typeset.read.identifiers import normalise_doi
from typeset.read.latex import latex_to_url
from typeset.read.references import build_records
from typeset.read.source import decode, display_path, position_of, read_limited
from typeset.run.timeouts import seconds_limit

MAX_BIB_BYTES = 20 * 1024 * 1024
# pybtex reads a 5,000-entry file in about two seconds; a minute means something is wrong.
PARSE_TIMEOUT = 60

# Fields each entry type must have; a tuple means "one of these".
REQUIRED_FIELDS: dict[str, tuple] = {
    "article": (("author",), ("title",), ("journal", "journaltitle"), ("year", "date")),
    "book": (("author", "editor"), ("title",), ("year", "date")),
    "incollection": (("author",), ("title",), ("booktitle",), ("year", "date")),
    "inbook": (("author",), ("title",), ("booktitle", "chapter"), ("year", "date")),
    "inproceedings": (("author",), ("title",), ("booktitle",), ("year", "date")),
    "phdthesis": (("author",), ("title",), ("school", "institution"), ("year", "date")),
    "mastersthesis": (("author",), ("title",), ("school", "institution"), ("year", "date")),
    "thesis": (("author",), ("title",), ("school", "institution"), ("year", "date")),
    "techreport": (("author",), ("title",), ("institution",), ("year", "date")),
    "report": (("author",), ("title",), ("institution",), ("year", "date")),
    "online": (("title",), ("url",)),
    "misc": (("title",),),
}
# BibTeX's and BibLaTeX's entry types, so that a typo (@artcle) is caught, not turned into
# a "misc" reference by citeproc.
KNOWN_TYPES = {
    *REQUIRED_FIELDS, "booklet", "conference", "manual", "proceedings", "unpublished",
    "electronic", "www", "dataset", "software", "patent", "collection", "mvbook",
    "bookinbook", "suppbook", "mvcollection", "suppcollection", "mvproceedings",
    "periodical", "suppperiodical", "reference", "mvreference", "inreference", "standard",
    "video", "audio", "music", "movie", "artwork", "image", "letter", "legislation",
    "jurisdiction", "legal", "review", "commentary", "performance",
    "newspaper", "magazine", "set", "xdata",
}
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
# The key as pybtex reads it (up to a comma, a space or the closing brace), so that the
# two agree even on a malformed entry.
_ENTRY_START = re.compile(r"@[ \t]*(\w+)\s*[{(]\s*([^\s,}]*)")
_NOT_ENTRIES = ("comment", "preamble", "string")


@dataclass(frozen=True)
class Bibliography:
    path: Path
    data: BibliographyData
    lines: dict[str, int] = field(default_factory=dict)  # key -> line of its '@type{key,'
    # The text as read (once: Pandoc's citeproc gets a copy) and the file's SHA-256.
    text: str = field(default="", repr=False, compare=False)
    digest: str = ""

    @functools.cached_property
    def records(self) -> dict[str, ReferenceRecord]:
        """key -> its record. Made on first use (a build makes them while Pandoc runs:
        Pandoc reads the .bib itself, and their LaTeX takes longer than its parsing)."""
        return build_records(self.data, self.lines)

    @property
    def keys(self) -> set[str]:
        return set(self.data.entries)

    def entry(self, key: str) -> Entry:
        return self.data.entries[key]


# What Pandoc's citeproc prints as a work's genre where its own translation is missing or
# empty: for a Turkish article, @mastersthesis came out "(Yayımlanmamış mathesis)" and
# @techreport "( No: 14)". Given to Pandoc as the entry's `type` (which BibLaTeX prints as
# the genre) when the entry has none.
GENRES = {"tr": {"mastersthesis": "yüksek lisans tezi", "techreport": "Rapor",
                 "report": "Rapor"}}


def citeproc_text(bibliography: Bibliography, lang: str) -> str | None:
    """The .bib text Pandoc's citeproc should read for an article in `lang`, when it must
    differ from the file (None: the file itself will do):
    - the genres above;
    - a surname's particle kept with it: BibTeX reads "de Haas, Hein" as the particle "de"
      and the surname "Haas", and citeproc then writes "Haas, H. de" and "(Castles, Haas ve
      Miller, 2014)"; APA writes "de Haas, H." and "de Haas": the name goes to Pandoc as
      "{de Haas}, Hein"."""
    genres = GENRES.get(lang.split("-")[0].lower(), {})
    text = bibliography.text
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    heads = list(_ENTRY_START.finditer(text))
    for index, head in enumerate(heads):
        key = head.group(2)
        entry = bibliography.data.entries.get(key)
        if entry is None or head.group(1).lower() in _NOT_ENTRIES:
            continue
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        genre = genres.get(entry.type.lower())
        if genre and not entry.fields.get("type"):
            comma = text.find(",", head.end(), end)
            if comma >= 0:
                edits.append((comma + 1, comma + 1, f" type = {{{genre}}},"))
        for persons in entry.persons.values():
            for person in persons:
                if person.prelast_names:
                    name = " ".join(person.prelast_names + person.last_names)
                    found = re.search(rf"(?<![{{\w]){re.escape(name)}(?![\w}}])",
                                      text[head.end():end])
                    if found:
                        at = head.end() + found.start()
                        edits.append((at, at + len(name), f"{{{name}}}"))
    if not edits:
        return None
    for start, stop, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


@dataclass(frozen=True)
class _Start:
    offset: int  # of the '@'
    line: int
    column: int
    kind: str
    key: str


def _entry_starts(text: str) -> list[_Start]:
    starts = []
    for match in _ENTRY_START.finditer(text):
        if match.group(1).lower() in _NOT_ENTRIES:
            continue
        line, column = position_of(text, match.start())
        starts.append(_Start(match.start(), line, column, match.group(1), match.group(2)))
    return starts


class _CollectingParser(Parser):
    """pybtex's parser, collecting located problems instead of stopping at the first."""

    def __init__(self, name: str, text: str, starts: list[_Start]):
        super().__init__()
        self.name = name
        self.text = text
        self.starts_by_key: dict[str, list[_Start]] = {}
        for start in starts:
            self.starts_by_key.setdefault(start.key.lower(), []).append(start)
        self.seen: dict[str, int] = {}  # lower-case key -> entries met so far
        self.current: _Start | None = None
        self.problems: list[Problem] = []
        self.broken: set[int] = set()  # offsets of entries with a syntax error
        self.offsets = sorted(start.offset for start in starts)

    def end_of(self, start: _Start) -> int:
        """Where the next entry begins: the end of the text that belongs to `start`."""
        index = bisect.bisect_right(self.offsets, start.offset)
        return self.offsets[index] if index < len(self.offsets) else len(self.text)

    # -- where things are -----------------------------------------------------------------

    def start_of(self, key: str, occurrence: int = 0) -> _Start | None:
        found = self.starts_by_key.get(key.lower(), [])
        return found[min(occurrence, len(found) - 1)] if found else None

    def add(self, start: _Start | None, message: str, hint: str = "",
            position: tuple[int, int] | None = None, where: str = "") -> None:
        line, column = position or ((start.line, start.column) if start else (None, None))
        if not where and start is not None and start.key:
            where = f"@{start.kind}{{{start.key}}}"
        self.problems.append(Problem(self.name, line, column, message, where, hint))

    # -- pybtex's hooks -------------------------------------------------------------------

    def handle_error(self, error):
        if isinstance(error, PybtexSyntaxError):
            self._syntax_error(error)
        elif isinstance(error, DuplicateField):
            name = str(error).rsplit(" ", 2)[-2]
            self.add(self.current, f"the field '{name}' is given twice",
                     "keep one of them",
                     field_position(self.text, self.current, name, self.end_of(self.current)
                                    if self.current else None, occurrence=1))
        else:
            self.add(self.current, f"BibTeX: {error}")

    def _syntax_error(self, error: PybtexSyntaxError) -> None:
        info = getattr(error, "error_context_info", ())
        command_start, pos = (info[0], info[2]) if len(info) == 3 else (None, None)
        if isinstance(command_start, int):
            self.broken.add(command_start)
        else:
            command_start = None
        at = position_of(self.text, min(pos, len(self.text))) if isinstance(pos, int) else (
            error.lineno or 1, 1)
        entry_at = position_of(self.text, command_start) if command_start is not None else at
        detail = str(error.args[0]) if error.args else str(error)
        if isinstance(error, PrematureEOF):
            self.problems.append(Problem(
                self.name, *entry_at, "BibTeX syntax error: the file ends inside the entry "
                "that starts here", hint="a closing '}' is missing; check the braces of its "
                "fields"))
        elif isinstance(error, UndefinedMacro):
            if isinstance(pos, int):  # pybtex stands after the name: point at its start
                at = position_of(self.text, max(pos - len(detail), 0))
            self.problems.append(Problem(
                self.name, *at, f"BibTeX syntax error: '{shown(detail)}' is not a defined "
                "@string abbreviation", hint="put the value in braces: field = {...}"))
        elif isinstance(error, TokenRequired):
            what = detail.removesuffix(" expected")
            hint = {"'='": "fields are written name = {value}, separated by commas",
                    "entry key": "an entry starts with @type{key,",
                    "field value": "put the value in braces: field = {...}",
                    }.get(what, "check the braces and commas just before")
            self.problems.append(Problem(self.name, *at, f"BibTeX syntax error: expected "
                                                        f"{what} here", hint=hint))
        elif detail == "unbalanced braces":
            self.problems.append(Problem(self.name, *at, "BibTeX syntax error: a '}' "
                                                        "without its '{'"))
        else:
            self.problems.append(Problem(self.name, *at, f"BibTeX syntax error: {detail}"))

    def process_entry(self, entry_type, key, fields):
        if key is None:  # pybtex already reported the missing key
            return
        occurrence = self.seen.get(key.lower(), 0)
        self.seen[key.lower()] = occurrence + 1
        self.current = self.start_of(key, occurrence)
        if key in self.data.entries:
            first = self.start_of(key, 0)
            first_line = f"line {first.line}" if first else "earlier"
            if first is not None and first.key != key:
                first_line += f" as '{first.key}'; BibTeX ignores case in keys"
            self.add(self.current, f"duplicate BibTeX key '{key}' (first defined on "
                                   f"{first_line})", "give each entry its own key")
            return
        try:
            super().process_entry(entry_type, key, fields)
        except PybtexError as error:  # a name pybtex cannot split, e.g. too many commas
            message = str(error)
            if match := re.match(r"Too many commas in (.*)", message, re.S):
                self.add(self.current, f"the name {shown(match.group(1))} has too many "
                                       "commas", "write each name as 'Last, First' and "
                                                 "separate names with ' and '")
            else:
                self.add(self.current, f"BibTeX: {message}")


def field_position(text: str, start: _Start | None, name: str, end: int | None = None,
                   occurrence: int = 0) -> tuple[int, int] | None:
    """Where `name = ...` stands in the entry that begins at `start` (and ends at `end`)."""
    if start is None:
        return None
    pattern = re.compile(rf"[{{(,\s]({re.escape(name)})\s*=", re.I)
    for index, match in enumerate(pattern.finditer(text, start.offset,
                                                   len(text) if end is None else end)):
        if index == occurrence:
            return position_of(text, match.start(1))
    return None


def load_bibliography(path: Path) -> Bibliography:
    name = display_path(path)
    raw = read_limited(path, MAX_BIB_BYTES, name, "the bibliography")
    text = decode(raw, name)
    starts = _entry_starts(text)
    parser = _CollectingParser(name, text, starts)
    with seconds_limit(PARSE_TIMEOUT, f"{name}: reading the bibliography took more than "
                                   f"{PARSE_TIMEOUT} s and was stopped"):
        try:
            data = parser.parse_string(text)
        except PybtexError as exc:  # an error pybtex cannot recover from
            line = getattr(exc, "lineno", None)
            parser.problems.append(Problem(name, line, 1 if line else None,
                                           f"BibTeX: {exc}"))
            data = parser.data
        problems = parser.problems + check_entries(name, text, data, parser)
    if not data.entries and not problems and _has_content(text):
        problems.append(Problem(name, 1, 1, "no BibTeX entry found in the file",
                                hint="entries look like @article{key, author = {...}, ...}"))
    if problems:
        raise ManuscriptError(problems)
    lines = {key: start.line for key in data.entries
             if (start := parser.start_of(key)) is not None}
    return Bibliography(path, data, lines, text, hashlib.sha256(raw).hexdigest())


def _has_content(text: str) -> bool:
    """Anything but blank lines and % comments (BibTeX ignores text between entries, so a
    file of prose or of another format parses into nothing at all)."""
    return any(line.strip() and not line.lstrip().startswith("%")
               for line in text.splitlines())


def check_entries(name: str, text: str, data: BibliographyData,
                  parser: _CollectingParser) -> list[Problem]:
    problems = []
    for key, entry in data.entries.items():
        start = parser.start_of(key)
        if start is not None and start.offset in parser.broken:
            continue  # its syntax error is reported; what follows from it would be noise
        where = f"@{entry.type}{{{key}}}"
        at = (start.line, start.column) if start else (None, None)

        def problem(message: str, hint: str = "", field_name: str = "", at=at, where=where,
                    start=start) -> None:
            position = (field_position(text, start, field_name, parser.end_of(start))
                        if field_name and start is not None else None)
            problems.append(Problem(name, *(position or at), message, where, hint))

        if re.search(r"[={}\"#]", key):
            problem("the entry has no key", "an entry starts with @type{key, ...")
            continue
        kind = entry.type.lower()
        if kind not in KNOWN_TYPES:
            close = difflib.get_close_matches(kind, sorted(KNOWN_TYPES), n=1)
            problem(f"unknown entry type '@{shown(entry.type)}'",
                    f"did you mean '@{close[0]}'?" if close else "e.g. @article, @book")
            continue
        fields = dict(entry.fields)
        persons = dict(entry.persons)
        parent_key = entry.fields.get("crossref")
        if parent_key:
            parent = data.entries.get(parent_key)
            if parent is None:
                problem(f"the crossref '{shown(parent_key)}' is not a key of this file",
                        field_name="crossref")
            else:
                fields = {**parent.fields, **fields}
                persons = {**parent.persons, **persons}
        for choices in REQUIRED_FIELDS.get(kind, (("title",),)):
            if any(fields.get(f) or persons.get(f) for f in choices):
                continue
            stray = _stray_field(text, start, parser, choices)
            if stray is not None:
                # BibTeX ends the entry at the first unmatched '}' and skips what follows.
                problems.append(Problem(
                    name, *stray[1], f"the field '{stray[0]}' stands after the end of the "
                    "entry", where, "a '}' before it closes the entry early: check the braces"))
            else:
                problem(f"missing the field '{choices[0]}'" if len(choices) == 1 else
                        "missing one of the fields " + ", ".join(f"'{c}'" for c in choices))
        doi = entry.fields.get("doi")
        if doi and normalise_doi(latex_to_url(doi)) is None:
            problem(f"'{shown(doi)}' is not a DOI", "a DOI looks like 10.1234/abc",
                        "doi")
        for date_field in ("date", "urldate"):
            value = entry.fields.get(date_field)
            if value and not _valid_date(value):
                problem(f"the {date_field} '{shown(value)}' is not an ISO date",
                        "write it as YYYY-MM-DD", date_field)
        year = entry.fields.get("year")
        if year and not re.fullmatch(r"\d{4}[a-z]?|n\.d\.", year.strip()):
            problem(f"the year '{shown(year)}' is not a year", field_name="year")
        url = entry.fields.get("url")
        if url and not re.match(r"^https?://\S+$", url.strip()):
            problem(f"the url '{shown(url)}' is not an http(s) address", field_name="url")
    return problems


def _stray_field(text: str, start: _Start | None, parser: _CollectingParser,
                 choices: tuple[str, ...]) -> tuple[str, tuple[int, int]] | None:
    """A field among `choices` written between this entry and the next, if any."""
    if start is None:
        return None
    end = parser.end_of(start)
    for name in choices:
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}\s*=", re.I)
        if match := pattern.search(text, start.offset, end):
            return name, position_of(text, match.start())
    return None


def _valid_date(value: str) -> bool:
    value = value.strip()
    if not ISO_DATE.match(value):
        return False
    for part in value.split("/"):
        pieces = [int(p) for p in part.split("-")]
        try:
            dt.date(pieces[0], pieces[1] if len(pieces) > 1 else 1,
                    pieces[2] if len(pieces) > 2 else 1)
        except ValueError:
            return False
    return True
