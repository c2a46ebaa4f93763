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
from typeset.errors import ManuscriptError, Problem, StageTimeout
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
    warnings: tuple[str, ...]


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
               paginated: bool = False) -> PandocResult:
    lang = metadata.lang
    meta = {
        "lang": {"en": "en-US", "tr": "tr-TR"}.get(lang, lang),
        "link-citations": True,
        "link-bibliography": True,
        "nocite": [f"@{key}" for key in (*metadata.nocite, SELF_KEY)],
        "references": [self_reference(metadata, journal, paginated)],
    }
    csl = csl_style(journal, lang)
    key = json.dumps([meta, str(csl), _stamp(bibliography)], sort_keys=True)
    if memo is not None and memo.key == key:
        result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=False)
        cites = [node for node in walk(result.ast["blocks"]) if node["t"] == "Cite"]
        if json.dumps([cite["c"][0] for cite in cites]) == memo.citations:
            for cite, content in zip(cites, memo.contents, strict=True):
                cite["c"][1] = copy.deepcopy(content)
            result.ast["blocks"] += copy.deepcopy(memo.references)
            return result
    result = _pandoc(source, metadata, meta, csl, bibliography, citeproc=True)
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
            bibliography: Path | None, citeproc: bool) -> PandocResult:
    with tempfile.TemporaryDirectory(prefix="typeset-") as scratch:
        meta_file = Path(scratch) / "meta.yaml"
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        args = [pandoc_path(), "--from", READER, "--to", "json",
                "--lua-filter", str(resources.FILTERS / "crossref.lua"),
                "--metadata-file", str(meta_file)]
        if citeproc:
            args += ["--citeproc", "--csl", str(csl)]
            if bibliography is not None:
                args += ["--bibliography", str(bibliography)]
        try:
            completed = subprocess.run(
                args, input=build_input(source, metadata).encode("utf-8"),
                capture_output=True, timeout=PANDOC_TIMEOUT, cwd=scratch, check=False)
        except subprocess.TimeoutExpired:
            raise StageTimeout(f"{source.name}: Pandoc took more than {PANDOC_TIMEOUT} s "
                               "and was stopped") from None
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0:
        raise ManuscriptError([Problem(source.name, None, None,
                                       "Pandoc could not convert the manuscript: "
                                       + stderr.strip())])
    warnings = tuple(line.strip() for line in stderr.splitlines() if line.strip())
    return PandocResult(json.loads(completed.stdout), warnings)
