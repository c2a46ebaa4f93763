"""The reading page and the live preview in a real browser: headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; Playwright's own browsers are never downloaded).
"""

from __future__ import annotations

import re
import select
import shutil
import signal
import subprocess
import sys
import time

import pytest
from playwright.sync_api import sync_playwright

from typeset.preview.state import EVENTS_PATH

from .conftest import ROOT, SAMPLE, run_cli
from .screenshots import CHROMIUM, launch_chromium
from .seed import SAMPLE_HEADINGS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)",
                allow_module_level=True)

SECTIONS = SAMPLE_HEADINGS


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page with everything that went wrong in it recorded."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))

    def _failed(self, request) -> None:
        # The preview's event stream is cut on purpose when the page reloads.
        if request.url.endswith(EVENTS_PATH) and "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"failed: {request.url} {request.failure}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    opened: list[Watched] = []

    def open_page(**options) -> Watched:
        opened.append(Watched(browser, **options))
        return opened[-1]

    yield open_page
    for item in opened:
        item.close()


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """element => {
        const box = element.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight;
    }""")


# -- the built page ----------------------------------------------------------------------

def test_built_page_shows_everything_and_links_work(sample_build, watched):
    view = watched(viewport={"width": 1280, "height": 900})
    page = view.page
    page.goto((sample_build / "article.html").as_uri())
    page.evaluate("document.fonts.ready")
    assert page.locator("h1.title").inner_text().startswith(
        "An Alliance Based on Common Interests")
    for selector in (".trans-title", ".authors", ".affiliations", ".corresponding",
                     ".cite-as", ".pdf-link a", "section.info-block[lang=tr] .abstract",
                     "section.info-block[lang=en] .abstract", "section.references",
                     "section.footnotes"):
        assert page.locator(selector).first.is_visible(), selector
    assert "NATO’nun doğuya doğru" in page.locator(
        "section.info-block[lang=tr] .abstract").inner_text()
    assert "The eastward expansion of NATO" in page.locator(
        "section.info-block[lang=en] .abstract").inner_text()
    headings = page.locator(".body h2, .body h3")
    assert [headings.nth(i).text_content() for i in range(headings.count())] == list(SECTIONS)
    assert all(headings.nth(i).is_visible() for i in range(headings.count()))
    # The page's own fonts, loaded from beside it.
    assert page.evaluate("document.fonts.check('16px Carlito')")
    assert page.evaluate("""[...document.fonts].some(
        font => font.family.replace(/"/g, '') === 'Carlito' && font.status === 'loaded')""")

    # A citation jumps to its entry, and the entry's back-link returns to the citation.
    citation = page.locator(".citation a").first
    target = citation.get_attribute("href")
    assert target == "#ref-khlebnikov2020"
    citation.click()
    page.wait_for_function(f"location.hash === '{target}'")
    assert in_viewport(page, target)
    page.locator(f"{target} a[role=doc-backlink]").first.click()
    page.wait_for_function("location.hash.startsWith('#cite-')")
    assert in_viewport(page, page.evaluate("location.hash"))
    page.locator("a.footnote-ref").first.click()
    page.wait_for_function("location.hash === '#fn1'")
    assert in_viewport(page, "#fn1")
    assert view.problems == []


def test_phone_width_reads_in_one_column(sample_build, watched):
    view = watched(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                   is_mobile=True, has_touch=True)
    page = view.page
    page.goto((sample_build / "article.html").as_uri())
    # No sideways scrolling, the info block stacked over its abstract.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    info = page.locator("section.info-block[lang=en] .article-info").bounding_box()
    abstract = page.locator("section.info-block[lang=en] .abstract").bounding_box()
    assert abstract["y"] >= info["y"] + info["height"] - 1
    assert abs(abstract["x"] - info["x"]) < 1
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.body p'))"
                         ".fontSize)")
    assert size >= 16
    assert view.problems == []


def test_desktop_measure_is_comfortable(sample_build, watched):
    view = watched(viewport={"width": 1600, "height": 1000})
    page = view.page
    page.goto((sample_build / "article.html").as_uri())
    page.evaluate("document.fonts.ready")
    width = page.locator(".body p").first.bounding_box()["width"]
    characters = page.evaluate("""(() => {
        const p = document.querySelector('.body p');
        const style = getComputedStyle(p);
        const canvas = document.createElement('canvas').getContext('2d');
        canvas.font = style.fontSize + ' ' + style.fontFamily;
        const alphabet = canvas.measureText('abcdefghijklmnopqrstuvwxyz').width;
        return p.getBoundingClientRect().width / alphabet * 26;
    })()""")
    assert width < 800 and 55 <= characters <= 95, (width, characters)


def test_readable_without_javascript(sample_build, watched):
    view = watched(java_script_enabled=False)
    page = view.page
    page.goto((sample_build / "article.html").as_uri())
    assert page.locator("h1.title").is_visible()
    assert page.locator(".body p").first.is_visible()
    assert page.locator("section.references .csl-entry").count() == 37


