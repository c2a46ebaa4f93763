"""One article's build on a cluster worker: from the files the client sends to the outputs
it gets back. (The client's side is cluster.py.)

No folder is shared between the client and the workers. The client packs the manuscript's
folder (`pack`: the whole folder, bounded in size; see below) and sends it as bytes; the
worker lays it out again in a private temporary folder under the same name (the folder's
name is the article's identity in its outputs), builds it there with a long-lived
`Builder`, and answers with the outputs as bytes (`RemoteBuild`). A file that the outputs
merely copy from the manuscript's folder or from the journal's style (figures, the reading
page's stylesheet and fonts) is answered by name (`FileRef`): the client has it already.
Nothing in the answer names the worker's folders: the problems are given the client's
paths, and the outputs never depended on them (the PDF sees its folders under fixed URLs).

Why the whole folder rather than the list of the article's files: that list
(`Article.input_files`) is known only once the article is read, figures included, which
takes Pandoc, the first half of the build; the client would do half the work and the
worker all of it again. A build may read nothing outside the manuscript's folder (the
pipeline refuses it), so the folder is everything the build can see, and the worker sees
exactly what a local build would. What is left out: other manuscripts' folders nested
inside it (a subfolder with its own article.md), version-control folders, our own cache
and scratch files, the output folder when it lies inside. It is bounded
(`MAX_FOLDER_BYTES`, `MAX_FOLDER_FILES`): a manuscript kept in a crowded folder is told to
move, instead of sending the crowd.

The worker must run the same pipeline as the client: the same code, templates, tool
versions and styles (`environment`). The client compares them before it submits anything;
each task carries the client's digest too, so that a worker that joins later with another
set-up fails its articles with a clear message instead of building different bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath

from distributed import Reschedule, WorkerPlugin, get_worker

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem, TypesetError
from typeset.read.source import display_path
from typeset.run.cache import folder_hashes, pipeline_hash

MAX_FOLDER_BYTES = 256 * 1024 * 1024
MAX_FOLDER_FILES = 5000
SKIPPED_NAMES = frozenset({".git", ".hg", ".svn", "__pycache__", ".typeset-cache.json"})
# The client's environment variables that change a build's outputs or limits: the worker
# builds under the client's values, not its own.
FORWARDED_VARIABLES = ("SOURCE_DATE_EPOCH", "TYPESET_STAGE_TIMEOUT", "TYPESET_BUILD_TIMEOUT",
                       "TYPESET_MEMORY_LIMIT")


@dataclass(frozen=True)
class FileRef:
    """A file of the output set that the client has too: a path relative to the
    manuscript's folder (`root` "manuscript") or to the styles folder ("styles")."""

    root: str
    path: str  # POSIX, relative


@dataclass
class ArticleFiles:
    """What the client sends: the manuscript's folder, as bytes."""

    folder_name: str
    manuscript: str  # the manuscript's path inside the folder (POSIX): article.md
    files: dict[str, bytes]  # POSIX path inside the folder -> content
    shown_folder: str  # the folder as the client's messages show it ("" for its cwd)
    shown_styles: str  # the client's styles folder, as its messages show it
    variables: dict[str, str] = field(default_factory=dict)  # FORWARDED_VARIABLES set

    @property
    def size(self) -> int:
        return sum(len(content) for content in self.files.values())


@dataclass
class RemoteBuild:
    """What the worker answers: plain data, so that it crosses the network as it is."""

    ok: bool = True
    files: dict[str, bytes | FileRef] = field(default_factory=dict)
    # The SHA-256 of each of the article's files as the worker read them, by its name
    # relative to the article's folder (the build cache's record, made on the client).
    digests: dict[str, str] = field(default_factory=dict)
    style: str | None = None  # the style's folder, relative to the styles folder
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""  # the worker's address, for messages and the test of recycling


# -- the client's side: packing ---------------------------------------------------------

