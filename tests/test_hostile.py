"""Hostile and unlucky files, through the real command line and the real preview server:
files swapped or deleted while a build or the preview runs, pictures that lie about
their size, SVGs that carry scripts or entities, nesting deep enough to exhaust a
parser, bibliographies one reader accepts and the other does not."""

from __future__ import annotations

import io
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from typeset.preview.server import Running

from .conftest import ROOT
from .helpers_manuscript import BIBTEX, BODY, write_manuscript
from .test_preview import request, wait_until


def png(size: tuple[int, int], colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, colour).save(stream, format="PNG")
    return stream.getvalue()


def start_build(folder: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", *args],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def wait_for(path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


# -- each file read once ---------------------------------------------------------------

def test_figures_changed_during_a_build_change_nothing_in_its_outputs(tmp_path):
    """Once the manuscript is read, its figures are bytes in memory: the PDF embeds them,
    the outputs copy them. A figure swapped for a link to a file outside the folder, or
    deleted, while the build runs changes nothing."""
    folder = tmp_path / "m"
    write_manuscript(folder, body=BODY + "\n![A map](figures/map.png){#fig:map}\n\n"
                     "![A chart](figures/chart.png){#fig:chart}\n")
    (folder / "figures").mkdir()
    originals = {"map.png": png((4, 3)), "chart.png": png((5, 2), (30, 160, 30))}
    for name, data in originals.items():
        (folder / "figures" / name).write_bytes(data)
    (tmp_path / "outside.png").write_bytes(png((7, 5), (0, 0, 0)))
    pause = tmp_path / "pause"
    build = start_build(tmp_path, "m", "--out", "out",
                        env={"TYPESET_TEST_FAULTS": "read=pause",
                             "TYPESET_TEST_PAUSE": str(pause)})
    wait_for(pause.with_suffix(".paused"))
    (folder / "figures" / "map.png").unlink()
    (folder / "figures" / "map.png").symlink_to(tmp_path / "outside.png")
    (folder / "figures" / "chart.png").unlink()
    pause.with_suffix(".go").touch()
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    out = tmp_path / "out"
    for name, data in originals.items():
        assert (out / "figures" / name).read_bytes() == data
    sizes = sorted(image.image.size for page in PdfReader(out / "article.pdf").pages
                   for image in page.images)
    assert sizes == [(4, 3), (5, 2)]
    page = (out / "article.html").read_text(encoding="utf-8")
    assert 'src="figures/map.png"' in page and 'src="figures/chart.png"' in page
    # The record keeps the hashes of the bytes used: the next build sees the change and
    # refuses the link, at its line.
    again = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "m", "--out",
                            "out", "--to", "jats"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 1
    assert ("m/article.md:37:10: the image 'figures/map.png' is a link to a file outside "
            "the manuscript's folder") in again.stderr
    assert "m/article.md:39:12: the image 'figures/chart.png' does not exist" in again.stderr


def test_the_preview_never_serves_a_file_outside_the_folder(tmp_path):
    """A figure replaced by a link to a file elsewhere, between two rebuilds: the server
    opens the file with the build's confinement and refuses it."""
    folder = tmp_path / "m"
    manuscript = write_manuscript(folder, body=BODY + "\n![A map](figures/map.png)\n")
    (folder / "figures").mkdir()
    (folder / "figures" / "map.png").write_bytes(png((4, 3)))
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    with Running(manuscript, report=lambda _message: None) as running:
        assert request(running.url, "/figures/map.png")[0] == 200
        # Hold the rebuild the change would start: the page being served still names the
        # figure, as it does for as long as a slow rebuild takes.
        with running.preview._building:
            (folder / "figures" / "map.png").unlink()
            (folder / "figures" / "map.png").symlink_to(secret)
            answers = [request(running.url, "/figures/map.png") for _ in range(20)]
        assert {status for status, _, _ in answers} == {404}
        assert not any(b"root:" in body for _, _, body in answers)
        wait_until(lambda: not running.preview.snapshot.ok, "no rebuild after the change")
        assert request(running.url, "/figures/map.png")[0] == 404


# -- nesting --------------------------------------------------------------------------------

DEEP_QUOTES = BODY + "\n" + "> " * 300 + "Deep quote text.\n"
# Deeper than Python's JSON reader goes: refused all the same.
DEEP_EMPHASIS = BODY + "\n" + "*a _b " * 300 + "x" + "_ b* " * 300 + "\n"
TOO_DEEP = ("more than 32 levels of quotes, lists, divs or emphasis inside one another "
            "(flatten the structure: no printed article nests this deep)")


def test_300_nested_quotes_are_refused_at_their_line(tmp_path):
    write_manuscript(tmp_path / "m", body=DEEP_QUOTES)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "m", "--to",
                             "jats", "--out", "out"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == f"m/article.md:37:601: {TOO_DEEP}\n"
    assert not (tmp_path / "out").exists()


def test_a_batch_goes_on_past_articles_nested_too_deep(tmp_path):
    write_manuscript(tmp_path / "issue" / "a-quotes", body=DEEP_QUOTES)
    write_manuscript(tmp_path / "issue" / "b-emphasis", body=DEEP_EMPHASIS)
    write_manuscript(tmp_path / "issue" / "c-good")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "issue",
                             "--to", "html", "--out", "out"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"issue/a-quotes/article.md:37:601: {TOO_DEEP}",
        f"issue/b-emphasis/article.md:37:1: {TOO_DEEP}",
        "1 built, 2 failed, 0 unchanged"]
    assert (tmp_path / "out" / "c-good" / "article.html").is_file()