def test_browser_print_is_sensible(sample_build, watched):
    view = watched()
    page = view.page
    page.goto((sample_build / "article.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator(".pdf-link").is_visible()
    assert not page.locator(".ref-back").first.is_visible()
    assert page.locator("h1.title").is_visible() and page.locator(".body p").first.is_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") in (
        "rgba(0, 0, 0, 0)", "transparent")
    printout = page.pdf(format="A4")
    assert printout.startswith(b"%PDF-") and len(printout) > 20_000
    assert view.problems == []


# -- the preview -------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    """`python build.py serve COPY --port 0`, as a user starts it, on a copy of the sample."""
    folder = tmp_path / "paper"
    folder.mkdir()
    for name in ("article.md", "references.bib"):
        shutil.copyfile(SAMPLE.parent / name, folder / name)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve",
                                str(folder / "article.md"), "--port", "0"],
                               cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    try:
        deadline, url, seen = time.monotonic() + 30, None, ""
        while url is None and time.monotonic() < deadline and process.poll() is None:
            if select.select([process.stderr], [], [], 0.2)[0]:
                line = process.stderr.readline()
                seen += line
                match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
                url = match.group(1) if match else None
        assert url, f"the preview did not start:\n{seen}"
        yield url, folder / "article.md"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def test_preview_follows_edits_without_a_manual_reload(served, watched):
    url, manuscript = served
    original = manuscript.read_text(encoding="utf-8")
    view = watched(viewport={"width": 1280, "height": 900})
    page = view.page
    page.goto(url)
    assert page.locator("h1.title").is_visible()
    assert page.locator(".body h2").count() == 5
    page.wait_for_function("document.getElementById('typeset-preview') !== null")
    time.sleep(0.3)  # let the event stream connect, as a reader's tab would have
    # A reader halfway down the page; a mark that a reload would wipe out.
    page.locator("#sec\\:interests").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -100); window.__stayed = true")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 2000

    marker = "A sentence typed while the page was open."
    started = time.perf_counter()
    manuscript.write_text(original.replace("# Introduction {.unnumbered}\n",
                                           f"# Introduction {{.unnumbered}}\n\n{marker}\n", 1),
                          encoding="utf-8")
    page.wait_for_function(f"document.body.innerText.includes({marker!r})", polling=20,
                           timeout=10_000)
    seconds = time.perf_counter() - started
    print(f"\npreview latency in the browser (write -> text shown): {seconds:.2f} s")
    # The rebuild's own figure is checked in test_preview.py; this one adds the browser.
    assert seconds < 3.0
    # Updated in place: same document, the reader still where they were.
    assert page.evaluate("window.__stayed") is True
    assert abs(page.evaluate("window.scrollY") - scrolled) < 5
    assert page.locator(".body h2").count() == 5

    # A mistake: the page says where; the fix brings the article back.
    manuscript.write_text(original.replace("lang: en\n", "lang: [en\n", 1), encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('does not build')",
                           timeout=10_000)
    assert re.search(r"article\.md:4:\d+", page.locator(".problem .where").inner_text())
    manuscript.write_text(original, encoding="utf-8")
    page.wait_for_function("document.querySelector('h1.title') !== null", timeout=10_000)
    assert marker not in page.locator("body").inner_text()
    # And it still follows after coming back from the page of problems.
    manuscript.write_text(original.replace("# Conclusion", "# Final Remarks", 1),
                          encoding="utf-8")
    page.wait_for_function("document.body.textContent.includes('Final Remarks')",
                           timeout=10_000)
    assert view.problems == []


@pytest.fixture(scope="module")
def turkish_page(tmp_path_factory):
    """The Turkish sample's reading page (it has numbered display equations)."""
    out = tmp_path_factory.mktemp("turkish-html")
    result = run_cli("build", str(ROOT / "manuscript" / "turkish"), "--to", "html",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "article.html"


@pytest.mark.parametrize("width", [390, 1280])
def test_equations_number_at_the_right_without_a_vertical_scrollbar(turkish_page, watched,
                                                                     width):
    view = watched(viewport={"width": width, "height": 900})
    view.page.goto(turkish_page.as_uri())
    equations = view.page.eval_on_selector_all(".equation", """equations => equations.map(e => {
        const body = e.querySelector('.equation-body');
        const number = e.querySelector('.equation-number');
        const box = element => ({scrollHeight: element.scrollHeight,
                                 clientHeight: element.clientHeight,
                                 overflowY: getComputedStyle(element).overflowY});
        return {bodyRight: body.getBoundingClientRect().right,
                numberLeft: number ? number.getBoundingClientRect().left : null,
                boxes: [body, ...e.querySelectorAll('math')].map(box),
                body: box(body)};
    })""")
    numbered = [e for e in equations if e["numberLeft"] is not None]
    assert numbered, "the Turkish sample has numbered equations"
    for equation in numbered:
        assert equation["numberLeft"] >= equation["bodyRight"]  # at the right, as in print
    for equation in equations:
        # A box that may scroll vertically has nothing to scroll: no scrollbar appears.
        for box in equation["boxes"]:
            if box["overflowY"] in ("auto", "scroll"):
                assert box["scrollHeight"] <= box["clientHeight"], box
        # ... and nothing of the formula is cut off above or below.
        assert equation["body"]["scrollHeight"] <= equation["body"]["clientHeight"] + 1
    assert view.problems == []
