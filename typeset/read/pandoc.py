"""The one Pandoc run: Markdown body + abstracts + statements -> Pandoc AST, with citeproc.

The front matter was read by us, so Pandoc gets the body with the front matter blanked out
(line numbers stay those of the file). Abstracts and statements, which are Markdown too, are
appended as fenced divs with ids of our own, so that one run parses everything and citeproc
sees every citation; they are taken out of the AST again afterwards.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib.util
import json
import os
import re
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem, StageTimeout, warning
from typeset.model.article import (
    FIRST_PAGE_PLACEHOLDER,
    LAST_PAGE_PLACEHOLDER,
    Journal,
    Metadata,
)
from typeset.model.ast import stringify, walk
from typeset.read.source import Source, display_path
from typeset.run.timeouts import limits_deferred

if TYPE_CHECKING:
    from typeset.read.bibliography import Bibliography

SELF_KEY = "typeset-self"
DIV_PREFIX = "typeset-meta-"
FENCE = ":" * 12
# No YAML blocks in the body: we read the front matter ourselves, and a `---` block further
# down would let a manuscript set Pandoc options (a bibliography on the network or anywhere
# on the machine) behind our back.
READER = "markdown-native_divs-native_spans-yaml_metadata_block"
PANDOC_TIMEOUT = 120  # seconds; a pathological input must not hang the build
BIBLIOGRAPHY_COPY = "bibliography.bib"  # the name of Pandoc's copy of the .bib we read


@dataclass(frozen=True)
class PandocResult:
    ast: dict
    warnings: tuple[Problem, ...]


@functools.cache
def pandoc_path() -> str:
    """The Pandoc binary pypandoc-binary installs, found without importing pypandoc (it
    loads urllib, http and email: a twentieth of a cold start); else, or when
    PYPANDOC_PANDOC names another, pypandoc's search."""
    spec = None if os.environ.get("PYPANDOC_PANDOC") else importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "files" / "pandoc"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    import pypandoc

    # pypandoc runs `pandoc --version` and turns any exception into "no pandoc found":
    # a time limit running out in there must wait until it returns.
    with limits_deferred():
        return pypandoc.get_pandoc_path()


def csl_style(journal: Journal, lang: str) -> Path:
    name = journal.citation_styles.get(lang) or journal.citation_styles.get("en")
    return resources.csl_file(journal.folder, name)


def meta_div_id(kind: str, lang: str) -> str:
    return f"{DIV_PREFIX}{kind}-{lang}"


def build_input(source: Source, metadata: Metadata) -> str:
    parts = [source.body.rstrip("\n"), ""]
    pieces = [("abstract", metadata.abstract), *metadata.statements]
    for kind, texts in pieces:
        for lang, text in texts.items():
            parts += [f"{FENCE} {{#{meta_div_id(kind, lang)} lang={lang}}}", text.strip(),
                      FENCE, ""]
    return "\n\n".join(parts)