# -- pictures that lie, drawings that act ----------------------------------------------------

def bomb_jpeg() -> bytes:
    """A 31 KB JPEG whose frame header, announcing 13000 × 13000 pixels, stands behind
    1001 comment segments."""
    stream = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(stream, format="JPEG")
    data = bytearray(stream.getvalue())
    frame = data.index(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", 13000, 13000)
    comments = (b"\xff\xfe" + struct.pack(">H", 28) + b"c" * 26) * 1001
    return bytes(data[:2]) + comments + bytes(data[2:])


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="20" height="10">\n{}\n</svg>\n'
HOSTILE_SVGS = {
    "xxe.svg": '<?xml version="1.0"?>\n<!--' + " padding" * 700 + ' -->\n<!DOCTYPE svg [\n'
               '<!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n' + SVG.format(
                   "<text>&secret;</text>"),
    "script.svg": SVG.format('<rect width="5" height="5"/>\n<script>alert(1)</script>'),
    "onload.svg": SVG.format('<rect width="5" height="5" onload="alert(1)"/>'),
    "link.svg": SVG.format('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
    "remote.svg": SVG.format('<image href="https://example.org/track.png" width="1" '
                             'height="1"/>'),
    "html.svg": SVG.format('<foreignObject width="9" height="9"><p>x</p></foreignObject>'),
    "style.svg": SVG.format('<style>@import url("https://example.org/x.css");</style>'),
}
# A drawing as editors' programs save them: a DOCTYPE without declarations, references
# inside itself, a picture carried as a data: URL.
GOOD_SVG = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG.format(
                '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
                '</linearGradient></defs>\n<rect id="r" width="5" height="5" '
                'fill="url(#g)" style="stroke: url(#g)"/>\n<use xlink:href="#r" x="6"/>\n'
                '<image width="2" height="2" href="data:image/png;base64,iVBORw0KGgo="/>'))


def test_pictures_that_lie_and_drawings_that_act_are_refused_where_they_are(tmp_path):
    folder = tmp_path / "m"
    names = ["bomb.jpg", "good.svg", *HOSTILE_SVGS]
    body = BODY + "".join(f"\n![Figure {name}](figures/{name})\n" for name in names)
    write_manuscript(folder, body=body)
    (folder / "figures").mkdir()
    (folder / "figures" / "bomb.jpg").write_bytes(bomb_jpeg())
    (folder / "figures" / "good.svg").write_text(GOOD_SVG, encoding="utf-8")
    for name, text in HOSTILE_SVGS.items():
        (folder / "figures" / name).write_text(text, encoding="utf-8")
    assert 30_000 < len(bomb_jpeg()) < 32_000
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "m", "--to",
                             "jats", "--out", "out"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    static = "(a figure is a drawing: save it again without scripts)"
    itself = "(embed what it uses, pictures as data: URLs, or export a PNG)"
    assert result.stderr.splitlines() == [
        "m/article.md:37:20: the image 'figures/bomb.jpg' is 13000 × 13000 pixels, too large "
        "to lay out (scale it down: a printed page needs at most 100 megapixels)",
        "m/figures/html.svg:2: the SVG image 'figures/html.svg' has a <foreignObject> "
        "element: HTML inside the drawing (draw it with SVG shapes and text only, or "
        "export a PNG)",
        "m/figures/link.svg:2: the SVG image 'figures/link.svg' has a script URL in "
        f"href=... {static}",
        "m/figures/onload.svg:2: the SVG image 'figures/onload.svg' has an event handler, "
        "onload=..., which would run in the browser of anyone who opens it " + static,
        "m/figures/remote.svg:2: the SVG image 'figures/remote.svg' refers to "
        f"'https://example.org/track.png' outside itself {itself}",
        "m/figures/script.svg:3: the SVG image 'figures/script.svg' has a <script> element, "
        f"which would run in the browser of anyone who opens it {static}",
        "m/figures/style.svg:2: the SVG image 'figures/style.svg' imports a stylesheet "
        f"with @import {itself}",
        "m/figures/xxe.svg:3: the SVG image 'figures/xxe.svg' declares XML entities (save it "
        "again without a DOCTYPE: entities can read other files)"]


# -- messages ----------------------------------------------------------------------------

def test_a_bibliography_only_pandoc_refuses_is_located_in_the_bib(tmp_path):
    """pybtex reads these, Pandoc's citeproc does not: the message names the .bib's line
    and column, not the manuscript."""
    lost_character = BIBTEX + ("\n@book{k\ufffdey,\n  author = {Roe, R.},\n  title = {B},\n"
                               "  publisher = {P},\n  year = {2019}\n}\n")
    odd_field = BIBTEX.replace("  pages = {1--10}\n",
                               "  pages = {1--10},\n  entrysubtype...\n = {x}\n")
    for name, bibtex in (("lost", lost_character), ("odd", odd_field)):
        write_manuscript(tmp_path / name, bibtex=bibtex)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "lost", "odd"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "lost/references.bib:10:8: BibTeX: Pandoc cannot read this entry: unexpected U+FFFD "
        "(REPLACEMENT CHARACTER) (a character lost when the file was converted from another "
        "encoding: type it again)",
        "odd/references.bib:8:15: BibTeX: Pandoc cannot read this entry: unexpected '.' "
        "(check the entry's syntax: field names take letters, digits, - and _)"]


