"""The build, stage by stage: read, check, convert, render, validate, write.

`Builder` is meant to live long: the CLI makes one per process, the preview server and the
batch workers keep theirs, so what is expensive to load (WeasyPrint and its fonts, the
JATS DTD and Schematron) is loaded once and reused.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from typeset.errors import ManuscriptError, Problem, StageTimeout
from typeset.model.article import Article
from typeset.read import yamlsource
from typeset.read.bibliography import Bibliography, citeproc_text, load_bibliography
from typeset.read.confined import outside
from typeset.read.document import build_document, with_pages
from typeset.read.frontmatter import parse_front_matter
from typeset.read.journal import find_journal
from typeset.read.pandoc import CiteprocMemo, parse_body, run_pandoc
from typeset.read.schema import LANG
from typeset.read.source import Source, read_manuscript
from typeset.render import FORMATS, Rendered, RenderJob, select
from typeset.run.cache import BuildCache, pipeline_hash
from typeset.run.faults import fault_point
from typeset.run.memory import check_memory
from typeset.run.timeouts import build_time_limit, time_limit
from typeset.run.write import OutputSet

log = logging.getLogger("typeset")
LONG_ARTICLE_PAGES = 40  # laid-out pages freed at once after the PDF is written (build)

@dataclass
class RenderedOutputs:
    """A build's outputs before they are written: each file's name relative to the output
    folder -> its bytes, or the file to copy there (a figure, the page's stylesheet)."""

    manuscript: Path
    files: dict[str, bytes | Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    # What the build read, for the build cache: the SHA-256 of each of the article's files
    # as read (path -> digest), and its style's folder.
    digests: dict[str, str] = field(default_factory=dict)
    style: Path | None = None


@dataclass(frozen=True)
class BodyOnly:
    """What the body's checks read of the metadata (read/document.py), for a manuscript
    whose front matter is too broken for a `Metadata`."""

    lang: str
    nocite: tuple[str, ...] = ()
    bibliography: str | None = None


@dataclass
class BuildResult:
    manuscript: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # about the manuscript
    notes: list[Problem] = field(default_factory=list)  # about the setting (said once)
    cached: bool = False  # nothing had changed: the outputs in place were kept


class Builder:
    def __init__(self, *, strict: bool = False, validate_jats: bool = True,
                 styles: Path | None = None, use_cache: bool = True,
                 time_budget: float | None = None, memory_limit: float | None = None):
        self.strict = strict
        # Seconds and megabytes allowed for one build (None: their environment variables
        # or defaults, run/timeouts.py and run/memory.py).
        self.time_budget = time_budget
        self.memory_limit = memory_limit
        self.use_cache = use_cache
        self.validate_jats = validate_jats
        self.styles = styles  # where journal profiles live (default: the project's styles/)
        # The last parsed bibliography, kept while its file is unchanged (the preview and
        # batch workers build many times with one Builder).
        self._bibliography_cache: tuple[Path, tuple, Bibliography] | None = None
        self._citeproc_memo = CiteprocMemo()
        self._validator = None
        # During a build given one: WeasyPrint's process (render/pdf/process.py).
        self._pdf_process = None

    # -- stages -------------------------------------------------------------------------

    def read(self, manuscript: Path, supplied: dict | None = None, *,
             paginated: bool | None = None) -> Article:
        """Everything up to the article model: no output is rendered yet. `supplied`:
        front-matter fields given from outside (an issue's, see Issue.supplied_fields).
        `paginated`: whether its pages are numbered in print (by default: when its first
        page is set; an issue build says True, the first page being its to give)."""
        with time_limit("read"):
            return self._read(manuscript, supplied, paginated)

    def _read(self, manuscript: Path, supplied: dict | None = None,
              paginated: bool | None = None) -> Article:
        source = read_manuscript(manuscript)
        check_memory(source, self.memory_limit)  # before anything grows with it
        try:
            metadata, journal = parse_front_matter(
                source, lambda journal_id: find_journal(journal_id, self.styles), supplied)
        except ManuscriptError as front:
            # Every problem at once: the body's too, not only once the front matter is
            # mended (an editor fixes them together).
            raise ManuscriptError([*front.problems, *self._body_problems(
                source, manuscript, front.problems)]) from None
        if self._pdf_process is not None:  # it warms up while Pandoc runs
            self._pdf_process.prepare(journal.folder, (metadata.lang, *metadata.title.langs))
        bibliography = self._bibliography(manuscript, metadata.bibliography, source.name)
        if paginated is None:
            paginated = metadata.first_page is not None
        result = run_pandoc(source, metadata, journal, bibliography, self._citeproc_memo,
                            citeproc_text(bibliography, metadata.lang) if bibliography else None,
                            paginated=paginated,
                            meanwhile=lambda: self._while_pandoc_runs(bibliography))
        warnings = list(result.warnings)
        records = bibliography.records if bibliography else {}
        document = build_document(result.ast, source, metadata, journal, records, warnings)
        fault_point("read")
        path = manuscript.resolve()
        digests = {str(path): source.digest,
                   **({str(bibliography.path): bibliography.digest} if bibliography else {}),
                   **{str(path.parent / name): hashlib.sha256(data).hexdigest()
                      for name, data in document.file_data.items()}}
        return Article(path, metadata, journal, document, bibliography, tuple(warnings),
                       paginated=paginated, digests=digests)

    def _while_pandoc_runs(self, bibliography: Bibliography | None) -> None:
        """What the reading needs next, made while this process waits for Pandoc's: the
        bibliography's records; in a build whose PDF is laid out in WeasyPrint's process,
        what renders the print page, imported, and its template compiled (so that the
        page goes there as soon as the article is read)."""
        if bibliography is not None:
            bibliography.records  # noqa: B018 (made and kept)
        if self._pdf_process is not None:
            from typeset.render.pdf.layout import prepare_print_page

            prepare_print_page()

    def _body_problems(self, source: Source, manuscript: Path,
                       front: list[Problem]) -> list[Problem]:
        """The body's problems, found with what can be read of a broken front matter (its
        language, journal and bibliography when they are usable, else defaults)."""
        try:
            data, _ = yamlsource.load(source.front_matter, source.front_matter_first_line)
        except yamlsource.YamlProblem:
            data = None
        data = data if isinstance(data, dict) else {}
        lang = data.get("lang") if isinstance(data.get("lang"), str) and \
            LANG.match(data["lang"]) else "en"
        journal_id = data.get("journal") if isinstance(data.get("journal"), str) else "pesa"
        try:
            journal = find_journal(journal_id, self.styles) or find_journal("pesa", self.styles)
        except ManuscriptError:
            return []
        if journal is None:
            return []
        problems: list[Problem] = []
        records: dict | None = None  # unknown: the citations are not checked against it
        relative = data.get("bibliography")
        if isinstance(relative, str) and not any(p.field == "bibliography" for p in front):
            try:
                bibliography = self._bibliography(manuscript, relative, source.name)
                records = bibliography.records if bibliography else {}
            except ManuscriptError as exc:
                problems += exc.problems
        try:
            ast = parse_body(source)
            body_only = BodyOnly(lang, tuple(str(k) for k in data.get("nocite") or ()
                                             if isinstance(data.get("nocite"), list)),
                                 relative if isinstance(relative, str) else None)
            build_document(ast, source, body_only, journal, records or {})
        except ManuscriptError as exc:
            problems += [p for p in exc.problems
                         if records is not None or "is not in the bibliography" not in p.message]
        except StageTimeout:
            pass
        return problems

    def _bibliography(self, manuscript: Path, relative: str | None,
                      name: str) -> Bibliography | None:
        if relative is None:
            return None
        folder = manuscript.resolve().parent
        path = (folder / relative).resolve()
        if outside(folder, relative):
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

    def check(self, manuscript: Path) -> BuildResult:
        """Everything a build checks, with nothing laid out or written: the article read,
        its JATS rendered and validated."""
        from typeset.render.jats import article as jats

        with build_time_limit(self.time_budget):
            article = self.read(manuscript)
            job = RenderJob(frozenset(["jats"]), manuscript.stem,
                            jats_validator=self.jats_validator)
            rendered = jats.render_output(article, job)
        result = BuildResult(manuscript, warnings=[*article.warnings, *rendered.warnings],
                             notes=rendered.notes)
        self._apply_strict(result)
        return result

    # -- the whole build ----------------------------------------------------------------

    def build(self, manuscript: Path, out_dir: Path, formats: Iterable[str] = FORMATS, *,
              pdf_process=None) -> BuildResult:
        """`pdf_process`: a render.pdf.process.PdfProcess that lays the PDF out while this
        process reads the article and makes the other outputs (a cold build of one
        article on two cores)."""
        outputs = select(formats)
        names = [output.name for output in outputs]
        cache = BuildCache(out_dir)
        if self.use_cache and cache.is_fresh(manuscript, names, self.strict):
            return BuildResult(manuscript, cached=True)
        self._pdf_process = pdf_process if "pdf" in names else None
        try:
            with build_time_limit(self.time_budget):
                made = self._render(manuscript, outputs, names)
                result = BuildResult(manuscript, warnings=made.warnings, notes=made.notes)
                result.outputs = write_outputs(out_dir, manuscript, made.files,
                                               BuildCache.entry(names, self.strict,
                                                                made.digests, [made.style]))
        finally:
            self._pdf_process = None
        return result

    def render(self, manuscript: Path, formats: Iterable[str] = FORMATS) -> RenderedOutputs:
        """Every output of the build, in memory, with nothing written: what `build` writes,
        and what a cluster worker sends back (run/remote.py)."""
        outputs = select(formats)
        with build_time_limit(self.time_budget):
            return self._render(manuscript, outputs, [output.name for output in outputs])

    def _render(self, manuscript: Path, outputs: list, names: list[str]) -> RenderedOutputs:
        if "pdf" in names and self._pdf_process is None:
            from typeset.render.pdf import layout as pdf

            pdf.warm_up_in_background()  # overlaps Pandoc, which runs in its own process
        article = self.read(manuscript)
        made = RenderedOutputs(manuscript, warnings=list(article.warnings))
        with time_limit("pdf"):
            layout = self._layout(article, names)
        if layout is not None and article.paginated:
            first = article.metadata.first_page
            article = with_pages(article, first, first + layout.page_count - 1)
        job = RenderJob(frozenset(names), manuscript.stem, layout,
                        self.jats_validator if self.validate_jats else None)
        rendered: dict[str, Rendered] = {}
        # A PDF made in its own process is being written there meanwhile: waited for last.
        beside = self._pdf_process is not None
        for output in sorted(outputs, key=lambda o: beside and o.name == "pdf"):
            if beside and output.name == "pdf":
                pipeline_hash()  # the build cache's key, made while the PDF is written
            with time_limit(output.stage):
                rendered[output.name] = output.render(article, job)
            if output.name == "pdf":
                # The laid-out pages are the build's largest object (about 2 MB a page,
                # held in reference cycles): a long article's are freed before its JATS
                # is validated (a collection costs some 50 ms, worth it only then).
                pages, job.layout, layout = job.layout.page_count, None, None
                if pages > LONG_ARTICLE_PAGES:
                    gc.collect()
        copied: dict[str, bytes | Path] = {}
        for output in outputs:  # in their order, however they were made
            made.files[job.file_name(output.name)] = rendered[output.name].data
            copied.update(rendered[output.name].files)
            made.warnings += rendered[output.name].warnings
            made.notes += rendered[output.name].notes
        made.files.update(sorted(copied.items()))
        self._apply_strict(made)
        made.digests = dict(article.digests)
        made.style = article.journal.folder
        return made

    def _apply_strict(self, result: BuildResult | RenderedOutputs) -> None:
        if self.strict and result.warnings:
            raise ManuscriptError([w.as_error("--strict makes warnings errors")
                                   for w in result.warnings])

    def _layout(self, article: Article, formats: list[str]):
        """The PDF laid out (a pdf.PdfLayout, or its process's RemoteLayout), when it is
        wanted or when the last page must be known (for a paginated article, JATS lpage,
        "Cite as" and citation_lastpage need it)."""
        if "pdf" not in formats and not article.paginated:
            return None
        from typeset.render.pdf import layout as pdf

        if self._pdf_process is not None:
            return self._pdf_process.lay_out(pdf.PrintSource.of(article))
        return pdf.lay_out(article)


def write_outputs(out_dir: Path, manuscript: Path, files: dict[str, bytes | Path],
                  record: dict) -> list[Path]:
    """A build's outputs (name relative to `out_dir` -> bytes, or the file to copy) in
    place of the previous ones, all at once, with the build cache's `record` of them
    (run/write.py). Returns the paths written."""
    outputs = OutputSet(out_dir, owner=str(manuscript.resolve()))
    for name, content in files.items():
        outputs.add(name, content)
    return outputs.commit(record)
