"""Reading an issue folder: `issue.yaml` checked against its schema, and what the issue
asks of its articles checked in their front matter, with every problem located and
reported at once.

The articles' own problems (their front matter, bibliography, body) are found by reading
each article in full (`paginate.py`); this module finds what concerns the issue: its
fields, its folders, and the fields an article must share with it (journal, volume, issue,
date of publication, first page) or must not share with another article (its DOI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typeset.errors import ManuscriptError, Problem, shown
from typeset.model.article import Journal, LangMap
from typeset.model.issue import ISSUE_FILE, Issue, IssueSection
from typeset.read import yamlsource
from typeset.read.identifiers import normalise_doi
from typeset.read.journal import find_journal
from typeset.read.resources import Refusal, load_image
from typeset.read.schema import YamlReader, describe
from typeset.read.source import display_path, read_manuscript

FIELDS = {"journal": False, "volume": False, "issue": True, "published": True,
          "first-page": False, "title": False, "cover": False, "sections": True}
SECTION_FIELDS = {"title": True, "articles": True}
MANUSCRIPT = "article.md"  # what makes a folder of the issue an article


@dataclass(frozen=True)
class IssueEntry:
    """One article of the issue, as `issue.yaml` lists it."""

    folder: str  # its folder's name in the issue (and in the output)
    manuscript: Path  # <issue>/<folder>/article.md
    section: int  # index into Issue.sections
    position: int  # its place in the issue, from 0


@dataclass(frozen=True)
class DeclaredFirstPage:
    """A `first-page` an article states itself: accepted when the pagination agrees."""

    value: int
    problem_at: tuple[str, int | None, int | None]  # file, line, column


@dataclass(frozen=True)
class IssueReading:
    """What reading an issue folder found: the issue (None when issue.yaml does not give
    its journal, number and date), its articles in print order, and every problem (the
    issue may be built only when there is none)."""

    issue: Issue | None
    entries: tuple[IssueEntry, ...]
    problems: tuple[Problem, ...]
    declared_first_pages: dict[str, DeclaredFirstPage]  # folder -> the article's own
    # the articles' DOIs (lower case) -> where each is written: (file, line)
    dois: dict[str, tuple[str, int | None]] = field(default_factory=dict)


def is_issue_folder(path: Path) -> bool:
    return path.is_dir() and (path / ISSUE_FILE).is_file()


def read_issue(folder: Path, styles: Path | None = None) -> IssueReading:
    path = folder / ISSUE_FILE
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (
            exc.strerror or str(exc))
        return IssueReading(None, (), (Problem(name, None, None,
                                               f"cannot read the issue file: {reason}"),), {})
    try:
        data, positions = yamlsource.load(text, 1)
    except yamlsource.YamlProblem as found:
        return IssueReading(None, (), tuple(
            Problem(name, p.line, p.column, p.message, hint=p.hint) for p in found.all), {})
    reader = IssueReader(name, positions, folder, styles)
    issue, entries = reader.read(data)
    declared: dict[str, DeclaredFirstPage] = {}
    dois: dict[str, tuple[str, int | None]] = {}
    if issue is not None:
        declared = check_articles(issue, entries, reader, dois)
        if entries:  # the first article's first page is the issue's: no layout needed
            reader.problems += check_first_pages(
                {entries[0].folder: declared.pop(entries[0].folder)}
                if entries[0].folder in declared else {},
                {entries[0].folder: issue.first_page})
    return IssueReading(issue, tuple(entries), tuple(reader.problems), declared, dois)


class IssueReader(YamlReader):
    def __init__(self, name: str, positions: yamlsource.Positions, folder: Path,
                 styles: Path | None = None):
        super().__init__(name, positions)
        self.folder = folder
        self.styles = styles  # where journal profiles are looked up (default: styles/)

    def read(self, data: Any) -> tuple[Issue | None, list[IssueEntry]]:
        if data is None:
            self.error((), "the issue file is empty",
                       "it names at least the issue, its date and its sections")
            return None, []
        fields = self.mapping(data, (), FIELDS)
        if fields is None:
            return None, []
        journal = self.journal(fields.get("journal", "pesa"))
        volume = self.site_part(fields.get("volume"), ("volume",))
        number = self.site_part(fields.get("issue"), ("issue",))
        published = self.date(fields.get("published"), ("published",))
        first_page = self.positive_int(fields.get("first-page"), ("first-page",))
        languages = journal.languages if journal else ()
        title = self.per_language(fields.get("title"), ("title",), languages)
        cover = self.cover(fields.get("cover"))
        sections, entries = self.sections(fields.get("sections"), languages)
        self.unlisted_folders(entries)
        # With problems elsewhere, the issue is still made when its facts are known, so
        # that its articles can be checked against them in the same report.
        if journal is None or number is None or published is None:
            return None, entries
        return Issue(folder=self.folder.resolve(), journal=journal, volume=volume,
                     number=number, published=published, first_page=first_page or 1,
                     sections=tuple(sections), title=title, cover=cover), entries

    # -- the fields -------------------------------------------------------------------

    def journal(self, value: Any) -> Journal | None:
        journal_id = self.text(value, ("journal",))
        if not journal_id:
            return None
        try:
            journal = find_journal(journal_id, self.styles)
        except ManuscriptError as exc:  # the profile itself is broken: say where
            self.problems += exc.problems
            return None
        if journal is None:
            self.error(("journal",), f"no journal profile '{shown(journal_id)}'",
                       f"expected styles/{journal_id}/journal.yaml")
        return journal

    def site_part(self, value: Any, path: tuple) -> str | None:
        """Volume and issue: a number or a text, which also names the issue's folder on
        the journal's site (Issue.url)."""
        text = self.volume_or_issue(value, path, path[-1])  # the articles' own rule
        if text and any(c in text for c in "/\\"):
            self.error(path, f"'{shown(text)}' contains a slash, which cannot stand in the "
                             "issue's web address", "write e.g. 1-2 for a double issue")
            return None
        return text

    def per_language(self, value: Any, path: tuple, languages: tuple[str, ...]
                     ) -> LangMap[str]:
        """A title given in each of the journal's languages (a plain text is accepted for
        a journal with one language)."""
        if value is None:
            return LangMap()
        if not isinstance(value, dict) and len(languages) != 1:
            example = ", ".join(f"{code}: ..." for code in languages) or "en: ..."
            self.error(path, f"expected a title per language, got {describe(value)}",
                       f"write {path[-1]}: {{{example}}}")
            return LangMap()
        return self.lang_map(value, path, languages[0] if languages else None,
                             lambda item, where: self.text(item, where), languages)

    def cover(self, value: Any) -> Path | None:
        relative = self.text(value, ("cover",), optional=True)
        if not relative:
            return None
        folder = self.folder.resolve()
        found = load_image(relative, folder)
        if isinstance(found, Refusal):
            self.error(("cover",), found.message.replace("the image", "the cover image")
                       .replace("manuscript's", "issue's"),
                       found.hint.replace("manuscript", "issue"))
            return None
        return (folder / relative).resolve()

    def sections(self, value: Any, languages: tuple[str, ...]
                 ) -> tuple[list[IssueSection], list[IssueEntry]]:
        if value is None:
            return [], []
        if not isinstance(value, list) or not value:
            self.error(("sections",), f"expected a list of sections, got {describe(value)}",
                       "- title: {...}\n    articles: [folder, ...]")
            return [], []
        sections: list[IssueSection] = []
        entries: list[IssueEntry] = []
        first_seen: dict[str, tuple] = {}
        for index, item in enumerate(value):
            path = ("sections", index)
            fields = self.mapping(item, path, SECTION_FIELDS)
            if fields is None:
                continue
            title = self.per_language(fields.get("title"), (*path, "title"), languages)
            names = fields.get("articles")
            if names is None:
                continue
            if isinstance(names, str):
                names = [names]
            if isinstance(names, list) and not names:
                self.error((*path, "articles"), "the section lists no article",
                           "list its article folders, articles: [aksoy, yilmaz], or remove "
                           "the section")
                continue
            if not isinstance(names, list):
                self.error((*path, "articles"), "expected a list of article folders, got "
                                                f"{describe(names)}", "articles: [aksoy, yilmaz]")
                continue
            folders = []
            for position, raw in enumerate(names):
                where = (*path, "articles", position)
                name = self.identifier(raw, where)
                if not name or not self.article_folder(name, where):
                    continue
                if name in first_seen:
                    line, _ = self.positions.of(first_seen[name])
                    self.error(where, f"the folder '{shown(name)}' is listed twice",
                               f"first at line {line}; each article appears once" if line
                               else "each article appears once")
                    continue
                first_seen[name] = where
                folders.append(name)
                entries.append(IssueEntry(name, self.folder / name / MANUSCRIPT, index,
                                          len(entries)))
            sections.append(IssueSection(title, tuple(folders)))
        return sections, entries

    def article_folder(self, name: str, where: tuple) -> bool:
        if name in (".", "..") or any(c in name for c in "/\\") or name.startswith("."):
            self.error(where, f"'{shown(name)}' is not the name of a folder of the issue",
                       "give the name of a subfolder of the issue folder, e.g. aksoy")
            return False
        folder = self.folder / name
        if not folder.is_dir():
            self.error(where, f"the issue folder has no folder '{shown(name)}'",
                       "check the name; names are case-sensitive")
            return False
        if not (folder / MANUSCRIPT).is_file():
            self.error(where, f"the folder '{shown(name)}' has no {MANUSCRIPT}")
            return False
        return True

    def unlisted_folders(self, entries: list[IssueEntry]) -> None:
        listed = {entry.folder for entry in entries}
        for child in sorted(self.folder.iterdir()):
            if child.name.startswith(".") or child.name in listed:
                continue
            if child.is_dir() and (child / MANUSCRIPT).is_file():
                self.error(("sections",), f"the article in '{shown(child.name)}' is in no "
                                          "section", "list its folder under a section's "
                                                     "articles, or move it out of the issue "
                                                     "folder", at_key=True)


