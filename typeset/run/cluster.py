"""Building a batch on a Dask cluster: `build FOLDER --cluster ADDRESS`.

This is the client's side; what a worker runs is remote.py. The client
1. checks the build cache, as a local batch does: an unchanged article is not sent;
2. connects to the scheduler at ADDRESS (or starts a local cluster of `--jobs` worker
   processes, for trying it out), waits for a worker, and checks that the workers run the
   same pipeline and styles as this machine (else it stops before sending anything);
3. registers the worker plugin (warm-up, recycling) on every worker, present and future;
4. sends the articles, a bounded number at a time (`run_on_cluster`), each as its folder's
   bytes, and as each answer comes back writes its output set, whole and atomically, and
   records it in the build cache: an article's outputs are on disk when its bar moves.

Faults: an article with problems is an answer like any other (reported located, the others
go on). A worker that dies mid-article is the scheduler's to handle: it reschedules the
task on another worker, up to `distributed.scheduler.allowed-failures` times (3 by
default), after which the task ends in KilledWorker and that article is reported failed;
nothing is written for it, since the client writes only complete answers. An exception
inside the task itself (a worker's full disk) is retried on the cluster (`RETRIES`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem, UsageError
from typeset.read.source import display_path

RETRIES = 2  # of a task that raised (the task never raises for a bad article)
WORKER_WAIT_SECONDS = 60  # for a first worker to join it


class ClusterError(UsageError):
    """The cluster cannot be reached or used: nothing is sent (exit status 2)."""


@dataclass(frozen=True)
class ClusterOptions:
    address: str  # tcp://host:8786, or "local"
    # Each worker process is restarted after this many articles, or when it holds more
    # than max_memory bytes after an article (see remote.TypesetWorker).
    max_articles: int = 200
    max_memory: int = 1024 * 1024 * 1024


@contextlib.contextmanager
def connect(options: ClusterOptions, jobs: int) -> Iterator[Any]:
    """A Dask client of the cluster at `options.address`; "local" starts a cluster of
    `jobs` worker processes on this machine, closed on the way out."""
    from distributed import Client, LocalCluster

    if not os.environ.get("TYPESET_DEBUG"):
        # Dask's own log (its reconnection attempts, with tracebacks) is not for the
        # editor: what goes wrong is reported by us, in one line.
        dask_log = logging.getLogger("distributed")
        dask_log.handlers = [logging.NullHandler()]
        dask_log.propagate = False
    cluster = None
    try:
        if options.address == "local":
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            # (Dask's distributed.comm.timeouts.connect bounds the wait: 30 s by default.)
            client = Client(options.address)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"--cluster {options.address}: no Dask scheduler answers there "
                           f"({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def prepare_workers(client: Any, options: ClusterOptions) -> int:
    """Wait for a worker, check that every worker's set-up matches this machine's, and
    register the worker plugin. Returns the number of worker threads."""
    from typeset.run import remote

    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise ClusterError(f"--cluster {options.address}: no worker joined the scheduler "
                           f"within {WORKER_WAIT_SECONDS} s (start some: dask worker "
                           f"{options.address})") from None
    ours = remote.environment()
    differing = []
    # (A worker that does not answer is not waited for: each task checks it again.)
    for address, theirs in sorted(client.run(remote.environment, on_error="ignore").items()):
        differing += [f"{address}: {difference}"
                      for difference in remote.environment_differences(ours, theirs)]
    if differing:
        raise ClusterError("the cluster's workers must run the same set-up as this "
                           "machine (the same checkout, installed the same way); they "
                           "differ:\n  " + "\n  ".join(differing))
    threads = client.nthreads()
    crowded = sorted(address for address, count in threads.items() if count > 1)
    if crowded:
        print(f"build.py: note: {', '.join(crowded)} run several threads each, but a "
              "worker builds one article at a time: start workers with --nthreads 1 and "
              "as many processes as cores (--nworkers)", file=sys.stderr)
    client.register_plugin(remote.TypesetWorker(options.max_articles, options.max_memory),
                           name=remote.PLUGIN_NAME)
    return sum(threads.values())


class ClusterSession:
    """A connected, checked cluster, ready for per-article tasks (`session`)."""

    def __init__(self, client: Any, options: ClusterOptions, threads: int):
        self.client, self.options, self.threads = client, options, threads

    def run(self, tasks: Iterable[tuple[Any, Callable, tuple]]) -> Iterator[tuple[Any, Any]]:
        """run_on_cluster, with room for two tasks per worker thread (one running, one
        on its way) and two more for the client to read while they run."""
        return run_on_cluster(self.client, tasks, window=2 * self.threads + 2)

    @property
    def lost(self) -> bool:
        """Whether the scheduler is gone (the client gave up reconnecting)."""
        return self.client.status != "running"


@contextlib.contextmanager
def session(options: ClusterOptions, jobs: int) -> Iterator[ClusterSession]:
    """Connected to the cluster, its workers checked and given our plugin: what any
    per-article work on the cluster starts with (a batch's builds; an issue's layouts:
    each task is a function of the worker side wrapped in remote.on_worker)."""
    with connect(options, jobs) as client:
        yield ClusterSession(client, options, prepare_workers(client, options))


def run_on_cluster(client: Any, tasks: Iterable[tuple[Any, Callable, tuple]], *,
                   window: int) -> Iterator[tuple[Any, Any]]:
    """Submit each task (label, function, arguments), at most `window` at a time, and
    yield (label, finished future) as they finish, in that order. The tasks are taken
    from `tasks` only as room is made, so that the client never holds more than `window`
    articles' inputs. Meant for any per-article step: a batch's builds, an issue's
    layouts."""
    from distributed import as_completed

    pending = iter(tasks)
    numbers = itertools.count()
    labels: dict[Any, Any] = {}
    running = as_completed()

    def submit_next() -> bool:
        try:
            label, function, arguments = next(pending)
        except StopIteration:
            return False
        future = client.submit(function, *arguments, pure=False, retries=RETRIES,
                               key=f"typeset-{function.__name__}-{os.getpid()}-"
                                   f"{time.time_ns()}-{next(numbers)}")
        labels[future.key] = label
        running.add(future)
        return True

    for _ in range(max(window, 1)):
        if not submit_next():
            break
    for future in running:
        yield labels.pop(future.key), future
        future.release()
        submit_next()


def build_on_cluster(todo: list[tuple[Path, Path]], formats: list[str], *,
                     options: ClusterOptions, jobs: int, strict: bool, limits,
                     advance: Callable[[Path], None]):
    """Build each (manuscript, output folder) of `todo` on the cluster; return their
    outcomes (batch.Outcome), writing each article's outputs as it comes back."""
    from typeset.run import remote
    from typeset.run.batch import Outcome, problems_of

    outcomes: dict[Path, Outcome] = {}
    out_dirs = sorted({out_dir for _, out_dir in todo})

    def tasks():
        digest = remote.environment_digest()
        for manuscript, out_dir in todo:
            try:
                article = remote.pack(manuscript, leave_out=out_dirs)
            except ManuscriptError as exc:
                outcomes[manuscript] = Outcome(manuscript, out_dir, ok=False,
                                               problems=list(exc.problems))
                advance(manuscript)
                continue
            yield ((manuscript, out_dir), remote.build_remotely,
                   (article, formats, strict, digest, (limits.seconds, limits.megabytes)))

    with session(options, jobs) as cluster:
        for (manuscript, out_dir), future in cluster.run(tasks()):
            outcome = Outcome(manuscript, out_dir)
            try:
                answer = future.result()
                outcome.ok, outcome.seconds = answer.ok, answer.seconds
                outcome.problems, outcome.warnings = answer.problems, answer.warnings
                outcome.notes = answer.notes
                if answer.ok:
                    write_answer(manuscript, out_dir, answer, formats, strict)
            except Exception as exc:  # the article's, never the run's: the others go on
                if cluster.lost:
                    done = sum(outcome.ok for outcome in outcomes.values())
                    raise ClusterError(
                        f"lost the scheduler at {options.address}: {done} of {len(todo)} "
                        "articles were built and written; the same command builds the "
                        "rest (the build cache keeps what was done)") from None
                outcome.ok = False
                outcome.problems = _lost(exc, manuscript) or problems_of(exc, manuscript)
            outcomes[manuscript] = outcome
            advance(manuscript)
    return [outcomes[manuscript] for manuscript, _ in todo]


