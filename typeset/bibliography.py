"""The bibliography: a BibTeX file parsed by pybtex and checked before Pandoc sees it.

Pandoc's citeproc renders the references from the same file; pybtex gives us what Pandoc
does not: syntax errors with their line, duplicate keys, entries that lack the fields their
type needs, malformed DOIs and dates, and the structured fields that JATS wants.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexError, PybtexSyntaxError

from .errors import ManuscriptError, Problem
from .source import decode, display_path

MAX_BIB_BYTES = 50 * 1024 * 1024

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
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ENTRY_START = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,", re.M)
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")


@dataclass(frozen=True)
class Bibliography:
    path: Path
    data: BibliographyData
    lines: dict[str, int] = field(default_factory=dict)  # key -> line of its '@type{key,'

    @property
    def keys(self) -> set[str]:
        return set(self.data.entries)

    def entry(self, key: str) -> Entry:
        return self.data.entries[key]


class _CollectingParser(Parser):
    """pybtex's parser, collecting errors instead of printing or raising the first."""

    def __init__(self, name: str, lines: dict[str, list[int]]):
        super().__init__()
        self.name = name
        self.key_lines = lines
        self.problems: list[Problem] = []

    def handle_error(self, error):
        line = getattr(error, "lineno", None)
        message = str(error)
        if isinstance(error, PybtexSyntaxError):
            message = error.message if hasattr(error, "message") else message
            message = re.sub(r"^syntax error in line \d+: ", "", str(message))
        self.problems.append(Problem(self.name, line, None, f"BibTeX: {message}"))

    def process_entry(self, entry_type, key, fields):
        if key in self.data.entries:
            first, *others = self.key_lines.get(key, [None, None])
            line = others[0] if others else None
            self.problems.append(Problem(
                self.name, line, None,
                f"duplicate BibTeX key '{key}' (first defined on line {first})",
                hint="give each entry its own key"))
            return
        super().process_entry(entry_type, key, fields)


def load_bibliography(path: Path) -> Bibliography:
    name = display_path(path)
    try:
        if path.stat().st_size > MAX_BIB_BYTES:
            raise ManuscriptError([Problem(name, None, None, "the bibliography is larger than "
                                                             f"{MAX_BIB_BYTES} bytes")])
        text = decode(path.read_bytes(), name)
    except FileNotFoundError:
        raise ManuscriptError([Problem(name, None, None, "the bibliography file does not "
                                                         "exist")]) from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        reason = "is a folder" if isinstance(exc, IsADirectoryError) else "cannot be read"
        raise ManuscriptError([Problem(name, None, None, f"the bibliography {reason}")]
                              ) from None

    key_lines: dict[str, list[int]] = {}
    for match in ENTRY_START.finditer(text):
        if match.group(1).lower() in ("comment", "preamble", "string"):
            continue
        key_lines.setdefault(match.group(2), []).append(text.count("\n", 0, match.start()) + 1)

    parser = _CollectingParser(name, key_lines)
    try:
        data = parser.parse_string(text)
    except PybtexError as exc:  # an error pybtex cannot recover from
        parser.problems.append(Problem(name, getattr(exc, "lineno", None), None,
                                       f"BibTeX: {exc}"))
        data = parser.data
    lines = {key: found[0] for key, found in key_lines.items()}
    problems = parser.problems + check_entries(name, data, lines)
    if problems:
        raise ManuscriptError(problems)
    return Bibliography(path, data, lines)


def check_entries(name: str, data: BibliographyData, lines: dict[str, int]) -> list[Problem]:
    problems = []
    for key, entry in data.entries.items():
        line = lines.get(key)

        where = f"@{entry.type}{{{key}}}"

        def problem(message: str, hint: str = "", line=line, where=where) -> None:
            problems.append(Problem(name, line, None, message, where, hint))

        for choices in REQUIRED_FIELDS.get(entry.type.lower(), (("title",),)):
            if not any(entry.fields.get(f) or entry.persons.get(f) for f in choices):
                problem(f"missing the field '{choices[0]}'" if len(choices) == 1 else
                        "missing one of the fields " + ", ".join(f"'{c}'" for c in choices))
        doi = entry.fields.get("doi")
        if doi:
            bare = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.I)
            if not DOI.match(bare):
                problem(f"'{doi}' is not a DOI", "a DOI looks like 10.1234/abc")
        for date_field in ("date", "urldate"):
            value = entry.fields.get(date_field)
            if value and not _valid_date(value):
                problem(f"the {date_field} '{value}' is not an ISO date",
                        "write it as YYYY-MM-DD")
        year = entry.fields.get("year")
        if year and not re.fullmatch(r"\d{4}[a-z]?|n\.d\.", year.strip()):
            problem(f"the year '{year}' is not a year")
        url = entry.fields.get("url")
        if url and not re.match(r"^https?://\S+$", url.strip()):
            problem(f"the url '{url}' is not an http(s) address")
    return problems


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