def pack(manuscript: Path, leave_out: list[Path] = ()) -> ArticleFiles:
    """The manuscript's folder as bytes (see the module's notes for what is left out);
    `leave_out`: folders not to send (the output folders). ManuscriptError when the
    folder is too large to send (told before reading what would not fit)."""
    folder = manuscript.absolute().parent
    skipped = {Path(path).resolve() for path in leave_out}
    files: dict[str, bytes] = {}
    total = 0
    for relative, path, size in _folder_files(folder, "", skipped, set()):
        total += size
        if len(files) >= MAX_FOLDER_FILES or total > MAX_FOLDER_BYTES:
            raise ManuscriptError([Problem(
                display_path(manuscript), None, None,
                f"its folder holds more than {MAX_FOLDER_FILES} files or "
                f"{MAX_FOLDER_BYTES // (1024 * 1024)} MB, which a cluster build would send "
                "whole to a worker",
                hint="keep each manuscript in a folder of its own, with its bibliography "
                     "and figures only")])
        try:
            files[relative] = path.read_bytes()
        except OSError:
            continue  # unreadable here: the build says what it misses, if it needs it
    shown = display_path(folder)
    return ArticleFiles(folder.name, manuscript.name, files,
                        "" if shown == "." else shown, display_path(resources.STYLES),
                        {name: os.environ[name] for name in FORWARDED_VARIABLES
                         if name in os.environ})


def _folder_files(folder: Path, prefix: str, skipped: set[Path], seen: set[Path],
                  top: Path | None = None):
    """(name relative to the manuscript's folder, path, size) of each regular file under
    `folder` that a build of the manuscript may read, under the names the build uses
    (a linked folder inside the manuscript's is sent under the link's name)."""
    real_folder = folder.resolve()
    top = top or real_folder
    if real_folder in seen:  # a link back up the tree
        return
    seen = seen | {real_folder}
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name in SKIPPED_NAMES or entry.name.startswith(".typeset-"):
            continue
        real = entry.resolve()
        if real in skipped or not real.is_relative_to(top):
            continue  # an output folder, or a link out of the folder (refused by a build)
        name = prefix + entry.name
        if real.is_dir():
            if not (real / "article.md").is_file():  # else another manuscript's folder
                yield from _folder_files(entry, name + "/", skipped, seen, top)
        elif real.is_file():
            yield name, entry, real.stat().st_size


# -- the worker's side ------------------------------------------------------------------

@cache
def environment() -> dict[str, str]:
    """What a build's outputs depend on besides the article: our code, templates and
    tools (one hash), and each file of the styles folder (relative path -> hash)."""
    styles = resources.STYLES
    return {"pipeline": pipeline_hash(),
            **{f"styles/{Path(path).relative_to(styles).as_posix()}": value
               for path, value in folder_hashes(styles).items()}}


@cache
def environment_digest() -> str:
    return hashlib.sha256(repr(sorted(environment().items())).encode()).hexdigest()


def environment_differences(client: dict[str, str], worker: dict[str, str]) -> list[str]:
    """How a worker's environment differs from the client's, in words."""
    if client.get("pipeline") != worker.get("pipeline"):
        return ["another version of typeset (its code, templates or tools differ)"]
    names = sorted(set(client) ^ set(worker) |
                   {name for name in client if worker.get(name) != client[name]})
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [f"other style files ({shown})"] if names else []


# One article at a time per worker process, whatever its number of threads: the pipeline
# keeps per-process state (the Builder's caches, WeasyPrint's fonts, the environment
# variables a build runs under). Workers are meant to run one thread each.
_BUILD_LOCK = threading.Lock()
_builders: dict[tuple, object] = {}


def _builder(strict: bool, seconds: float | None = None, megabytes: float | None = None):
    """This process's Builder for these options (`seconds`, `megabytes`: the client's
    --timeout and --memory, None for their environment variables or defaults)."""
    key = (strict, seconds, megabytes)
    if key not in _builders:
        from typeset.run.builder import Builder

        _builders[key] = Builder(strict=strict, use_cache=False, time_budget=seconds,
                                 memory_limit=megabytes)
    return _builders[key]


def warm_up() -> None:
    """What every worker process would otherwise load during its first article: the
    pipeline's imports, WeasyPrint and its fonts."""
    from typeset.run.batch import _warm_up

    with _BUILD_LOCK:
        _warm_up()
        _builder(False)


