"""What the Crossref and DOAJ exports share: the result type, the warnings they give, and
the small facts both need (language order, plain text, country names)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from typeset import i18n
from typeset.errors import Problem
from typeset.model.article import Article, Journal
from typeset.model.ast import stringify
from typeset.model.issue import Issue
from typeset.read.source import display_path


@dataclass(frozen=True)
class ExportResult:
    """A deposit, or None when it cannot be written; and what the build should say."""

    xml: bytes | None
    warnings: list[Problem] = field(default_factory=list)


# The kinds of warnings the exports give: code -> what it is about.
CODES = {
    "crossref-no-doi": "an article without a DOI is left out of the Crossref deposit",
    "crossref-unfit": "a value Crossref's schema cannot take: the article (or the deposit) "
                      "is left out",
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


def warning(code: str, path: Path | str, field_name: str, message: str,
            hint: str = "") -> Problem:
    assert code in CODES, code
    return Problem(display_path(Path(path)), None, None, message, field_name, hint,
                   severity="warning")


def profile_path(journal: Journal) -> Path:
    return journal.folder / "journal.yaml"


def issue_path(issue: Issue) -> Path:
    return issue.folder / "issue.yaml"


def missing_in_profile(code: str, journal: Journal, field_name: str, output: str,
                       why: str) -> Problem:
    """The warning for an output not written because the journal profile lacks a field."""
    return warning(code, profile_path(journal), field_name,
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