def write_answer(manuscript: Path, out_dir: Path, answer, formats: list[str], strict: bool
                 ) -> list[Path]:
    """Write an article's outputs as a local build does (one set, all at once, with the
    build cache's record), the files named by reference taken from this machine's copies."""
    from typeset.run.builder import write_outputs
    from typeset.run.cache import BuildCache
    from typeset.run.remote import FileRef

    folder = manuscript.resolve().parent
    roots = {"manuscript": folder, "styles": resources.STYLES}
    files: dict[str, bytes | Path] = {
        name: roots[content.root].joinpath(*content.path.split("/"))
        if isinstance(content, FileRef) else content
        for name, content in answer.files.items()}
    digests = {str(folder.joinpath(*name.split("/"))): value
               for name, value in answer.digests.items()}
    return write_outputs(out_dir, manuscript, files, BuildCache.entry(
        formats, strict, digests, [resources.STYLES.joinpath(*answer.style.split("/"))]))


def _lost(exc: BaseException, manuscript: Path) -> list[Problem]:
    from distributed import KilledWorker

    if not isinstance(exc, KilledWorker):
        return []
    return [Problem(display_path(manuscript), None, None,
                    "the cluster gave this article up: every worker that took it died "
                    "before it was built",
                    hint="does it exhaust a worker's memory? see the workers' logs; "
                         "distributed.scheduler.allowed-failures sets the number of tries")]
