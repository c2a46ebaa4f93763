"""The journal-issue build, through the real command line.

One session-wide build of the sample issue (`issues/sample/`), as a fictional journal with
an ISSN, a site and DOIs would publish it (`tests/data/styles/issn-test/`): pagination from
the issue's first page through every output, the issue PDF (labels, outline, tags, links),
front.pdf, the issue's page and sitemap, the deposits; then the cache (an unchanged issue is
up to date; a lengthened first article moves the others, and an article that changes
without moving lays out only itself); the archive of a folder of issues; and every kind of
bad input, each reported located, all at once, with nothing written.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from lxml import etree

from typeset.run.write import RECORD

from .conftest import ROOT, run_cli
from .helpers_manuscript import write_manuscript
from .outputs import html_tree, jats_tree, pdf_page_texts

SAMPLE_ISSUE = ROOT / "issues" / "sample"
TEST_PROFILE = ROOT / "tests" / "data" / "styles" / "issn-test" / "journal.yaml"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
FIRST_PAGE = 57
FOLDERS = ("al-basre", "ornekci", "taslakci")
SITE = "https://journal.example.org/4/2"


# -- fixtures ----------------------------------------------------------------------------

def test_styles(root: Path) -> Path:
    """A styles folder with the fictional profile dressed in PESA's print and reading
    styles (the profile itself carries no CSS or fonts)."""
    folder = root / "issn-test"
    folder.mkdir(parents=True)
    shutil.copyfile(TEST_PROFILE, folder / "journal.yaml")
    pesa = ROOT / "styles" / "pesa"
    for name in ("print.css", "screen.css", "fonts.css", "issue.css"):
        shutil.copyfile(pesa / name, folder / name)
    shutil.copytree(pesa / "fonts", folder / "fonts")
    return root


test_styles.__test__ = False  # a helper, not a test


def fictional_issue(target: Path) -> Path:
    """The sample issue as volume 4, issue 2 of the fictional journal, from page 57, each
    article with a DOI under the journal's prefix (10.5555, Crossref's prefix for
    examples)."""
    for folder in FOLDERS:
        shutil.copytree(SAMPLE_ISSUE / folder, target / folder,
                        ignore=shutil.ignore_patterns("turkish", "NOTES.md"))
        manuscript = target / folder / "article.md"
        text = manuscript.read_text(encoding="utf-8")
        assert text.count("journal: pesa\n") == 1
        text = text.replace("journal: pesa\n",
                            f"journal: issn-test\ndoi: 10.5555/issn-test.{folder}\n")
        manuscript.write_text(text, encoding="utf-8")
    sections = (SAMPLE_ISSUE / "issue.yaml").read_text(encoding="utf-8").split("sections:")[1]
    (target / "issue.yaml").write_text(
        "journal: issn-test\nvolume: 4\nissue: 2\npublished: 2026-12-01\n"
        f"first-page: {FIRST_PAGE}\nsections:{sections}", encoding="utf-8")
    return target


@dataclass
class Built:
    folder: Path
    out: Path
    env: dict
    stderr: str


@pytest.fixture(scope="session")
def styles_env(tmp_path_factory) -> dict:
    styles = test_styles(tmp_path_factory.mktemp("styles"))
    return {"TYPESET_STYLES": str(styles), **EPOCH}


@pytest.fixture(scope="session")
def built(tmp_path_factory, styles_env) -> Built:
    root = tmp_path_factory.mktemp("issue")
    folder = fictional_issue(root / "issue")
    out = root / "out"
    result = run_cli("build", str(folder), "--out", str(out), "--jobs", "2", env=styles_env)
    assert result.returncode == 0, result.stderr
    return Built(folder, out, styles_env, result.stderr)


def page_counts(out: Path) -> list[int]:
    return [len(pypdf.PdfReader(out / folder / "article.pdf").pages) for folder in FOLDERS]


def expected_first_pages(counts: list[int], first: int = FIRST_PAGE) -> list[int]:
    pages = []
    for count in counts:
        pages.append(first)
        first += count
    return pages


def outputs_written(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*")
            if p.is_file()}


# -- pagination, end to end --------------------------------------------------------------

def test_articles_carry_their_final_pages_in_every_output(built):
    counts = page_counts(built.out)
    for folder, count, first in zip(FOLDERS, counts, expected_first_pages(counts),
                                    strict=True):
        last = first + count - 1
        pages = pdf_page_texts(built.out / folder / "article.pdf")
        assert f"{first}–{last}" in pages[0]  # the header band
        cite_as = re.search(r"(Atıf|Cite as).*", pages[0].replace("\n", " ")).group(0)
        assert re.search(rf"{first}[-–]{last}\b", cite_as), cite_as
        for index, text in enumerate(pages[1:], start=1):  # the running foot
            assert text.rstrip().splitlines()[-1].strip() == str(first + index)
        meta = jats_tree(built.out / folder / "article.xml").find(".//article-meta")
        assert (meta.findtext("fpage"), meta.findtext("lpage")) == (str(first), str(last))
        assert (meta.findtext("volume"), meta.findtext("issue")) == ("4", "2")
        head = html_tree(built.out / folder / "article.html")
        tags = {m.get("name"): m.get("content") for m in head.iter("meta") if m.get("name")}
        assert (tags["citation_firstpage"], tags["citation_lastpage"]) == (str(first),
                                                                           str(last))
        assert tags["citation_abstract_html_url"] == f"{SITE}/{folder}/article.html"
        for output in ("article.pdf", "article.xml", "article.html"):
            data = (built.out / folder / output).read_bytes()
            assert b"888888" not in data and b"999999" not in data
        # With an ISSN, JATS is Journal Publishing (validated by the build).
        assert b"Journal Publishing DTD" in (built.out / folder / "article.xml").read_bytes()
    notes = jats_tree(built.out / "ornekci" / "article.xml").find(".//author-notes")
    assert [(fn.get("fn-type"), fn.get("custom-type")) for fn in notes.iter("fn")] == [
        ("custom", "COI-statement")] * 2 + [("custom", "ethics-statement")] * 2


def test_the_issue_pdf_is_the_front_then_the_articles_page_for_page(built):
    counts = page_counts(built.out)
    front = pypdf.PdfReader(built.out / "front.pdf")
    issue = pypdf.PdfReader(built.out / "issue.pdf")
    front_pages = len(front.pages)
    assert len(issue.pages) == front_pages + sum(counts)
    roman = ["i", "ii", "iii", "iv", "v"][:front_pages]
    last = FIRST_PAGE + sum(counts) - 1
    assert issue.page_labels == roman + [str(n) for n in range(FIRST_PAGE, last + 1)]
    assert front.page_labels == roman
    texts = pdf_page_texts(built.out / "issue.pdf")
    start = front_pages
    for folder, count in zip(FOLDERS, counts, strict=True):
        assert texts[start:start + count] == pdf_page_texts(
            built.out / folder / "article.pdf")
        start += count


def test_the_issue_pdf_has_an_outline_by_section_and_article(built):
    issue = pypdf.PdfReader(built.out / "issue.pdf")
    counts = page_counts(built.out)
    starts = [p - FIRST_PAGE + len(pypdf.PdfReader(built.out / "front.pdf").pages)
              for p in expected_first_pages(counts)]
    top = [item for item in issue.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    assert titles[-2:] == ["Araştırma Makaleleri / Research Articles",
                           "Kitap İncelemesi / Book Review"]  # as the contents print them
    children = [item for item in issue.outline if isinstance(item, list)]
    research, review = children[-2], children[-1]
    articles = [item for item in [*research, *review] if not isinstance(item, list)]
    assert [item.title for item in articles] == [
        "An Alliance Based on Common Interests: Russian-Iranian Relations During the "
        "Syrian Civil War",
        "Türkçe Bilimsel Makalelerin Dizgisi: Heceleme, Büyük Harf Kuralları ve Makale "
        "Meta Verisi",
        "A Typographer’s Handbook Read at a Journal’s Production Desk"]
    assert [issue.get_destination_page_number(item) for item in articles] == starts
    # each article's own headings under it, on its pages in the issue
    headings = research[1]
    assert headings[0].title == "Introduction"
    assert "References" in [h.title for h in headings if not isinstance(h, list)]
    assert all(starts[0] <= issue.get_destination_page_number(h) < starts[1]
               for h in headings if not isinstance(h, list))


def marked_content_ids(page) -> set[int]:
    return {int(operands[1].MCID) for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]}


def test_the_issue_pdf_is_tagged_with_one_structure_tree(built):
    pdf = pikepdf.open(built.out / "issue.pdf")
    assert pdf.Root.MarkInfo.Marked
    assert b"pdfuaid:part=\"1\"" in pdf.Root.Metadata.read_bytes()
    structure = pdf.Root.StructTreeRoot
    parents = dict(pikepdf.NumberTree(structure.ParentTree).items())
    assert int(structure.ParentTreeNextKey) == max(parents) + 1
    document = structure.K[0]
    articles = [kid for kid in document.K if kid.get("/S") == "/Art"]
    assert [str(a.Lang) for a in articles] == ["en", "tr", "en"]
    pages = {page.objgen for page in pdf.pages}
    keys = set()
    for index, page in enumerate(pdf.pages):
        key = int(page.obj.StructParents)
        assert key not in keys, f"page {index} shares its parent tree key"
        keys.add(key)
        for mcid in marked_content_ids(page):  # every marked content has its element
            element = parents[key][mcid]
            assert "/S" in element and element.Pg.objgen in pages
        for annotation in page.obj.get("/Annots", ()):
            if "/StructParent" in annotation:
                element = parents[int(annotation.StructParent)]
                assert any(kid.get("/Obj") is not None and kid.Obj.objgen ==
                           annotation.objgen for kid in element.K)


def test_the_issue_pdf_links_resolve_within_it(built):
    pdf = pikepdf.open(built.out / "issue.pdf")
    names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
    pages = [page.objgen for page in pdf.pages]
    front_pages = len(pypdf.PdfReader(built.out / "front.pdf").pages)
    starts = [p - FIRST_PAGE + front_pages for p in expected_first_pages(page_counts(
        built.out))]
    # The contents go to each article's first page.
    contents = [annotation.A.D[0].objgen for page in list(pdf.pages)[:front_pages]
                for annotation in page.obj.get("/Annots", ())
                if annotation.A.get("/S") == "/GoTo"]
    assert contents == [pages[start] for start in starts]
    # Each article's internal links (citations, notes) use its own prefixed names.
    for folder, start, end in zip(FOLDERS, starts, [*starts[1:], len(pages)], strict=True):
        for page in list(pdf.pages)[start:end]:
            for annotation in page.obj.get("/Annots", ()):
                if "/Dest" in annotation:
                    name = str(annotation.Dest)
                    assert name.startswith(folder + "/")
                    assert start <= pages.index(names[name][0].objgen) < end


def test_front_pdf_has_the_cover_and_the_contents(built):
    cover, *contents = pdf_page_texts(built.out / "front.pdf")
    for text in ("Test Journal of Typesetting", "Dizgi Deneme Dergisi",
                 "Cilt 4, Sayı 2, Aralık 2026", "Volume 4, Issue 2, December 2026",
                 "ISSN 0000-0019", "e-ISSN 0000-0027", "Test Publisher, İzmir"):
        assert text in cover
    contents = " ".join(" ".join(contents).split())
    first_pages = expected_first_pages(page_counts(built.out))
    for line in ("İÇİNDEKİLER / CONTENTS", "Araştırma Makaleleri / Research Articles",
                 "Kitap İncelemesi / Book Review", "Mustafa Al-Basre",
                 "Işıl Örnekçi, İsmet Çağrı Denemeci", "Ayşe Deniz Taslakçı",
                 "Ortak Çıkarlara Dayalı Bir İttifak",
                 "Typesetting Turkish Scholarly Articles",
                 "Production Desk . . .", f"{first_pages[2]}"):
        assert line in contents
    pdf = pikepdf.open(built.out / "front.pdf")
    assert pdf.Root.StructTreeRoot and pdf.Root.MarkInfo.Marked
    links = [str(annotation.A.URI) for page in pdf.pages
             for annotation in page.obj.get("/Annots", ()) if "/URI" in annotation.A]
    assert [f"{SITE}/{folder}/article.html" for folder in FOLDERS] == [
        link for link in links if link.endswith("article.html")]


def test_the_issue_page_links_every_output(built):
    page = html_tree(built.out / "index.html")
    assert page.get("lang") == "tr"
    assert page.find(".//link[@rel='canonical']").get("href") == f"{SITE}/"
    hrefs = [a.get("href") for a in page.iter("a")]
    for folder in FOLDERS:
        for name in ("article.html", "article.pdf", "article.xml"):
            assert f"{folder}/{name}" in hrefs
            assert (built.out / folder / name).is_file()
    assert {"issue.pdf", "front.pdf"} <= set(hrefs)
    stylesheet = page.find(".//link[@rel='stylesheet']").get("href")
    assert (built.out / stylesheet).is_file()
    text = " ".join(page.text_content().split())
    counts = page_counts(built.out)
    for first, count in zip(expected_first_pages(counts), counts, strict=True):
        assert f"ss. {first}–{first + count - 1}" in text
    sitemap = etree.parse(str(built.out / "sitemap.xml"))
    locations = [loc.text for loc in sitemap.iter("{*}loc")]
    assert locations == [f"{SITE}/", *(f"{SITE}/{folder}/article.html" for folder in FOLDERS)]


def test_the_deposits_are_written_and_valid(built):
    from typeset import export

    crossref = (built.out / "crossref.xml").read_bytes()
    doaj = (built.out / "doaj.xml").read_bytes()
    export.validate_crossref(crossref)
    export.validate_doaj(doaj)
    counts = page_counts(built.out)
    firsts = expected_first_pages(counts)
    pages = [(str(first), str(first + count - 1)) for first, count in zip(firsts, counts,
                                                                           strict=True)]
    articles = etree.fromstring(crossref).findall(".//{*}journal_article")
    assert [(a.findtext("{*}pages/{*}first_page"), a.findtext("{*}pages/{*}last_page"))
            for a in articles] == pages
    assert [a.findtext("{*}doi_data/{*}doi") for a in articles] == [
        f"10.5555/issn-test.{folder}" for folder in FOLDERS]
    assert [a.findtext("{*}doi_data/{*}resource") for a in articles] == [
        f"{SITE}/{folder}/article.html" for folder in FOLDERS]
    records = etree.fromstring(doaj).findall("record")
    assert [(r.findtext("startPage"), r.findtext("endPage")) for r in records] == pages
    assert [r.findtext("fullTextUrl") for r in records] == [
        f"{SITE}/{folder}/article.html" for folder in FOLDERS]


# -- the cache -------------------------------------------------------------------------

def test_an_unchanged_issue_is_up_to_date(built):
    before = outputs_written(built.out)
    result = run_cli("build", str(built.folder), "--out", str(built.out), "--jobs", "2",
                     env=built.env)
    assert result.returncode == 0, result.stderr
    assert outputs_written(built.out) == before


def test_a_lengthened_first_article_moves_the_others(built, tmp_path):
    # A copy of the built issue and its output: the record travels with them.
    folder, out = tmp_path / "issue", tmp_path / "out"
    shutil.copytree(built.folder, folder)
    shutil.copytree(built.out, out)
    before_counts = page_counts(out)
    manuscript = folder / "al-basre" / "article.md"
    text = manuscript.read_text(encoding="utf-8")
    conclusion = text.index("# Conclusion")
    paragraphs = text[text.index("# Introduction"):conclusion].split("\n\n")[1:4]
    manuscript.write_text(text[:conclusion] + "# Afterword {.unnumbered}\n\n"
                          + "\n\n".join(paragraphs * 3) + "\n\n" + text[conclusion:],
                          encoding="utf-8")
    result = run_cli("build", str(folder), "--out", str(out), "--jobs", "2", env=built.env)
    assert result.returncode == 0, result.stderr
    counts = page_counts(out)
    added = counts[0] - before_counts[0]
    assert added >= 1 and counts[1:] == before_counts[1:]
    firsts = expected_first_pages(counts)
    assert firsts[1:] == [page + added for page in expected_first_pages(before_counts)[1:]]
    for folder_name, first in zip(FOLDERS[1:], firsts[1:], strict=True):
        meta = jats_tree(out / folder_name / "article.xml").find(".//article-meta")
        assert meta.findtext("fpage") == str(first)
        assert pdf_page_texts(out / folder_name / "article.pdf")[1].rstrip() \
            .splitlines()[-1].strip() == str(first + 1)
    labels = pypdf.PdfReader(out / "issue.pdf").page_labels
    assert labels[-1] == str(FIRST_PAGE + sum(counts) - 1)

    # An article that changes without changing length moves nobody: only it is laid
    # out again.
    before = outputs_written(out)
    review = folder / "taslakci" / "article.md"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "Few handbooks", "Few other handbooks"), encoding="utf-8")
    result = run_cli("build", str(folder), "--out", str(out), "--jobs", "2", env=built.env)
    assert result.returncode == 0, result.stderr
    after = outputs_written(out)
    changed = {name.split("/")[0] for name in after if after[name] != before.get(name)}
    assert {"taslakci", "issue.pdf", "front.pdf", "index.html"} <= changed
    assert not changed & {"al-basre", "ornekci"}


# -- a folder of issues -----------------------------------------------------------------

def small_issue(folder: Path, volume: int, number: int, published: str,
                cover: bool = False, doi: str = "") -> None:
    write_manuscript(folder / "only", {"article-type: research-article":
                                       "journal: issn-test\narticle-type: research-article"
                                       + (f"\ndoi: {doi}" if doi else "")})
    lines = f"journal: issn-test\nvolume: {volume}\nissue: {number}\npublished: {published}\n"
    if cover:
        from PIL import Image

        Image.new("RGB", (60, 80), (122, 31, 43)).save(folder / "cover.png")
        lines += "cover: cover.png\ntitle: {tr: Kapak Sayısı, en: The Cover Issue}\n"
    (folder / "issue.yaml").write_text(
        lines + "sections:\n  - title: {tr: Makaleler, en: Articles}\n    articles: [only]\n",
        encoding="utf-8")


def test_a_folder_of_issues_builds_the_archive(tmp_path, styles_env):
    journal = tmp_path / "journal"
    small_issue(journal / "2025-1", 3, 1, "2025-03-31")
    small_issue(journal / "2025-2", 3, 2, "2025-07-31", cover=True)
    out = tmp_path / "site"
    result = run_cli("build", str(journal), "--out", str(out), "--jobs", "2", env=styles_env)
    assert result.returncode == 0, result.stderr
    # said in a log too, not only on a terminal
    assert re.search(r"2025-2 -> .*/site/3/2/: built in [\d.]+ s \(articles laid out: only\)",
                     result.stderr), result.stderr
    assert f"{journal} -> {out}/: archive of 2 issues" in result.stderr
    archive = html_tree(out / "index.html")
    links = [a.get("href") for a in archive.iter("a") if a.get("href").endswith(".html")]
    assert links == ["3/2/index.html", "3/1/index.html"]  # newest first
    for link in links:
        issue_page = html_tree(out / link)
        assert issue_page.find(".//a[@href='../../index.html']") is not None
        assert (out / link).parent.joinpath("only", "article.pdf").is_file()
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://journal.example.org/3/1/only/article.html" in sitemap
    # The cover image: on the cover, with its alternative text, and on the issue's page.
    front = pikepdf.open(out / "3" / "2" / "front.pdf")
    assert len(front.pages[0].get_images()) == 1
    figures = [element for element in _elements(front.Root.StructTreeRoot)
               if element.get("/S") == "/Figure"]
    assert [str(figure.Alt) for figure in figures] == ["Kapak Sayısı"]
    page = html_tree(out / "3" / "2" / "index.html")
    image = page.find(".//img")
    assert (out / "3" / "2" / image.get("src")).is_file() and image.get("alt")


def test_issues_that_clash_stop_the_archive_before_anything_is_written(tmp_path, styles_env):
    """An editor's trial: two issues set to one volume and number overwrote the issue
    already published there before the clash was reported; one DOI in two issues
    passed."""
    journal = tmp_path / "journal"
    small_issue(journal / "2025-1", 3, 1, "2025-03-31", doi="10.5555/t.1")
    out = tmp_path / "site"
    assert run_cli("build", str(journal), "--out", str(out), env=styles_env).returncode == 0
    published = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                 if p.is_file()}
    small_issue(journal / "2025-1-again", 3, 1, "2025-04-30", doi="10.5555/T.1")
    result = run_cli("build", str(journal), "--out", str(out), env=styles_env)
    assert result.returncode == 1
    place, doi = result.stderr.splitlines()[:2]
    assert "2025-1-again/issue.yaml:3:1: issue: volume 3, issue 1 is also the place of " in place
    assert place.endswith("journal/2025-1/issue.yaml (two issues cannot share a place on the "
                          "site: give each its own number)")
    assert "2025-1-again/only/article.md:4: doi: the DOI 10.5555/t.1 is also the DOI of " in doi
    assert doi.endswith("journal/2025-1/only/article.md:4, in another issue (each article has "
                        "a DOI of its own)")
    assert "Traceback" not in result.stderr
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file()} == published


def _elements(node) -> list:
    found = []
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            found += _elements(kid)
    return found


def test_checking_an_issue_writes_nothing_and_to_is_refused(tmp_path, styles_env):
    folder = tmp_path / "issue"
    small_issue(folder, 1, 1, "2025-03-31")
    result = run_cli("check", str(folder), env=styles_env)
    assert result.returncode == 0, result.stderr
    # what build says without laying out is said by check too: the article without a DOI
    assert ("only/article.md: warning: doi: not in crossref.xml: the article has no DOI "
            "(give it one (doi: in its front matter) to register it with Crossref) "
            "[crossref-no-doi]") in result.stderr
    assert f"{folder}: no errors, 1 warning to look at" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["issue.yaml", "only"]
    assert run_cli("check", "--strict", str(folder), env=styles_env).returncode == 1
    result = run_cli("build", str(folder), "--to", "html", "--out", str(tmp_path / "out"),
                     env=styles_env)
    assert result.returncode == 2
    assert "--to: an issue is built whole" in result.stderr


# -- bad input ---------------------------------------------------------------------------

ISSUE_YAML = """\
journal: issn-test
volume: 4
issue: 2
published: 2026-12-01
sections:
  - title: {tr: Makaleler, en: Articles}
    articles: [first, second]
