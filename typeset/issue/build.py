"""Building an issue, top to bottom.

1. Read `issue.yaml` and check what the issue asks of its articles (`read.py`).
2. Compare with what the output folder was built from (`record.py`): an unchanged issue is
   up to date; an unchanged article keeps its outputs unless its first page moves.
3. Read, lay out, number and render the articles in worker processes (`paginate.py`).
4. Check the pagination: each article starts on the page after the one before it ends.
5. Render the issue's own outputs: cover and contents (`front.py`), the issue PDF
   (`join.py`), the issue's page and sitemap (`site.py`), the Crossref deposit and the
   DOAJ upload (`exports.py`).
6. Write everything at once (`write_issue`) and record what it was built from.

Every problem of the issue and of every article is reported together, and nothing is
written when there is any.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from typeset.errors import ManuscriptError, Problem, warning
from typeset.issue.paginate import (
    ARTICLE_OUTPUTS,
    ArticleOutcome,
    ArticleTask,
    first_pages,
    process_articles,
)
from typeset.issue.read import IssueEntry, IssueReading, check_first_pages, read_issue
from typeset.issue.record import RECORD_FILE, IssueRecord, issue_options
from typeset.model.issue import ISSUE_FILE, Issue, IssueArticle
from typeset.read.source import display_path, locate_in
from typeset.run.batch import ProgressBar
from typeset.run.cache import file_hash
from typeset.run.write import OutputSet


@dataclass
class IssueBuildResult:
    folder: Path
    out_dir: Path
    issue: Issue | None = None
    cached: bool = False  # nothing had changed: the outputs in place were kept
    laid_out: list[str] = field(default_factory=list)  # the articles laid out, by folder
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # about the setting, said once
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def build_issue(folder: Path, out_dir: Path, *, jobs: int = 1, strict: bool = False,
                use_cache: bool = True, progress: bool = False,
                styles: Path | None = None, archive_href: str | None = None,
                cluster=None, reading: IssueReading | None = None) -> IssueBuildResult:
    """Build the issue in `folder` into `out_dir`; raise ManuscriptError with every
    problem found, having written nothing. `archive_href`: the way from the issue's page
    back to the journal's archive page, when the issue is built as part of one.
    `cluster` (a run.cluster.ClusterSession): the articles are laid out there
    (issue/cluster.py), the pagination and the issue's own outputs here. `reading`: the
    issue folder as `read_issue` found it, when the caller has read it already."""
    started = time.perf_counter()
    reading = reading or read_issue(folder, styles)
    if reading.problems or reading.issue is None:
        raise ManuscriptError([*reading.problems,
                               *_article_problems(reading, jobs, strict)])
    issue, entries = reading.issue, reading.entries
    _refuse_gaps_when_strict(issue, strict)
    result = IssueBuildResult(folder, out_dir, issue)

    record = IssueRecord(out_dir, folder)
    options = issue_options(issue, strict) + f"|archive={archive_href}"
    kept = {entry.folder: record.kept_article(entry.folder, entry.manuscript, options)
            if use_cache else None for entry in entries}
    if use_cache and _up_to_date(issue, entries, kept, record, options):
        result.cached = True
        result.seconds = time.perf_counter() - started
        return result

    tasks = [ArticleTask(entry.position, entry.folder, entry.manuscript,
                         kept[entry.folder].first_page if kept[entry.folder] else None,
                         kept[entry.folder].page_count if kept[entry.folder] else None)
             for entry in entries]
    bar = ProgressBar(len(tasks), enabled=progress)
    from typeset.issue import exports

    counts = [kept[entry.folder].page_count if kept[entry.folder] else None
              for entry in entries]
    advance = lambda outcome: bar.advance(1, Path(outcome.folder) / "article.md")  # noqa: E731
    if cluster is not None:
        from typeset.issue.cluster import process_articles_on_cluster

        exports.prepare(issue)
        outcomes = process_articles_on_cluster(issue, tasks, cluster, strict=strict,
                                               counts=counts, progress=advance)
    else:
        outcomes = process_articles(issue, tasks, jobs=jobs, strict=strict, progress=advance,
                                    counts=counts, started=lambda: exports.prepare(issue))
    bar.finish()
    _raise_problems(outcomes, reading)
    outcomes = _settle_pages(issue, tasks, outcomes, jobs, strict)
    problems = check_first_pages(reading.declared_first_pages,
                                 {o.folder: o.first_page for o in outcomes})
    if problems:
        raise ManuscriptError(problems)

    articles = [IssueArticle(o.article, entry.section, entry.folder, o.first_page,
                             o.first_page + o.page_count - 1)
                for entry, o in zip(entries, outcomes, strict=True)]
    result.laid_out = [o.folder for o in outcomes if o.laid_out]
    result.warnings = [w for o in outcomes for w in o.warnings]
    result.warnings += _page_limit_warnings(issue, entries, articles)
    result.notes = list(dict.fromkeys(n for o in outcomes for n in o.notes))

    files, warnings, notes = render_issue_outputs(issue, articles, outcomes, out_dir,
                                                  archive_href)
    result.warnings += warnings
    result.notes = list(dict.fromkeys([*result.notes, *notes]))
    if strict and result.warnings:
        raise ManuscriptError([w.as_error("--strict makes warnings errors")
                               for w in result.warnings])
    result.outputs = write_issue(out_dir, issue, entries, articles, outcomes, files,
                                 record, options)
    result.seconds = time.perf_counter() - started
    return result


def check_issue(folder: Path, *, jobs: int = 1, strict: bool = False,
                styles: Path | None = None) -> tuple[list[Problem], list[Problem]]:
    """Every problem of the issue and its articles, without laying anything out; raise
    ManuscriptError when there is one. Returns the warnings and the notes."""
    reading = read_issue(folder, styles)
    if reading.problems or reading.issue is None:
        raise ManuscriptError([*reading.problems,
                               *_article_problems(reading, jobs, strict)])
    _refuse_gaps_when_strict(reading.issue, strict)
    tasks = [ArticleTask(e.position, e.folder, e.manuscript) for e in reading.entries]
    outcomes = process_articles(reading.issue, tasks, jobs=jobs, strict=strict,
                                check_only=True)
    _raise_problems(outcomes, reading)
    from typeset.issue import exports

    return ([w for o in outcomes for w in o.warnings],
            list(dict.fromkeys([*(n for o in outcomes for n in o.notes),
                                *exports.profile_gaps(reading.issue)])))


def _refuse_gaps_when_strict(issue: Issue, strict: bool) -> None:
    """The issue format: an output that needs a field the profile lacks is not written, and
    with --strict that is an error, said before any work."""
    if not strict:
        return
    from typeset.issue import exports

    gaps = exports.profile_gaps(issue)
    if gaps:
        raise ManuscriptError([gap.as_error("--strict: every output of an issue is "
                                            "required") for gap in gaps])


# -- the steps ------------------------------------------------------------------------------

def _article_problems(reading: IssueReading, jobs: int, strict: bool) -> list[Problem]:
    """The articles' own problems, found by reading each (no layout), for a report that
    also lists the issue's. Without a usable issue.yaml each article is read on its own."""
    if not reading.entries:
        return []
    if reading.issue is None:
        from typeset.run.builder import Builder

        builder, problems = Builder(strict=strict, use_cache=False), []
        for entry in reading.entries:
            try:
                builder.read(entry.manuscript)
            except ManuscriptError as exc:
                problems += exc.problems
        return problems
    tasks = [ArticleTask(e.position, e.folder, e.manuscript) for e in reading.entries]
    outcomes = process_articles(reading.issue, tasks, jobs=jobs, strict=strict,
                                check_only=True, validate_jats=False)
    return [p for o in outcomes for p in o.problems]


