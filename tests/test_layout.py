"""The print layout: one WeasyPrint layout per article, notes on their calls' pages, page
numbers given after layout (the issue build's API), and WeasyPrint's patches."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from typeset import cli
from typeset.read.document import with_pages
from typeset.render.html.page import render_html
from typeset.render.jats.article import render_jats
from typeset.render.pdf import footnotes
from typeset.render.pdf import layout as pdf_layout
from typeset.run.builder import Builder

from .conftest import ROOT, SAMPLE
from .outputs import html_tree, jats_tree, pdf_page_texts

NOTE_SIZE = 9.0  # pt, the notes at the page foot
CALL_SIZE = 6.3  # pt, a call: 70 % of the note's 9 pt (::footnote-call)
LINE = 11 * 1.15  # pt, a line of body text
FIRST_NOTE = ("A note called in the first paragraph of the article, which takes two lines at "
              "the foot of the page: long enough to need more than one line of nine-point type "
              "across the text block.")
LATER_NOTE = ("A note of two lines, called in the body: it says where the figures come from and "
              "how they were checked against the sources listed at the end of the article, "
              "line by line.")
FILLER = ("The parties have said as much on several occasions since then, and their statements "
          "are collected in the sources listed at the end of the article. ")


def write_notes_manuscript(folder: Path) -> Path:
    """The sample with one-sentence abstracts (so that page 1 holds body text), a first
    page, and nine notes: one called in the first sentence, whose paragraph is made 48
    words longer so that the next one starts on page 1's last line (the case in which
    WeasyPrint 70 moved the note off page 1 and the earlier fix-up left page 1 nearly
    empty), and one in the middle of every fourth paragraph after that (one of them
    falls on the last lines above its page's notes)."""
    text = SAMPLE.read_text(encoding="utf-8")
    for lang in ("tr", "en"):
        text = re.sub(rf"(  {lang}: \|\n    )([^\n]*)",
                      lambda m: m.group(1) + m.group(2).split(". ")[0] + ".", text, count=1)
    text = text.replace("bibliography: references.bib\n",
                        "bibliography: references.bib\nvolume: 9\nissue: 1\nfirst-page: 37\n")
    front, body = text.split("\n---\n", 1)
    start = body.index("# Introduction {.unnumbered}\n\n") + len("# Introduction {.unnumbered}\n\n")
    first_stop, end = body.index(". ", start) + 1, body.index("\n\n", start)
    body = (body[:first_stop] + "[^first]" + body[first_stop:end] + " "
            + " ".join((FILLER * 4).split()[:48]) + body[end:])
    paragraphs, notes = body.split("\n\n"), []
    for index, paragraph in enumerate(list(paragraphs)):
        middle = paragraph.find(". ", len(paragraph) // 2)
        if index > 3 and index % 4 == 0 and paragraph[:1].isalpha() and middle > 0:
            label = f"later{len(notes) + 1}"
            paragraphs[index] = paragraph[:middle + 1] + f"[^{label}]" + paragraph[middle + 1:]
            notes.append(f"[^{label}]: {LATER_NOTE}")
    body = "\n\n".join([*paragraphs, *notes, f"[^first]: {FIRST_NOTE}"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE.parent / "references.bib", folder / "references.bib")
    (folder / "article.md").write_text(front + "\n---\n" + body, encoding="utf-8")
    return folder / "article.md"


def note_positions(pdf_path: Path) -> tuple[dict, dict]:
    """(calls, notes): note number -> (page index, top in pt) of its call, of its note."""
    calls, notes = {}, {}
    with pdfplumber.open(pdf_path) as pdf:
        for index, page in enumerate(pdf.pages):
            for line in page.extract_text_lines():
                match = re.match(r"(\d+)\. ", line["text"])
                if match and abs(line["chars"][0]["size"] - NOTE_SIZE) < 0.2:
                    notes.setdefault(int(match.group(1)), (index, line["top"]))
            # Page 1's affiliation marks have the calls' size: only the body counts.
            floor = next((w["top"] for w in page.extract_words() if w["text"] == "INTRODUCTION"),
                         0) if index == 0 else 0
            digits = [c for c in page.chars if c["text"].isdigit()
                      and abs(c["size"] - CALL_SIZE) < 0.3 and c["top"] > floor]
            runs: list[list] = []
            for char in digits:
                if runs and abs(char["top"] - runs[-1][-1]["top"]) < 1 and (
                        char["x0"] - runs[-1][-1]["x1"] < 1):
                    runs[-1].append(char)
                else:
                    runs.append([char])
            for run in runs:
                calls[int("".join(c["text"] for c in run))] = (index, run[0]["top"])
    return calls, notes


@pytest.fixture(scope="module")
def notes_build(tmp_path_factory) -> dict:
    """The notes manuscript built in this process, so that the pages WeasyPrint lays out
    can be counted (the command line lays a single article's PDF out in a process of its
    own, render/pdf/process.py; tests/test_pdf_process.py shows it makes the same PDF)."""
    folder = tmp_path_factory.mktemp("notes")
    manuscript = write_notes_manuscript(folder / "manuscript")
    pdf_layout._weasyprint()  # loaded (and patched) before the count is taken
    from weasyprint.layout import page as page_module

    made, make_page = [], page_module.make_page

    def counting_make_page(*args, **kwargs):
        made.append(1)
        return make_page(*args, **kwargs)

    page_module.make_page = counting_make_page
    try:
        Builder(use_cache=False).build(manuscript, folder / "out")
    finally:
        page_module.make_page = make_page
    out = folder / "out"
    return {"out": out, "pdf": out / "article.pdf", "pages_made": len(made),
            "pages": len(PdfReader(out / "article.pdf").pages),
            "positions": note_positions(out / "article.pdf")}


def test_every_note_on_its_calls_page_in_one_layout(notes_build):
    calls, notes = notes_build["positions"]
    assert sorted(notes) == sorted(calls) == list(range(1, len(notes) + 1))
    assert len(notes) >= 8
    assert {n: calls[n][0] for n in notes} == {n: notes[n][0] for n in notes}
    # A call near its page's foot is among them: on one of the last lines above the
    # page's notes (which start 11 pt below the last line, under their rule).
    near_foot = [n for n in notes if notes[n][1] - calls[n][1] < 4 * LINE]
    assert near_foot, {n: (calls[n], notes[n]) for n in notes}
    # One layout: WeasyPrint made each page once.
    assert notes_build["pages_made"] == notes_build["pages"]


def test_note_called_on_page_one_keeps_page_one_full(notes_build):
    """Issue #11, item 8: the first paragraph's note stays on page 1 with its call, and
    page 1's text runs down to its notes (the old fix-up left 9 cm blank here)."""
    calls, notes = notes_build["positions"]
    assert calls[1][0] == notes[1][0] == 0
    with pdfplumber.open(notes_build["pdf"]) as pdf:
        page = pdf.pages[0]
        body = [line for line in page.extract_text_lines()
                if abs(line["chars"][0]["size"] - 11) < 0.2 and line["top"] > calls[1][1] - LINE]
    # The notes start below a rule with 11 pt above it (print.css @footnote).
    empty = notes[1][1] - 11 - max(line["bottom"] for line in body)
    assert empty < 2 * LINE, f"{empty:.0f} pt of page 1 left empty above its notes"


def test_printed_page_numbers_one_truth(notes_build):
    """The last page, known only after layout, printed without a second layout on page 1
    (band, Cite as), in the feet, the PDF page labels, JATS and the reading page."""
    out, count = notes_build["out"], notes_build["pages"]
    last = 37 + count - 1
    pages = pdf_page_texts(out / "article.pdf")
    assert f"Volume 9, Issue 1, 2023, pp. 37–{last}" in pages[0]
    cite = re.sub(r"\s+", " ", pages[0][pages[0].index("Atıf / Cite as"):])
    assert f"9(1), 37–{last}." in cite
    for number, text in enumerate(pages[1:], 38):
        assert re.search(rf"Studies\s+{number}\s*$", text), number
    assert PdfReader(out / "article.pdf").page_labels == [str(n) for n in range(37, last + 1)]
    meta = jats_tree(out / "article.xml").find(".//article-meta")
    assert (meta.findtext("fpage"), meta.findtext("lpage")) == ("37", str(last))
    page = html_tree(out / "article.html")
    assert page.xpath("//meta[@name='citation_firstpage']/@content") == ["37"]
    assert page.xpath("//meta[@name='citation_lastpage']/@content") == [str(last)]
    assert notes_build["pages_made"] == count


@pytest.fixture(scope="module")
def issue_layout(tmp_path_factory):
    """The sample as the issue build reads it, its first page not known, with two body
    numbers that look like the page placeholders; laid out once."""
    folder = tmp_path_factory.mktemp("issue") / "manuscript"
    shutil.copytree(SAMPLE.parent, folder, ignore=shutil.ignore_patterns("turkish"))
    text = (folder / "article.md").read_text(encoding="utf-8")
    text = text.replace("# Conclusion {.unnumbered}\n",
                        "# Conclusion {.unnumbered}\n\nThe archive counts 111111 letters "
                        "and 999999 pages.\n", 1)
    (folder / "article.md").write_text(text, encoding="utf-8")
    article = Builder(validate_jats=False).read(folder / "article.md", paginated=True)
    return article, pdf_layout.PdfLayout(article)


def test_issue_api_numbers_pages_after_one_layout(issue_layout, tmp_path):
    article, layout = issue_layout
    count = layout.page_count
    assert article.paginated and article.metadata.first_page is None
    with pytest.raises(ValueError, match="first page"):
        layout.write()
    for first in (23, 101):
        last = first + count - 1
        pdf, warnings = layout.write(first)
        assert not warnings
        path = tmp_path / f"from-{first}.pdf"
        path.write_bytes(pdf)
        pages = pdf_page_texts(path)
        assert len(pages) == count == layout.page_count
        assert f"pp. {first}–{last}" in pages[0]
        assert re.search(rf"Studies\s+{first + 1}\s*$", pages[1])
        assert re.search(rf"Studies\s+{last}\s*$", pages[-1])
        cite = re.sub(r"\s+", " ", pages[0][pages[0].index("Atıf / Cite as"):])
        assert f"Studies, {first}–{last}." in cite
        assert "counts 111111 letters and 999999 pages" in re.sub(r"\s+", " ", "".join(pages))
        assert PdfReader(path).page_labels[0] == str(first)
        numbered = with_pages(article, first, last)
        assert (numbered.first_page, numbered.last_page) == (first, last)
        assert f"<fpage>{first}</fpage>" in render_jats(numbered)
        assert f'name="citation_lastpage" content="{last}"' in render_html(numbered, "a.pdf")
    # Both PDFs from the one layout: no page was laid out again.
    assert layout.pages_laid_out == count


def upstream_case(name: str) -> str:
    """The minimal HTML case of one of our WeasyPrint reports."""
    report = (ROOT / "docs" / "upstream" / f"weasyprint-footnote-{name}.md").read_text(
        encoding="utf-8")
    return re.search(r"```html\n(.*?)```", report, re.S).group(1)


def page_texts(html: str) -> list[str]:
    import weasyprint
    from weasyprint.formatting_structure import boxes

    document = weasyprint.HTML(string=html).render()
    return [" ".join(box.text for box in page._page_box.descendants()
                     if isinstance(box, boxes.TextBox)) for page in document.pages]


@pytest.mark.parametrize("name, owner, attribute, unpatched, patched", [
    ("policy", "weasyprint.layout.block", "_linebox_layout",
     ["1 2 3 4 5 call 1 a b", "c d e f g 1.  the note"],
     ["1 2 3 4 5 call 1 1.  the note", "a b c d e f g"]),
    ("area-rounding", "weasyprint.layout.LayoutContext", "_update_footnote_area",
     ["call 1", "1.  the note"], ["call 1 1.  the note"]),
])
def test_weasyprint_footnote_patches(name, owner, attribute, unpatched, patched,
                                     monkeypatch):
    """The upstream reports' cases on the pinned WeasyPrint: the bug without our patch
    (when this fails, WeasyPrint has changed: see footnotes.py), the fix with it."""
    import importlib

    pdf_layout._weasyprint()
    module_name, _, class_name = owner.rpartition(".")
    target = (getattr(importlib.import_module(module_name), class_name)
              if class_name[0].isupper() else importlib.import_module(owner))
    html = upstream_case(name)
    assert page_texts(html) == patched
    monkeypatch.setattr(target, attribute, getattr(target, attribute).typeset_original)
    assert page_texts(html) == unpatched


def test_patches_refuse_another_weasyprint(monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match=r"WeasyPrint 71\.0 is installed"):
        footnotes.patch_weasyprint()


FIGURE = ROOT / "manuscript" / "turkish" / "figures" / "harf-sikligi.png"
TWO_FIGURES = [
    "![Letter frequencies in the Turkish abstract, the first figure.](figures/letters.png)"
    "{#fig:first width=75%}",
    "The second figure follows after one short sentence (@fig:first, @fig:second).",
    "![Letter frequencies again, the second figure.](figures/letters.png){#fig:second width=45%}",
]
TEXT_TOP = 3 / 2.54 * 72  # pt: the text block's top (3 cm)
TEXT_FOOT = 841.89 - 2.5 / 2.54 * 72  # pt: its foot (2.5 cm from the bottom)


def write_figures_manuscript(folder: Path) -> Path:
    """The sample's body twice and a half (some 24 pages, over PESA's limit of 20), with
    two figures after its ninth paragraph of prose: the first does not fit on page 3, the
    sentence after it does, and the second comes while the first waits."""
    front, body = SAMPLE.read_text(encoding="utf-8").split("\n---\n", 1)
    plain = [paragraph for paragraph in re.sub(r"\s*\{#sec:[^}]*\}|\[\^1\]", "",
                                               body).split("\n\n")
             if not paragraph.startswith("[^")]  # no labels, no note: copies
    again = "\n\n".join([*plain, *plain[:len(plain) // 2]])
    paragraphs = body.split("\n\n")
    prose = [i for i, paragraph in enumerate(paragraphs) if paragraph[:1].isalpha()]
    paragraphs[prose[8] + 1:prose[8] + 1] = TWO_FIGURES
    (folder / "figures").mkdir(parents=True)
    shutil.copyfile(FIGURE, folder / "figures" / "letters.png")
    shutil.copyfile(SAMPLE.parent / "references.bib", folder / "references.bib")
    (folder / "article.md").write_text(
        front + "\n---\n" + "\n\n".join(paragraphs) + "\n\n" + again, encoding="utf-8")
    return folder / "article.md"


def build_in_process(*args: str) -> tuple[int, str, int]:
    """(exit status, stderr, pages WeasyPrint laid out) of the command line, run here,
    its PDF laid out here too (not in a process of its own) for the pages to be counted."""
    import contextlib
    import io

    from typeset.render.pdf import process

    pdf_layout._weasyprint()
    from weasyprint.layout import page as page_module

    made, make_page = [], page_module.make_page

    def counting_make_page(*arguments, **keywords):
        made.append(1)
        return make_page(*arguments, **keywords)

    page_module.make_page = counting_make_page
    two_cores, process.two_cores = process.two_cores, lambda: False
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            status = cli.main(list(args))
    finally:
        page_module.make_page = make_page
        process.two_cores = two_cores
    return status, stderr.getvalue(), len(made)


@pytest.fixture(scope="module")
def figures_build(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("figures")
    manuscript = write_figures_manuscript(folder / "manuscript")
    status, stderr, made = build_in_process("build", str(manuscript), "--out",
                                            str(folder / "out"), "--no-cache", "--to", "pdf")
    return {"manuscript": manuscript, "pdf": folder / "out" / "article.pdf",
            "status": status, "stderr": stderr, "pages_made": made}


def test_figure_that_does_not_fit_floats_to_the_next_page_top(figures_build):
    """Issue #11, item 9: the text after a figure that does not fit fills its page; the
    figure opens the next one, and the figure that came while it waited follows it."""
    pdf = figures_build["pdf"]
    pages = [re.sub(r"\s+", " ", text) for text in pdf_page_texts(pdf)]

    def page_of(text: str) -> int:
        return next(i for i, page in enumerate(pages) if text in page)

    first, second = page_of("Figure 1. Letter"), page_of("Figure 2. Letter")
    assert first == second
    assert page_of("The second figure follows") == first - 1  # the text ran on
    with pdfplumber.open(pdf) as document:
        page = document.pages[first]
        images = sorted(page.images, key=lambda image: image["top"])
        captions = [line for line in page.extract_text_lines()
                    if line["text"].startswith(("Figure 1.", "Figure 2."))]
        assert [line["text"][:9] for line in captions] == ["Figure 1.", "Figure 2."]
        assert len(images) == 2 and abs(images[0]["top"] - TEXT_TOP) < 2  # at the top
        before = document.pages[first - 1]
        body = [line for line in before.extract_text_lines()
                if abs(line["chars"][0]["size"] - 11) < 0.2]
        assert TEXT_FOOT - max(line["bottom"] for line in body) < 2 * LINE  # page full
    # One layout: no page was made twice.
    assert figures_build["pages_made"] == len(pages)


def test_figures_keep_their_number_order(figures_build):
    numbers = [int(n) for n in re.findall(r"Figure (\d+)\. ",
                                          " ".join(pdf_page_texts(figures_build["pdf"])))]
    assert numbers == [1, 2]


def test_page_limit_warning_with_the_page_count(figures_build):
    """Issue #11, item 12: PESA prints at most 20 pages; a longer article builds, with a
    warning that gives its length (an error with --strict, below)."""
    pages = len(PdfReader(figures_build["pdf"]).pages)
    assert pages > 20
    assert figures_build["status"] == 0
    assert (f"warning: the article runs to {pages} pages, over the journal's limit of 20"
            in figures_build["stderr"])
    assert "[page-limit]" in figures_build["stderr"]


def test_page_limit_is_an_error_with_strict(figures_build, tmp_path):
    status, stderr, _made = build_in_process(
        "build", str(figures_build["manuscript"]), "--out", str(tmp_path / "out"),
        "--no-cache", "--to", "pdf", "--strict")
    assert status == 1
    assert "over the journal's limit of 20" in stderr and "--strict" in stderr
    assert not (tmp_path / "out" / "article.pdf").exists()


def test_figure_waiting_at_the_articles_end_is_printed(tmp_path):
    """A figure deferred on what turns out to be the last page: that page is made again
    with the figure in the flow (one page laid out again), so no figure is lost."""
    from .helpers_manuscript import write_manuscript

    paragraph = ("The alliance has been described before [@doe2020, p. 5], and its history "
                 "is long: the two states have worked together since the war began. ") * 3
    body = ("\n# Introduction {.unnumbered}\n\n" + "\n\n".join([paragraph] * 3)
            + "\n\n![A figure at the end.](figures/end.png){#fig:end width=80%}\n\n"
            "One last sentence (@fig:end).\n")
    manuscript = write_manuscript(tmp_path / "end", body=body)
    (manuscript.parent / "figures").mkdir()
    shutil.copyfile(FIGURE, manuscript.parent / "figures" / "end.png")
    layout = pdf_layout.PdfLayout(Builder(validate_jats=False).read(manuscript))
    pdf, _warnings = layout.write()
    (tmp_path / "end.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", " ".join(pdf_page_texts(tmp_path / "end.pdf")))
    assert text.count("Figure 1. A figure at the end.") == 1
    assert text.index("Figure 1.") < text.index("One last sentence")
    assert layout.pages_laid_out == layout.page_count + 1


def test_justified_lines_shaped_once_less_change_no_byte(monkeypatch):
    """shaping.py's patch leaves the PDF as WeasyPrint 70 makes it, byte for byte."""
    import weasyprint
    from weasyprint.layout import inline

    pdf_layout._weasyprint()
    html = ("<style>@page { size: 220px 300px; margin: 10px } p { text-align: justify; "
            "font: 10px/1.2 serif; hyphens: auto }</style><p lang='en'>"
            + "Words of a justified paragraph, some longer than others, " * 12 + "</p>")
    patched = weasyprint.HTML(string=html).write_pdf()
    monkeypatch.setattr(inline, "add_word_spacing", inline.add_word_spacing.typeset_original)
    assert weasyprint.HTML(string=html).write_pdf() == patched




def test_texts_painted_from_their_layout_change_no_byte(monkeypatch):
    """shaping.py's painting patch (a text painted from the Pango layout its line was laid
    out with) leaves the PDF as WeasyPrint 70 makes it, byte for byte: justified, ragged,
    preformatted, decorated and spaced text, and when the budget runs out halfway."""
    import weasyprint
    from weasyprint.text.line_break import Layout

    from typeset.render.pdf import shaping

    pdf_layout._weasyprint()
    words = "Words of a paragraph, some of them longer than others, and hyphenated. " * 6
    html = ("<style>@page { size: 240px 400px; margin: 10px } body { font: 10px/1.2 serif;"
            " hyphens: auto } .j { text-align: justify } .s { letter-spacing: 0.5px; "
            "word-spacing: 2px } u { text-decoration: underline }</style>"
            f"<p lang='en' class='j'>{words}<b>bold</b> <i>{words}</i></p>"
            f"<p lang='tr'>Türkçe metin, satır sonunda bölünen kelimelerle. {words}</p>"
            f"<p class='j s'>{words}<u>underlined words</u></p>"
            "<pre>preformatted\n  lines\n\tkept</pre>"
            "<p style='white-space: pre-wrap'>one line\nanother\n\nafter a gap</p>")
    shaping.keep_for_painting()
    kept = weasyprint.HTML(string=html).write_pdf()
    assert shaping._kept[0] < shaping.KEPT_LAYOUTS  # layouts were kept and painted from
    shaping.keep_for_painting(7)
    budget_spent = weasyprint.HTML(string=html).write_pdf()
    set_text, deactivate, reactivate = Layout.reactivate.typeset_original
    monkeypatch.setattr(Layout, "set_text", set_text)
    monkeypatch.setattr(Layout, "deactivate", deactivate)
    monkeypatch.setattr(Layout, "reactivate", reactivate)
    assert weasyprint.HTML(string=html).write_pdf() == kept == budget_spent



def test_streams_deflated_at_zlibs_default_level_hold_the_same_pages(monkeypatch):
    """layout._compress_at_zlib_default: pydyf's streams deflated at level 6, not 9; the
    pages' content, inflated, is the same."""
    import io

    import pikepdf
    import pydyf
    import weasyprint

    pdf_layout._weasyprint()
    html = "<p lang='en'>" + "Some words of a page to deflate, and more of them. " * 400
    ours = weasyprint.HTML(string=html).write_pdf()
    monkeypatch.setattr(pydyf.Stream, "data",
                        property(pydyf.Stream.data.fget.typeset_original))
    level_nine = weasyprint.HTML(string=html).write_pdf()
    with pikepdf.open(io.BytesIO(ours)) as mine, pikepdf.open(io.BytesIO(level_nine)) as nine:
        assert len(mine.pages) == len(nine.pages) > 1
        assert [page.Contents.read_bytes() for page in mine.pages] == \
            [page.Contents.read_bytes() for page in nine.pages]
        assert [page.Contents.read_raw_bytes() for page in mine.pages] != \
            [page.Contents.read_raw_bytes() for page in nine.pages]


LOADED_LIBRARIES = r"""
import ctypes.util, json, sys
searches = []
find_library = ctypes.util.find_library
ctypes.util.find_library = lambda name: searches.append(name) or find_library(name)
if sys.argv[1] == "ours":
    from typeset.render.pdf import layout
    layout._load_weasyprint()
else:
    import weasyprint
print(json.dumps([len(searches), sorted({
    line.split()[-1] for line in open("/proc/self/maps")
    if ".so" in line and any(name in line for name in ("gobject", "pango", "harfbuzz",
                                                       "fontconfig"))})]))
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="Linux only")
def test_weasyprint_opens_the_same_libraries_without_searching_for_them():
    """_libraries_found_by_soname spares a cold start WeasyPrint's library search (each
    `find_library` runs ldconfig, gcc and ld): the very same library files are opened."""
    import json
    import subprocess
    import sys

    def loaded(way: str) -> tuple[int, list[str]]:
        result = subprocess.run([sys.executable, "-c", LOADED_LIBRARIES, way], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        return tuple(json.loads(result.stdout))

    searches, ours = loaded("ours")
    plain_searches, plain = loaded("weasyprint's own search")
    assert searches == 0 and plain_searches > 0
    assert any("libpango-1.0.so" in path for path in ours)
    assert any("libharfbuzz.so" in path for path in ours)
    assert ours == plain


UNUSED_FONT_TOOLS = r"""
import json, sys
from typeset.render.pdf import layout
layout._load_weasyprint()
import weasyprint
weasyprint.HTML(string="<p lang=en>Deferred font tools.</p>").write_pdf(sys.argv[1])
loaded = sorted(name for name in ("fontTools.subset", "fontTools.varLib",
                                  "fontTools.varLib.instancer")
                if type(sys.modules.get(name)).__name__ == "module")
from fontTools.varLib.instancer import instantiateVariableFont
forwarded = instantiateVariableFont.__module__
print(json.dumps([loaded, forwarded,
                  type(sys.modules["fontTools.varLib.instancer"]).__name__]))
"""


def test_font_tools_our_pdfs_never_use_are_not_imported(tmp_path):
    """WeasyPrint imports fontTools' subsetter and variable-font instancer at start-up; a
    PDF with static fonts subset by HarfBuzz never uses them. Their stand-ins must not be
    turned into the real modules by the import system's own look-ups (`__path__`), nor
    pull in `fontTools.varLib` (some 0.04 s, an eighth of WeasyPrint's import)."""
    import json
    import subprocess
    import sys

    pdf = tmp_path / "deferred.pdf"
    result = subprocess.run([sys.executable, "-c", UNUSED_FONT_TOOLS, str(pdf)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    loaded, forwarded, after_use = json.loads(result.stdout)
    assert loaded == []
    fonts = PdfReader(pdf).pages[0]["/Resources"]["/Font"].values()
    assert fonts and all("/FontFile2" in font.get_object()["/DescendantFonts"][0]
                         .get_object()["/FontDescriptor"] for font in fonts)
    assert (forwarded, after_use) == ("typeset.render.pdf.layout", "_DeferredModule")
