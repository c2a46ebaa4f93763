"""The issue's deposits for the indexers: `crossref.xml` and `doaj.xml`, made by
`typeset.export` and validated against their schemas before they are written.

A deposit the journal profile cannot support (no ISSN, no depositor, no site address...)
is not written; `typeset.export` says which field is missing, as a note.
"""

from __future__ import annotations

from collections.abc import Sequence

from typeset.errors import Problem
from typeset.model.issue import Issue, IssueArticle


def prepare(issue: Issue) -> None:
    """Start compiling Crossref's schema (some seconds) in the background when a deposit
    can be made, so that it is ready when the articles are. Call it once the worker
    processes are forked: a thread running in this process must not be forked with it."""
    from typeset.export import compile_crossref_in_background, crossref

    if not crossref.profile_gaps(issue):
        compile_crossref_in_background()


def profile_gaps(issue: Issue) -> list[Problem]:
    """The issue's outputs the journal profile cannot support (deposits, sitemap), as
    notes naming the missing field: known before any layout. The issue format makes them
    errors under --strict."""
    from typeset.export import crossref, doaj
    from typeset.issue import site

    gaps = [*crossref.profile_gaps(issue), *doaj.profile_gaps(issue)]
    if not issue.journal.url:
        gaps.append(site.missing_url(issue.journal, "sitemap.xml"))
    return gaps


def render_exports(issue: Issue, articles: Sequence[IssueArticle]
                   ) -> tuple[dict[str, bytes], list[Problem], list[Problem]]:
    """The deposits that can be written (name -> XML bytes), the warnings and the notes."""
    from typeset import export

    files: dict[str, bytes] = {}
    warnings: list[Problem] = []
    notes: list[Problem] = []
    for name, render, validate in (
            ("crossref.xml", export.render_crossref, export.validate_crossref),
            ("doaj.xml", export.render_doaj, export.validate_doaj)):
        result = render(issue, list(articles))
        warnings += result.warnings
        notes += result.notes
        if result.xml is not None:
            validate(result.xml)  # an invalid deposit is a bug of ours: the build stops
            files[name] = result.xml
    return files, warnings, notes