"""
DEFAULT_FRONT = {"article-type: research-article":
                 "journal: issn-test\narticle-type: research-article"}


def bad_issue(root: Path, issue_yaml: str = ISSUE_YAML, first: dict | None = None,
              second: dict | None = None, extra: bool = False,
              second_body: str | None = None) -> Path:
    folder = root / "issue"
    write_manuscript(folder / "first", {**DEFAULT_FRONT, **(first or {})})
    kwargs = {"body": second_body} if second_body else {}
    write_manuscript(folder / "second", {**DEFAULT_FRONT, **(second or {})}, **kwargs)
    if extra:
        write_manuscript(folder / "third", DEFAULT_FRONT)
    (folder / "issue.yaml").write_text(issue_yaml, encoding="utf-8")
    return folder


BAD_INPUT = {
    "unknown-key": (
        {"issue_yaml": ISSUE_YAML.replace("volume: 4", "volume: 4\nvolme: 4")},
        ["issue.yaml:3:1: volme: unknown field 'volme' (did you mean 'volume'?)"]),
    "missing-folder": (
        {"issue_yaml": ISSUE_YAML.replace("[first, second]", "[first, missing, second]")},
        ["issue.yaml:7:23: sections[0].articles[1]: the issue folder has no folder "
         "'missing' (check the name; names are case-sensitive)"]),
    "listed-twice": (
        {"issue_yaml": ISSUE_YAML.replace("[first, second]", "[first, second, first]")},
        ["issue.yaml:7:31: sections[0].articles[2]: the folder 'first' is listed twice "
         "(first at line 7; each article appears once)"]),
    "not-listed": (
        {"extra": True},
        ["issue.yaml:5:1: sections: the article in 'third' is in no section (list its "
         "folder under a section's articles, or move it out of the issue folder)"]),
    "empty-section": (
        {"issue_yaml": ISSUE_YAML + "  - title: {tr: Kitap, en: Books}\n    articles: []\n"},
        ["issue.yaml:9:15: sections[1].articles: the section lists no article (list its "
         "article folders, articles: [aksoy, yilmaz], or remove the section)"]),
    "volume-zero": (
        {"issue_yaml": ISSUE_YAML.replace("volume: 4", "volume: 0")},
        ["issue.yaml:2:9: volume: volume 0: volumes are numbered from 1"]),
    "bad-date": (
        {"issue_yaml": ISSUE_YAML.replace("2026-12-01", "2026-02-30")},
        ["issue.yaml:4:12: published: '2026-02-30' is not a date: day is out of range for "
         "month"]),
    "article-facts-differ": (
        {"first": {"copyright:": "first-page: 3\ncopyright:",
                   "  accepted: 2023-03-19": "  accepted: 2023-03-19\n  published: "
                                             "2026-11-30"},
         "second": {"bibliography:": "volume: 5\nissue: 3\nbibliography:"}},
        ["first/article.md:19:14: history.published: 2026-11-30 differs from the issue's "
         "date of publication, 2026-12-01 (ISSUE:4) (the issue gives its articles their "
         "date of publication: remove the field, or make it the issue's)",
         "first/article.md:26:13: first-page: 3 differs from the page this article starts "
         "on in the issue, 1 (the issue numbers its articles' pages: remove the field)",
         "second/article.md:27:9: volume: 5 differs from the issue's volume, 4 (ISSUE:2) "
         "(the issue gives its articles their volume: remove the field, or make it the "
         "issue's)",
         "second/article.md:28:8: issue: 3 differs from the issue's number, 2 (ISSUE:3) "
         "(the issue gives its articles their number: remove the field, or make it the "
         "issue's)"]),
    "one-doi-twice": (
        {"first": {"bibliography:": "doi: 10.5555/same\nbibliography:"},
         "second": {"bibliography:": "doi: 10.5555/SAME\nbibliography:"}},
        ["second/article.md:27:6: doi: the DOI 10.5555/SAME is also the DOI of "
         "FIRST:27 (each article has a DOI of its own)"]),
    "doi-outside-prefix": (
        {"second": {"bibliography:": "doi: 10.1234/other\nbibliography:"}},
        ["second/article.md:27:6: doi: the DOI 10.1234/other is not under the journal's "
         "DOI prefix 10.5555 (the journal's DOIs start with 10.5555/, the doi-prefix of "
         "its profile)"]),
    "all-at-once": (
        {"issue_yaml": ISSUE_YAML.replace("volume: 4", "volume: 4\nvolme: 4"),
         "second": {"bibliography:": "volume: 5\nbibliography:"},
         "second_body": "\nAs shown before [@nobody2020].\n"},
        ["issue.yaml:3:1: volme: unknown field 'volme' (did you mean 'volume'?)",
         "second/article.md:27:9: volume: 5 differs from the issue's volume, 4 (ISSUE:2) "
         "(the issue gives its articles their volume: remove the field, or make it the "
         "issue's)",
         "second/article.md:31:18: the citation key 'nobody2020' is not in the "
         "bibliography"]),
}


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict:
    """Every bad-input case through the CLI, run at once (mostly process start-up)."""
    root = tmp_path_factory.mktemp("bad-issues")
    env = {"TYPESET_STYLES": str(ROOT / "tests" / "data" / "styles")}

    def run(name):
        folder = bad_issue(root / name, **BAD_INPUT[name][0])
        out = root / name / "out"
        out.mkdir()
        (out / "previous.txt").write_text("an earlier build\n", encoding="utf-8")
        (out / RECORD).write_text(json.dumps({"format": 2, "sets": {"earlier": {"outputs": {
            "previous.txt": hashlib.sha256(b"an earlier build\n").hexdigest()}}}}),
            encoding="utf-8")
        return folder, out, run_cli("build", str(folder), "--out", str(out), env=env)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BAD_INPUT, pool.map(run, BAD_INPUT), strict=True))


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_issue_input_is_reported_located_with_nothing_written(case, bad_runs):
    folder, out, result = bad_runs[case]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    expected = [line.replace("ISSUE", str(folder / "issue.yaml"))
                .replace("FIRST", str(folder / "first" / "article.md"))
                for line in BAD_INPUT[case][1]]
    got = [line.removeprefix(str(folder) + "/") for line in result.stderr.splitlines()]
    missing = [line for line in expected if line.removeprefix(str(folder) + "/") not in got]
    assert not missing, result.stderr
    assert len(got) == len(expected), result.stderr
    assert sorted(p.name for p in out.iterdir()) == [RECORD, "previous.txt"]


def test_strict_refuses_an_issue_whose_profile_cannot_give_every_output():
    """The issue format: an output that needs a field the profile lacks is not written,
    with a note naming the field; with --strict that is an error, before any work. (PESA's
    profile has no ISSN and no site address.)"""
    plain = run_cli("check", "issues/sample")
    assert plain.returncode == 0, plain.stderr
    assert "note: url: sitemap.xml is not written" in plain.stderr
    strict = run_cli("check", "--strict", "issues/sample")
    assert strict.returncode == 1
    lines = strict.stderr.splitlines()
    for output, field in (("crossref.xml", "issn"), ("crossref.xml", "url"),
                          ("doaj.xml", "issn"), ("sitemap.xml", "url")):
        assert any(line.startswith(f"styles/pesa/journal.yaml: {field}: {output} is not "
                                   "written") and "--strict" in line for line in lines), \
            (output, field)


def test_articles_start_on_right_hand_pages_when_the_profile_says_so(tmp_path):
    """`article-start: right`: an article that would begin on an even (left-hand) page
    begins on the next odd one; the verso between is counted and printed blank."""
    from typeset.issue.paginate import first_pages

    assert first_pages(1, [1, 2, 3, 1]) == [1, 2, 4, 7]
    assert first_pages(1, [1, 2, 3, 1], right_hand=True) == [1, 3, 5, 9]
    styles = test_styles(tmp_path / "styles")
    profile = styles / "issn-test" / "journal.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "article-start: right\n",
                       encoding="utf-8")
    env = {"TYPESET_STYLES": str(styles), **EPOCH}
    folder = tmp_path / "issue"
    for name in ("first", "second"):
        write_manuscript(folder / name, DEFAULT_FRONT)
    (folder / "issue.yaml").write_text(ISSUE_YAML, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(folder), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    first_count = len(pypdf.PdfReader(out / "first" / "article.pdf").pages)
    second = jats_tree(out / "second" / "article.xml")
    start = int(second.findtext(".//fpage"))
    assert start % 2 == 1 and start == first_count + 1 + (first_count % 2)
    issue = pypdf.PdfReader(out / "issue.pdf")
    front = len(pypdf.PdfReader(out / "front.pdf").pages)
    labels = issue.page_labels[front:]
    assert labels == [str(n) for n in range(1, int(second.findtext(".//lpage")) + 1)]
    blanks = [index for index in range(front, len(issue.pages))
              if not issue.pages[index].extract_text().strip()]
    assert blanks == ([front + first_count] if first_count % 2 else [])
    assert first_count % 2 == 1, "the test wants a first article of an odd page count"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "article-start: right", "article-start: left"), encoding="utf-8")
    refused = run_cli("build", str(folder), "--out", str(out), env=env)
    assert refused.returncode == 1
    assert re.search(r"issn-test/journal\.yaml:\d+:16: article-start: 'left' is not where an "
                     r"article starts \(any \(the next page\) or right \(a right-hand page\)\)",
                     refused.stderr), refused.stderr
