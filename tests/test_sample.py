"""The sample article end to end: all three outputs carry the whole seed article."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from . import seed
from .outputs import html_tree, jats_tree, pdf_text, text_of

MANUSCRIPT_BODY = (seed.SEED.parents[2] / "manuscript" / "article.md").read_text(
    encoding="utf-8").split("\n---\n", 1)[1]
NS = {"xlink": "http://www.w3.org/1999/xlink"}


def assert_in_order(chunks: list[str], haystack: str, what: str) -> None:
    """Every chunk's words appear in `haystack`, each after the previous one."""
    text = seed.normalize(seed.without_citations(haystack))
    position = 0
    for chunk in chunks:
        needle = seed.normalize(seed.without_citations(chunk))
        found = text.find(needle, position)
        assert found >= 0, f"{what}: missing or out of order: {chunk[:120]!r}"
        position = found + len(needle)


def cited_keys_in_order() -> list[str]:
    """Every cited work, once per citation, as the manuscript's body cites them."""
    return [key for key in re.findall(r"@([a-z][a-z0-9]+\d{4})\b", MANUSCRIPT_BODY)]


# -- PDF ---------------------------------------------------------------------------------

def test_pdf_holds_abstracts_then_every_paragraph_in_order(sample_build):
    text = pdf_text(sample_build / "article.pdf")
    footnote = seed.normalize(seed.footnote())
    assert footnote in seed.normalize(text), "the footnote's text is not in the PDF"
    # The footnote sits at the foot of a page, inside a paragraph's flow: set it aside.
    body = seed.normalize(seed.without_citations(text)).replace("1" + footnote, "")
    abstracts = seed.abstracts()
    assert_in_order([abstracts["tr"], abstracts["en"], *seed.body_chunks()], body, "PDF")


def test_pdf_reference_list_has_every_seed_entry(sample_build):
    text = pdf_text(sample_build / "article.pdf")
    references = text[text.rindex("REFERENCES"):]
    entries = re.split(r"\n(?=[A-Z][^\n]*\(\d{4}|[A-Z][^\n]*\(n\.d\.)", references)
    for entry in seed.references():
        surname = seed.reference_surname(entry)
        assert surname in references, f"reference of {surname} missing from the PDF"
    assert len(seed.references()) == 37 and len(entries) >= 37


def test_pdf_links_citations_footnotes_and_dois(sample_build):
    reader = PdfReader(sample_build / "article.pdf")
    internal, external = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if action is not None and action.get("/S") == "/URI":
                external.append(str(action["/URI"]))
            elif annotation.get("/Dest") is not None or (action and action.get("/S") == "/GoTo"):
                internal += 1
    assert internal >= len(cited_keys_in_order())
    for entry in seed.references():
        doi = seed.reference_doi(entry)
        if doi:
            assert any(doi in uri for uri in external), f"no link to DOI {doi}"
    assert "mailto:mustafa.al-basre@ogr.sakarya.edu.tr" in external


# -- HTML --------------------------------------------------------------------------------

def test_html_holds_abstracts_then_every_paragraph_in_order(sample_build):
    tree = html_tree(sample_build / "article.html")
    abstracts = [text_of(tree.xpath(f'//section[@lang="{code}"]//div[@class="abstract"]')[0])
                 for code in ("tr", "en")]
    assert seed.normalize(seed.abstracts()["tr"]) in seed.normalize(abstracts[0])
    assert seed.normalize(seed.abstracts()["en"]) in seed.normalize(abstracts[1])
    assert_in_order(seed.body_chunks(), text_of(tree.xpath("//main")[0]), "HTML")
    notes = text_of(tree.xpath('//section[@class="footnotes"]')[0])
    assert seed.normalize(seed.footnote()) in seed.normalize(notes)


def test_html_citations_link_to_existing_references(sample_build):
    tree = html_tree(sample_build / "article.html")
    targets = [a.get("href")[1:] for a in tree.xpath('//span[@class="citation"]//a')]
    assert sorted(t.removeprefix("ref-") for t in targets) == sorted(cited_keys_in_order())
    ids = set(tree.xpath("//@id"))
    assert all(target in ids for target in targets)
    entries = tree.xpath('//div[@class="csl-entry"]')
    assert len(entries) == 37
    listing = " ".join(text_of(e) for e in entries)
    for entry in seed.references():
        assert seed.reference_surname(entry) in listing


