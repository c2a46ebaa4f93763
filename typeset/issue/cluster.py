"""An issue's articles laid out on a Dask cluster: `build ISSUE_FOLDER --cluster ADDRESS`.

Locally (paginate.py) the workers share a page ledger and number an article as soon as
the articles before it have their page counts. Workers on other machines share nothing,
so on a cluster the same work runs in two rounds, the pagination staying on the client:

1. each article without a known page count is read and laid out on a worker, which
   answers with its page count (`count_pages`);
2. with every count known, so every first page, each article is read again, laid out,
   numbered and rendered on a worker (`number_and_render`: paginate's own
   `process_article`, with a ledger that already knows every count), which answers with
   its outputs and its article model.

Locally an article is laid out once, its numbers written in afterwards; here it is laid out
twice (a laid-out document cannot leave the worker that made it, and the second round may
run elsewhere), and read twice. Everything after (the pagination's check, the issue's PDF,
its pages and deposits) stays on the client, as locally. The
articles travel as in a batch on the cluster (run/remote.py): their folders as bytes, the
outputs back as bytes or by name, problems with the client's paths; the article model
comes back with the worker's paths and is given the client's (`_on_client`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from typeset import paths as resources
from typeset.errors import Problem
from typeset.issue.paginate import (
    ArticleLayout,
    ArticleOutcome,
    ArticleTask,
    PageLedger,
    _builder,
    _start_worker,
    _Worker,
    process_article,
)
from typeset.model.article import Article
from typeset.model.issue import Issue
from typeset.run import remote
from typeset.run.cluster import ClusterSession


@dataclass
class PageCount:
    """A worker's answer to round 1."""

    count: int | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Numbered:
    """A worker's answer to round 2: the outcome, its files by name, and what the client
    needs to give the article model its own paths."""

    outcome: ArticleOutcome
    files: dict[str, bytes | remote.FileRef] = field(default_factory=dict)
    style: str | None = None  # the style's folder, relative to the styles folder
    bibliography: str | None = None  # relative to the article's folder
    digests: dict[str, str] = field(default_factory=dict)  # by name in the article's folder


# -- on a worker ---------------------------------------------------------------------------

def count_pages(article: remote.ArticleFiles, issue: Issue, folder: str, strict: bool,
                digest: str) -> PageCount:
    """Round 1: the article read as its issue publishes it and laid out, its numbers
    unknown."""
    from typeset.run.batch import problems_of

    answer = PageCount()
    with remote.on_worker(article, digest) as here:
        try:
            read = _builder(strict, True).read(here.manuscript, issue.supplied_fields(),
                                               paginated=True)
            read = dataclasses.replace(read, published_folder=issue.url(folder))
            answer.count = ArticleLayout(read).page_count
        except Exception as exc:  # the article's problems: an answer, not a failure
            answer.problems = [here.client_paths(p) for p in problems_of(exc, here.manuscript)]
    return answer


def number_and_render(article: remote.ArticleFiles, issue: Issue, task: ArticleTask,
                      counts: list[int], strict: bool, digest: str) -> Numbered:
    """Round 2: paginate's process_article, every page count known."""
    with remote.on_worker(article, digest) as here:
        _start_worker(_Worker(issue, PageLedger(issue.first_page, counts), strict, False))
        outcome = process_article(dataclasses.replace(task, manuscript=here.manuscript))
        answer = Numbered(outcome, {name: here.portable(path)
                                    for name, path in outcome.files.items()})
        outcome.files = {}
        for name in ("problems", "warnings", "notes"):
            setattr(outcome, name, [here.client_paths(p) for p in getattr(outcome, name)])
        if outcome.article is not None:
            answer.style = outcome.article.journal.folder.relative_to(
                resources.STYLES).as_posix()
            folder = here.folder.resolve()
            answer.digests = {Path(path).relative_to(folder).as_posix(): value
                              for path, value in outcome.article.digests.items()}
            if outcome.article.bibliography is not None:
                answer.bibliography = Path(outcome.article.bibliography.path).relative_to(
                    here.folder).as_posix()
    return answer