# -- what the issue asks of its articles --------------------------------------------------

def check_articles(issue: Issue, entries: list[IssueEntry], reader: IssueReader,
                   dois: dict[str, tuple[str, int | None]]) -> dict[str, DeclaredFirstPage]:
    """Each article's journal, volume, issue and date must be the issue's (when it states
    them at all), its DOI its own and under the journal's DOI prefix. Problems go to
    `reader.problems`; an article's own `first-page` is returned, to be checked against
    the pagination, and its DOI is put in `dois`. (Front matter that cannot be read is
    skipped here: reading the article in full reports it.)"""
    declared: dict[str, DeclaredFirstPage] = {}
    issue_name = reader.name
    for entry in entries:
        try:
            source = read_manuscript(entry.manuscript)
            data, positions = yamlsource.load(source.front_matter,
                                              source.front_matter_first_line)
        except (ManuscriptError, yamlsource.YamlProblem):
            continue
        if not isinstance(data, dict):
            continue

        def problem(path: tuple, message: str, hint: str = "",
                    source=source, positions=positions) -> None:
            line, column = positions.of(path)
            reader.problems.append(Problem(source.name, line, column, message,
                                           ".".join(path), hint))

        def issue_line(key: str) -> str:
            line, _ = reader.positions.of((key,))
            return f"{issue_name}:{line}" if line else issue_name

        history = data.get("history") if isinstance(data.get("history"), dict) else {}
        stated = {
            ("journal",): (data.get("journal"), issue.journal.id, "journal", "journal"),
            ("volume",): (data.get("volume"), issue.volume, "volume", "volume"),
            ("issue",): (data.get("issue"), issue.number, "issue", "number"),
            ("history", "published"): (history.get("published"), issue.published,
                                       "published", "date of publication"),
        }
        for path, (value, expected, key, what) in stated.items():
            if value is None or _comparable(value) == _comparable(expected):
                continue
            if expected is None:
                message = f"{shown(str(value))}: the issue has no {what}"
            else:
                message = (f"{shown(str(value))} differs from the issue's {what}, {expected} "
                           f"({issue_line(key)})")
            problem(path, message, f"the issue gives its articles their {what}: remove the "
                                   "field, or make it the issue's")
        first_page = data.get("first-page")
        if isinstance(first_page, int) and not isinstance(first_page, bool):
            line, column = positions.of(("first-page",))
            declared[entry.folder] = DeclaredFirstPage(first_page,
                                                       (source.name, line, column))
        doi = normalise_doi(data["doi"]) if isinstance(data.get("doi"), str) else None
        if doi is None:
            continue
        prefix = issue.journal.doi_prefix
        if prefix and not doi.lower().startswith(prefix.lower() + "/"):
            problem(("doi",), f"the DOI {doi} is not under the journal's DOI prefix {prefix}",
                    f"the journal's DOIs start with {prefix}/, the doi-prefix of its profile")
        if doi.lower() in dois:
            other, other_line = dois[doi.lower()]
            where = f"{other}:{other_line}" if other_line else other
            problem(("doi",), f"the DOI {doi} is also the DOI of {where}",
                    "each article has a DOI of its own")
        else:
            dois[doi.lower()] = (source.name, positions.of(("doi",))[0])
    return declared


def check_first_pages(declared: dict[str, DeclaredFirstPage], first_pages: dict[str, int]
                      ) -> list[Problem]:
    """An article's own `first-page` must be the one the pagination gives it."""
    problems = []
    for folder, stated in declared.items():
        given = first_pages.get(folder)
        if given is not None and given != stated.value:
            name, line, column = stated.problem_at
            problems.append(Problem(
                name, line, column,
                f"{stated.value} differs from the page this article starts on in the "
                f"issue, {given}", "first-page",
                "the issue numbers its articles' pages: remove the field"))
    return problems


def _comparable(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        return value.strip()
    return str(value)
