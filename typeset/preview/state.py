"""Live preview: `python build.py serve [MANUSCRIPT] [--port 8000] [--host H] [--pdf]`.

One long-lived process: the `Builder`, the imports, the Jinja templates and (with `--pdf`)
WeasyPrint and its fonts stay loaded between rebuilds. A watcher thread polls the inputs'
stat stamps (the manuscript, its bibliography and figures, `templates/`, `styles/`) and
rebuilds the reading page in memory on every change: `Builder.read` + `render_html` only,
no JATS validation and no PDF on that path. With `--pdf`, a worker process (WeasyPrint
imported once, fonts loaded once) lays out the PDF of each good build afterwards, latest
first; the page never waits for it.

The HTTP server is in preview_server.py.

Open tabs follow by themselves: a small script, which exists only in what this server
sends (never in `build/`), listens to an event stream and swaps in the new page's body,
or reloads when the stylesheet, fonts or figures changed. A manuscript that does not
build gives a page listing its problems (`path:line:column`, with the offending source
lines); the next good save brings the article back.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem, TypesetError
from typeset.model.article import Article
from typeset.read.journal import load_journal
from typeset.read.source import display_path
from typeset.render.html import page as html_page
from typeset.render.templating import environment
from typeset.run.builder import Builder

log = logging.getLogger("typeset.preview")

EVENTS_PATH = "/__preview/events"
POLL_SECONDS = 0.05  # how often the inputs' stamps are compared
SETTLE_SECONDS = 0.02  # an editor's save may take more than one write
SETTLE_LIMIT_SECONDS = 1.0  # a file still changing after this is built as it stands
PDF_WAIT_SECONDS = 60.0  # a request for the PDF waits this long for the fresh one
KEEPALIVE_SECONDS = 10.0
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8", ".ttf": "font/ttf", ".otf": "font/otf",
    ".woff": "font/woff", ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".webp": "image/webp",
}

# The reload script. Each build has a version, and each change to a file the page loads
# (stylesheet, font, figure) bumps an assets version; the server announces both ("12 3")
# on an event stream. A new build of the article replaces the open page's body in place
# (the scroll position, the stylesheet and the fonts stay); changed assets, or a switch to
# or from the page of problems, reload the page.
# EventSource reconnects by itself when the server restarts.
RELOAD_SCRIPT = """<script id="typeset-preview" data-version="{version}" data-assets="{assets}">
(function () {{
  var tag = document.getElementById("typeset-preview");
  var shown = Number(tag.dataset.version), assets = Number(tag.dataset.assets);
  var latest = shown, busy = false;
  var events = new EventSource("{events}");
  function reload() {{ events.close(); location.reload(); }}
  function update() {{
    if (busy || latest === shown) return;
    busy = true;
    fetch(location.pathname, {{cache: "no-store"}}).then(function (response) {{
      return response.text();
    }}).then(function (text) {{
      var fresh = new DOMParser().parseFromString(text, "text/html");
      var next = fresh.getElementById("typeset-preview");
      if (!next || !fresh.querySelector("article.article") ||
          !document.querySelector("article.article") ||
          Number(next.dataset.assets) !== assets) {{ reload(); return; }}
      var x = window.scrollX, y = window.scrollY;
      document.title = fresh.title;
      document.body.replaceWith(document.adoptNode(fresh.body));
      window.scrollTo(x, y);
      shown = Number(next.dataset.version);
      busy = false;
      update();
    }}).catch(reload);
  }}
  events.onmessage = function (event) {{
    var parts = event.data.split(" ");
    if (Number(parts[1]) !== assets) {{ reload(); return; }}
    latest = Number(parts[0]);
    update();
  }};
}})();
</script>
"""


@dataclass(frozen=True)
class Snapshot:
    """The result of one build, as served until the next one."""

    version: int
    page: bytes
    assets: dict[str, Path] = field(default_factory=dict)
    assets_version: int = 0  # bumped when a file the page loads changed: pages reload
    ok: bool = True
    seconds: float = 0.0
    article: Article | None = None

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders the served files must lie in: the manuscript's and the style's."""
        if self.article is None:
            return ()
        return (self.article.folder.resolve(), self.article.journal.folder.resolve())


def stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class Preview:
    """The article kept built: rebuilt on demand, read by the server's threads."""

    def __init__(self, manuscript: Path, *, pdf: bool = False, report=None):
        self.manuscript = Path(manuscript).absolute()
        self.pdf_name = self.manuscript.stem + ".pdf"
        self.page_name = self.manuscript.stem + ".html"
        self.builder = Builder(validate_jats=False)
        self.report = report or (lambda message: print(message, file=sys.stderr))
        self._changed = threading.Condition()
        self._building = threading.Lock()  # one build at a time, versions in order
        self._snapshot = Snapshot(0, b"", ok=False)
        self._inputs: set[Path] = {self.manuscript}
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.pdf_enabled = pdf
        self._pdf_lock = threading.Condition()
        self._pdf_wanted: Snapshot | None = None
        self._pdf_busy = False  # a layout is running in the worker
        self._pdf: tuple[int, bytes | None, str | None] | None = None  # version, PDF, error
        self._worker: PdfWorker | None = None

    # -- state read by the server --------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def wait_for_version(self, seen: int, timeout: float) -> int:
        """The current version, once it differs from `seen` or `timeout` has passed."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.version != seen or self.stopping,
                                   timeout)
            return self._snapshot.version

    # -- building ------------------------------------------------------------------------

    def rebuild(self, assets_changed: bool = False) -> Snapshot:
        """Read the manuscript and render the page; a failure becomes a page of problems.
        Nothing raised here may stop the server. `assets_changed`: a stylesheet, font or
        figure changed, which a browser would not fetch again: open pages reload rather
        than swap their body."""
        with self._building:
            return self._rebuild(assets_changed)

    def _rebuild(self, assets_changed: bool) -> Snapshot:
        started = time.perf_counter()
        version = self._snapshot.version + 1
        assets_version = self._snapshot.assets_version + (1 if assets_changed else 0)
        article, detail = None, ""
        try:
            article = self.builder.read(self.manuscript)
            page = html_page.render_html(article,
                                         self.pdf_name if self.pdf_enabled else None)
            page = inject_warnings(page, list(article.warnings))
            assets = html_page.asset_map(article)
            self._inputs = self._inputs_of(article)
            ok, problems = True, []
        except ManuscriptError as exc:
            problems = list(exc.problems)
            ok = False
        except TypesetError as exc:
            problems = [Problem(display_path(self.manuscript), None, None, str(exc))]
            ok = False
        except Exception:  # a bug of ours: show it, keep serving
            problems = [Problem(display_path(self.manuscript), None, None,
                                "internal error while building the page",
                                hint="this is a bug in the pipeline; please report it")]
            detail = traceback.format_exc()
            ok = False
        seconds = time.perf_counter() - started
        if ok:
            body = inject_reload_script(page, version, assets_version)
            snapshot = Snapshot(version, body.encode("utf-8"), assets, assets_version, True,
                                seconds, article)
            warnings = "".join(f"\n  {w}" for w in article.warnings)
            self.report(f"{_clock()} page rebuilt in {seconds:.2f} s{warnings}")
        else:
            self._inputs |= self._paths_in(problems)
            body = error_page(problems, detail, version, assets_version, self.manuscript)
            snapshot = Snapshot(version, body.encode("utf-8"), {}, assets_version, False,
                                seconds)
            listing = "\n".join(f"  {p}" for p in problems)
            self.report(f"{_clock()} the manuscript has problems:\n{listing}"
                        + (f"\n{detail}" if detail else ""))
        with self._changed:
            self._snapshot = snapshot
            self._changed.notify_all()
        if ok and self.pdf_enabled:
            with self._pdf_lock:
                self._pdf_wanted = snapshot
                self._pdf_lock.notify_all()
        return snapshot

    def _inputs_of(self, article: Article) -> set[Path]:
        return {self.manuscript, *article.input_files}

    @staticmethod
    def _paths_in(problems: list[Problem]) -> set[Path]:
        """A broken bibliography is watched even before a good build has named it."""
        return {Path(p.path).absolute() for p in problems if Path(p.path).is_file()}

    # -- watching ------------------------------------------------------------------------

    def stamps(self) -> dict[Path, tuple | None]:
        found = {path: stamp(path) for path in self._inputs}
        for folder in (resources.TEMPLATES, resources.STYLES):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found[path] = stamp(path)
        return found

    def watch(self) -> None:
        """Poll the inputs and rebuild on change, until `stop`."""
        seen = self.stamps()
        while not self._stopping.wait(POLL_SECONDS):
            now = self.stamps()
            if now == seen:
                continue
            # Wait for the files to stop changing: an editor's save may take more than one
            # write (truncate, then write), and a loaded machine stretches the gap.
            for _ in range(int(SETTLE_LIMIT_SECONDS / SETTLE_SECONDS)):
                time.sleep(SETTLE_SECONDS)
                settled = self.stamps()
                if settled == now:
                    break
                now = settled
            changed = {p for p in now.keys() | seen.keys() if now.get(p) != seen.get(p)}
            if any(p.is_relative_to(resources.STYLES) for p in changed):
                load_journal.cache_clear()  # journal.yaml may be among them
            served = set(self._snapshot.assets.values())
            try:
                self.rebuild(assets_changed=bool(changed & served) or any(
                    p.is_relative_to(resources.STYLES) for p in changed))
            except Exception:  # never expected; the watcher must outlive it all the same
                self.report(f"{_clock()} rebuild failed:\n{traceback.format_exc()}")
            # Stamps taken before the build: a save made during it is seen next time.
            fresh = self.stamps()
            seen = {path: now.get(path, fresh[path]) for path in fresh}

    # -- the PDF, in the background ------------------------------------------------------

    def render_pdfs(self) -> None:
        """Hand each good build's article to the PDF worker process, latest first."""
        while True:
            with self._pdf_lock:
                self._pdf_lock.wait_for(lambda: self._pdf_wanted is not None or self.stopping)
                if self.stopping:
                    return
                wanted, self._pdf_wanted = self._pdf_wanted, None
                self._pdf_busy = True
            started = time.perf_counter()
            try:
                if self._worker is None or not self._worker.alive:
                    if self.stopping:
                        return
                    self._worker = PdfWorker()
                data, error = self._worker.render(wanted.article)
            except Exception as exc:  # the pipe broke, or the worker died: start afresh
                data, error = None, f"the PDF worker failed ({exc!r})"
                if self._worker is not None:
                    self._worker.close()
                self._worker = None
            if self.stopping:
                return
            if error:
                self.report(f"{_clock()} the PDF failed:\n{error}")
            else:
                self.report(f"{_clock()} PDF laid out in {time.perf_counter() - started:.2f} s")
            with self._pdf_lock:
                self._pdf = (wanted.version, data, error)
                self._pdf_busy = False
                self._pdf_lock.notify_all()

    def current_pdf(self, timeout: float = PDF_WAIT_SECONDS) -> tuple[bytes | None, str | None]:
        """The PDF of the latest good build, once no layout is pending or running (waiting
        up to `timeout`, then the latest PDF there is); or the error that stopped it."""
        with self._pdf_lock:
            self._pdf_lock.wait_for(lambda: self.stopping or (
                self._pdf_wanted is None and not self._pdf_busy), timeout)
            if self._pdf is not None:
                return self._pdf[1], self._pdf[2]
            if self._pdf_busy or self._pdf_wanted is not None:
                return None, "the PDF is not ready yet: reload in a moment"
            return None, "no PDF: the manuscript has not built yet"

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        if self.pdf_enabled:
            # Started first, so that its imports overlap the first build.
            self._worker = PdfWorker()
        self.rebuild()
        workers = [("typeset-preview-watch", self.watch)]
        if self.pdf_enabled:
            workers.append(("typeset-preview-pdf", self.render_pdfs))
        for name, target in workers:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        with self._pdf_lock:
            self._pdf_lock.notify_all()
        if self._worker is not None:
            self._worker.close()  # also ends a layout in progress
        for thread in self._threads:
            thread.join(timeout=2.0)
        if self._worker is not None:  # one started while we were stopping
            self._worker.close()


