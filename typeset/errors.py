"""The exceptions the pipeline raises for bad input.

Every problem with a manuscript is a `Problem`: where it is (file, line, column), which
field it concerns and what is wrong. A `ManuscriptError` carries all the problems found in
one pass, so that an editor can fix them together. Anything else that escapes the pipeline
is a bug in our code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    column: int | None
    message: str
    field: str = ""
    hint: str = ""
    severity: str = "error"

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
        return text


class TypesetError(Exception):
    """Base class of the errors reported to the user without a traceback."""


class ManuscriptError(TypesetError):
    """One or more problems in the input; the build stops and writes nothing."""

    def __init__(self, problems: list[Problem]):
        # The same problem found twice (e.g. by two checks of one value) is told once.
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(TypesetError):
    """The command line asks for something impossible (exit status 2)."""


class StageTimeout(TypesetError):
    """A stage ran past its time limit."""


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
