"""The reading page: valid HTML5 (the Nu Html Checker, offline), the metadata indexers
read, the front matter and back-links, and a folder that works wherever it is copied.

Expected values are written out here, from the manuscripts, never read from our model.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from typeset.read.document import with_pages
from typeset.render.html import page as html_page
from typeset.run.builder import Builder

from .conftest import ROOT, SAMPLE
from .helpers_manuscript import tiny_png

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# A manuscript that sets what the sample leaves unset: two authors sharing an affiliation,
# ORCID, volume, issue, pages, DOI, a publication date, a figure, a table, a statement,
# and text that tries to end the JSON-LD script early.
RICH = """\
---
journal: pesa
article-type: review-article
lang: en
title:
  en: "Safe </script><script>alert(1)</script> & Sound"
  tr: "Güvenli ve Sağlam"
authors:
  - given-names: Zeynep
    surname: Kaya
    position: {tr: "Doç. Dr.", en: "Assoc. Prof."}
    affiliations: [ege, sakarya]
    email: zeynep.kaya@example.edu.tr
    orcid: 0000-0002-1825-0097
    corresponding: true
  - given-names: Ali
    surname: Demir
    affiliations: [ege]
affiliations:
  - id: ege
    institution: Ege Üniversitesi
    department: [İktisadi ve İdari Bilimler Fakültesi]
    city: İzmir
    country: TR
  - id: sakarya
    institution: Sakarya Üniversitesi
    country: TR
history:
  received: 2023-01-10
  accepted: 2023-04-02
  published: 2023-07-15
volume: 9
issue: 2
first-page: 101
doi: 10.1234/pesa.2023.002
keywords:
  tr: [Güvenlik, Deneme]
  en: [Safety, Trial]
abstract:
  tr: |
    Türkçe özet.
  en: |
    An abstract that mentions `</script><!--` and cites [@allison2017].
copyright:
  holder: PESA
funding:
  en: "Funded by nobody."
bibliography: references.bib
---

# Introduction {.unnumbered}

Text with a footnote[^1] and citations [@allison2017; @stent2019, p. 243], see @sec:method.

# Method {#sec:method}

![A small map of the region](figures/map.png)

| Actor | Role |
|-------|------|
| Russia | ally |

