"""What the Crossref and DOAJ exports share: the result type, the warnings and notes they
give (their codes are in `typeset.errors.CODES`), and the small facts both need (language
order, plain text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from typeset import errors, i18n
from typeset.errors import Problem
from typeset.model.article import Article, Journal
from typeset.model.ast import stringify
from typeset.model.issue import Issue
from typeset.read.source import display_path


@dataclass(frozen=True)
class ExportResult:
    """A deposit, or None when it cannot be written, and what the build should say:
    `warnings` about the articles (`--strict` makes them errors), `notes` about the setting
    (a field the journal profile lacks; never an error), as `typeset.errors` has them."""

    xml: bytes | None
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, xml: bytes | None, problems: list[Problem]) -> ExportResult:
        return cls(xml, [p for p in problems if p.severity != "note"],
                   [p for p in problems if p.severity == "note"])


def warning(code: str, path: Path | str, field_name: str, message: str,
            hint: str = "") -> Problem:
    """About an article or the issue: something its editor can change."""
    return errors.warning(code, display_path(Path(path)), None, None, message, field_name,
                          hint)


def note(code: str, path: Path | str, field_name: str, message: str,
         hint: str = "") -> Problem:
    """About the setting (the journal profile, the manuscript format), with the field."""
    return replace(errors.note(code, display_path(Path(path)), message, hint),
                   field=field_name)


def profile_path(journal: Journal) -> Path:
    return journal.folder / "journal.yaml"


def issue_path(issue: Issue) -> Path:
    return issue.folder / "issue.yaml"


def missing_in_profile(code: str, journal: Journal, field_name: str, output: str,
                       why: str) -> Problem:
    """The note for an output not written because the journal profile lacks a field."""
    return note(code, profile_path(journal), field_name,
                   f"{output} is not written: the journal profile has no {field_name}",
                   why)


def langs_body_first(article: Article, langs) -> list[str]:
    """The languages of a multilingual field, the article's own first (the deposit's
    primary title and abstract are in the language the article is written in)."""
    return sorted(langs, key=lambda code: i18n.base(code) != i18n.base(article.lang))


def plain_text(blocks) -> str:
    """Paragraphs as plain text, one line each, a blank line between them."""
    paragraphs = [" ".join(stringify([block]).split()) for block in blocks]
    return "\n\n".join(p for p in paragraphs if p)


def one_line(text: str) -> str:
    return " ".join(text.split())


def journal_titles(journal: Journal) -> list[tuple[str, str]]:
    """(language, title) of the journal, the profile's first title first: the one it is
    registered under, always the same from one deposit to the next (Crossref matches the
    journal by it)."""
    return list(journal.title.items()) or [("", journal.id)]


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text an XML document can hold: characters XML forbids (control characters a YAML
    file may carry) are dropped, as the JATS writer drops them."""
    return _NOT_XML.sub("", text)