def _raise_problems(outcomes: list[ArticleOutcome], reading: IssueReading) -> None:
    problems = [p for o in outcomes for p in o.problems]
    if problems:
        known = {o.folder: o.first_page for o in outcomes if o.first_page is not None}
        raise ManuscriptError([*problems,
                               *check_first_pages(reading.declared_first_pages, known)])


def _up_to_date(issue: Issue, entries: tuple[IssueEntry, ...], kept: dict, record,
                options: str) -> bool:
    if not all(kept.values()) or set(record.article_folders) != set(kept):
        return False
    expected = first_pages(issue.first_page, [kept[e.folder].page_count for e in entries],
                           issue.journal.articles_start_right)
    return (all(kept[e.folder].first_page == page for e, page in zip(entries, expected,
                                                                     strict=True))
            and record.issue_unchanged(issue, options))


def _settle_pages(issue: Issue, tasks: list[ArticleTask], outcomes: list[ArticleOutcome],
                  jobs: int, strict: bool) -> list[ArticleOutcome]:
    """Make sure each article starts where the one before it ends. (An article whose
    page count changed once its numbers were in, which takes a page number that shifts a
    line of its first page, moves those after it: they are numbered again.)"""
    for _ in range(len(outcomes)):
        counts = [o.page_count for o in outcomes]
        expected = first_pages(issue.first_page, counts, issue.journal.articles_start_right)
        moved = [ArticleTask(o.position, o.folder, tasks[o.position].manuscript,
                             kept_first_page=o.first_page, kept_page_count=o.page_count)
                 for o, page in zip(outcomes, expected, strict=True) if o.first_page != page]
        if not moved:
            return outcomes
        # In this process: a pool forked now would copy the schema compiling in a thread.
        again = process_articles(issue, moved, jobs=1, strict=strict, counts=counts)
        for outcome in again:
            if not outcome.ok:
                raise ManuscriptError(outcome.problems)
            outcomes[outcome.position] = outcome
    raise ManuscriptError([Problem(display_path(issue.folder), None, None,
                                   "the pagination does not settle: an article's page count "
                                   "changes with its page numbers",
                                   hint="this is a bug in the pipeline; please report it")])


