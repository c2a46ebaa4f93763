"""Pagination: each article of the issue read, laid out and numbered from the page after
the last page of the article before it.

The articles are laid out in worker processes (`--jobs`). An article's page count does not
depend on its page numbers (a number's width changes no line of the body), so every
article is laid out as soon as a worker is free, with its numbers unknown; its page count
then goes into a `PageLedger` shared by the workers, and an article is numbered as soon as
every article before it has its count. An article waits only for articles placed before
it, which were handed out before it, so the lowest-placed unfinished article never waits:
the workers cannot deadlock.

An article whose inputs have not changed since the last build keeps its outputs: it is
read (the issue's cover, contents and deposits need its metadata) but laid out again only
when its first page moved.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from typeset.errors import ManuscriptError, Problem, warning
from typeset.model.article import Article
from typeset.model.issue import Issue
from typeset.read.source import display_path
from typeset.run.timeouts import time_limit

# An article's PDF, XML and HTML in its folder of the output.
ARTICLE_OUTPUTS = {"pdf": "article.pdf", "jats": "article.xml", "html": "article.html"}


# -- the seam to the PDF layout ------------------------------------------------------------

def with_pages(article: Article, first_page: int, last_page: int) -> Article:
    """The article with its final pages: as its own (read.document.with_pages: the "Cite
    as" line, JATS fpage/lpage, citation_firstpage/lastpage, the header band) and in its
    metadata, where it was read with none."""
    from typeset.read.document import with_pages as numbered  # (Pandoc's modules: not
    # for a build that finds everything up to date)

    metadata = dataclasses.replace(article.metadata, first_page=first_page)
    return numbered(dataclasses.replace(article, metadata=metadata), first_page, last_page)


class ArticleLayout:
    """An article laid out once with its page numbers unknown; `numbered(first_page)` gives
    it with its final numbers (running feet, header band, "Cite as" line, page labels) and
    its PDF, without laying it out again (render/pdf/layout.py). An unchanged article that
    only moved (`expected_pages`, its count from the last build) is laid out when it is
    numbered.
    """

    def __init__(self, article: Article, expected_pages: int | None = None):
        self.article = article
        self._layout = None
        self._expected = expected_pages
        if expected_pages is None:
            self._lay_out()

    def _lay_out(self):
        from typeset.render.pdf import layout as pdf

        with time_limit("pdf"):
            self._layout = pdf.PdfLayout(self.article)
        return self._layout

    @property
    def page_count(self) -> int:
        return self._layout.page_count if self._layout is not None else self._expected

    def numbered(self, first_page: int) -> tuple[Article, bytes, list[str]]:
        """The article with its pages, its PDF and WeasyPrint's messages."""
        layout = self._layout or self._lay_out()
        article = with_pages(self.article, first_page, first_page + layout.page_count - 1)
        with time_limit("pdf"):
            data, messages = layout.write(first_page)
        return article, data, messages


# -- the page counts, shared by the workers ----------------------------------------------

class EarlierArticleFailed(Exception):
    """An article before this one could not be read or laid out: its pages are unknown."""


class PageLedger:
    """Each article's page count once known, in shared memory, and the first pages that
    follow from them."""

    UNKNOWN, FAILED = -1, -2

    def __init__(self, first_page: int, counts: list[int | None], right_hand: bool = False):
        context = multiprocessing.get_context("fork")
        self.first_page_of_issue = first_page
        self.right_hand = right_hand
        self._counts = context.Array("q", [self.UNKNOWN if c is None else c for c in counts])
        self._changed = context.Condition(self._counts.get_lock())

    def publish(self, position: int, count: int) -> None:
        with self._changed:
            self._counts[position] = count
            self._changed.notify_all()

    def fail(self, position: int) -> None:
        self.publish(position, self.FAILED)

    def any_failed(self) -> bool:
        with self._changed:
            return self.FAILED in self._counts[:]

    def first_page(self, position: int, wait: bool = True) -> int | None:
        """The first page of the article at `position`: once every article before it has
        its count (waiting for them when `wait`), else None."""
        with self._changed:
            while True:
                before = self._counts[:position]
                if self.FAILED in before:
                    raise EarlierArticleFailed
                if self.UNKNOWN not in before:
                    return first_pages(self.first_page_of_issue, [*before, 0],
                                       self.right_hand)[-1]
                if not wait:
                    return None
                self._changed.wait(timeout=1.0)


# -- one article's work --------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleTask:
    position: int
    folder: str
    manuscript: Path
    # What the last build recorded, when the article's inputs are unchanged since: its
    # outputs are kept unless its first page moved.
    kept_first_page: int | None = None
    kept_page_count: int | None = None


@dataclass
class ArticleOutcome:
    position: int
    folder: str
    article: Article | None = None  # numbered (None: it failed, or check only)
    first_page: int | None = None
    page_count: int | None = None
    rendered: dict[str, bytes] = field(default_factory=dict)  # empty: the outputs are kept
    # The files the outputs refer to, written beside them: path relative to the article's
    # folder -> their bytes (figures, as read with the manuscript) or the file to copy (the
    # reading page's stylesheet and fonts).
    files: dict[str, bytes | Path] = field(default_factory=dict)
    laid_out: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # about the article
    notes: list[Problem] = field(default_factory=list)  # about the setting (said once)
    skipped: bool = False  # not laid out: an article before it failed
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.skipped


@dataclass(frozen=True)
class _Worker:
    """What the workers share: set in each worker process when it starts."""

    issue: Issue
    ledger: PageLedger | None
    strict: bool
    check_only: bool
    validate_jats: bool = True

    @property
    def builder(self):
        return _builder(self.strict, self.validate_jats)


_worker: _Worker | None = None
_builders: dict[tuple[bool, bool], object] = {}


def _builder(strict: bool, validate_jats: bool):
    """One Builder per process and options, kept: it holds the loaded JATS validator."""
    key = (strict, validate_jats)
    if key not in _builders:
        from typeset.run.builder import Builder

        _builders[key] = Builder(strict=strict, use_cache=False, validate_jats=validate_jats)
    return _builders[key]


def _start_worker(worker: _Worker) -> None:
    global _worker
    _worker = worker


def process_article(task: ArticleTask) -> ArticleOutcome:
    """Read the article as its issue publishes it, lay it out, number it, render it."""
    assert _worker is not None
    started = time.perf_counter()
    outcome = ArticleOutcome(task.position, task.folder)
    ledger = _worker.ledger
    try:
        _process(task, outcome)
    except EarlierArticleFailed:
        outcome.skipped = True
    except Exception as exc:  # located problems, or a bug of ours reported as one
        from typeset.run.batch import problems_of

        outcome.problems = problems_of(exc, task.manuscript)
        if ledger is not None:
            ledger.fail(task.position)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _deposit_gaps(issue: Issue, article: Article) -> list[Problem]:
    """What leaves the article out of the issue's Crossref deposit, when the issue makes
    one: said by `check` as the build says it (the build's own comes with the deposit)."""
    from typeset.export import crossref

    return [] if crossref.profile_gaps(issue) else crossref.article_gaps(article)


def _process(task: ArticleTask, outcome: ArticleOutcome) -> None:
    from typeset.render import FORMATS, RenderJob
    from typeset.render.html import page
    from typeset.render.jats import article as jats

    worker = _worker
    builder = worker.builder
    article = builder.read(task.manuscript, worker.issue.supplied_fields(), paginated=True)
    article = dataclasses.replace(article,
                                  published_folder=worker.issue.url(task.folder))
    outcome.warnings += article.warnings
    job = RenderJob(frozenset(FORMATS), "article", None,
                    builder.jats_validator if worker.validate_jats else None)
    if worker.check_only:
        rendered = jats.render_output(article, job)
        outcome.warnings += rendered.warnings
        outcome.notes += rendered.notes
        outcome.warnings += _deposit_gaps(worker.issue, article)
        _strict(outcome)
        return
    ledger = worker.ledger
    if task.kept_page_count is not None:
        first_page = ledger.first_page(task.position)
        if first_page == task.kept_first_page:  # unchanged, and in the same place
            outcome.article = with_pages(article, first_page,
                                         first_page + task.kept_page_count - 1)
            outcome.first_page, outcome.page_count = first_page, task.kept_page_count
            return
        layout = ArticleLayout(article, expected_pages=task.kept_page_count)
    else:
        if ledger.any_failed():
            raise EarlierArticleFailed  # the issue will not be written: spare the layout
        layout = ArticleLayout(article)
        ledger.publish(task.position, layout.page_count)
        first_page = ledger.first_page(task.position)
    article, pdf_bytes, pdf_messages = layout.numbered(first_page)
    outcome.laid_out = True
    outcome.article = article
    outcome.first_page = first_page
    outcome.page_count = article.last_page - first_page + 1
    if outcome.page_count != layout.page_count:
        ledger.publish(task.position, outcome.page_count)  # the build checks the sequence
    name = display_path(article.source_path)
    outcome.warnings += [warning("weasyprint", name, None, None, f"WeasyPrint: {message}")
                         for message in pdf_messages]
    outcome.rendered["pdf"] = pdf_bytes
    for fmt, render in (("jats", jats.render_output), ("html", page.render_output)):
        rendered = render(article, job)
        outcome.rendered[fmt] = rendered.data
        outcome.warnings += rendered.warnings
        outcome.notes += rendered.notes
        outcome.files.update(rendered.files)
    _strict(outcome)


def _strict(outcome: ArticleOutcome) -> None:
    if _worker.strict and outcome.warnings:
        raise ManuscriptError([w.as_error("--strict makes warnings errors")
                               for w in outcome.warnings])


# -- all articles ----------------------------------------------------------------------

def process_articles(issue: Issue, tasks: list[ArticleTask], *, jobs: int, strict: bool,
                     check_only: bool = False, validate_jats: bool = True,
                     counts: list[int | None] | None = None,
                     progress: Callable[[ArticleOutcome], None] | None = None,
                     started: Callable[[], None] | None = None) -> list[ArticleOutcome]:
    """Run `tasks` (in print order) on `jobs` workers; `counts` holds the page counts
    already known (of articles not among the tasks). `started()` is called once the
    workers are forked, for work this process can do meanwhile. The outcomes, in the
    tasks' order."""
    ledger = None if check_only else PageLedger(issue.first_page,
                                                counts or [None] * len(tasks),
                                                issue.journal.articles_start_right)
    worker = _Worker(issue, ledger, strict, check_only, validate_jats)
    outcomes: dict[int, ArticleOutcome] = {}
    if jobs <= 1 or len(tasks) <= 1:
        # In this process, in print order: each article's first page is known by the time
        # it is laid out.
        _start_worker(worker)
        if started:
            started()
        for task in tasks:
            outcomes[task.position] = outcome = process_article(task)
            if progress:
                progress(outcome)
        return [outcomes[task.position] for task in tasks]
    _warm_up(check_only)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                             initializer=_start_worker, initargs=(worker,)) as pool:
        futures = [pool.submit(process_article, task) for task in tasks]
        if started:  # the workers are forked at the first submission (fork context)
            started()
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.position] = outcome
            if progress:
                progress(outcome)
    return [outcomes[task.position] for task in tasks]


def _warm_up(check_only: bool) -> None:
    """What every worker would otherwise load itself: the pipeline, WeasyPrint, fonts."""
    from typeset.run import builder  # noqa: F401

    if not check_only:
        from typeset.render.pdf import layout as pdf

        pdf._weasyprint()


def first_pages(first_page: int, counts: Iterable[int], right_hand: bool = False
                ) -> list[int]:
    """Each article's first page, from the issue's first page and the page counts: the
    page after the one before ends, or with `right_hand` the next odd page (the blank
    verso between is counted)."""
    pages = []
    for count in counts:
        pages.append(first_page)
        first_page += count
        if right_hand and first_page % 2 == 0:
            first_page += 1
    return pages
