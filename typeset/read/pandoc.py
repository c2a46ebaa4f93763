"""The one Pandoc run: Markdown body + abstracts + statements -> Pandoc AST, with citeproc.

The front matter was read by us, so Pandoc gets the body with the front matter blanked out
(line numbers stay those of the file). Abstracts and statements, which are Markdown too, are
appended as fenced divs with ids of our own, so that one run parses everything and citeproc
sees every citation; they are taken out of the AST again afterwards.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc
import yaml

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem, StageTimeout, warning
from typeset.model.article import (
    FIRST_PAGE_PLACEHOLDER,
    LAST_PAGE_PLACEHOLDER,
    Journal,
    Metadata,
)
from typeset.model.ast import walk
from typeset.read.source import Source

SELF_KEY = "typeset-self"
DIV_PREFIX = "typeset-meta-"
FENCE = ":" * 12
# No YAML blocks in the body: we read the front matter ourselves, and a `---` block further
# down would let a manuscript set Pandoc options (a bibliography on the network or anywhere
# on the machine) behind our back.
READER = "markdown-native_divs-native_spans-yaml_metadata_block"
PANDOC_TIMEOUT = 120  # seconds; a pathological input must not hang the build


@dataclass(frozen=True)
class PandocResult:
    ast: dict
    warnings: tuple[Problem, ...]


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def csl_style(journal: Journal, lang: str) -> Path:
    name = journal.citation_styles.get(lang) or journal.citation_styles.get("en")
    return resources.CSL_STYLES / name


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


def run_pandoc(source: Source, metadata: Metadata, journal: Journal,
               bibliography: Path | None, memo: CiteprocMemo | None = None,
               bibliography_text: str | None = None,
               paginated: bool = False) -> PandocResult:
    """`bibliography_text`: what citeproc reads instead of the file's own text, when the
    pipeline amends it (read/bibliography.py: citeproc_text). `paginated`: see
    self_reference."""
    lang = metadata.lang
    meta = {
        "lang": {"en": "en-US", "tr": "tr-TR"}.get(lang, lang),
        "link-citations": True,
        "link-bibliography": True,
        "nocite": [f"@{key}" for key in (*metadata.nocite, SELF_KEY)],
        "references": [self_reference(metadata, journal, paginated)],
    }
    csl = csl_style(journal, lang)
    key = json.dumps([meta, str(csl), _stamp(bibliography), bibliography_text],
                     sort_keys=True)
    if memo is not None and memo.key == key:
        result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=False,
                         bibliography_text=bibliography_text)
        cites = [node for node in walk(result.ast["blocks"]) if node["t"] == "Cite"]
        if json.dumps([cite["c"][0] for cite in cites]) == memo.citations:
            for cite, content in zip(cites, memo.contents, strict=True):
                cite["c"][1] = copy.deepcopy(content)
            result.ast["blocks"] += copy.deepcopy(memo.references)
            return result
    result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=True,
                     bibliography_text=bibliography_text)
    if memo is not None:
        cites = [node for node in walk(result.ast["blocks"]) if node["t"] == "Cite"]
        memo.key = key
        memo.citations = json.dumps([cite["c"][0] for cite in cites])
        memo.contents = copy.deepcopy([cite["c"][1] for cite in cites])
        # Citeproc adds one block: the reference list, at the end.
        memo.references = copy.deepcopy([block for block in result.ast["blocks"]
                                         if block["t"] == "Div" and block["c"][0][0] == "refs"])
    return result


def _stamp(path: Path | None) -> list | None:
    try:
        stat = path.stat() if path else None
    except OSError:
        return None
    return [str(path), stat.st_mtime_ns, stat.st_size] if stat else None


def _pandoc(source: Source, metadata: Metadata, meta: dict, csl: Path,
            bibliography: Path | None, citeproc: bool,
            bibliography_text: str | None = None) -> PandocResult:
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
            if bibliography is not None and bibliography_text is not None:
                amended = Path(scratch) / "references.bib"
                amended.write_text(bibliography_text, encoding="utf-8")
                args += ["--bibliography", str(amended)]
            elif bibliography is not None:
                args += ["--bibliography", str(bibliography)]
        try:
            completed = subprocess.run(
                args, input=build_input(source, metadata).encode("utf-8"),
                capture_output=True, timeout=PANDOC_TIMEOUT, cwd=scratch, check=False)
        except subprocess.TimeoutExpired:
            raise StageTimeout(f"{source.name}: Pandoc took more than {PANDOC_TIMEOUT} s "
                               "and was stopped") from None
        log = _read_log(log_file)
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0:
        raise ManuscriptError([Problem(source.name, None, None,
                                       "Pandoc could not convert the manuscript: "
                                       + stderr.strip())])
    return PandocResult(json.loads(completed.stdout), pandoc_warnings(log, source))


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
