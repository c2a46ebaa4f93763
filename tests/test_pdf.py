"""The PDF as a reader, a typesetter and a PDF tool see it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pyphen
import pytest
from pypdf import PdfReader

from typeset.render.pdf.hyphenation import register_turkish_hyphenation

from . import seed
from .conftest import SAMPLE, run_cli
from .outputs import pdf_page_texts, structure_elements

A4 = (595.28, 841.89)
MARGIN_SIDE = 2.5 / 2.54 * 72  # 2.5 cm in points
MARGIN_TOP = 3 / 2.54 * 72
HEADINGS = [*seed.SAMPLE_HEADINGS, "References"]


@pytest.fixture(scope="module")
def pdf_path(sample_build) -> Path:
    return sample_build / "article.pdf"


@pytest.fixture(scope="module")
def reader(pdf_path) -> PdfReader:
    return PdfReader(pdf_path)


@pytest.fixture(scope="module")
def pages(pdf_path) -> list[str]:
    return pdf_page_texts(pdf_path)


def test_a4_pages_within_the_journal_limit(reader):
    assert 1 < len(reader.pages) <= 20
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))


def test_only_our_fonts_embedded_and_subset(reader):
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+Carlito(-Bold|-Italic|-BoldItalic)?", name), name
        descriptor = (font.get("/FontDescriptor") or
                      font["/DescendantFonts"][0].get_object()["/FontDescriptor"]).get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_first_page_holds_the_front_matter(pages):
    first = pages[0]
    for text in ("PESA International Journal of Social Studies",
                 "Araştırma Makalesi / Research Article",
                 "AN ALLIANCE BASED ON COMMON INTERESTS",
                 "Ortak Çıkarlara Dayalı Bir İttifak", "Mustafa Al-Basre",
                 "MAKALE BİLGİSİ", "Makale Geçmişi", "Geliş: 28 Aralık 2022",
                 "Kabul: 19 Mart 2023", "Anahtar Kelimeler", "ÖZET",
                 "ARTICLE INFO", "Article History", "Received: 28 December 2022",
                 "Accepted: 19 March 2023", "ABSTRACT", "© 2023 PESA Tüm hakları saklıdır",
                 "© 2023 PESA All rights reserved", "Corresponding Author",
                 "mustafa.al-basre@ogr.sakarya.edu.tr", "Atıf / Cite as"):
        assert text in first, text
    # The journal's language order, Turkish first; each abstract under its own label.
    assert first.index("MAKALE BİLGİSİ") < first.index("ARTICLE INFO")
    assert first.index("ÖZET") < first.index("NATO’nun doğuya") < first.index("ABSTRACT")
    assert first.index("ABSTRACT") < first.index("The eastward expansion of NATO")
    cite = first[first.index("Atıf / Cite as"):]
    # The article's own entry in APA; its title as the front matter writes it (the
    # pipeline never re-cases a title: it cannot tell proper nouns).
    assert re.search(r"Al-Basre, M\. \(2023\)\. An Alliance Based on Common Interests: "
                     r"Russian-Iranian Relations During the Syrian Civil War\. PESA", cite)


def test_running_heads_and_feet_from_page_two(pages):
    assert "Al-Basre\n" not in pages[0].split("Corresponding")[0][-200:]
    for number, text in enumerate(pages[1:], 2):
        assert "Russian-Iranian Relations During the Syrian Civil War" in text
        assert "Al-Basre" in text
        assert re.search(rf"PESA International Journal of Social Studies\s+{number}\s*$", text)


def test_footnote_on_the_page_of_its_call(pages):
    call = [i for i, t in enumerate(pages) if "support to the opposition." in t]
    note = [i for i, t in enumerate(pages) if "The Syria policy of these countries" in t]
    assert call and call == note


def test_outline_lists_every_heading_nested(reader):
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title))

    walk(reader.outline, 0)
    assert [title for _, title in entries] == HEADINGS
    depths = dict((title, depth) for depth, title in entries)
    assert depths["1.1. Iran’s Presence During the Uprisings in Syria"] == 1
    assert depths["1. The Situation in Syria"] == 0


def test_no_heading_ends_a_page(reader):
    """Each heading has at least two lines of text below it on its page."""
    bottom = 2.5 / 2.54 * 72  # the text block's foot, from the page's bottom edge
    lines_below = 2 * 11 * 1.2  # two lines of body text

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item

    for item in walk(reader.outline):
        assert float(item["/Top"]) - bottom > lines_below + 11, item.title


def structure_tags(reader) -> dict[str, int]:
    counts: dict[str, int] = {}
    for element in structure_elements(reader):
        counts[str(element["/S"])] = counts.get(str(element["/S"]), 0) + 1
    return counts


def test_tagged_pdf_ua(reader):
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    tags = structure_tags(reader)
    assert tags["/H2"] >= 5 and tags["/H3"] >= 7  # level-1 and level-2 headings
    assert tags["/P"] > 60 and tags["/Link"] > 60
    assert tags["/Note"] == 1
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp


def test_document_metadata(reader):
    info = reader.metadata
    assert info["/Title"].startswith("An Alliance Based on Common Interests")
    assert info["/Author"] == "Mustafa Al-Basre"
    assert info["/Subject"] == "PESA International Journal of Social Studies"
    assert "Rusya" in info["/Keywords"] and "Common Interests" in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:20231114")  # SOURCE_DATE_EPOCH=1700000000


def test_reproducible_with_source_date_epoch(pdf_path, tmp_path):
    result = run_cli("build", str(SAMPLE), "--to", "pdf", "--out", str(tmp_path),
                     env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "article.pdf").read_bytes() == pdf_path.read_bytes()


def test_no_text_outside_the_text_block(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["text"].isspace():
                    continue
                assert char["x0"] >= MARGIN_SIDE - 1, (page.page_number, char["text"])
                assert char["x1"] <= page.width - MARGIN_SIDE + 1, (
                    page.page_number, char["text"], char["x1"])


def test_references_small_with_hanging_indent(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        lines = []
        for page in pdf.pages:
            text_lines = page.extract_text_lines()
            start = next((i for i, line in enumerate(text_lines)
                          if line["text"] == "REFERENCES"), None)
            if start is not None or lines:
                body = [line for line in text_lines[(start or -1) + 1:]
                        if MARGIN_TOP < line["top"] < page.height - 72]
                lines += body
    sizes = {round(c["size"], 1) for line in lines for c in line["chars"]}
    assert sizes == {9.0}
    left = min(line["x0"] for line in lines)
    entry_starts = [line for line in lines if line["x0"] < left + 1]
    continuations = [line for line in lines if line["x0"] >= left + 1]
    assert len(entry_starts) == 37  # one first line per entry, at the margin
    indent = {round(line["x0"] - left) for line in continuations}
    assert indent == {36}  # 1.27 cm hanging indent


def test_turkish_text_is_hyphenated_by_turkish_rules(pdf_path):
    register_turkish_hyphenation()
    dictionary = pyphen.Pyphen(lang="tr")
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        # The abstracts' wide column alone: the narrow info column beside it would put its
        # words at the start of the abstract's lines.
        lines = page.crop((page.width * 0.35, 0, page.width, page.height)).extract_text(
            ).splitlines()
    start = next(i for i, line in enumerate(lines) if "NATO’nun" in line)
    end = next(i for i, line in enumerate(lines) if line.strip() == "ABSTRACT")
    breaks = 0
    for line, following in zip(lines[start:end], lines[start + 1:end], strict=False):
        words = line.split()
        if not words or not words[-1].endswith("-") or not following.split():
            continue
        head, tail = words[-1][:-1], following.split()[0]
        head = re.sub(r"^.*[^\wçğıöşüÇĞİÖŞÜ’']", "", head)
        tail = re.sub(r"[^\wçğıöşüÇĞİÖŞÜ’'].*$", "", tail)
        if not head or not tail:
            continue
        positions = dictionary.positions(head + tail)
        assert len(head) in positions, f"bad break {head}-{tail}"
        breaks += 1
    assert breaks >= 1


def test_first_page_and_issue_numbers(tmp_path):
    folder = tmp_path / "manuscript"
    shutil.copytree(SAMPLE.parent, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    text = text.replace("bibliography: references.bib",
                        "bibliography: references.bib\nvolume: 9\nissue: 1\nfirst-page: 37")
    (folder / "article.md").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(folder / "article.md"), "--to", "pdf,jats", "--out", str(out))
    assert result.returncode == 0, result.stderr
    pages = pdf_page_texts(out / "article.pdf")
    last = 37 + len(pages) - 1
    assert "Volume 9, Issue 1, 2023" in pages[0]
    assert f"pp. 37–{last}" in pages[0]
    assert re.search(r"\b38\s*$", pages[1])
    assert re.search(rf"\b{last}\s*$", pages[-1])
    cite = pages[0][pages[0].index("Atıf / Cite as"):]
    assert re.search(rf"9\(1\),\s+37–{last}", cite), cite
    xml = (out / "article.xml").read_text(encoding="utf-8")
    assert "<fpage>37</fpage>" in xml and f"<lpage>{last}</lpage>" in xml
    assert "<volume>9</volume>" in xml and "<issue>1</issue>" in xml
