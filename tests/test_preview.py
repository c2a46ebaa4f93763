"""The live preview: rebuilds on save, reports errors in the page and recovers, serves
nothing but the page and its assets, and stops cleanly.

The server runs in this process (the `Running` helper the `serve` command uses) on a free
port, over a copy of the sample; the `serve` command itself runs as a user starts it for
the PDF and Ctrl-C tests.
"""

from __future__ import annotations

import http.client
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from typeset.cli import make_parser
from typeset.preview.server import Running
from typeset.preview.state import EVENTS_PATH

from .conftest import ROOT, SAMPLE, run_cli


def copy_sample(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("article.md", "references.bib"):
        shutil.copyfile(SAMPLE.parent / name, folder / name)
    return folder / "article.md"


def request(url: str, path: str, *, method: str = "GET", host: str | None = None,
            timeout: float = 10, extra: dict | None = None) -> tuple[int, dict, bytes]:
    """One request with the path sent exactly as written (no client-side clean-up)."""
    address = re.match(r"http://([^/]+)/", url).group(1)
    connection = http.client.HTTPConnection(address, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        for name, value in (extra or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class EventStream:
    """The reload script's view of the server: the versions it announces."""

    def __init__(self, url: str):
        address = re.match(r"http://([^/]+)/", url).group(1)
        self.connection = http.client.HTTPConnection(address, timeout=15)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next_version(self) -> int:
        while True:
            line = self.response.readline().decode()
            if not line:
                raise EOFError("the event stream ended")
            if line.startswith("data: "):
                version, assets = line[6:].split()
                self.assets = int(assets)
                return int(version)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    manuscript = copy_sample(tmp_path_factory.mktemp("preview") / "paper")
    messages: list[str] = []
    with Running(manuscript, report=messages.append) as running:
        running.manuscript = manuscript
        running.original = manuscript.read_text(encoding="utf-8")
        running.messages = messages
        yield running


@pytest.fixture
def restore(preview):
    """Put the manuscript and bibliography back, and wait for the good page."""
    bib = preview.manuscript.parent / "references.bib"
    original_bib = bib.read_bytes()
    yield
    before = preview.preview.snapshot.version
    bib.write_bytes(original_bib)
    save(preview.manuscript, preview.original)
    wait_until(lambda: preview.preview.snapshot.version > before
               and preview.preview.snapshot.ok, "the preview did not recover")
    # ... and until it has settled: no rebuild of these saves may arrive during the next
    # test, where it would pass for the rebuild of that test's own save.
    settled_for = 0.0
    while settled_for < 0.5:
        version = preview.preview.snapshot.version
        time.sleep(0.1)
        settled_for = settled_for + 0.1 if preview.preview.snapshot.version == version else 0


def save(path: Path, text: str) -> None:
    """As many editors save: a new file renamed over the old, so the watcher never sees a
    half-written one (in-place saves are covered by the watcher's settling)."""
    temporary = path.with_name(path.name + ".saving")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def wait_until(condition, message: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.02)


def page(preview) -> str:
    status, headers, body = request(preview.url, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    return body.decode("utf-8")


def edit_and_wait(preview, new_text: str) -> tuple[float, str]:
    """Save, then wait as the open tab does: for the next version on the event stream,
    then fetch the page. Returns the seconds from the write to the fresh page."""
    events = EventStream(preview.url)
    try:
        seen = events.next_version()
        started = time.perf_counter()
        save(preview.manuscript, new_text)
        while events.next_version() == seen:
            pass
        body = page(preview)
        return time.perf_counter() - started, body
    finally:
        events.close()


# -- serving -----------------------------------------------------------------------------

def test_serves_page_with_reload_script_and_its_assets(preview):
    body = page(preview)
    assert "An Alliance Based on Common Interests" in body
    assert body.count('<script id="typeset-preview" data-version=') == 1
    assert EVENTS_PATH in body
    assert request(preview.url, "/article.html")[2].decode("utf-8") == body
    for path, kind in (("/article_files/screen.css", "text/css; charset=utf-8"),
                       ("/article_files/fonts.css", "text/css; charset=utf-8"),
                       ("/article_files/fonts/Carlito-Regular.ttf", "font/ttf"),
                       ("/article_files/fonts/Carlito-Bold.ttf", "font/ttf")):
        status, headers, data = request(preview.url, path)
        assert (status, headers["Content-Type"]) == (200, kind), path
        assert data == (ROOT / "styles" / "pesa" / path.removeprefix("/article_files/")
                        ).read_bytes()
    # Assets are revalidated, not sent again, on each reload.
    status, headers, _ = request(preview.url, "/article_files/fonts/Carlito-Regular.ttf")
    etag = headers["ETag"]
    assert headers["Cache-Control"] == "no-cache"
    status, _headers, data = request(preview.url, "/article_files/fonts/Carlito-Regular.ttf",
                                     extra={"If-None-Match": etag})
    assert (status, data) == (304, b"")
    status, headers, _ = request(preview.url, "/", method="HEAD")
    assert status == 200 and int(headers["Content-Length"]) == len(body.encode("utf-8"))


def test_binds_to_loopback_by_default(preview):
    assert preview.server.server_address[0] == "127.0.0.1"
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.pdf, args.manuscript) == ("127.0.0.1", 8000, False,
                                                                 None)


@pytest.mark.parametrize("path", [
    "/article.md", "/references.bib", "/../paper/article.md", "/article_files/../article.md",
    "/article_files/%2e%2e/article.md", "/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd",
    "//etc/passwd", "/article_files/", "/article_files", "/article_files/fonts/",
    "/article_files/screen.css/..", "/article_files/SCREEN.CSS", "/article_files\\screen.css",
    "/typeset/preview.py", "/pyproject.toml", "/article.html/", "/article.pdf/", "/__preview",
    "/__preview/events/x",
])
def test_nothing_else_is_served(preview, path):
    status, _headers, body = request(preview.url, path)
    assert status == 404, path
    assert b"[project]" not in body and b"root:" not in body and b"@article" not in body


def test_favicon_is_answered_empty(preview):
    status, _headers, body = request(preview.url, "/favicon.ico")
    assert (status, body) == (204, b"")


def test_other_methods_and_foreign_hosts_are_refused(preview):
    port = preview.server.server_address[1]
    assert request(preview.url, "/", method="POST")[0] == 501
    assert request(preview.url, "/", method="PUT")[0] == 501
    assert request(preview.url, "/", host="evil.example")[0] == 403
    assert request(preview.url, "/", host=f"evil.example:{port}")[0] == 403
    assert request(preview.url, "/", host="")[0] == 403
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert request(preview.url, "/", host=host)[0] == 200, host


def test_changed_assets_are_announced_for_a_full_reload(preview):
    events = EventStream(preview.url)
    try:
        version = events.next_version()
        assets = events.assets
        preview.preview.rebuild(assets_changed=True)
        assert events.next_version() == version + 1 and events.assets == assets + 1
        assert f'data-assets="{assets + 1}"' in page(preview)
    finally:
        events.close()


def test_pdf_needs_the_pdf_option(preview):
    status, _headers, body = request(preview.url, "/article.pdf")
    assert status == 404 and b"--pdf" in body


def test_watches_manuscript_bibliography_templates_and_styles(preview):
    watched = set(preview.preview.stamps())
    folder = preview.manuscript.parent
    assert {folder / "article.md", folder / "references.bib"} <= watched
    assert ROOT / "templates" / "html" / "article.html.j2" in watched
    assert ROOT / "styles" / "pesa" / "screen.css" in watched
    assert ROOT / "styles" / "pesa" / "journal.yaml" in watched


def test_figures_are_served_and_watched(tmp_path):
    folder = tmp_path / "rich"
    shutil.copytree(ROOT / "tests" / "data" / "rich-en", folder)
    with Running(folder / "article.md", report=lambda _message: None) as running:
        body = page(running)
        assert 'src="figures/bars.png"' in body
        for path, kind in (("/figures/bars.png", "image/png"),
                           ("/figures/bars-grey.jpg", "image/jpeg"),
                           ("/figures/diagram.svg", "image/svg+xml")):
            status, headers, data = request(running.url, path)
            assert (status, headers["Content-Type"]) == (200, kind), path
            assert data == (folder / path[1:]).read_bytes()
        assert request(running.url, "/figures/")[0] == 404
        assert request(running.url, "/references.bib")[0] == 404
        # A redrawn figure reloads the page.
        before = running.preview.snapshot.version
        figure = folder / "figures" / "bars.png"
        figure.write_bytes(figure.read_bytes())
        os.utime(figure, ns=(time.time_ns(), time.time_ns() + 10_000_000))
        wait_until(lambda: running.preview.snapshot.version > before,
                   "no rebuild after the figure changed")
        # Open pages reload (a body swap would keep the old image).
        assert running.preview.snapshot.assets_version >= 1


# -- following edits ---------------------------------------------------------------------

def test_an_edit_shows_in_under_a_second(preview, restore):
    bibliography = preview.preview.snapshot.article.bibliography
    timings = []
    for attempt in range(3):
        marker = f"Edited paragraph {attempt} of the preview test."
        text = preview.original.replace("# Introduction {.unnumbered}\n",
                                        f"# Introduction {{.unnumbered}}\n\n{marker}\n", 1)
        seconds, body = edit_and_wait(preview, text)
        assert f"<p>{marker}</p>" in body
        timings.append(seconds)
    print(f"\npreview latency (write -> fresh page): "
          f"{', '.join(f'{t:.2f}' for t in timings)} s")
    # The target is under a second for the sample (about 0.6-0.9 s on a quiet two-core
    # machine: Pandoc is 0.4-0.5 s of it). The bound leaves room for a loaded CI runner
    # while still catching a slow stage (JATS validation, the PDF) put on this path.
    assert statistics.median(timings) < 2.0, timings
    # The unchanged bibliography was not parsed again.
    assert preview.preview.snapshot.article.bibliography is bibliography


def test_bad_yaml_is_shown_located_and_the_page_recovers(preview, restore):
    broken = preview.original.replace("lang: en\n", "lang: [en\n", 1)
    _seconds, body = edit_and_wait(preview, broken)
    assert "does not build" in body
    assert "article.md:4:" in body
    assert "YAML" in body
    assert '<span class="at"><span class="number">   4</span>lang: <mark>[en</mark>' in body
    assert '<script id="typeset-preview"' in body  # so that it follows the fix
    _seconds, body = edit_and_wait(preview, preview.original)
    assert "An Alliance Based on Common Interests" in body and "does not build" not in body


def test_unknown_citation_key_is_located(preview, restore):
    broken = preview.original.replace("[@khlebnikov2020]", "[@khlebnikov2021]", 1)
    line = preview.original[:preview.original.index("[@khlebnikov2020]")].count("\n") + 1
    _seconds, body = edit_and_wait(preview, broken)
    assert f"article.md:{line}:" in body
    assert "the citation key &#39;khlebnikov2021&#39; is not in the bibliography" in body
    assert "did you mean &#39;khlebnikov2020&#39;?" in body
    assert "<mark>@khlebnikov2021</mark>" in body


def test_a_broken_bibliography_is_shown_and_watched(preview, restore):
    bib = preview.manuscript.parent / "references.bib"
    original = bib.read_text(encoding="utf-8")
    events = EventStream(preview.url)
    try:
        events.next_version()
        bib.write_text(original.replace("@article{allison2017,", "@article{allison2017", 1),
                       encoding="utf-8")
        # Each new version, until the page shows the broken file (on a loaded machine the
        # watcher may first catch the file half-written, then settled).
        while "references.bib:" not in page(preview):
            events.next_version()
    finally:
        events.close()
    assert "does not build" in page(preview)
    # Fixed in the .bib alone: the watcher knows the file from the error.
    events = EventStream(preview.url)
    try:
        events.next_version()
        bib.write_text(original, encoding="utf-8")
        while "does not build" in page(preview):
            events.next_version()
    finally:
        events.close()
    assert "does not build" not in page(preview)


def test_the_server_survives_an_unreadable_manuscript(preview, restore):
    for damage in (lambda path: path.write_bytes(b"\xff\xfe not UTF-8\x00"),
                   lambda path: path.unlink()):
        before = preview.preview.snapshot.version
        damage(preview.manuscript)
        wait_until(lambda before=before: preview.preview.snapshot.version > before,
                   "no rebuild after the damage")
        body = page(preview)
        assert "does not build" in body and "article.md" in body


# -- the command ---------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _read_url(process: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.2)
        if ready:
            line = process.stderr.readline()
            seen += line
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            if match:
                return match.group(1)
        if process.poll() is not None:
            break
    raise AssertionError(f"the server printed no URL:\n{seen}")


def test_serve_with_pdf_then_ctrl_c(tmp_path):
    manuscript = copy_sample(tmp_path / "paper")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve",
                                str(manuscript), "--port", "0", "--pdf"],
                               cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    try:
        url = _read_url(process)
        # The page is there at once, the PDF still being laid out.
        started = time.perf_counter()
        status, _headers, body = request(url, "/")
        assert status == 200 and b"An Alliance Based" in body
        assert time.perf_counter() - started < 1.0
        status, headers, data = request(url, "/article.pdf", timeout=120)
        assert (status, headers["Content-Type"]) == (200, "application/pdf")
        assert data.startswith(b"%PDF-")
        workers = _children(process.pid)
        assert workers, "no PDF worker process"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Preview stopped." in process.stderr.read()
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(
                f"/proc/{pid}/status").read_text(), "the PDF worker outlived the server"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def test_serve_usage_errors(tmp_path):
    result = run_cli("serve", str(tmp_path / "missing.md"))
    assert result.returncode == 2 and "missing.md" in result.stderr
    result = run_cli("serve", str(SAMPLE), "--port", "70000")
    assert result.returncode == 2 and "65535" in result.stderr
    # A port already taken: said plainly, no traceback.
    with Running(copy_sample(tmp_path / "paper"), report=lambda _message: None) as running:
        port = running.server.server_address[1]
        result = run_cli("serve", str(tmp_path / "paper" / "article.md"), "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_cleanly(tmp_path):
    manuscript = copy_sample(tmp_path / "paper")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve",
                                str(manuscript), "--port", "0"],
                               cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, env={**os.environ})
    try:
        url = _read_url(process)
        events = EventStream(url)  # an open tab must not hold the server
        events.next_version()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        events.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
