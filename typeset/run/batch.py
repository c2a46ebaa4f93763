"""Building many manuscripts at once: an issue, or a back catalogue after a style change.

Up-to-date manuscripts are skipped after a cheap check (cache.py) that starts neither
Pandoc nor WeasyPrint. The others are built by `jobs` worker processes forked from this
one once it has imported the pipeline and WeasyPrint and loaded the fonts, so that no
worker pays for them again; memory grows with the number of jobs, not of articles.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from typeset.errors import ManuscriptError, OutputError, Problem, TypesetError
from typeset.read.crosscheck import duplicate_dois
from typeset.read.source import display_path
from typeset.run.cache import BuildCache

if TYPE_CHECKING:
    from typeset.run.cluster import ClusterOptions

log = logging.getLogger("typeset")


@dataclass
class Outcome:
    """How one manuscript's build ended: plain data, so that it crosses process (and
    machine) boundaries as it is."""

    manuscript: Path
    out_dir: Path
    ok: bool = True
    cached: bool = False
    problems: list[Problem] = field(default_factory=list)  # why it failed, located
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


_builder = None  # one per worker process, kept between manuscripts


@dataclass(frozen=True)
class Limits:
    """What one build may take (None: the environment's setting or the default)."""

    seconds: float | None = None  # run/timeouts.py
    megabytes: float | None = None  # run/memory.py


def _worker_builder(strict: bool, use_cache: bool, limits: Limits = Limits()):
    global _builder
    # Made again when the settings change (one process may run several commands).
    if _builder is None or (_builder.strict, _builder.use_cache) != (strict, use_cache):
        from typeset.run.builder import Builder

        _builder = Builder(strict=strict, use_cache=use_cache, time_budget=limits.seconds,
                           memory_limit=limits.megabytes)
    return _builder


def build_one(manuscript: Path, out_dir: Path, formats: list[str], strict: bool,
              use_cache: bool, limits: Limits = Limits(), pdf_process=None) -> Outcome:
    """`pdf_process`: see Builder.build."""
    started = time.perf_counter()
    outcome = Outcome(manuscript, out_dir)
    try:
        builder = _worker_builder(strict, use_cache, limits)
        result = builder.build(manuscript, out_dir, formats, pdf_process=pdf_process)
        outcome.cached = result.cached
        outcome.warnings = list(result.warnings)
        outcome.notes = list(result.notes)
    except Exception as exc:  # one article's failure, even a bug of ours, never stops a batch
        outcome.ok = False
        outcome.problems = problems_of(exc, manuscript)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _build_in_worker(manuscript: Path, out_dir: Path, formats: list[str], strict: bool,
                     use_cache: bool, limits: Limits) -> Outcome:
    """`build_one` in a worker process: Ctrl-C interrupts the build (its output folder
    stays as it was), not the worker waiting for the next one."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return build_one(manuscript, out_dir, formats, strict, use_cache, limits)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def problems_of(exc: BaseException, manuscript: Path) -> list[Problem]:
    """What a failed build says, as located records; an exception that is not ours to
    expect is a bug, reported as such with its type (the batch goes on)."""
    name = display_path(manuscript)
    if isinstance(exc, ManuscriptError):
        return list(exc.problems)
    if isinstance(exc, OutputError):
        return [exc.problem]
    if isinstance(exc, TypesetError):
        return [Problem(name, None, None, str(exc))]
    log.debug("internal error while building %s", name, exc_info=exc)
    return [Problem(name, None, None, f"internal error ({type(exc).__name__}: {exc})",
                    hint="this is a bug in the pipeline; please report it")]


def _warm_up() -> None:
    """What every worker would otherwise load itself: imports, WeasyPrint, fonts."""
    from typeset.render.pdf import layout as pdf
    from typeset.run import builder as pipeline  # noqa: F401

    pdf._weasyprint()


def build_many(jobs_list: list[tuple[Path, Path]], formats: list[str], *, jobs: int = 1,
               strict: bool = False, use_cache: bool = True, progress: bool = False,
               limits: Limits = Limits(), cluster: ClusterOptions | None = None,
               pdf_process=None) -> list[Outcome]:
    """Build each (manuscript, output folder); return the outcomes in the given order.
    With `cluster`, the articles are built on that Dask cluster (cluster.py). With
    `pdf_process` (render/pdf/process.py), a single article to build lays its PDF out
    there."""
    outcomes: dict[Path, Outcome] = {}
    todo = []
    shared = duplicate_dois([m for m, _ in jobs_list]) if len(jobs_list) > 1 else {}
    for manuscript, out_dir in jobs_list:
        if manuscript in shared:
            outcomes[manuscript] = Outcome(manuscript, out_dir, ok=False,
                                           problems=shared[manuscript])
        elif use_cache and BuildCache(out_dir).is_fresh(manuscript, formats, strict):
            outcomes[manuscript] = Outcome(manuscript, out_dir, cached=True)
        else:
            todo.append((manuscript, out_dir))
    bar = ProgressBar(len(jobs_list), enabled=progress)
    bar.advance(len(outcomes))
    if cluster is not None and todo:
        from typeset.run.cluster import build_on_cluster

        try:
            built = build_on_cluster(todo, formats, options=cluster, jobs=jobs, strict=strict,
                                     limits=limits,
                                     advance=lambda manuscript: bar.advance(1, manuscript))
        finally:
            bar.finish()
        outcomes.update((outcome.manuscript, outcome) for outcome in built)
        return [outcomes[manuscript] for manuscript, _ in jobs_list]
    if jobs <= 1 or len(todo) <= 1:
        for manuscript, out_dir in todo:
            outcomes[manuscript] = build_one(manuscript, out_dir, formats, strict, use_cache,
                                             limits, pdf_process if len(todo) == 1 else None)
            bar.advance(1, manuscript)
    else:
        _warm_up()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context,
                                 initializer=_ignore_interrupts) as pool:
            futures = {pool.submit(_build_in_worker, m, o, formats, strict, use_cache,
                                   limits): m for m, o in todo}
            try:
                for future in as_completed(futures):
                    outcome = future.result()
                    outcomes[outcome.manuscript] = outcome
                    bar.advance(1, outcome.manuscript)
            except KeyboardInterrupt:
                for future in futures:  # the builds under way end with their interruption
                    future.cancel()
                raise
    bar.finish()
    return [outcomes[manuscript] for manuscript, _ in jobs_list]


class ProgressBar:
    """A one-line bar on a terminal's stderr; silent when stderr is not a terminal."""

    WIDTH = 30

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled and total > 1

    def advance(self, count: int, manuscript: Path | None = None) -> None:
        self.done += count
        if not self.enabled:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        name = manuscript.parent.name if manuscript else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                         f"{self.done}/{self.total} {name[:30]:<30}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
