"""The build, stage by stage: read, check, convert, render, validate, write.

`Builder` is meant to live long: the CLI makes one per process, the preview server and the
batch workers keep theirs, so what is expensive to load (WeasyPrint and its fonts, the
JATS DTD and Schematron) is loaded once and reused.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from typeset.errors import ManuscriptError, Problem, UsageError
from typeset.model.article import Article
from typeset.model.ast import walk
from typeset.read.bibliography import Bibliography, load_bibliography
from typeset.read.document import build_document, with_pages
from typeset.read.frontmatter import parse_front_matter
from typeset.read.journal import find_journal
from typeset.read.pandoc import CiteprocMemo, run_pandoc
from typeset.read.source import display_path, read_manuscript
from typeset.run.cache import BuildCache
from typeset.run.timeouts import time_limit

log = logging.getLogger("typeset")

FORMATS = ("pdf", "jats", "html")
SUFFIX = {"pdf": ".pdf", "jats": ".xml", "html": ".html"}


@dataclass
class BuildResult:
    manuscript: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False  # nothing had changed: the outputs in place were kept


class Builder:
    def __init__(self, *, strict: bool = False, validate_jats: bool = True,
                 styles: Path | None = None, use_cache: bool = True):
        self.strict = strict
        self.use_cache = use_cache
        self.validate_jats = validate_jats
        self.styles = styles  # where journal profiles live (default: the project's styles/)
        # The last parsed bibliography, kept while its file is unchanged (the preview and
        # batch workers build many times with one Builder).
        self._bibliography_cache: tuple[Path, tuple, Bibliography] | None = None
        self._citeproc_memo = CiteprocMemo()
        self._validator = None

    # -- stages -------------------------------------------------------------------------

    def read(self, manuscript: Path, *, paginated: bool | None = None) -> Article:
        """Everything up to the article model: no output is rendered yet. `paginated`:
        whether its pages are numbered in print (by default: when the front matter sets
        its first page; an issue build says True, the first page being its to give)."""
        with time_limit("read", display_path(manuscript)):
            return self._read(manuscript, paginated)

    def _read(self, manuscript: Path, paginated: bool | None = None) -> Article:
        source = read_manuscript(manuscript)
        metadata, journal = parse_front_matter(
            source, lambda journal_id: find_journal(journal_id, self.styles))
        bibliography = self._bibliography(manuscript, metadata.bibliography, source.name)
        records = bibliography.records if bibliography else {}
        if paginated is None:
            paginated = metadata.first_page is not None
        result = run_pandoc(source, metadata, journal,
                            bibliography.path if bibliography else None, self._citeproc_memo,
                            paginated=paginated)
        document = build_document(result.ast, source, metadata, journal, records)
        warnings = tuple(w for w in result.warnings if "Citeproc" not in w)
        return Article(manuscript.resolve(), metadata, journal, document, bibliography,
                       warnings, paginated=paginated)

    def _bibliography(self, manuscript: Path, relative: str | None,
                      name: str) -> Bibliography | None:
        if relative is None:
            return None
        folder = manuscript.resolve().parent
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder):
            raise ManuscriptError([Problem(name, None, None,
                                           f"the bibliography '{relative}' lies outside the "
                                           "manuscript's folder", "bibliography")])
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        cached = self._bibliography_cache
        if stamp is not None and cached and cached[0] == path and cached[1] == stamp:
            return cached[2]
        bibliography = load_bibliography(path)
        self._bibliography_cache = (path, stamp, bibliography) if stamp else None
        return bibliography

    def jats_validator(self):
        if self._validator is None:
            from typeset.render.jats.validation import JatsValidator

            self._validator = JatsValidator()
        return self._validator

    def check_jats(self, article: Article, xml: str) -> list[str]:
        """Validate our JATS; DTD or JATS4R errors are bugs of ours and stop the build."""
        warnings = []
        from typeset.render.jats import article as jats

        if jats.tag_set(article) == "archiving":
            warnings.append("the journal profile has no ISSN: writing JATS Archiving and "
                            "Interchange instead of Journal Publishing")
        if not self.validate_jats:
            return warnings
        with time_limit("jats", display_path(article.source_path)):
            issues = self.jats_validator().validate(xml.encode("utf-8"))
        errors = [i for i in issues if i.severity == "error"]
        warnings += [f"{'JATS4R' if i.source == 'jats4r' else 'JATS ' + i.source.upper()}: "
                     f"{i.message}" + (f" (line {i.line})" if i.line else "")
                     for i in issues if i.severity != "error"]
        if errors:
            raise ManuscriptError([Problem(
                f"{display_path(article.source_path)} (JATS output)", i.line, None,
                f"{i.source} error in the generated JATS: {i.message}",
                hint="this is a bug in the pipeline; please report it") for i in errors])
        return warnings

    # -- the whole build ----------------------------------------------------------------

    def build(self, manuscript: Path, out_dir: Path,
              formats: Iterable[str] = FORMATS) -> BuildResult:
        formats = [f for f in FORMATS if f in set(formats)]
        name = display_path(manuscript)
        cache = BuildCache(out_dir)
        if self.use_cache and cache.is_fresh(manuscript, formats, self.strict):
            return BuildResult(manuscript, cached=True)
        if "pdf" in formats:
            from typeset.render.pdf import layout as pdf

            pdf.warm_up_in_background()  # overlaps Pandoc, which runs in its own process
        article = self.read(manuscript)
        result = BuildResult(manuscript)
        result.warnings += article.warnings
        # The output modules are imported here, not at the top: `check` and a build that
        # fails on its input never pay for them (WeasyPrint alone takes a second).
        from typeset.render.html.page import render_html
        from typeset.render.jats import article as jats

        rendered: dict[str, bytes] = {}
        with time_limit("pdf", name):
            layout = self._layout(article, formats)
        if layout is not None and article.paginated:
            first = article.metadata.first_page
            article = with_pages(article, first, first + layout.page_count - 1)
        if "jats" in formats:
            xml = jats.render_jats(article)
            result.warnings += self.check_jats(article, xml)
            rendered["jats"] = xml.encode("utf-8")
        if "html" in formats:
            rendered["html"] = render_html(article, manuscript.stem + ".pdf").encode("utf-8")
        if layout is not None and "pdf" in formats:
            with time_limit("pdf", name):
                rendered["pdf"], pdf_warnings = layout.write()
            result.warnings += [f"WeasyPrint: {w}" for w in pdf_warnings]
        if self.strict and result.warnings:
            raise ManuscriptError([Problem(name, None, None, w,
                                           hint="--strict makes warnings errors")
                                   for w in result.warnings])
        result.outputs = self._write(article, out_dir, manuscript.stem, rendered)
        if self.use_cache:
            inputs = [manuscript, *([article.bibliography.path] if article.bibliography
                                    else []),
                      *(article.folder / image for image in image_paths(article))]
            cache.record(manuscript, formats, self.strict, inputs, [article.journal.folder],
                         result.outputs)
        return result

    @staticmethod
    def _layout(article: Article, formats: list[str]):
        """The PDF laid out (a pdf.PdfLayout), when it is wanted or when the last page must
        be known (for a paginated article, JATS lpage, "Cite as" and citation_lastpage
        need it)."""
        if "pdf" not in formats and not article.paginated:
            return None
        from typeset.render.pdf import layout as pdf

        return pdf.lay_out(article)

    def _write(self, article: Article, out_dir: Path, stem: str,
               rendered: dict[str, bytes]) -> list[Path]:
        """Write all outputs at once: into a scratch folder, then moved into place."""
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{display_path(out_dir)}: cannot make the output folder "
                             f"there ({exc.strerror or exc})") from None
        with tempfile.TemporaryDirectory(prefix=".typeset-", dir=out_dir) as scratch:
            scratch_dir = Path(scratch)
            names = []
            for fmt, data in rendered.items():
                name = stem + SUFFIX[fmt]
                (scratch_dir / name).write_bytes(data)
                names.append(name)
            if "html" in rendered:
                from typeset.render.html.page import ASSETS, copy_assets

                copy_assets(article, scratch_dir)
                names.append(ASSETS)
            if "html" in rendered or "jats" in rendered:
                names += copy_images(article, scratch_dir)
            written = []
            for name in names:
                target = out_dir / name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(scratch_dir / name, target)
                written.append(target)
        return written


def image_paths(article: Article) -> list[str]:
    """The manuscript's images, as the Markdown names them (relative to its folder)."""
    document = article.document
    blocks = [*document.blocks, *document.appendices]
    for _kind, texts in document.statements:
        for _lang, statement in texts.items():
            blocks += statement
    return sorted({node["c"][2][0] for node in walk(blocks) if node["t"] == "Image"})


def copy_images(article: Article, target: Path) -> list[str]:
    """Copy the images beside the HTML and the XML, under the same relative paths; return
    the top-level names written. (Their paths were checked when the article was read.)"""
    folder = article.folder
    tops = []
    for relative in map(unquote, image_paths(article)):
        source = (folder / relative).resolve()
        if not source.is_relative_to(folder) or not source.is_file():
            continue
        destination = target / Path(relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        tops.append(Path(relative).parts[0])
    return sorted(set(tops))