def literal(text: str) -> str:
    """`text` as Markdown that reads back as itself (metadata values are Markdown)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def self_reference(metadata: Metadata, journal: Journal, paginated: bool = False) -> dict:
    """The article's own entry in CSL JSON, for the "Cite as" line. A paginated article's
    pages are known only after layout: the entry carries placeholders until then (filled
    by read.document.with_pages)."""
    lang = metadata.lang
    entry: dict = {
        "id": SELF_KEY,
        "type": "article-journal",
        "author": [{"family": literal(a.surname), "given": literal(a.given_names)}
                   for a in metadata.authors],
        "issued": {"date-parts": [[metadata.year]]},
        "title": literal(metadata.title[lang]),
        "container-title": literal(journal.title.get(lang) or journal.title.get("en")),
    }
    if metadata.volume:
        entry["volume"] = literal(metadata.volume)
    if metadata.issue:
        entry["issue"] = literal(metadata.issue)
    if paginated:
        entry["page"] = f"{FIRST_PAGE_PLACEHOLDER}-{LAST_PAGE_PLACEHOLDER}"
    if metadata.doi:
        entry["DOI"] = metadata.doi
    return entry


@dataclass
class CiteprocMemo:
    """What citeproc made of an article's citations last time, for a long-lived Builder.

    Between two saves in the preview the citations rarely change; citeproc is then skipped
    (it is half of Pandoc's time) and its earlier output reused. Its output depends only on
    the sequence of citations and on the key below, so reusing it is exact.
    """

    key: str = ""
    citations: str = ""  # the sequence of citations, as JSON
    contents: list = field(default_factory=list)  # each Cite's rendered inlines
    references: list = field(default_factory=list)  # the blocks citeproc added
    cite_as_key: str = ""
    cite_as: list = field(default_factory=list)  # the "Cite as" entry's block


def run_pandoc(source: Source, metadata: Metadata, journal: Journal,
               bibliography: Bibliography | None, memo: CiteprocMemo | None = None,
               bibliography_text: str | None = None,
               paginated: bool = False,
               meanwhile: Callable[[], None] | None = None) -> PandocResult:
    """Pandoc's AST of the body. Citeproc reads the bibliography as we read and checked
    it (a copy, never the file, which may have changed since), or `bibliography_text`
    when the pipeline amends it (read/bibliography.py: citeproc_text). `paginated`: see
    self_reference. `meanwhile`: work for this process while it waits for Pandoc's, run
    in a thread (what it raises is dropped: it may only prepare what comes after)."""
    lang = metadata.lang
    meta = {
        "lang": {"en": "en-US", "tr": "tr-TR"}.get(lang, lang),
        "link-citations": True,
        "link-bibliography": True,
        "nocite": [f"@{key}" for key in metadata.nocite],
    }
    csl = csl_style(journal, lang)
    # The article's own entry ("Cite as") is rendered by citeproc apart from the others:
    # beside the works it cites, the article's author would be "disambiguated" from the
    # same person cited with initials ("Kaya, Zeynep" on page 1, "Z. Kaya" in the text).
    # The two runs go on at once.
    with CiteAs(meta, csl, self_reference(metadata, journal, paginated), memo) as cite_as:
        result = _body_run(source, metadata, meta, csl, bibliography, memo,
                           bibliography_text, meanwhile)
        result.ast["blocks"].append(cite_as.block())
    return result


@contextlib.contextmanager
def _alongside(work: Callable[[], None] | None) -> Iterator[None]:
    """`work` run in a thread while the block runs (which waits on Pandoc's process and
    leaves the interpreter free), and waited for at its end. Entered once Pandoc's
    process is started: a thread started before would hold the interpreter while the
    process is being made."""
    if work is None:
        yield
        return

    def run() -> None:
        with contextlib.suppress(Exception):
            work()

    thread = threading.Thread(target=run, name="typeset-meanwhile", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _body_run(source: Source, metadata: Metadata, meta: dict, csl: Path,
              bibliography: Bibliography | None, memo: CiteprocMemo | None,
              bibliography_text: str | None,
              meanwhile: Callable[[], None] | None) -> PandocResult:
    key = json.dumps([meta, str(csl), bibliography.digest if bibliography else None,
                      bibliography_text],
                     sort_keys=True)
    if memo is not None and memo.key == key:
        result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=False,
                         bibliography_text=bibliography_text, meanwhile=meanwhile)
        meanwhile = None  # done
        cites = [node for node in walk(result.ast["blocks"]) if node["t"] == "Cite"]
        if json.dumps([cite["c"][0] for cite in cites]) == memo.citations:
            for cite, content in zip(cites, memo.contents, strict=True):
                cite["c"][1] = copy.deepcopy(content)
            result.ast["blocks"] += copy.deepcopy(memo.references)
            return result
    result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=True,
                     bibliography_text=bibliography_text, meanwhile=meanwhile)
    if memo is not None:
        cites = [node for node in walk(result.ast["blocks"]) if node["t"] == "Cite"]
        memo.key = key
        memo.citations = json.dumps([cite["c"][0] for cite in cites])
        memo.contents = copy.deepcopy([cite["c"][1] for cite in cites])
        # Citeproc adds one block: the reference list, at the end.
        memo.references = copy.deepcopy([block for block in result.ast["blocks"]
                                         if block["t"] == "Div" and block["c"][0][0] == "refs"])
    return result


def parse_body(source: Source) -> dict:
    """Pandoc's AST of the body alone, without citeproc: for checking the body when the
    front matter is too broken to build with (read/document.py's checks need no more)."""
    with tempfile.TemporaryDirectory(prefix="typeset-") as scratch, subprocess.Popen(
            [pandoc_path(), "--from", READER, "--to", "json", "--quiet",
             "--lua-filter", str(resources.FILTERS / "crossref.lua")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=scratch) as process:
        stdout, stderr = _finished(process, source.body.encode("utf-8"))
    if process.returncode != 0:
        raise ManuscriptError([pandoc_failure(stderr.decode("utf-8", "replace"),
                                              source, None)])
    return _checked_ast(stdout, source)


def _finished(process: subprocess.Popen, markdown: bytes | None = None
              ) -> tuple[bytes, bytes]:
    """Pandoc's output and messages once it ends. Stopped past PANDOC_TIMEOUT, and when
    the stage is interrupted meanwhile (its own time limit): never left running."""
    try:
        return process.communicate(markdown, timeout=PANDOC_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise StageTimeout(f"Pandoc took more than {PANDOC_TIMEOUT} s "
                           "and was stopped") from None
    except BaseException:
        process.kill()
        raise


def _checked_ast(output: bytes, source: Source) -> dict:
    """Pandoc's JSON output read, and refused when nested beyond MAX_NESTING."""
    try:
        ast = json.loads(output)
    except RecursionError:  # nested beyond what Python's JSON reader takes
        raise ManuscriptError([nesting_problem(source, None)]) from None
    deep = too_deep(ast["blocks"])
    if deep is not None:
        raise ManuscriptError([nesting_problem(source, deep)])
    return ast


class CiteAs:
    """Citeproc on the article's own entry alone, in a Pandoc process of its own that runs
    while the body's does; `block()` is the reference list it made (one entry)."""

    def __init__(self, meta: dict, csl: Path, entry: dict, memo: CiteprocMemo | None):
        self.meta = {**meta, "nocite": [f"@{SELF_KEY}"], "references": [entry]}
        self.key = json.dumps([self.meta, str(csl)], sort_keys=True)
        self.memo = memo
        self.csl = csl
        self.process: subprocess.Popen | None = None
        self.scratch: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> CiteAs:
        if self.memo is not None and self.memo.cite_as_key == self.key:
            return self
        self.scratch = tempfile.TemporaryDirectory(prefix="typeset-")
        meta_file = Path(self.scratch.name) / "meta.yaml"
        meta_file.write_text(yaml.safe_dump(self.meta, allow_unicode=True), encoding="utf-8")
        self.process = subprocess.Popen(
            [pandoc_path(), "--from", READER, "--to", "json", "--quiet", "--citeproc",
             "--csl", str(self.csl), "--metadata-file", str(meta_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=self.scratch.name)
        return self

    def block(self) -> dict:
        if self.process is None:
            return copy.deepcopy(self.memo.cite_as)
        stdout, stderr = _finished(self.process)
        if self.process.returncode != 0:  # our own entry: a bug of ours if it fails
            raise ManuscriptError([Problem(
                "(the Cite as line)", None, None,
                "Pandoc could not render the article's own reference: "
                + " ".join(stderr.decode("utf-8", "replace").split()),
                hint="this is a bug in the pipeline; please report it")])
        blocks = json.loads(stdout)["blocks"]
        block = next(b for b in blocks if b["t"] == "Div" and b["c"][0][0] == "refs")
        if self.memo is not None:
            self.memo.cite_as_key, self.memo.cite_as = self.key, copy.deepcopy(block)
        return block

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.scratch is not None:
            self.scratch.cleanup()


def _pandoc(source: Source, metadata: Metadata, meta: dict, csl: Path,
            bibliography: Bibliography | None, citeproc: bool,
            bibliography_text: str | None = None,
            meanwhile: Callable[[], None] | None = None) -> PandocResult:
    with tempfile.TemporaryDirectory(prefix="typeset-") as scratch:
        meta_file = Path(scratch) / "meta.yaml"
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        log_file = Path(scratch) / "log.json"
        args = [pandoc_path(), "--from", READER, "--to", "json", "--quiet",
                "--log", str(log_file),
                "--lua-filter", str(resources.FILTERS / "crossref.lua"),
                "--metadata-file", str(meta_file)]
        if citeproc:
            args += ["--citeproc", "--csl", str(csl)]
            if bibliography is not None:
                copy = Path(scratch) / BIBLIOGRAPHY_COPY
                copy.write_text(bibliography_text if bibliography_text is not None
                                else bibliography.text, encoding="utf-8")
                args += ["--bibliography", str(copy)]
        markdown = build_input(source, metadata).encode("utf-8")
        with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=scratch) as process, \
                _alongside(meanwhile):
            stdout, stderr = _finished(process, markdown)
        log = _read_log(log_file)
    if process.returncode != 0:
        raise ManuscriptError([pandoc_failure(stderr.decode("utf-8", "replace"), source,
                                              bibliography)])
    return PandocResult(_checked_ast(stdout, source), pandoc_warnings(log, source))


# Quotes in lists in quotes...: no article nests more than a handful of levels, and every
# output walks the tree recursively (our writers, WeasyPrint's layout, the JATS4R check,
# which stops at 100 XML elements deep: 32 nested lists are 64 of them).
MAX_NESTING = 32
# The elements that hold others and count as a level (a paragraph, a word do not).
_NESTING = {"BlockQuote", "BulletList", "OrderedList", "DefinitionList", "Div", "Figure",
            "Table", "Note", "Emph", "Underline", "Strong", "Strikeout", "Superscript",
            "Subscript", "SmallCaps", "Quoted", "Cite", "Link", "Span", "Image"}


def too_deep(blocks: list) -> dict | None:
    """The first element nested more than MAX_NESTING levels deep, or None. Iterative:
    the check itself must not run out of stack. A node of Pandoc's AST is {"t": type,
    "c": content}: only lists and nodes are walked, never the words."""
    stack: list[tuple[dict | list, int]] = [(blocks, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if type(node) is dict:
            if node.get("t") in _NESTING:
                depth += 1
                if depth > MAX_NESTING:
                    return node
            content = node.get("c")
            if type(content) is list or type(content) is dict:
                push((content, depth))
        else:
            for item in reversed(node):
                if type(item) is list or type(item) is dict:
                    push((item, depth))
    return None


def nesting_problem(source: Source, element: dict | None) -> Problem:
    """Located at the text of the element too deep when it can be found, else at the line
    of the source that opens the most levels."""
    line = column = None
    text = " ".join(stringify(element).split())[:40] if element is not None else ""
    if len(text) >= 8:  # long enough to be found where it is, not elsewhere
        line, column = source.locate(text, source.body_first_line)
    if line is None:
        line = _deepest_line(source)
        column = 1 if line else None
    return Problem(source.name, line, column,
                   f"more than {MAX_NESTING} levels of quotes, lists, divs or emphasis "
                   "inside one another", hint="flatten the structure: no printed article "
                   "nests this deep")


def _deepest_line(source: Source) -> int | None:
    """The line that opens the most levels: quote markers, indentation, emphasis and
    bracket marks."""
    best, best_line = 0, None
    for number, text in enumerate(source.body.split("\n"), 1):
        quotes = re.match(r"[ \t>]*", text).group().count(">")
        indent = (len(text) - len(text.lstrip(" \t"))) // 2
        marks = sum(text.count(mark) for mark in "*_[")
        if max(quotes, indent, marks) > best:
            best, best_line = max(quotes, indent, marks), number
    return best_line


_BIBLIOGRAPHY_ERROR = re.compile(
    r"Error reading bibliography file (?P<file>.*?):\s*\(line (?P<line>\d+), column "
    r"(?P<column>\d+)\):\s*(?P<what>.*)", re.S)
_CHARACTER_CODE = re.compile(r"'\\(\d+)'")


def pandoc_failure(stderr: str, source: Source, bibliography: Bibliography | None
                   ) -> Problem:
    """Pandoc's failure as one located problem: a bibliography it cannot read (one that
    pybtex accepted) at the .bib's line and column, anything else on the manuscript."""
    found = _BIBLIOGRAPHY_ERROR.search(stderr)
    if found and bibliography is not None:
        what = " ".join(found["what"].split())
        hint = "check the entry's syntax: field names take letters, digits, - and _"
        if "\\65533" in what:
            hint = "a character lost when the file was converted from another encoding: " \
                   "type it again"
        what = _CHARACTER_CODE.sub(lambda m: f"U+{int(m[1]):04X} "
                                   f"({unicodedata.name(chr(int(m[1])), 'a character')})",
                                   what)
        return Problem(display_path(bibliography.path), int(found["line"]),
                       int(found["column"]), f"BibTeX: Pandoc cannot read this entry: {what}",
                       hint=hint)
    text = " ".join(stderr.split())
    return Problem(source.name, None, None, f"Pandoc could not convert the manuscript: {text}")


def _read_log(path: Path) -> list[dict]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


# Pandoc's messages that say nothing an editor must act on here: citeproc's are reported
# by our own checks, with the citation's line and a suggestion (read/document.py).
_IGNORED_MESSAGES = ("CiteprocWarning",)


def pandoc_warnings(log: list[dict], source: Source) -> tuple[Problem, ...]:
    """Pandoc's log (`--log`, JSON) as warning records, at the manuscript's line where
    Pandoc gives one inside the file (the fields appended after the body have none)."""
    last_line = source.text.count("\n") + 1
    found = []
    for entry in log:
        if not isinstance(entry, dict) or entry.get("verbosity") not in ("WARNING", "ERROR"):
            continue
        if entry.get("type") in _IGNORED_MESSAGES:
            continue
        line = entry.get("line") if isinstance(entry.get("line"), int) else None
        column = entry.get("column") if isinstance(entry.get("column"), int) else None
        if line is not None and line > last_line:
            line = column = None
        message = str(entry.get("pretty") or entry.get("type") or "a message")
        message = re.sub(r" at (stdin )?line \d+ column \d+", "", message)
        found.append(warning("pandoc", source.name, line, column, f"Pandoc: {message}"))
    return tuple(found)