def _page_limit_warnings(issue: Issue, entries, articles: list[IssueArticle]
                         ) -> list[Problem]:
    limit = issue.journal.page_limit
    if not limit:
        return []
    return [warning("page-limit", display_path(entry.manuscript), None, None,
                    f"the article runs to {item.page_count} pages, more than the journal's "
                    f"page limit of {limit}", hint="page-limit in the journal's profile")
            for entry, item in zip(entries, articles, strict=True) if item.page_count > limit]


def render_issue_outputs(issue: Issue, articles: list[IssueArticle],
                         outcomes: list[ArticleOutcome], out_dir: Path,
                         archive_href: str | None = None
                         ) -> tuple[dict[str, bytes], list[Problem], list[Problem]]:
    """The issue's own files (name -> bytes), the warnings and the notes about them."""
    from typeset.issue import exports, front, join, site

    issue_file = display_path(issue.folder / ISSUE_FILE)
    front_pdf, front_messages = front.render_front(issue, articles)
    warnings = [warning("weasyprint", issue_file, None, None, message)
                for message in front_messages]
    article_pdfs = [o.rendered.get("pdf") or (out_dir / o.folder / ARTICLE_OUTPUTS["pdf"])
                    .read_bytes() for o in outcomes]
    files = {"front.pdf": front.link_for_reading_alone(issue, articles, front_pdf),
             "issue.pdf": join.join_issue(issue, articles, front_pdf, article_pdfs)}
    pages, notes = site.render_issue_site(issue, articles, archive_href)
    files.update(pages)
    deposits, deposit_warnings, deposit_notes = exports.render_exports(issue, articles)
    files.update(deposits)
    return files, warnings + deposit_warnings, notes + deposit_notes


# -- writing ----------------------------------------------------------------------------

def write_issue(out_dir: Path, issue: Issue, entries: list[IssueEntry],
                articles: list[IssueArticle], outcomes: list[ArticleOutcome],
                files: dict[str, bytes], record: IssueRecord, options: str) -> list[Path]:
    """Write the issue's folder as one set (run/write.py): every article's folder, the
    issue's own outputs and its record replace the previous ones all at once, or not at
    all. What the last build wrote and this one does not (an article taken out of the
    issue, a deposit the profile no longer allows) goes with it. Returns the top-level
    paths written."""
    from typeset.issue import site

    outputs = OutputSet(out_dir, owner=str(issue.folder.resolve()))
    article_records: dict[str, dict] = {}
    for entry, item, outcome in zip(entries, articles, outcomes, strict=True):
        if outcome.rendered:
            named: dict[str, bytes | Path] = {
                f"{item.folder}/{ARTICLE_OUTPUTS[fmt]}": data
                for fmt, data in outcome.rendered.items()}
            named.update({f"{item.folder}/{relative}": content
                          for relative, content in outcome.files.items()})
            article_records[item.folder] = {
                "manuscript": entry.manuscript, "inputs": item.article.digests,
                "first_page": item.first_page, "page_count": item.page_count,
                "outputs": {name: _digest(content) for name, content in named.items()}}
            for name, content in named.items():
                outputs.add(name, content)
        else:  # kept: its files as the last build wrote them
            for name in record.article_outputs(item.folder):
                outputs.keep(name)
            article_records[item.folder] = {"kept": True}
    own: dict[str, bytes | Path] = {**files, **site.issue_asset_files(issue)}
    for name, content in own.items():
        outputs.add(name, content)
    outputs.add(RECORD_FILE, record.render(
        issue, options, article_records,
        {name: _digest(content) for name, content in own.items()}))
    outputs.commit()
    tops = {Path(name).parts[0] for name in own} | {item.folder for item in articles}
    return [out_dir / name for name in sorted(tops)]