def test_html_front_matter(sample_build):
    tree = html_tree(sample_build / "article.html")
    assert tree.get("lang") == "en"
    text = text_of(tree)
    for fact in ("An Alliance Based on Common Interests", "Ortak Çıkarlara Dayalı Bir İttifak",
                 "Mustafa Al-Basre", "Sakarya Üniversitesi", "Y. Lisans Öğrencisi",
                 "28 Aralık 2022", "19 March 2023", "Suriye İç Savaşı", "Common Interests",
                 "© 2023 PESA Tüm hakları saklıdır", "© 2023 PESA All rights reserved",
                 "MAKALE BİLGİSİ", "ARTICLE INFO", "ÖZET", "ABSTRACT"):
        assert fact in text, fact


# -- JATS --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jats(sample_build):
    return jats_tree(sample_build / "article.xml")


def test_jats_holds_every_paragraph_in_order(jats):
    assert_in_order(seed.body_chunks(), text_of(jats.find("body")), "JATS body")
    assert seed.normalize(seed.footnote()) in seed.normalize(
        text_of(jats.find("back/fn-group")))


def test_jats_abstracts_in_their_languages(jats):
    abstract = jats.find("front/article-meta/abstract")
    trans = jats.find("front/article-meta/trans-abstract")
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert abstract.get(lang) == "en" and trans.get(lang) == "tr"
    assert seed.normalize(seed.abstracts()["en"]) == seed.normalize(text_of(abstract))
    assert seed.normalize(seed.abstracts()["tr"]) == seed.normalize(text_of(trans))


def test_jats_one_xref_per_cited_work(jats):
    rids = [x.get("rid") for x in jats.iter("xref") if x.get("ref-type") == "bibr"]
    assert sorted(r.removeprefix("ref-") for r in rids) == sorted(cited_keys_in_order())
    ref_ids = {ref.get("id") for ref in jats.iter("ref")}
    assert set(rids) <= ref_ids and len(ref_ids) == 37


def test_jats_front_matter(jats):
    meta = jats.find("front/article-meta")
    assert jats.get("article-type") == "research-article"
    assert meta.findtext("title-group/article-title").startswith("An Alliance Based")
    assert meta.findtext("title-group/trans-title-group/trans-title").startswith("Ortak")
    contrib = meta.find("contrib-group/contrib")
    assert contrib.get("corresp") == "yes"
    assert contrib.findtext("name/surname") == "Al-Basre"
    assert contrib.findtext("email") == "mustafa.al-basre@ogr.sakarya.edu.tr"
    dates = {d.get("date-type"): d.get("iso-8601-date") for d in meta.iter("date")}
    assert dates == {"received": "2022-12-28", "accepted": "2023-03-19"}
    assert meta.findtext("permissions/copyright-holder") == "PESA"
    assert meta.find("contrib-group/aff/country").get("country") == "TR"
    keywords = {g.get("{http://www.w3.org/XML/1998/namespace}lang", "en"):
                [k.text for k in g.iter("kwd")] for g in meta.iter("kwd-group")}
    assert keywords["tr"][0] == "Rusya" and keywords["en"][-1] == "Common Interests"
    # Nothing the seed does not give is invented.
    assert meta.find("article-id") is None and meta.find("volume") is None
    assert meta.find(".//contrib-id") is None and meta.find("fpage") is None


def test_jats_references_structured(jats):
    for entry in seed.references():
        doi = seed.reference_doi(entry)
        if doi:
            assert jats.xpath(f'//ref//pub-id[@pub-id-type="doi"][.="{doi}"]'), doi
    types = {c.get("publication-type") for c in jats.iter("element-citation")}
    assert {"journal", "book", "chapter", "webpage"} <= types
    assert all(c.getparent().find("mixed-citation") is not None
               for c in jats.iter("element-citation"))