@dataclass
class WorkerArticle:
    """An article laid out on this worker for one task (`on_worker`)."""

    manuscript: Path  # in the worker's private folder
    folder: Path
    worker: str  # the worker's address
    client_paths: Callable[[Problem], Problem]  # a problem, with the client's paths

    def portable(self, content: bytes | Path) -> bytes | FileRef:
        """An output file as the client can use it: bytes, or the name of a file it has."""
        if isinstance(content, bytes):
            return content
        path = Path(content).resolve()
        for root, base in (("manuscript", self.folder.resolve()),
                           ("styles", resources.STYLES)):
            if path.is_relative_to(base):
                return FileRef(root, path.relative_to(base).as_posix())
        return path.read_bytes()


@contextlib.contextmanager
def on_worker(article: ArticleFiles, digest: str) -> Iterator[WorkerArticle]:
    """The frame of any per-article task (a batch's build, an issue's layout): recycling
    checked first (a worker due for it hands the article on), then the article's folder
    laid out in a private temporary folder, one article at a time per process, under the
    client's environment variables; TypesetError if this worker's set-up is not the
    client's (`digest`: environment_digest() on the client)."""
    recycling = _recycling_plugin()
    if recycling is not None:
        recycling.before_article()  # may raise Reschedule: built elsewhere
    worker = recycling.address if recycling else ""
    with _BUILD_LOCK, tempfile.TemporaryDirectory(prefix="typeset-",
                                                  dir=_scratch_root()) as scratch:
        folder = Path(scratch) / article.folder_name
        _unpack(article, folder)
        here = WorkerArticle(folder / article.manuscript, folder, worker,
                             _client_paths(folder, article))
        try:
            if digest != environment_digest():
                raise TypesetError(
                    f"the worker {worker or '(unknown)'} runs another set-up than this "
                    "machine (typeset's code, templates, tools or styles differ); every "
                    "worker must run the same checkout, installed the same way")
            with _variables(article.variables):
                yield here
        finally:
            if recycling is not None:
                recycling.after_article()


def build_remotely(article: ArticleFiles, formats: list[str], strict: bool,
                   digest: str, limits: tuple[float | None, float | None] = (None, None)
                   ) -> RemoteBuild:
    """The task a worker runs for a batch: build `article`, answer with its outputs. A
    problem with the article is an answer (ok=False), never an exception: an exception
    is left for the cluster to retry (a full disk, a worker going away)."""
    from typeset.run.batch import problems_of

    started = time.perf_counter()
    result = RemoteBuild()
    with on_worker(article, digest) as here:
        result.worker = here.worker
        try:
            made = _builder(strict, *limits).render(here.manuscript, formats)
            result.files = {name: here.portable(content)
                            for name, content in made.files.items()}
            folder = here.folder.resolve()
            result.digests = {Path(path).relative_to(folder).as_posix(): value
                              for path, value in made.digests.items()}
            result.style = made.style.relative_to(resources.STYLES).as_posix()
            result.warnings, result.notes = made.warnings, made.notes
        except Exception as exc:  # as in a local batch: the article fails, the run goes on
            result.ok = False
            result.problems = problems_of(exc, here.manuscript)
        for name in ("problems", "warnings", "notes"):
            setattr(result, name, [here.client_paths(p) for p in getattr(result, name)])
    result.seconds = time.perf_counter() - started
    return result


def _unpack(article: ArticleFiles, folder: Path) -> None:
    for relative, content in article.files.items():
        path = PurePosixPath(relative)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"a file name that would leave the article's folder: {relative}")
        target = folder.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    folder.mkdir(parents=True, exist_ok=True)


def _client_paths(folder: Path, article: ArticleFiles):
    """A function giving a problem the client's paths instead of the worker's."""
    client_folder = article.shown_folder + "/" if article.shown_folder else ""
    replacements = []
    for worker_path, client_path in ((folder, client_folder),
                                     (resources.STYLES, article.shown_styles + "/")):
        for shown in {str(worker_path.resolve()), str(worker_path.absolute()),
                      display_path(worker_path)}:
            replacements.append((shown + "/", client_path))
    replacements.sort(key=lambda pair: -len(pair[0]))

    def swap(text: str) -> str:
        for old, new in replacements:
            text = text.replace(old, new)
        return text

    def translate(problem: Problem) -> Problem:
        return replace(problem, path=swap(problem.path), message=swap(problem.message),
                       hint=swap(problem.hint))

    return translate