def _digest(content: bytes | Path) -> str | None:
    return hashlib.sha256(content).hexdigest() if isinstance(content, bytes) \
        else file_hash(content)


# -- a folder of issues: the journal's archive ----------------------------------------------

@dataclass
class ArchiveBuildResult:
    folder: Path
    out_dir: Path
    issues: list[IssueBuildResult] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def issue_folders(folder: Path) -> list[Path]:
    return sorted(child for child in folder.iterdir()
                  if child.is_dir() and (child / ISSUE_FILE).is_file())


def _across_issues(folder: Path, readings: list) -> list[Problem]:
    """Two issues in one place on the site (one volume and number), one DOI in two
    issues, issues of different journals."""
    problems: list[Problem] = []
    placed: dict[tuple[str, ...], Path] = {}
    dois: dict[str, tuple[str, int | None]] = {}
    journals: set[str] = set()
    for issue_folder, reading in readings:
        if reading.issue is None:
            continue  # its own problems are reported when it is built
        issue_file = issue_folder / ISSUE_FILE
        path = reading.issue.site_path
        if path in placed:
            text = issue_file.read_text(encoding="utf-8-sig")
            line, column = locate_in(text, "issue:")
            problems.append(Problem(
                display_path(issue_file), line, column,
                f"volume {reading.issue.volume or '(none)'}, issue {reading.issue.number} is "
                f"also the place of {display_path(placed[path] / ISSUE_FILE)}", "issue",
                "two issues cannot share a place on the site: give each its own number"))
        else:
            placed[path] = issue_folder
        journals.add(reading.issue.journal.id)
        for doi, (name, line) in reading.dois.items():
            if doi in dois:
                other, other_line = dois[doi]
                where = f"{other}:{other_line}" if other_line else other
                problems.append(Problem(name, line, None, f"the DOI {doi} is also the DOI of "
                                        f"{where}, in another issue", "doi",
                                        "each article has a DOI of its own"))
            else:
                dois[doi] = (name, line)
    if len(journals) > 1:
        problems.append(Problem(display_path(folder), None, None,
                                "the issues belong to different journals: "
                                + ", ".join(sorted(journals)),
                                hint="an archive lists one journal's issues"))
    return problems


def build_archive(folder: Path, out_dir: Path, *, jobs: int = 1, strict: bool = False,
                  use_cache: bool = True, progress: bool = False,
                  styles: Path | None = None, on_issue=None, cluster=None
                  ) -> ArchiveBuildResult:
    """Build every issue in `folder` into `out_dir/<volume>/<issue>/` (the site's layout,
    Issue.url), then the archive page beside them. What involves several issues (two in
    one place, one DOI in two, two journals) stops the build before anything is written;
    an issue with problems of its own is not written, nor is the archive page; the other
    issues are. `on_issue(result)` is told of each issue built."""
    from typeset.issue import site

    result = ArchiveBuildResult(folder, out_dir)
    readings = [(issue_folder, read_issue(issue_folder, styles))
                for issue_folder in issue_folders(folder)]
    # What involves several issues is found before any issue is written: an issue built
    # into a place another also claims would replace what is published there.
    problems = _across_issues(folder, readings)
    if problems:
        raise ManuscriptError(problems)
    archived = []
    for issue_folder, reading in readings:
        path = reading.issue.site_path if reading.issue else (issue_folder.name,)
        try:
            built = build_issue(issue_folder, out_dir.joinpath(*path), jobs=jobs,
                                strict=strict, use_cache=use_cache, progress=progress,
                                styles=styles, archive_href="../" * len(path) + "index.html",
                                cluster=cluster, reading=reading)
        except ManuscriptError as exc:
            problems += exc.problems
            continue
        result.issues.append(built)
        archived.append(site.ArchivedIssue(built.issue, path))
        if on_issue:
            on_issue(built)
    if problems:
        raise ManuscriptError(problems)
    if not archived:
        return result
    journal = archived[0].issue.journal
    files, notes = site.render_archive(journal, archived)
    result.notes = notes
    # The archive's own files, as one set; the issues' folders inside are kept as they
    # are (each is a set of its own, written above).
    outputs = OutputSet(out_dir, owner=str(folder.resolve()))
    for name, content in {**files, **site.style_files(journal)}.items():
        outputs.add(name, content)
    outputs.commit()
    result.outputs = [out_dir / name for name in (*files, site.ASSETS)]
    return result
