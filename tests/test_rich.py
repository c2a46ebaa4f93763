"""Every construct of the manuscript format, in all three outputs, in an English test
article (tests/data/rich-en) and the Turkish sample (manuscript/turkish)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from typeset.i18n import turkish_sort_key

from .conftest import ROOT, run_cli
from .outputs import html_tree, jats_tree, pdf_page_texts, structure_elements, text_of

ENGLISH = ROOT / "tests" / "data" / "rich-en" / "article.md"
TURKISH = ROOT / "manuscript" / "turkish" / "article.md"
MML = "{http://www.w3.org/1998/Math/MathML}"
XLINK = "{http://www.w3.org/1999/xlink}"


def build(manuscript: Path, out: Path) -> Path:
    result = run_cli("build", str(manuscript), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return build(ENGLISH, tmp_path_factory.mktemp("rich-en"))


@pytest.fixture(scope="module")
def turkish(tmp_path_factory) -> Path:
    return build(TURKISH, tmp_path_factory.mktemp("turkish"))


def all_pages(out: Path) -> str:
    return "\f".join(pdf_page_texts(out / "article.pdf"))


# -- English -----------------------------------------------------------------------------

def test_english_pdf_constructs(english):
    text = all_pages(english)
    flat = " ".join(text.split())
    for fragment in ("Figure 1. Bars drawn for the test", "Figure 2. A grey copy",
                     "Figure 3. A diagram", "Table 1. Numbers in a pipe table",
                     "refers to Figure 1, Table 1, (1) and Section 1",
                     "A block quote, which is set apart", "code block line",
                     "SMALL CAPITALS", "APPENDIX 1. APPENDIX MATERIAL",
                     "referring back to Section 1", "Funding", "Conflict of Interest",
                     "Data Availability", "Ethics Statement", "Acknowledgements"):
        assert fragment in flat, fragment
    # Statements stand before the references, the appendix after them.
    assert flat.index("Conflict of Interest") < flat.index("REFERENCES") < flat.index(
        "APPENDIX 1.")
    # The equation's number stands at the right margin.
    with pdfplumber.open(english / "article.pdf") as pdf:
        numbers = [word for page in pdf.pages for word in page.extract_words()
                   if word["text"] == "(1)" and word["x1"] > page.width - 80]
    assert numbers, "equation number (1) not at the right"


def test_english_pdf_images_have_alt_text(english):
    reader = PdfReader(english / "article.pdf")
    alts = [str(node.get("/Alt", "")) for node in structure_elements(reader)
            if node["/S"] == "/Figure"]
    assert "Bars drawn for the test" in alts
    assert "Grey bars, same heights" in alts
    assert "A diagram" in alts
    assert any("E = m c^2" in alt for alt in alts)  # the formula, as its TeX
    assert all(alts)
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("DejaVu-Sans-Mono" in font for font in fonts)  # code, in our monospace
    assert all(re.search(r"\+(Carlito|DejaVu-Sans-Mono)", font) for font in fonts)


def test_english_jats_constructs(english):
    tree = jats_tree(english / "article.xml")
    figs = tree.findall(".//fig")
    assert [f.findtext("label") for f in figs] == ["Figure 1", "Figure 2", "Figure 3"]
    graphic = figs[1].find("graphic")
    assert graphic.get(XLINK + "href") == "figures/bars-grey.jpg"
    assert graphic.findtext("alt-text") == "Grey bars, same heights"
    assert (english / "figures" / "bars-grey.jpg").is_file()  # copied beside the XML
    wrap = tree.find(".//table-wrap")
    assert wrap.get("id") == "tbl-numbers" and wrap.findtext("label") == "Table 1"
    assert [td.get("align") for td in wrap.find(".//tbody/tr")] == ["left", "right",
                                                                     "center"]
    formula = tree.find(".//disp-formula")
    assert formula.get("id") == "eq-energy" and formula.findtext("label") == "(1)"
    assert formula.find(f"alternatives/{MML}math") is not None
    assert formula.findtext("alternatives/tex-math").strip() == "E = m c^2"
    inline = tree.find(".//inline-formula/alternatives")
    assert inline.find(f"{MML}math") is not None and inline.findtext("tex-math") == "x_i^2"
    xrefs = {x.get("ref-type"): x.get("rid") for x in tree.iter("xref")}
    assert xrefs["fig"] == "fig-bars" and xrefs["table"] == "tbl-numbers"
    assert xrefs["disp-formula"] == "eq-energy" and xrefs["sec"] == "sec-methods"
    ids = set(tree.xpath("//@id"))
    assert all(x.get("rid") in ids for x in tree.iter("xref") if x.get("rid"))
    assert tree.find(".//disp-quote") is not None
    lists = tree.findall(".//list")
    assert {"bullet", "order"} <= {lst.get("list-type") for lst in lists}
    assert tree.find(".//list/list-item/list") is not None  # nested
    assert tree.find(".//def-list/def-item/term") is not None
    assert tree.findtext(".//preformat") == "code block line"
    assert tree.findtext(".//monospace") == "inline code"
    assert tree.findtext(".//sc") == "small capitals"
    assert tree.findtext(".//sub") == "2" and tree.findtext(".//sup") == "10"
    assert tree.find(".//ext-link").get(XLINK + "href") == "https://example.org"
    meta = tree.find("front/article-meta")
    assert meta.findtext("funding-group/funding-statement") == "No funding was received."
    assert meta.find("author-notes/fn[@fn-type='COI-statement']") is not None
    assert meta.find("author-notes/fn[@fn-type='ethics-statement']") is not None
    assert tree.find("back/ack/title").text == "Acknowledgements"
    assert tree.find("back/sec[@sec-type='data-availability']") is not None
    app = tree.find("back/app-group/app")
    assert app.get("id") == "sec-appendix" and app.findtext("label") == "Appendix 1"
    assert meta.findtext("contrib-group/contrib/contrib-id") == \
        "https://orcid.org/0000-0002-1825-0097"
    dates = [d.get("date-type") for d in meta.iter("date")]
    assert dates == ["received", "rev-recd", "accepted"]


def test_english_html_constructs(english):
    tree = html_tree(english / "article.html")
    figure = tree.xpath('//figure[@id="fig:grey"]')[0]
    assert text_of(figure.find("figcaption")).startswith("Figure 2.")
    image = figure.find(".//img")
    assert image.get("alt") == "Grey bars, same heights"
    assert (english / image.get("src")).is_file()
    assert "width: 40%" in image.get("style")
    caption = tree.xpath('//table[@id="tbl:numbers"]/caption')[0]
    assert text_of(caption).startswith("Table 1.")
    equation = tree.xpath('//div[@id="eq:energy"]')[0]
    assert equation.xpath(".//*[local-name()='math']")
    assert "(1)" in text_of(equation)
    links = {a.get("href"): text_of(a) for a in tree.xpath('//a[@class="xref"]')}
    assert links["#fig:bars"] == "Figure\u00a01" and links["#eq:energy"] == "(1)"
    assert links["#tbl:numbers"] == "Table\u00a01" and links["#sec:methods"] == "Section\u00a01"
    for xpath in ("//blockquote", "//ul/li/ul", "//ol/li/ol", "//dl/dt", "//pre/code",
                  '//*[@class="smallcaps"]', "//sub", "//sup",
                  '//a[@href="https://example.org"]'):
        assert tree.xpath(xpath), xpath


# -- Turkish -----------------------------------------------------------------------------

def test_turkish_pdf_labels_casing_and_references(turkish):
    text = all_pages(turkish)
    flat = " ".join(text.split())
    for fragment in ("Şekil 1.", "Tablo 1.", "Tablo 2.", "Tablo 3.", "KAYNAKÇA",
                     "EK 1.", "OKUNABİLİRLİK", "MAKALE BİLGİSİ", "Geliş:",
                     "Sorumlu Yazar", "Finansman", "Çıkar Çatışması",
                     "Veri Erişilebilirliği", "t.y.", "tarihinde", "adresinden erişildi"):
        assert fragment in flat, fragment
    assert re.search(r"Bölüm\s\d(\.\d)*", flat) and re.search(r"Şekil\s1\b", flat)
    assert re.search(r"\(\d\) numaralı", flat)  # "@eq:liang numaralı"
    assert flat.index("Çıkar Çatışması") < flat.index("KAYNAKÇA") < flat.index("EK 1.")
    listing = flat[flat.index("KAYNAKÇA"):flat.index("EK 1.")]
    firsts = re.findall(r"(?:^|\. |\)\. )([A-ZÇĞİÖŞÜ][\wçğıöşüÇĞİÖŞÜ-]+), [A-ZÇĞİÖŞÜ]\.",
                        listing)
    assert firsts == sorted(firsts, key=turkish_sort_key)


def test_turkish_long_table_repeats_its_header(turkish):
    pages = pdf_page_texts(turkish / "article.pdf")
    with_rows = [i for i, page in enumerate(pages) if "U+0049" in page or "U+0041" in page
                 or "U+005A" in page]
    spanning = [i for i, page in enumerate(pages) if re.search(r"U\+00[45][0-9A-F]", page)]
    assert len(set(spanning)) >= 2, "the alphabet table should run over a page break"
    assert with_rows
    for page in spanning:
        assert "Kod (küçük)" in pages[page], f"no header row on page {page + 1}"


def test_turkish_tables_at_least_9pt(turkish):
    with pdfplumber.open(turkish / "article.pdf") as pdf:
        sizes = [char["size"] for page in pdf.pages for word in page.extract_words(
            extra_attrs=["size"]) if re.fullmatch(r"U\+[0-9A-F]{4}", word["text"])
            for char in [word]]
    assert sizes and min(sizes) >= 9


def test_turkish_jats(turkish):
    tree = jats_tree(turkish / "article.xml")
    assert tree.get("{http://www.w3.org/XML/1998/namespace}lang") == "tr"
    assert [f.findtext("label") for f in tree.findall(".//fig")] == [
        "Şekil 1", "Şekil 2", "Şekil 3"]
    assert [w.findtext("label") for w in tree.findall(".//table-wrap")] == [
        "Tablo 1", "Tablo 2", "Tablo 3"]
    assert len(tree.findall(".//disp-formula")) == 3
    assert tree.find("back/app-group/app").findtext("label") == "Ek 1"
    contribs = tree.findall("front/article-meta/contrib-group/contrib")
    assert len(contribs) == 2 and all(c.find("contrib-id") is not None for c in contribs)
    affs = tree.findall("front/article-meta/contrib-group/aff")
    assert len(affs) == 2
    types = {c.get("publication-type") for c in tree.iter("element-citation")}
    assert {"journal", "book", "chapter", "confproc", "thesis", "report", "webpage"} <= types
    assert tree.find(".//element-citation//collab") is not None  # corporate author
    for name in ("hece-kurali.svg", "harf-sikligi.png", "hece-dagilimi.jpg"):
        assert (turkish / "figures" / name).is_file()


def test_turkish_html(turkish):
    tree = html_tree(turkish / "article.html")
    assert tree.get("lang") == "tr"
    captions = [text_of(c) for c in tree.xpath("//figcaption")]
    assert captions[0].startswith("Şekil 1.")
    assert text_of(tree.xpath("//table/caption")[0]).startswith("Tablo 1.")
    assert len(tree.xpath("//*[local-name()='math']")) >= 3