# -- on the client -------------------------------------------------------------------------

def process_articles_on_cluster(issue: Issue, tasks: list[ArticleTask],
                                cluster: ClusterSession, *, strict: bool,
                                counts: list[int | None],
                                progress: Callable[[ArticleOutcome], None] | None = None
                                ) -> list[ArticleOutcome]:
    """paginate.process_articles on the cluster: the outcomes, in the tasks' order, with
    the same meaning (their files and article model on this machine's paths)."""
    from typeset.run.batch import problems_of

    digest = remote.environment_digest()
    counts = list(counts)
    outcomes: dict[int, ArticleOutcome] = {}
    unknown = [task for task in tasks if counts[task.position] is None]
    for task, future in cluster.run(
            (task, count_pages, (remote.pack(task.manuscript), issue, task.folder, strict,
                                 digest)) for task in unknown):
        try:
            answer = future.result()
        except Exception as exc:
            _check_connected(cluster, exc)
            answer = PageCount(problems=problems_of(exc, task.manuscript))
        counts[task.position] = answer.count
        if answer.problems:
            outcomes[task.position] = ArticleOutcome(task.position, task.folder,
                                                     problems=answer.problems)
    if outcomes:  # an article's pages are unknown: the others cannot be numbered
        return [outcomes.get(task.position) or
                ArticleOutcome(task.position, task.folder, skipped=True) for task in tasks]
    for task, future in cluster.run(
            (task, number_and_render,
             (remote.pack(task.manuscript), issue,
              dataclasses.replace(task, kept_page_count=counts[task.position]), counts,
              strict, digest)) for task in tasks):
        try:
            outcome = _on_client(future.result(), task.manuscript)
        except Exception as exc:
            _check_connected(cluster, exc)
            outcome = ArticleOutcome(task.position, task.folder,
                                     problems=problems_of(exc, task.manuscript))
        outcomes[task.position] = outcome
        if progress:
            progress(outcome)
    return [outcomes[task.position] for task in tasks]


def _on_client(answer: Numbered, manuscript: Path) -> ArticleOutcome:
    """The worker's outcome with this machine's paths: the files the outputs copy, and the
    article model's manuscript, style and bibliography."""
    outcome = answer.outcome
    folder = manuscript.resolve().parent
    roots = {"manuscript": folder, "styles": resources.STYLES}
    outcome.files = {name: _client_file(ref, roots) for name, ref in answer.files.items()}
    article: Article | None = outcome.article
    if article is not None:
        journal = dataclasses.replace(
            article.journal, folder=resources.STYLES.joinpath(*answer.style.split("/")))
        bibliography = article.bibliography
        if bibliography is not None and answer.bibliography is not None:
            bibliography = dataclasses.replace(
                bibliography, path=folder.joinpath(*answer.bibliography.split("/")))
        digests = {str(manuscript.resolve().parent.joinpath(*name.split("/"))): value
                   for name, value in answer.digests.items()}
        outcome.article = dataclasses.replace(article, source_path=manuscript.resolve(),
                                              journal=journal, bibliography=bibliography,
                                              digests=digests)
    return outcome


def _client_file(ref: bytes | remote.FileRef, roots: dict[str, Path]) -> bytes | Path:
    """A file an output copies: its bytes as read on the worker (a figure), or this
    machine's copy of a file named by reference (the reading page's stylesheet)."""
    if isinstance(ref, remote.FileRef):
        return roots[ref.root].joinpath(*ref.path.split("/"))
    return ref


def _check_connected(cluster: ClusterSession, exc: Exception) -> None:
    from typeset.run.cluster import ClusterError

    if cluster.lost:
        raise ClusterError(f"lost the scheduler at {cluster.options.address}: the issue "
                           "was not built (nothing was written)") from None
