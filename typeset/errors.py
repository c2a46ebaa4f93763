"""The exceptions the pipeline raises for bad input, and the records of what it reports.

Every problem with a manuscript is a `Problem`: where it is (file, line, column), which
field it concerns and what is wrong. A `ManuscriptError` carries all the problems found in
one pass, so that an editor can fix them together. Anything else that escapes the pipeline
is a bug in our code.

What is reported without stopping the build is a `Problem` too, with a lower severity:
- a *warning* is about the manuscript (a page count over the journal's limit, a Pandoc or
  WeasyPrint complaint): the editor should look at it, and `--strict` makes it an error;
- a *note* is about the setting, not the manuscript (the journal profile lacks an ISSN, so
  JATS is written as Archiving and Interchange): said once per run, never an error.
Each carries a `code` (listed in `CODES`), so that the command line, the preview and the
tests can tell kinds apart without reading the wording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    column: int | None
    message: str
    field: str = ""
    hint: str = ""
    severity: str = "error"  # "error", "warning" or "note"
    code: str = ""  # for warnings and notes: a key of CODES

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        text = f"{where}: {what}"
        if self.severity != "error":
            text = f"{where}: {self.severity}: {what}"
        if self.hint:
            text += f" ({self.hint})"
        if self.code and self.severity != "error":
            text += f" [{self.code}]"
        return text

    def as_error(self, hint: str) -> Problem:
        """This warning, made an error (by `--strict`)."""
        return replace(self, severity="error", hint="; ".join(h for h in (self.hint, hint) if h))


# The kinds of warnings and notes: code -> what it is about.
CODES = {
    "pandoc": "Pandoc reported something about the Markdown",
    "weasyprint": "WeasyPrint reported something while laying out the PDF",
    "jats-validation": "a JATS4R or DTD warning about the generated XML",
    "jats-archiving": "the journal profile has no ISSN: JATS Archiving instead of Publishing",
    "page-limit": "the article is longer than the journal's page limit",
    "typed-citation": "text that reads as a citation is not one: it links to nothing",
    "uncited-entry": "a bibliography entry is never cited: it is not in the references",
    "uncaptioned-table": "a table without a caption line: printed without a number",
    "sitemap-no-url": "no sitemap: the journal profile has no site URL",
    # The deposits (typeset/export): warnings about articles, notes about the profile.
    "crossref-no-doi": "an article without a DOI is left out of the Crossref deposit",
    "crossref-unfit": "a value Crossref's schema cannot take (too long, a '?' in a name): "
                      "the article, or the deposit, is left out",
    "crossref-no-issn": "no Crossref deposit: the journal profile has no ISSN",
    "crossref-no-depositor": "no Crossref deposit: the profile names no Crossref depositor",
    "crossref-no-registrant": "no Crossref deposit: the profile names no registrant or "
                              "publisher",
    "crossref-no-url": "no Crossref deposit: the profile has no site URL for landing pages",
    "crossref-no-articles": "no Crossref deposit: no article of the issue has a DOI",
    "crossref-funding": "a free-text funding statement is not deposited as funder data",
    "doaj-no-issn": "no DOAJ upload: the journal profile has no ISSN",
    "doaj-no-url": "no DOAJ upload: the profile has no site URL for the full texts",
}


def warning(code: str, path: Path | str, line: int | None, column: int | None,
            message: str, field: str = "", hint: str = "") -> Problem:
    assert code in CODES, code
    return Problem(str(path), line, column, message, field, hint, "warning", code)


def note(code: str, path: Path | str, message: str, hint: str = "") -> Problem:
    assert code in CODES, code
    return Problem(str(path), None, None, message, "", hint, "note", code)


class TypesetError(Exception):
    """Base class of the errors reported to the user without a traceback."""


class ManuscriptError(TypesetError):
    """One or more problems in the input; the build stops and writes nothing."""

    def __init__(self, problems: list[Problem]):
        # The same problem found twice (e.g. by two checks of one value) is told once.
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Rebuilt from its problems, not its message, when it crosses a process boundary
        # (a batch worker, a cluster): the receiver gets the located records.
        return (type(self), (self.problems,))


class UsageError(TypesetError):
    """The command line asks for something impossible (exit status 2)."""


class StageTimeout(TypesetError):
    """A stage ran past its time limit."""


class OutputError(TypesetError):
    """The outputs could not be written (a full disk, a read-only file system...); the
    previous outputs are untouched. Located at the output folder, not the manuscript."""

    def __init__(self, path: Path | str, message: str, hint: str = ""):
        self.problem = Problem(_shown_path(path), None, None, message, hint=hint)
        super().__init__(str(self.problem))

    def __reduce__(self):
        return (type(self), (self.problem.path, self.problem.message, self.problem.hint))


def _shown_path(path: Path | str) -> str:
    from typeset.read.source import display_path  # (errors.py imports nothing of ours)

    return display_path(Path(path)) if isinstance(path, Path) else path


def _problem_order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.column or 0, problem.field,
            problem.message)


def problem_at(path: Path | str, line: int | None, column: int | None, message: str,
               field: str = "", hint: str = "") -> Problem:
    return Problem(str(path), line, column, message, field, hint)


def shown(value: str, limit: int = 60) -> str:
    """User text quoted inside a one-line message: shortened, line breaks made visible."""
    text = value.replace("\r", "").replace("\n", "⏎").replace("\t", " ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_passed(warnings: int) -> str:
    """What `check` says of a manuscript or an issue without errors: its warnings counted,
    so that "no problems" never follows a warning."""
    if not warnings:
        return "no problems found"
    return f"no errors, {warnings} warning{'s' if warnings > 1 else ''} to look at"
