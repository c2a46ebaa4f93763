"""Property-based tests: whatever the front matter or the body holds, the pipeline reads it
or answers with located problems, never a traceback; and every JATS it writes is
well-formed XML.

The example counts are modest so that the suite stays fast, and derandomized so that CI is
reproducible. `TYPESET_HYPOTHESIS_EXAMPLES=500` runs a larger, randomized search.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from typeset.errors import ManuscriptError
from typeset.read.bibliography import load_bibliography
from typeset.read.frontmatter import parse_front_matter
from typeset.read.journal import find_journal
from typeset.read.source import read_manuscript
from typeset.render.html.page import render_html
from typeset.render.jats import article as jats
from typeset.render.pdf.layout import render_print_html
from typeset.run.builder import Builder

from .helpers_manuscript import BIBTEX, FRONT_MATTER, manuscript_text

_REQUESTED = os.environ.get("TYPESET_HYPOTHESIS_EXAMPLES")
EXAMPLES = int(_REQUESTED or 25)
_COMMON = dict(deadline=None, derandomize=not _REQUESTED,
               database=None if not _REQUESTED else settings.default.database,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CHEAP = settings(max_examples=EXAMPLES * 4, **_COMMON)  # the front matter alone: fast
PANDOC = settings(max_examples=EXAMPLES, **_COMMON)  # one Pandoc run per example

BASE = yaml.safe_load(FRONT_MATTER.strip().strip("-"))
XML = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("properties")
    (folder / "references.bib").write_text(BIBTEX, encoding="utf-8")
    return folder


def assert_located(error: ManuscriptError, lines: int | None = None) -> None:
    assert error.problems, "an error without problems"
    for problem in error.problems:
        assert problem.path and problem.message
        assert problem.line is not None and problem.line >= 1, str(problem)
        assert problem.column is not None and problem.column >= 1, str(problem)
        if lines is not None:
            assert problem.line <= lines, str(problem)


def write(folder: Path, text: str | bytes) -> Path:
    path = folder / "article.md"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- the front matter ----------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**20)
            | st.floats(allow_nan=True, allow_infinity=True) | st.dates()
            | st.text(max_size=30)
            | st.sampled_from(["en", "tr", "TR", "NO", "2022-12-28", "2023-02-30",
                               "ayse@example.org", "0000-0002-1825-0097", "10.1234/x",
                               "ege", "research-article", "references.bib", "../x.bib", ""]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["en", "tr", "id", "email", "x", "given-names", "surname", "holder"])
    | st.text(max_size=8), inner, max_size=3), max_leaves=8)

# Where a random value goes: every field of the minimal manuscript, and a few new ones.
_PATHS = [("article-type",), ("lang",), ("title",), ("title", "en"), ("authors",),
          ("authors", 0), ("authors", 0, "email"), ("authors", 0, "affiliations"),
          ("authors", 0, "corresponding"), ("authors", 0, "orcid"), ("authors", 0, "position"),
          ("affiliations",), ("affiliations", 0, "id"), ("affiliations", 0, "country"),
          ("affiliations", 0, "department"), ("history",), ("history", "received"),
          ("history", "published"), ("keywords",), ("keywords", "tr"), ("abstract",),
          ("abstract", "en"), ("copyright",), ("copyright", "year"), ("bibliography",),
          ("doi",), ("volume",), ("first-page",), ("license",), ("nocite",), ("funding",),
          ("journal",), ("short-title",), ("unknown-field",)]


def _set(data, path, value):
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@CHEAP
@given(changes=st.lists(st.tuples(st.sampled_from(_PATHS), _values), min_size=1, max_size=3))
def test_random_front_matter_values_are_read_or_located(folder, changes):
    data = copy.deepcopy(BASE)
    for path, value in changes:
        # An earlier change may have replaced the parent: this one then has nowhere to go.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(data, path, value)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    text = f"---\n{front}---\n\nBody.\n"
    try:
        metadata, _journal = parse_front_matter(read_manuscript(write(folder, text)),
                                                find_journal)
    except ManuscriptError as error:
        assert_located(error, lines=text.count("\n"))
    else:
        assert metadata.title and metadata.authors and metadata.history


_YAML_PIECES = ["\n", "  ", "- ", ": ", "title", "authors", "en", "tr", "{", "}", "[", "]",
                ", ", "'", '"', "&a ", "*a", "!!str ", "!x ", "#", "|\n", ">-\n", "? ", "\t",
                "---", "...", "%", "@", "`", "\\", "\\x0c", "2022-12-28", "null", "~", "yes",
                "é", "İ", "\u2028", "\ufeff"]


@CHEAP
@given(pieces=st.lists(st.sampled_from(_YAML_PIECES) | st.text(max_size=5), max_size=40))
def test_random_yaml_is_read_or_located(folder, pieces):
    text = "---\n" + "".join(pieces) + "\n---\nBody.\n"
    try:
        parse_front_matter(read_manuscript(write(folder, text.encode("utf-8", "replace"))),
                           find_journal)
    except ManuscriptError as error:
        assert_located(error)


@CHEAP
@given(raw=st.binary(max_size=200))
def test_random_bytes_are_read_or_located(folder, raw):
    try:
        parse_front_matter(read_manuscript(write(folder, raw)), find_journal)
    except ManuscriptError as error:
        assert_located(error)


_BIB_PIECES = ["@", "article", "book", "misc", "string", "comment", "{", "}", "(", ")", ",",
               " = ", '"', "#", "\n", "  ", "doe2020", "Doe2020", "author", "title", "year",
               "journal", "crossref", "doi", "10.1/x", "2020", "Doe, Jane", " and ", "{{", "}}",
               "\\", "%", "é", "jan"]


@CHEAP
@given(pieces=st.lists(st.sampled_from(_BIB_PIECES) | st.text(max_size=4), max_size=60))
def test_random_bibtex_is_read_or_located(folder, pieces):
    path = folder / "random.bib"
    path.write_text("".join(pieces), encoding="utf-8", errors="replace")
    try:
        load_bibliography(path)
    except ManuscriptError as error:
        assert_located(error)


# -- the body, through Pandoc --------------------------------------------------------------

_words = st.text(alphabet=string.ascii_letters + "çğıöşüÇĞİÖŞÜ" + "0123456789", min_size=1,
                 max_size=8)
_marks = st.sampled_from(["<", ">", "&", '"', "'", "*", "_", "`", "[", "]", "(", ")", "#",
                          "@", "$", "\\", "~", "^", "|", ":", "-", "&amp;", "]]>", "--",
                          "<!-- -->", "\u00a0", "\u200b", "…"])
_inline = st.one_of(
    _words, _marks,
    _words.map(lambda w: f"*{w}*"), _words.map(lambda w: f"**{w}**"),
    _words.map(lambda w: f"`{w} <{w}> & {w}`"), _words.map(lambda w: f"${w}^2$"),
    st.sampled_from(["[@doe2020]", "[@doe2020, p. 5]", "@doe2020 [p. 3]", "[-@doe2020]",
                     "@sec:method", "[@missing2021]", "@sec:nowhere", "[^n]", "\\ ",
                     "<https://example.org/a?b=1&c=2>", "[link](https://example.org/x)",
                     "H~2~O", "x^2^", "[span]{.smallcaps}", "<b>raw</b>", "<br/>",
                     "\\emph{raw}", "<span class='a'>raw</span>", "<!-- a note -->"]),
)
_paragraph = st.lists(_inline, min_size=1, max_size=12).map(" ".join)
_block = st.one_of(
    _paragraph,
    _paragraph.map(lambda p: "## " + p.replace("\n", " ")),
    st.lists(_paragraph, min_size=1, max_size=3).map(lambda items: "\n".join(
        "- " + i.replace("\n", " ") for i in items)),
    _paragraph.map(lambda p: "> " + p),
    _paragraph.map(lambda p: "```\n" + p + "\n```"),
    _paragraph.map(lambda p: "| a | b |\n|---|---|\n| " + p.replace("|", "/") + " | x |"),
    _paragraph.map(lambda p: "::: {.keep-together}\n" + p + "\n:::"),
    _paragraph.map(lambda p: "[^n]: " + p),
)


@PANDOC
@given(blocks=st.lists(_block, min_size=1, max_size=6))
def test_random_bodies_build_or_fail_located_and_the_jats_is_well_formed(folder, blocks):
    body = "\n# Method {#sec:method}\n\n" + "\n\n".join(blocks) + "\n"
    path = write(folder, manuscript_text(body=body))
    try:
        article = Builder(validate_jats=False).read(path)
    except ManuscriptError as error:
        assert_located(error)
        return
    etree.fromstring(jats.render_jats(article).encode("utf-8"), XML)
    # The pages render too (WeasyPrint's layout is left to the sample's end-to-end tests).
    assert "</html>" in render_html(article, "article.pdf")
    assert "</html>" in render_print_html(article)


_texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)


@PANDOC
@given(title=_texts, abstract=_texts, keyword=_texts)
def test_random_front_matter_text_reaches_a_well_formed_jats(folder, title, abstract, keyword):
    data = copy.deepcopy(BASE)
    data["title"]["en"] = title
    data["abstract"]["en"] = abstract
    data["keywords"]["en"] = [keyword]
    data["history"]["received"] = dt.date(2022, 12, 28)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = write(folder, f"---\n{front}---\n\nText [@doe2020].\n")
    try:
        article = Builder(validate_jats=False).read(path)
    except ManuscriptError as error:
        assert_located(error)
        return
    root = etree.fromstring(jats.render_jats(article).encode("utf-8"), XML)
    written = " ".join("".join(t.itertext()) for t in root.iter("article-title"))
    assert _squeezed(title) in _squeezed(written)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)