# -- budgets ---------------------------------------------------------------------------------

def test_a_build_past_its_time_budget_stops_with_one_line_and_writes_nothing(tmp_path):
    # some thirty pages to lay out: seconds, far past the half second allowed
    write_manuscript(tmp_path / "m", body=BODY + "\nA paragraph of the body, long enough to "
                     "fill a few lines of the page when it is set in the journal's type.\n"
                     * 600)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "m", "--to",
                             "pdf", "--out", "out", "--timeout", "0.5"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == ("m/article.md: the build took more than 0.5 s and was stopped "
                             "(the time allowed for one build: --timeout, or "
                             "TYPESET_BUILD_TIMEOUT)\n")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".typeset-")]


def test_a_manuscript_needing_more_memory_than_allowed_is_refused_before_any_work(tmp_path):
    """The estimate (run/memory.py) is made from the text before Pandoc runs: a batch
    refuses the large article and builds the other."""
    write_manuscript(tmp_path / "issue" / "a-long", body=BODY + "\nA long paragraph. " * 30000)
    write_manuscript(tmp_path / "issue" / "b-short")
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "issue",
                             "--to", "html", "--out", "out"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TYPESET_MEMORY_LIMIT": "300"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("issue/a-long/article.md: building this manuscript would need "
                               "about ")
    assert lines[0].endswith(" MB of memory, more than the 300 MB allowed (split it into "
                             "several articles, or allow more: --memory MB, or "
                             "TYPESET_MEMORY_LIMIT)")
    assert lines[-1] == "1 built, 1 failed, 0 unchanged"
    assert (tmp_path / "out" / "b-short" / "article.html").is_file()
    assert time.monotonic() - started < 60


def test_a_manuscript_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = write_manuscript(tmp_path / "m", body=BODY + "x" * (5 * 1024 * 1024))
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", str(path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "m/article.md: the manuscript is larger than 5 MB\n"

# -- the preview's connections ---------------------------------------------------------

def test_idle_connections_cannot_pile_up_threads_in_the_preview(tmp_path):
    """A hundred clients that connect and send nothing: the server never holds more than
    its limit of threads, answers the others 503 at once, lets the silent ones go after
    the idle time, and serves the page again."""
    manuscript = write_manuscript(tmp_path / "m")
    with Running(manuscript, report=lambda _message: None, max_connections=8,
                 idle_seconds=1.0) as running:
        address = running.server.server_address[:2]
        before = threading.active_count()
        clients = [socket.create_connection(address, timeout=5) for _ in range(100)]
        answers: dict[socket.socket, bytes] = {}
        most = 0
        with selectors.DefaultSelector() as selector:
            for client in clients:
                selector.register(client, selectors.EVENT_READ)
            deadline = time.monotonic() + 10
            while len(answers) < len(clients) and time.monotonic() < deadline:
                most = max(most, threading.active_count() - before)
                for key, _ in selector.select(timeout=0.05):
                    answers[key.fileobj] = key.fileobj.recv(100)
                    selector.unregister(key.fileobj)
        for client in clients:
            client.close()
        assert most <= 8
        assert len(answers) == 100  # none held: each refused, or closed when idle
        refused = sum(answer.startswith(b"HTTP/1.0 503") for answer in answers.values())
        assert refused >= 50 and sum(answer == b"" for answer in answers.values()) >= 8
        assert request(running.url, "/")[0] == 200