class PdfWorker:
    """A child process that lays out PDFs (`python -m typeset.preview.state --pdf-worker`).

    WeasyPrint's import, fonts and layout cost stay out of the serving process: a layout
    is seconds of pure Python, which in a thread would hold the GIL against the rebuilds of
    the page. The article goes over a pipe, pickled (the child reads nothing itself), and
    the PDF comes back the same way.
    """

    def __init__(self):
        # The package is found where this module is, installed or not (build.py run
        # from another folder).
        package_root = str(resources.ROOT)
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "typeset.preview.state", "--pdf-worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path})

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def render(self, article: Article) -> tuple[bytes | None, str | None]:
        _send(self.process.stdin, article)
        return _receive(self.process.stdout)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            self.process.kill()  # in the middle of a layout nobody wants any more
            self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdout.close()


def _send(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("the other end closed the pipe")
    size = struct.unpack(">Q", header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed the pipe")
    return pickle.loads(data)


def pdf_worker() -> int:
    """The worker's side: lay out each article received, answer (PDF, None) or
    (None, error text), until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which ends us
    channel_in, channel_out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the channel
    from typeset.render.pdf import layout as pdf

    pdf._weasyprint()  # the import and the font set-up, before the first article comes
    while True:
        try:
            article = _receive(channel_in)
        except EOFError:
            return 0
        try:
            answer = (layout_pdf(article), None)
        except ManuscriptError as exc:
            answer = (None, str(exc))
        except Exception:
            answer = (None, traceback.format_exc())
        try:
            _send(channel_out, answer)
        except (BrokenPipeError, OSError):
            return 0


def layout_pdf(article: Article) -> bytes:
    from typeset.render.pdf import layout as pdf

    return pdf.lay_out(article).write()[0]


def _clock() -> str:
    return time.strftime("[%H:%M:%S]")


def inject_reload_script(page: str, version: int, assets_version: int = 0) -> str:
    script = RELOAD_SCRIPT.format(version=int(version), assets=int(assets_version),
                                  events=EVENTS_PATH)
    head, marker, tail = page.rpartition("</body>")
    return head + script + marker + tail if marker else page + script


WARNINGS_PANEL = """<aside id="typeset-warnings" role="status" style="position:fixed;bottom:0;\
left:0;right:0;max-height:30vh;overflow:auto;margin:0;padding:.5rem 1rem;background:#fffbea;\
border-top:3px solid #b7791f;font:14px/1.4 system-ui,sans-serif;color:#1b1b1b;z-index:10">
<strong>{count} warning{plural}</strong> (a build with --strict would stop on {them}):
<ul style="margin:.3rem 0 0;padding-left:1.2rem">{items}</ul></aside>"""


def inject_warnings(page: str, warnings: list[Problem]) -> str:
    """The manuscript's warnings, shown in the preview as the build reports them: the
    editor sees at once what `--strict` would refuse (the published page has none)."""
    if not warnings:
        return page
    items = "".join(f"<li><code>{html.escape(str(w))}</code></li>" for w in warnings)
    panel = WARNINGS_PANEL.format(count=len(warnings), plural="" if len(warnings) == 1
                                  else "s", them="it" if len(warnings) == 1 else "them",
                                  items=items)
    head, marker, tail = page.rpartition("</body>")
    return head + panel + marker + tail if marker else page + panel


EXCERPT_WIDTH = 110  # characters of a source line shown around the problem


def source_excerpt(problem: Problem, context: int = 2) -> list[dict]:
    """The source lines around the problem, when the file can be read: each a dict of
    `number`, `at` (is it the problem's line) and the text cut in `before`, `mark`,
    `after`, where `mark` is the word at the problem's column. A Markdown paragraph is
    one long line: only a window of it around the column is shown."""
    if problem.line is None:
        return []
    path = Path(problem.path)
    try:
        if not path.is_file() or path.stat().st_size > 20 * 1024 * 1024:
            return []
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []
    if not 1 <= problem.line <= len(lines):
        return []
    excerpt = []
    for number in range(max(problem.line - context, 1),
                        min(problem.line + context, len(lines)) + 1):
        text = lines[number - 1]
        at = number == problem.line
        before, mark, after = text, "", ""
        if at and problem.column is not None and problem.column <= len(text) + 1:
            index = problem.column - 1
            rest = text[index:].split(None, 1)[0] if text[index:].strip() else ""
            word = len(rest.rstrip("]);,.:!?\"'")) or len(rest)
            before, mark, after = text[:index], text[index:index + word], text[index + word:]
            if len(before) > EXCERPT_WIDTH // 2:
                before = "…" + before[-(EXCERPT_WIDTH // 2):]
        if len(before) + len(mark) + len(after) > EXCERPT_WIDTH:
            room = max(EXCERPT_WIDTH - len(before) - len(mark), 10)
            if len(after) > room:
                after = after[:room] + "…"
            elif len(before) > EXCERPT_WIDTH:
                before = before[:EXCERPT_WIDTH] + "…"
        excerpt.append({"number": number, "at": at, "before": before, "mark": mark,
                        "after": after})
    return excerpt


def error_page(problems: list[Problem], detail: str, version: int, assets_version: int,
               manuscript: Path) -> str:
    try:
        page = environment().get_template("html/preview-error.html.j2").render(
            manuscript=display_path(manuscript),
            problems=[{"problem": p, "excerpt": source_excerpt(p)} for p in problems],
            detail=detail)
    except Exception:  # the template itself is being edited: still say what is wrong
        listing = "\n".join(str(p) for p in problems) + "\n\n" + detail
        page = (f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Problems</title>"
                f"<pre>{html.escape(listing)}\n{html.escape(traceback.format_exc())}</pre>"
                "</html>")
    return inject_reload_script(page, version, assets_version)


if __name__ == "__main__" and sys.argv[1:] == ["--pdf-worker"]:
    sys.exit(pdf_worker())
