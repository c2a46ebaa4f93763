"""The issue's deposits for the indexers: `crossref.xml` and `doaj.xml`, made by
`typeset.export` and validated against their schemas before they are written.

A deposit the journal profile cannot support (no ISSN, no DOI prefix, no depositor...) is
not written: `typeset.export` says which field is missing, as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from typeset.errors import Problem, warning
from typeset.model.issue import Issue, IssueArticle
from typeset.read.source import display_path

DEPOSITS = ("crossref.xml", "doaj.xml")


def render_exports(issue: Issue, articles: Sequence[IssueArticle]
                   ) -> tuple[dict[str, bytes], list[Problem]]:
    """The deposits that can be written (name -> XML bytes), and the warnings."""
    try:
        from typeset import export
    except ImportError:  # the exports are not part of this build (yet)
        return {}, [warning("output-not-written", display_path(issue.folder), None, None,
                            f"{' and '.join(DEPOSITS)} are not written: this version of "
                            "the pipeline has no typeset.export")]
    files: dict[str, bytes] = {}
    warnings: list[Problem] = []
    for name, render, validate in (
            ("crossref.xml", export.render_crossref, export.validate_crossref),
            ("doaj.xml", export.render_doaj, export.validate_doaj)):
        result = render(issue, list(articles))
        warnings += result.warnings
        if result.xml is not None:
            validate(result.xml)  # an invalid deposit is a bug of ours: the build stops
            files[name] = result.xml
    return files, warnings