class _variables:
    """The client's FORWARDED_VARIABLES, in force for one build (under _BUILD_LOCK)."""

    def __init__(self, values: dict[str, str]):
        self.values = values

    def __enter__(self):
        self.saved = {name: os.environ.get(name) for name in FORWARDED_VARIABLES}
        for name in FORWARDED_VARIABLES:
            if name in self.values:
                os.environ[name] = self.values[name]
            else:
                os.environ.pop(name, None)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _scratch_root() -> str | None:
    """The worker's own scratch folder (Dask removes what a dead worker left there)."""
    try:
        return get_worker().local_directory
    except ValueError:  # not on a worker (a test calling the task directly)
        return None


# -- recycling --------------------------------------------------------------------------

PLUGIN_NAME = "typeset"


def _recycling_plugin() -> TypesetWorker | None:
    try:
        return get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not on a worker
        return None


# This process's articles, across the runs (each run registers a new plugin instance).
_built_here = itertools.count(1)


class TypesetWorker(WorkerPlugin):
    """Registered by the client on every worker (and on every worker that joins later):
    warms the pipeline up, and recycles the worker process after `max_articles` articles
    or when its resident memory exceeds `max_memory` bytes after an article, so that a
    long run does not grow.

    Recycling is a graceful close (`close_gracefully(restart=True)`) after which the
    worker's nanny starts a fresh process, and it happens only between articles: when the
    worker is idle (its last answer collected by the client), or when its next article
    arrives, which it then hands back to the scheduler (`Reschedule`) to be built
    elsewhere. Dask's own `--lifetime` would end a worker at a time, mid-article, losing
    that article's work. The nanny's memory limit stays the hard stop: past it, the nanny
    kills the worker even mid-article, and the scheduler has the article built again."""

    name = PLUGIN_NAME

    def __init__(self, max_articles: int, max_memory: int):
        self.max_articles, self.max_memory = max_articles, max_memory
        self.articles = 0  # built by this worker in this run
        self.due = ""  # why the worker is to be recycled, once it is
        self.closing = False

    def setup(self, worker):
        self.worker = worker
        self.address = worker.address
        # Dask's statistical profiler samples the task thread's stack every 10 ms, on the
        # event loop's thread: on a deep, pure-Python layout it took some 10 % of each
        # build, for a dashboard view this work does not need.
        for name in ("profile", "profile-cycle"):
            if name in worker.periodic_callbacks:
                worker.periodic_callbacks[name].stop()
        threading.Thread(target=warm_up, name="typeset-warm-up", daemon=True).start()

    def after_article(self) -> None:
        """(In the task's thread.)"""
        self.articles += 1
        in_process = next(_built_here)
        memory = _resident_memory()
        if in_process >= self.max_articles:
            self.due = f"built {in_process} articles"
        elif memory > self.max_memory:
            self.due = f"holds {memory // (1024 * 1024)} MB after {in_process} articles"
        if self.due:
            self.worker.loop.add_callback(self._recycle_when_idle)

    def before_article(self) -> None:
        """(In the task's thread.) A worker due for recycling starts no new article,
        unless it still holds an answer the client has not collected (closing now would
        lose that answer): it hands the article back to the scheduler and closes."""
        if not self.due or self._holds_answers():
            return
        self._recycle()
        raise Reschedule()

    def _recycle_when_idle(self) -> None:
        if self.closing:
            return
        if self.worker.state.tasks:  # an answer not yet collected, or more work
            self.worker.loop.call_later(0.1, self._recycle_when_idle)
            return
        self._recycle()

    def _holds_answers(self) -> bool:
        return any(task.state == "memory" for task in list(self.worker.state.tasks.values()))

    def _recycle(self) -> None:
        if not self.closing:
            self.closing = True
            self.worker.loop.add_callback(self.worker.close_gracefully, restart=True,
                                          reason=f"typeset recycling: {self.due}")


def _resident_memory() -> int:
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except Exception:  # no psutil: memory is then bounded by the nanny's limit alone
        return 0

