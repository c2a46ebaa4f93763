"""The pipeline cannot be turned against the machine it runs on: no network, no file from
outside the manuscript's folder, no unescaped text in an output, no endless stage."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from lxml import etree, html
from PIL import Image

from typeset.errors import Problem, StageTimeout
from typeset.model.ast import walk
from typeset.read.images import image_kind
from typeset.read.resources import check_images, check_links
from typeset.read.source import read_manuscript
from typeset.render.html.page import render_html
from typeset.render.jats import article as jats
from typeset.render.pdf.fetch import MAX_DATA_URL_BYTES, Refused, SafeFetcher, resolve
from typeset.render.pdf.layout import render_print_html
from typeset.run.builder import Builder
from typeset.run.timeouts import limits_deferred
from typeset.run.timeouts import seconds_limit as time_limit

from .conftest import run_cli
from .helpers_manuscript import BODY, source_of, tiny_png, write_manuscript

PNG = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 2, 2)
       + b"\x08\x02\x00\x00\x00" + b"\x00" * 4)
XML_PARSER = dict(no_network=True, resolve_entities=False, load_dtd=False)


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    connections: list[bytes] = []

    def accept():
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            client.settimeout(1)
            try:
                connections.append(client.recv(1024) or b"(connected)")
            except OSError:
                connections.append(b"(connected)")
            client.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    server.close()


def read(folder: Path, replace=None, body: str = BODY, bibtex=...):
    kwargs = {} if bibtex is ... else {"bibtex": bibtex}
    path = write_manuscript(folder, replace, body=body, **kwargs)
    return Builder(validate_jats=False).read(path)


# -- no network ----------------------------------------------------------------------------

def test_a_remote_image_causes_no_network_connection(tmp_path, listener):
    port, connections = listener
    write_manuscript(tmp_path, body=BODY + f"\n![Map](http://127.0.0.1:{port}/map.png)\n")
    result = run_cli("build", "article.md", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"127.0.0.1:{port}/map.png" in result.stderr
    assert connections == []
    assert not (tmp_path / "out").exists()


def test_weasyprint_loads_nothing_through_the_fetcher_but_local_files(tmp_path, listener):
    import weasyprint

    port, connections = listener
    remote = f"http://127.0.0.1:{port}"
    (tmp_path / "local.png").write_bytes(PNG)
    page = f"""<html><head>
      <link rel="stylesheet" href="{remote}/style.css">
      <style>@import url("{remote}/imported.css");
        @font-face {{ font-family: X; src: url("{remote}/font.woff2"); }}
        body {{ background: url("//127.0.0.1:{port}/bg.png"); font-family: X; }}</style>
      </head><body><p>Text</p><img src="{remote}/image.png"><img src="local.png">
      <img src="../outside.png"><img src="file:///etc/hostname"></body></html>"""
    fetcher = SafeFetcher([tmp_path])
    weasyprint.HTML(string=page, base_url=str(tmp_path) + os.sep,
                    url_fetcher=fetcher).render()
    assert connections == []
    refused = "\n".join(fetcher.refused)
    for name in ("style.css", "imported.css", "font.woff2", "bg.png", "image.png",
                 "outside.png", "/etc/hostname"):
        assert name in refused
    assert "local.png" not in refused


def test_a_yaml_block_in_the_body_fetches_nothing_and_reads_no_outside_file(tmp_path,
                                                                            listener):
    port, connections = listener
    secret = tmp_path / "secret.bib"
    secret.write_text("@misc{secret, title = {Not for the article}}\n", encoding="utf-8")
    body = (BODY + f"\n---\nbibliography: [{secret}, 'http://127.0.0.1:{port}/x.bib']\n"
            "nocite: '@*'\n---\n")
    outcome = None
    try:
        article = read(tmp_path / "manuscript", {"bibliography: references.bib\n": ""},
                       body=body.replace(" [@doe2020, p. 5]", ""), bibtex=None)
        outcome = jats.render_jats(article)
    except Exception as exc:
        outcome = str(exc)
    assert connections == []
    assert "Not for the article" not in outcome


# -- the URL fetcher -----------------------------------------------------------------------

def test_fetcher_serves_files_of_its_roots(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a b.png").write_bytes(PNG)
    resource = resolve((tmp_path / "figures" / "a b.png").as_uri(), [tmp_path.resolve()])
    assert resource.body == PNG and resource.content_type == "image/png"
    small = resolve("data:text/plain;base64,aGVsbG8=", [tmp_path])
    assert small.body == b"hello"


@pytest.mark.parametrize("make_url, reason", [
    (lambda root: "http://127.0.0.1:9/x.png", "the build never fetches from the network"),
    (lambda root: "https://example.org/x.css", "the build never fetches from the network"),
    (lambda root: "ftp://example.org/x.png", "the build never fetches from the network"),
    (lambda root: "file:///etc/hostname", "outside the manuscript's and the style's folders"),
    (lambda root: (root / "sub" / ".." / ".." / "secret.txt").as_uri(),
     "outside the manuscript's and the style's folders"),
    (lambda root: (root / "link.png").as_uri(), "outside the manuscript's and the style's "
                                                "folders"),
    (lambda root: (root / "missing.png").as_uri(), "no such file"),
    (lambda root: (root / "fifo").as_uri(), "not a regular file"),
    (lambda root: "file://otherhost" + str(root / "x.png"), "a file on another machine"),
    (lambda root: "data:image/png;base64," + "A" * (MAX_DATA_URL_BYTES * 2),
     "a data: URL larger than 2 MB"),
    (lambda root: "javascript:alert(1)", "'javascript:' URLs are not allowed"),
])
def test_fetcher_refuses(tmp_path, make_url, reason):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "link.png").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(root / "fifo")
    with pytest.raises(Refused, match=reason):
        resolve(make_url(root), [root.resolve()])


# -- images and links in the body -----------------------------------------------------------

def _image(url: str) -> dict:
    return {"t": "Para", "c": [{"t": "Image", "c": [["", [], []], [], [url, ""]]}]}


def _link(url: str) -> dict:
    return {"t": "Para", "c": [{"t": "Link", "c": [["", [], []], [{"t": "Str", "c": "x"}],
                                                   [url, ""]]}]}


def image_problems(folder: Path, url: str) -> list[Problem]:
    text = f"---\nlang: en\n---\n\nA figure:\n\n![Map]({url})\n"
    source = source_of(text, folder / "article.md")
    problems: list[Problem] = []
    check_images(list(walk([_image(url)])), source, problems)
    return problems


@pytest.fixture
def figures(tmp_path) -> Path:
    folder = tmp_path / "manuscript"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "map.png").write_bytes(tiny_png())
    for name, kind in (("photo.jpg", "JPEG"), ("anim.gif", "GIF"), ("pic.webp", "WEBP")):
        stream = io.BytesIO()
        Image.new("RGB", (3, 2), (10, 120, 200)).save(stream, format=kind)
        (folder / "figures" / name).write_bytes(stream.getvalue())
    (folder / "figures" / "chart.svg").write_text(
        '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"'
        ' width="2" height="2"/>\n', encoding="utf-8")
    (folder / "figures" / "notes.png").write_text("not an image\n", encoding="utf-8")
    # A header announcing 60000 × 60000 pixels (its data never decoded).
    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    (folder / "figures" / "huge.png").write_bytes(
        tiny_png()[:8] + struct.pack(">I", 13) + b"IHDR" + header
        + struct.pack(">I", zlib.crc32(b"IHDR" + header)) + tiny_png()[33:])
    (folder / "figures" / "xxe.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', encoding="utf-8")
    (folder / "figures" / "folder.png").mkdir()
    (tmp_path / "outside.png").write_bytes(tiny_png())
    (folder / "linked.png").symlink_to(tmp_path / "outside.png")
    (folder / "inside-link.png").symlink_to(folder / "figures" / "map.png")
    return folder


@pytest.mark.parametrize("url", ["figures/map.png", "figures/photo.jpg", "figures/anim.gif",
                                 "figures/chart.svg", "figures/pic.webp", "inside-link.png",
                                 "./figures/map.png", "figures/../figures/map.png"])
def test_image_files_inside_the_folder_are_accepted(figures, url):
    assert image_problems(figures, url) == []


@pytest.mark.parametrize("url, message", [
    ("https://example.org/map.png", "the image 'https://example.org/map.png' is on the "
                                    "network: the build never fetches anything"),
    ("HTTP://example.org/map.png", "is on the network"),
    ("//example.org/map.png", "is on the network"),
    ("ftp://example.org/map.png", "is on the network"),
    ("file:///etc/hostname", "the image 'file:///etc/hostname' is a 'file:' URL"),
    ("data:image/png;base64,iVBORw0KGgo=", "is a 'data:' URL"),
    ("/etc/hostname", "the image path '/etc/hostname' is absolute"),
    ("C:\\figures\\map.png", "is absolute"),
    ("../outside.png", "the image '../outside.png' lies outside the manuscript's folder"),
    ("figures/../../outside.png", "lies outside the manuscript's folder"),
    ("linked.png", "the image 'linked.png' is a link to a file outside the manuscript's "
                   "folder"),
    ("figures/missing.png", "the image 'figures/missing.png' does not exist"),
    ("figures/Map.png", "does not exist"),
    ("figures/notes.png", "'figures/notes.png' is not an image file"),
    ("figures/folder.png", "the image 'figures/folder.png' is a folder"),
    ("figures/huge.png", "the image 'figures/huge.png' is 60000 × 60000 pixels"),
])
def test_images_that_are_refused_with_their_line(figures, url, message):
    found = image_problems(figures, url)
    assert len(found) == 1
    assert message in found[0].message
    assert (found[0].line, found[0].column) == (7, 8)


def test_an_svg_with_entities_is_refused_at_its_own_line(figures):
    (found,) = image_problems(figures, "figures/xxe.svg")
    assert found.message == "the SVG image 'figures/xxe.svg' declares XML entities"
    assert (found.path, found.line) == (str(figures / "figures" / "xxe.svg"), 1)


def test_image_kinds_are_told_by_their_first_bytes():
    assert image_kind(PNG) == "png"
    assert image_kind(b"\xef\xbb\xbf  <svg viewBox='0 0 1 1'></svg>") == "svg"
    assert image_kind(b"<html><body><svg></svg>") is None
    assert image_kind(b"%PDF-1.7") is None


@pytest.mark.parametrize("url, refused", [
    ("https://example.org/", False), ("mailto:a@example.org", False), ("#sec:method", False),
    ("javascript:alert(1)", True), ("JavaScript:alert(1)", True), ("vbscript:x", True),
    ("data:text/html,<script>x</script>", True), ("file:///etc/passwd", True),
    ("other.html", True),
])
def test_links_go_to_the_web_an_address_or_the_article(tmp_path, url, refused):
    source = source_of(f"---\nlang: en\n---\n\nSee [x]({url}).\n", tmp_path / "article.md")
    problems: list[Problem] = []
    check_links(list(walk([_link(url)])), source, problems)
    assert bool(problems) is refused
    if refused:
        assert (problems[0].line, problems[0].column) == (5, 9)


# -- escaping in every output ---------------------------------------------------------------

WRITTEN_TITLE = 'A <script>alert("t")</script> & "Quotes" \'too\' </title> ]]> <!-- x'
# As it prints: a title's straight quotes become curly ones, as in the body (i18n).
TITLE = 'A <script>alert(“t”)</script> & “Quotes” ‘too’ </title> ]]> <!-- x'
HOSTILE = {
    'title: {en: "A Study of Alliances"': "title: {en: " + json.dumps(WRITTEN_TITLE),
    "given-names: Ayşe": "given-names: \"<b>Ayşe</b> & Co\"",
    "institution: Ege Üniversitesi": "institution: \"Ege & <i>Üniversitesi</i>\"",
    "  en: [alliance, Syria]": "  en: ['<alliance>', 'A&B']",
    "  en: An abstract in English.": '  en: "An abstract with `</script>` and a < b & c > d."',
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return read(tmp_path_factory.mktemp("hostile"), HOSTILE)


def test_front_matter_values_are_escaped_in_the_reading_page(hostile):
    page = render_html(hostile, "article.pdf")
    tree = html.fromstring(page)
    assert tree.findtext(".//title").startswith(TITLE)
    assert tree.xpath("//h1")[0].text_content().strip().startswith(TITLE)
    scripts = tree.xpath("//script")
    assert all(s.get("type") == "application/ld+json" for s in scripts)
    for script in scripts:
        data = json.loads(script.text)
        assert data.get("headline", TITLE) == TITLE
    assert not tree.xpath("//b | //i[contains(., 'Üniversitesi')]")
    assert "</script> and a &lt; b" in page or "&lt;/script&gt; and a &lt; b" in page


def test_front_matter_values_are_escaped_in_the_print_page(hostile):
    tree = html.fromstring(render_print_html(hostile))
    assert not tree.xpath("//script | //b | //i[contains(., 'Üniversitesi')]")
    assert TITLE in tree.text_content()
    assert "<b>Ayşe</b> & Co" in tree.text_content()


def test_front_matter_values_are_escaped_in_the_jats(hostile):
    root = etree.fromstring(jats.render_jats(hostile).encode("utf-8"),
                            etree.XMLParser(**XML_PARSER))
    titles = [" ".join(t.itertext()) for t in root.iter("article-title")]
    assert TITLE in titles
    assert "<alliance>" in [k.text for k in root.iter("kwd")]
    assert "</script>" in "".join(root.find(".//abstract").itertext())


def test_the_cite_as_entry_carries_the_title_as_written(tmp_path):
    from typeset.model.ast import stringify

    article = read(tmp_path, {'title: {en: "A Study of Alliances"':
                              'title: {en: "C++ 2 * 3 <b>bold</b> _claims_"'})
    assert "C++ 2 * 3 <b>bold</b> _claims_" in stringify(list(article.document.cite_as))


# -- bounded stages ------------------------------------------------------------------------

def test_a_stage_past_its_time_limit_is_stopped_with_a_message():
    started = time.perf_counter()
    with pytest.raises(StageTimeout, match="reading took too long"), \
            time_limit(0.2, "reading took too long"):
        while True:
            pass
    assert time.perf_counter() - started < 2


def _busy(seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


def test_nested_time_limits_fire_at_the_earliest_deadline():
    with pytest.raises(StageTimeout, match=r"^outer$"), time_limit(0.2, "outer"), \
            time_limit(10, "inner"):
        _busy(3)
    with pytest.raises(StageTimeout, match=r"^outer$"), time_limit(0.3, "outer"):
        with time_limit(5, "inner"):
            pass
        _busy(3)  # the outer limit is armed again after the inner one
    with time_limit(0.05, "done"):
        pass
    _busy(0.2)  # and none is left behind


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_limit_dropped_by_a_destructor_fires_again():
    """The garbage collector runs destructors at any moment, and Python prints and drops
    an exception raised in one: the expired limit fires again until its block ends."""
    class Slow:
        def __del__(self):
            _busy(0.4)  # the limit expires in here

    started = time.perf_counter()
    with pytest.raises(StageTimeout, match=r"^again$"), time_limit(0.1, "again"):
        Slow()  # collected at once: its destructor runs, the first alarm is dropped
        _busy(5)
    assert time.perf_counter() - started < 3


def test_a_limit_waits_for_a_block_that_defers_it():
    """Inside `limits_deferred` (a library call that would swallow our exception and
    raise its own), an expired limit goes off only when the block ends."""
    steps = []
    with pytest.raises(StageTimeout, match=r"^late$"), time_limit(0.1, "late"):
        with limits_deferred():
            _busy(0.4)
            steps.append("the deferred block ran to its end")
        _busy(3)
    assert steps == ["the deferred block ran to its end"]


def test_a_time_limit_keeps_an_enclosing_alarm_of_other_code():
    class Foreign(Exception):
        pass

    def foreign(_signum, _frame):
        raise Foreign

    previous = signal.signal(signal.SIGALRM, foreign)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Foreign):
            with time_limit(5, "mine"):
                pass
            _busy(3)  # the enclosing alarm was armed again on the way out
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(Foreign), time_limit(5, "mine"):
            _busy(3)  # the enclosing deadline comes first, and its handler runs
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_a_manuscript_that_is_no_regular_file_is_refused_at_once(tmp_path, make):
    path = tmp_path / "article.md"
    if make == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_read_error(path)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        if make == "fifo":
            with open(path, "w", encoding="utf-8"):
                pass
        pytest.fail("reading the manuscript blocked")
    assert outcome == ["the manuscript is not a regular file"]


def _read_error(path: Path) -> str:
    from typeset.errors import ManuscriptError

    try:
        read_manuscript(path)
    except ManuscriptError as exc:
        return exc.problems[0].message
    return "read"