: Actors and roles {#tbl:actors}

## Details

Again @stent2019 [p. 12].

[^1]: A note that cites [@allison2017].
"""


@pytest.fixture(scope="module")
def sample_page(sample_build):
    return lxml_html.fromstring((sample_build / "article.html").read_bytes())


@pytest.fixture(scope="module")
def rich_build(tmp_path_factory) -> Path:
    """The rich manuscript's page, as a journal with ISSNs and a base URL would have it,
    after a layout that ended on page 118."""
    folder = tmp_path_factory.mktemp("rich") / "kaya-2023"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "map.png").write_bytes(tiny_png())
    (folder / "article.md").write_text(RICH, encoding="utf-8")
    shutil.copyfile(SAMPLE.parent / "references.bib", folder / "references.bib")
    article = Builder(validate_jats=False).read(folder / "article.md")
    journal = dataclasses.replace(article.journal, issn="1234-5679", eissn="2345-6784",
                                  article_base_url="https://journal.example/articles/")
    article = with_pages(dataclasses.replace(article, journal=journal), 101, 118)
    out = folder.parent / "out"
    out.mkdir()
    (out / "article.html").write_text(html_page.render_html(article, "article.pdf"),
                                      encoding="utf-8")
    for relative, source in html_page.asset_map(article).items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / relative)
    return out


@pytest.fixture(scope="module")
def constructs_build(tmp_path_factory) -> Path:
    """tests/data/rich-en (every construct of the format: figures, tables, math,
    appendices, statements), built as the command line builds the HTML."""
    out = tmp_path_factory.mktemp("constructs")
    Builder(validate_jats=False).build(ROOT / "tests" / "data" / "rich-en" / "article.md",
                                       out, ["html"])
    return out


@pytest.fixture(scope="module")
def rich_page(rich_build):
    return lxml_html.fromstring((rich_build / "article.html").read_bytes())


def metas(page, name: str) -> list[str]:
    return [m.get("content") for m in page.xpath(f'//head/meta[@name="{name}"]')]


def meta_pairs(page, prefix: str) -> list[tuple[str, str]]:
    return [(m.get("name"), m.get("content")) for m in page.xpath("//head/meta[@name]")
            if m.get("name").startswith(prefix)]


# -- validity ----------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("java") is None, reason="java is not installed")
def test_pages_and_stylesheets_pass_the_nu_html_checker(sample_build, rich_build,
                                                        constructs_build):
    assert VNU.is_file(), "vnu.jar is missing: run `make setup`"
    pages = [sample_build / "article.html", rich_build / "article.html",
             constructs_build / "article.html"]
    css = [sample_build / "article_files" / "screen.css",
           sample_build / "article_files" / "fonts.css"]
    # One JVM for all: the pages as HTML, the stylesheets as CSS (by their extension).
    report = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--stdout",
                             "--also-check-css", *map(str, pages + css)],
                            capture_output=True, text=True, timeout=120)
    messages = json.loads(report.stdout)["messages"]
    # Errors, warnings and "info" advice alike: the pages are to be clean.
    assert messages == [], json.dumps(messages, indent=1, ensure_ascii=False)


# -- Google Scholar's tags, field by field ------------------------------------------------

def test_sample_highwire_tags(sample_page):
    page = sample_page
    assert metas(page, "citation_title") == [
        "An Alliance Based on Common Interests: Russian-Iranian Relations During the "
        "Syrian Civil War"]
    # Each author, then that author's institution(s), in byline order.
    assert meta_pairs(page, "citation_author") == [
        ("citation_author", "Al-Basre, Mustafa"),
        ("citation_author_institution", "Sakarya Üniversitesi"),
        ("citation_author_email", "mustafa.al-basre@ogr.sakarya.edu.tr")]
    # No publication date in the front matter: the year (of the copyright) stands for it.
    assert metas(page, "citation_publication_date") == ["2023"]
    assert metas(page, "citation_journal_title") == [
        "PESA International Journal of Social Studies"]
    assert metas(page, "citation_journal_abbrev") == ["PESA"]
    assert metas(page, "citation_publisher") == [
        "Political, Economic and Social Studies Centre (PESA)"]
    assert metas(page, "citation_language") == ["en"]
    assert metas(page, "citation_pdf_url") == ["article.pdf"]
    keywords = [(m.get("lang"), m.get("content"))
                for m in page.xpath('//meta[@name="citation_keywords"]')]
    assert keywords == [("en", "Russia"), ("en", "Iran"), ("en", "Syrian Civil War"),
                        ("en", "Alliance"), ("en", "Common Interests"),
                        ("tr", "Rusya"), ("tr", "İran"), ("tr", "Suriye İç Savaşı"),
                        ("tr", "İttifak"), ("tr", "Ortak Çıkar")]
    (abstract,) = page.xpath('//meta[@name="citation_abstract"]')
    assert abstract.get("lang") == "en"
    assert abstract.get("content").startswith(
        "The eastward expansion of NATO or the increasing influence of the USA")
    assert abstract.get("content").endswith(
        "more sheltered and advantageous against their main enemies’ competitors.")
    # Unknown for the sample: left out, never invented.
    for name in ("citation_volume", "citation_issue", "citation_firstpage",
                 "citation_lastpage", "citation_doi", "citation_issn",
                 "citation_author_orcid", "citation_abstract_html_url"):
        assert metas(page, name) == [], name


def test_sample_citation_references(sample_page):
    references = metas(sample_page, "citation_reference")
    assert len(references) == 37
    assert references[0] == (
        "citation_author=Allison, R.; citation_title=Russia and the post-2014 international "
        "legal order: revisionism and realpolitik; citation_journal_title=International "
        "Affairs; citation_volume=93; citation_issue=3; citation_firstpage=519; "
        "citation_lastpage=543; citation_publication_date=2017; "
        "citation_doi=10.1093/ia/iix061")
    assert references[2] == (
        "citation_author=Bassam, L.; citation_author=Perry, T.; citation_title=How Iranian "
        "general plotted out Syrian assault in Moscow; citation_journal_title=Reuters; "
        "citation_publication_date=2015/10/06")
    assert "citation_author=Tasnim News Agency; citation_title=Iran's Top Security " \
           "Official, Russian Envoy Discuss Syrian Crisis" in references[30]
    assert references[26] == (
        "citation_author=Sekulow, J.; citation_title=Unholy Alliance: The Agenda Iran, "
        "Russia, and Jihadists Share for Conquering the World; citation_publisher=Simon "
        "and Schuster; citation_publication_date=2017")
    # In the order of the printed reference list.
    surnames = [re.match(r"citation_author=([^,;]+)", r).group(1) for r in references]
    entries = sample_page.xpath('//div[@class="csl-entry"]')
    assert [re.split(r",| \(|\. ", e.text_content())[0] for e in entries] == surnames


def test_rich_highwire_tags(rich_page):
    page = rich_page
    assert metas(page, "citation_title") == ["Safe </script><script>alert(1)</script> & Sound"]
    assert meta_pairs(page, "citation_author") == [
        ("citation_author", "Kaya, Zeynep"),
        ("citation_author_institution", "Ege Üniversitesi"),
        ("citation_author_institution", "Sakarya Üniversitesi"),
        ("citation_author_email", "zeynep.kaya@example.edu.tr"),
        ("citation_author_orcid", "https://orcid.org/0000-0002-1825-0097"),
        ("citation_author", "Demir, Ali"),
        ("citation_author_institution", "Ege Üniversitesi")]
    assert metas(page, "citation_publication_date") == ["2023/07/15"]
    assert metas(page, "citation_volume") == ["9"]
    assert metas(page, "citation_issue") == ["2"]
    assert metas(page, "citation_firstpage") == ["101"]
    assert metas(page, "citation_lastpage") == ["118"]
    assert metas(page, "citation_doi") == ["10.1234/pesa.2023.002"]
    assert metas(page, "citation_issn") == ["1234-5679", "2345-6784"]
    assert metas(page, "citation_pdf_url") == [
        "https://journal.example/articles/kaya-2023/article.pdf"]
    assert metas(page, "citation_abstract_html_url") == [
        "https://journal.example/articles/kaya-2023/article.html"]
    assert metas(page, "citation_abstract") == [
        "An abstract that mentions </script><!-- and cites (Allison, 2017)."]
    assert metas(page, "citation_reference")[0].startswith("citation_author=Allison, R.;")
    assert len(metas(page, "citation_reference")) == 2


def test_dublin_core(sample_page, rich_page):
    assert [(link.get("rel"), link.get("href")) for link in
            sample_page.xpath('//head/link[starts-with(@rel, "schema.")]')] == [
        ("schema.DC", "http://purl.org/dc/elements/1.1/"),
        ("schema.DCTERMS", "http://purl.org/dc/terms/")]
    dc = {}
    for meta in sample_page.xpath("//head/meta[starts-with(@name, 'DC')]"):
        dc.setdefault(meta.get("name"), []).append((meta.get("lang"), meta.get("content")))
    assert dc["DC.title"] == [("en", "An Alliance Based on Common Interests: Russian-Iranian "
                                     "Relations During the Syrian Civil War")]
    assert dc["DCTERMS.alternative"] == [("tr", "Ortak Çıkarlara Dayalı Bir İttifak: Suriye "
                                                "İç Savaşı Döneminde Rus-İran İlişkileri")]
    assert dc["DC.creator"] == [(None, "Al-Basre, Mustafa")]
    assert dc["DC.date"] == [(None, "2023")]
    assert dc["DCTERMS.dateSubmitted"] == [(None, "2022-12-28")]
    assert dc["DCTERMS.dateAccepted"] == [(None, "2023-03-19")]
    assert dc["DC.language"] == [(None, "en")]
    assert dc["DC.subject"][0] == ("en", "Russia") and dc["DC.subject"][-1] == ("tr",
                                                                                "Ortak Çıkar")
    assert [lang for lang, _ in dc["DC.description"]] == ["en", "tr"]
    assert dc["DC.description"][1][1].startswith("NATO’nun doğuya doğru genişlemesi")
    assert dc["DC.publisher"] == [(None, "Political, Economic and Social Studies Centre (PESA)")]
    assert dc["DC.source"] == [(None, "PESA International Journal of Social Studies")]
    assert dc["DC.type"] == [(None, "Text")]
    assert dc["DC.rights"] == [(None, "© 2023 PESA")]
    assert "DC.identifier" not in dc
    assert metas(rich_page, "DC.identifier") == ["https://doi.org/10.1234/pesa.2023.002"]
    assert metas(rich_page, "DC.date") == ["2023-07-15"]
    assert metas(rich_page, "DC.source") == [
        "PESA International Journal of Social Studies, 9(2), 101–118, ISSN 1234-5679, "
        "ISSN 2345-6784"]


def json_ld(page) -> dict:
    (script,) = page.xpath('//script[@type="application/ld+json"]')
    return json.loads(script.text)


def test_json_ld_scholarly_article(sample_page, rich_page):
    data = json_ld(sample_page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["headline"] == ("An Alliance Based on Common Interests: Russian-Iranian "
                                "Relations During the Syrian Civil War")
    assert data["alternativeHeadline"].startswith("Ortak Çıkarlara Dayalı")
    assert data["inLanguage"] == "en"
    assert data["datePublished"] == "2023"
    assert data["author"] == [{
        "@type": "Person", "name": "Mustafa Al-Basre", "givenName": "Mustafa",
        "familyName": "Al-Basre", "email": "mustafa.al-basre@ogr.sakarya.edu.tr",
        "affiliation": [{"@type": "Organization", "name": "Sakarya Üniversitesi",
                         "department": [
                             {"@type": "Organization", "name": "Uluslararası İlişkiler Fakültesi"},
                             {"@type": "Organization", "name": "Sosyal Bilimler Anabilim Dalı"}],
                         "address": {"@type": "PostalAddress", "addressCountry": "TR"}}]}]
    assert data["keywords"] == ["Russia", "Iran", "Syrian Civil War", "Alliance",
                                "Common Interests"]
    assert data["isPartOf"] == {"@type": "Periodical",
                                "name": "PESA International Journal of Social Studies"}
    assert data["encoding"] == {"@type": "MediaObject", "encodingFormat": "application/pdf",
                                "contentUrl": "article.pdf"}
    assert len(data["citation"]) == 37
    assert data["citation"][0]["sameAs"] == "https://doi.org/10.1093/ia/iix061"
    assert "identifier" not in data and "pageStart" not in data

    rich = json_ld(rich_page)
    assert rich["pageStart"] == "101" and rich["pageEnd"] == "118"
    assert rich["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI",
                                  "value": "10.1234/pesa.2023.002"}
    assert rich["isPartOf"] == {
        "@type": "PublicationIssue", "issueNumber": "2",
        "isPartOf": {"@type": "PublicationVolume", "volumeNumber": "9",
                     "isPartOf": {"@type": "Periodical",
                                  "name": "PESA International Journal of Social Studies",
                                  "issn": ["1234-5679", "2345-6784"]}}}
    assert rich["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"


def test_text_cannot_leave_the_json_ld_script(rich_build, rich_page):
    source = (rich_build / "article.html").read_text(encoding="utf-8")
    # One script element, one end tag: the title's "</script>" did not close it.
    assert source.count("<script") == 1 and source.count("</script") == 1
    assert "<!--" not in source
    assert "<script>alert" not in source
    assert json_ld(rich_page)["headline"] == "Safe </script><script>alert(1)</script> & Sound"
    assert json_ld(rich_page)["abstract"] == (
        "An abstract that mentions </script><!-- and cites (Allison, 2017).")
    assert rich_page.xpath("//h1")[0].text_content() == (
        "Safe </script><script>alert(1)</script> & Sound")


# -- what a reader sees ------------------------------------------------------------------

def test_sample_front_matter(sample_page):
    page = sample_page
    assert page.get("lang") == "en"
    assert page.xpath("//h1")[0].text_content().startswith("An Alliance Based on Common")
    assert page.xpath('//p[@class="trans-title"]')[0].get("lang") == "tr"
    assert page.xpath('//span[@class="author"]')[0].text_content().startswith(
        "Mustafa Al-Basre")
    affiliation = page.xpath('//ul[@class="affiliations"]/li')[0]
    assert affiliation.get("id") == "aff1"
    assert "Sakarya Üniversitesi" in affiliation.text_content()
    assert affiliation.xpath(".//a/@href") == ["mailto:mustafa.al-basre@ogr.sakarya.edu.tr"]
    blocks = page.xpath('//section[@class="info-block"]')
    assert [b.get("lang") for b in blocks] == ["tr", "en"]
    assert [b.xpath('.//div[@class="abstract"]/h2')[0].text for b in blocks] == [
        "ÖZET", "ABSTRACT"]
    assert blocks[0].xpath(".//time/@datetime") == ["2022-12-28", "2023-03-19"]
    assert "Rusya, İran, Suriye İç Savaşı, İttifak, Ortak Çıkar" in blocks[0].xpath(
        './/p[@class="keywords"]')[0].text_content()
    assert page.xpath('//p[@class="pdf-link"]/a/@href') == ["article.pdf"]
    assert "Atıf / Cite as:" in page.xpath('//p[@class="cite-as"]')[0].text_content()
    assert "Corresponding Author:" in page.xpath('//p[@class="corresponding"]')[0].text_content()


def test_sample_headings_numbered(sample_page):
    headings = [(h.tag, h.text_content()) for h in
                sample_page.xpath('//div[@class="body"]//*[self::h2 or self::h3]')]
    assert headings == [
        ("h2", "Introduction"),
        ("h2", "1. The Situation in Syria"),
        ("h3", "1.1. Iran’s Presence During the Uprisings in Syria"),
        ("h3", "1.2. Russia’s Presence During the Uprisings in Syria"),
        ("h2", "2. Interchange of Russia-Iran’s Interests in Syria"),
        ("h3", "2.1. Russia and Iran’s Diversifying Goals in Syria and Beyond"),
        ("h2", "3. A Syrian Measurement"),
        ("h3", "3.1. Russia and Iran Dual Involvement in Syria"),
        ("h3", "3.2. International and Regional Factors in the Syrian Civil War"),
        ("h3", "3.3. Russia and Iran’s Impulses in Syrian Crisis"),
        ("h3", "3.4. Russian-Iranian Contest on Syria"),
        ("h2", "Conclusion"),
    ]


def test_footnotes_and_references_link_back(sample_page):
    page = sample_page
    ids = set(page.xpath("//@id"))
    assert page.xpath('//a[@class="footnote-ref"]/@href') == ["#fn1"]
    assert page.xpath('//li[@id="fn1"]/a[@role="doc-backlink"]/@href') == ["#fnref1"]
    entries = page.xpath('//div[@class="csl-entry"]')
    for entry in entries:
        backs = entry.xpath('.//a[@role="doc-backlink"]/@href')
        assert backs, f"{entry.get('id')} has no link back to its citations"
        for back in backs:
            assert back[1:] in ids
            (citing,) = page.xpath(f'//a[@id="{back[1:]}"]')
            assert citing.get("href") == "#" + entry.get("id")
    # Every citation link can be returned to: as many back-links as citation links.
    citation_links = page.xpath('//span[@class="citation"]//a')
    assert len(citation_links) == sum(len(e.xpath('.//a[@role="doc-backlink"]'))
                                      for e in entries)


def test_built_page_needs_no_javascript(sample_build, sample_page):
    scripts = sample_page.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    source = (sample_build / "article.html").read_text(encoding="utf-8")
    assert "EventSource" not in source and "typeset-preview" not in source


def test_rich_front_matter_figure_and_anchors(rich_build, rich_page):
    page = rich_page
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert page.xpath('//p[@class="issue-line"]')[0].text_content() == (
        "Volume 9, Issue 2, 2023, pp. 101–118 ISSN 1234-5679 e-ISSN 2345-6784")
    assert page.xpath('//a[@class="orcid"]/@href')[0] == "https://orcid.org/0000-0002-1825-0097"
    (image,) = page.xpath("//figure//img")
    assert image.get("src") == "figures/map.png"
    assert image.get("alt") == "A small map of the region"
    assert (rich_build / "figures" / "map.png").read_bytes() == tiny_png()
    assert page.xpath('//table[@id="tbl:actors"]/caption')[0].text_content().endswith(
        "Actors and roles")
    assert page.xpath('//a[@class="xref"]')[0].get("href") == "#sec:method"


def local_references(page_path: Path) -> list[Path]:
    """Every file the page and its stylesheets load from beside it."""
    page = lxml_html.fromstring(page_path.read_bytes())
    found = []
    for value in page.xpath("//@href | //@src"):
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # mailto:, https:, and #fragments
        found.append(page_path.parent / unquote(parts.path))
    for css in list(page_path.parent.glob("article_files/*.css")):
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            found.append(css.parent / unquote(target))
    return found


def test_output_folder_works_when_copied(sample_build, rich_build, constructs_build,
                                         tmp_path):
    for index, built in enumerate((sample_build, rich_build, constructs_build)):
        copy = tmp_path / f"elsewhere-{index}"
        shutil.copytree(built, copy)
        references = local_references(copy / "article.html")
        assert copy / "article_files" / "screen.css" in references
        assert any(path.suffix == ".ttf" for path in references)
        # The PDF is beside the page when it was built (the rich page was rendered alone).
        missing = [p for p in references if not p.exists() and p.name != "article.pdf"]
        assert missing == []
        for path in references:
            assert path.resolve().is_relative_to(copy.resolve())
    assert (tmp_path / "elsewhere-0" / "article.pdf").is_file()
