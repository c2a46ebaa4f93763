"""Checks across articles: what no single manuscript can get wrong alone.

Two articles of a batch or an issue with one DOI would register one landing page for two
works; the check reads only each manuscript's front matter (no Pandoc, no layout), so it
costs little before a batch starts. A manuscript whose front matter cannot be read here is
left to its own build, which reports why.
"""

from __future__ import annotations

from pathlib import Path

from typeset.errors import ManuscriptError, Problem
from typeset.read import yamlsource
from typeset.read.identifiers import normalise_doi
from typeset.read.source import display_path, read_manuscript


def front_matter_value(manuscript: Path, key: str) -> tuple[str, int | None, int | None] | None:
    """The text of a top-level front-matter field with its line and column, or None."""
    try:
        source = read_manuscript(manuscript)
        data, positions = yamlsource.load(source.front_matter,
                                          source.front_matter_first_line)
    except (ManuscriptError, yamlsource.YamlProblem, OSError):
        return None
    if not isinstance(data, dict) or data.get(key) is None:
        return None
    line, column = positions.of((key,))
    return str(data[key]), line, column


def duplicate_dois(manuscripts: list[Path]) -> dict[Path, list[Problem]]:
    """For each manuscript that shares its DOI with another: the located problem."""
    by_doi: dict[str, list[tuple[Path, int | None, int | None]]] = {}
    for manuscript in manuscripts:
        found = front_matter_value(manuscript, "doi")
        if found is None:
            continue
        doi = normalise_doi(found[0])
        if doi is not None:  # a malformed DOI is its own build's error
            by_doi.setdefault(doi.lower(), []).append((manuscript, found[1], found[2]))
    problems: dict[Path, list[Problem]] = {}
    for doi, holders in by_doi.items():
        if len(holders) < 2:
            continue
        for manuscript, line, column in holders:
            others = ", ".join(f"{display_path(other)}" + (f":{other_line}" if other_line
                                                           else "")
                               for other, other_line, _ in holders if other != manuscript)
            problems.setdefault(manuscript, []).append(Problem(
                display_path(manuscript), line, column,
                f"the DOI {doi} is also the DOI of {others}", "doi",
                "each article has its own DOI"))
    return problems
