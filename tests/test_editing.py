"""What a production editor met, trying the pipeline as a new user (issue #11, part 3):
each through the real command line, on what the outputs then say."""

from __future__ import annotations

import re

from lxml import etree

from .conftest import run_cli
from .helpers_manuscript import BIBTEX, write_manuscript

JATS_NS = {"mml": "http://www.w3.org/1998/Math/MathML"}


def build(folder, *formats: str):
    result = run_cli("build", "article.md", "--to", ",".join(formats), "--out", "out",
                     "--no-cache", cwd=folder)
    assert result.returncode == 0, result.stderr
    return result


def test_an_orcid_written_without_hyphens_is_read_as_the_orcid_it_is(tmp_path):
    # YAML reads 0000000312345674 as the octal number 53070780.
    write_manuscript(tmp_path, {"    corresponding: true":
                                "    corresponding: true\n    orcid: 0000000312345674"})
    build(tmp_path, "jats")
    xml = (tmp_path / "out" / "article.xml").read_text(encoding="utf-8")
    assert ('<contrib-id contrib-id-type="orcid" authenticated="false">'
            "https://orcid.org/0000-0003-1234-5674</contrib-id>") in xml


def test_text_in_math_prints_escaped_specials_plainly(tmp_path):
    body = "\n# Method\n\nThe rate is $r = 5\\,\\text{(\\%)}$ [@doe2020].\n"
    write_manuscript(tmp_path, body=body)
    build(tmp_path, "jats", "html")
    page = (tmp_path / "out" / "article.html").read_text(encoding="utf-8")
    assert "<mtext>(%)</mtext>" in page and "\\%" not in page.split("<body")[1].split(
        "<annotation")[0]
    xml = etree.parse(str(tmp_path / "out" / "article.xml"))
    assert [t.text for t in xml.iterfind(".//mml:mtext", JATS_NS)] == ["(%)"]
    # The TeX itself is kept as written for the JATS tex-math.
    assert [t.text for t in xml.iter("tex-math")] == ["r = 5\\,\\text{(\\%)}"]


def test_every_formula_in_the_jats_has_an_id_for_pmc(tmp_path):
    body = "\n# Method\n\nInline $a^2$ and\n\n$$ b = c $$ {#eq:b}\n\nas @eq:b, see [@doe2020].\n"
    write_manuscript(tmp_path, body=body)
    build(tmp_path, "jats")
    xml = etree.parse(str(tmp_path / "out" / "article.xml"))
    formulas = [*xml.iterfind(".//mml:math", JATS_NS), *xml.iter("tex-math")]
    ids = [f.get("id") for f in formulas]
    assert len(formulas) == 4 and all(ids) and len(set(ids)) == 4


MASTERS = """
@mastersthesis{kaya2019, author = {Kaya, Ali}, title = {Bir tez}, year = {2019},
  school = {Ege Üniversitesi}, address = {İzmir}}
@incollection{oz2021, author = {Öz, Can}, editor = {Güneş, Ayşe}, title = {Bölüm},
  booktitle = {Kitap}, publisher = {Yayınevi}, address = {Ankara}, year = {2021},
  pages = {1--10}, langid = {turkish}}
"""


def test_a_masters_thesis_in_a_turkish_article_is_a_yuksek_lisans_tezi(tmp_path):
    write_manuscript(tmp_path, {"lang: en": "lang: tr"}, bibtex=BIBTEX + MASTERS,
                     body="\n# Yöntem\n\nBkz. [@kaya2019; @oz2021; @doe2020].\n")
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "(Yayımlanmamış yüksek lisans tezi)" in text
    assert "mathesis" not in text


def test_an_english_article_citing_a_turkish_book_writes_in_not_turkish_capital_i(tmp_path):
    write_manuscript(tmp_path, bibtex=BIBTEX + MASTERS,
                     body="\n# Method\n\nSee [@oz2021; @doe2020].\n")
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "In A. Güneş (Ed.)" in text and "İn " not in text


TURKISH_BODY = """
# Giriş {.unnumbered}

Bulgular @sec:bulgular'da, yöntem @sec:yontem'de, veriler @tbl:veri'de verilir
[@doe2020].

# Yöntem {#sec:yontem}

Yöntem.

| a | b |
|---|---|
| 1 | 2 |

: Veri {#tbl:veri}

# Bulgular {#sec:bulgular}

Bulgular.
"""


def test_a_turkish_suffix_follows_the_number_the_style_prints(tmp_path):
    write_manuscript(tmp_path, {"lang: en": "lang: tr"}, body=TURKISH_BODY)
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    # Bölüm 2 is "iki" ('de), Bölüm 1 "bir" ('de), Tablo 1 "bir" ('de).
    assert "Bulgular Bölüm\u00a02’de, yöntem Bölüm\u00a01’de, veriler Tablo\u00a01’de" in text
    # Three sections before the findings now: Bölüm 3 is "üç", so 'te.
    body = TURKISH_BODY.replace("# Bulgular", "# Veri\n\nVeri.\n\n# Bulgular")
    write_manuscript(tmp_path, {"lang: en": "lang: tr"}, body=body)
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "Bulgular Bölüm\u00a03’te, yöntem Bölüm\u00a01’de" in text


def test_two_articles_of_a_batch_with_one_doi_are_refused_and_the_rest_built(tmp_path):
    for name in ("a", "b"):
        write_manuscript(tmp_path / "batch" / name,
                         {"lang: en": "lang: en\ndoi: 10.5555/same.1"})
    write_manuscript(tmp_path / "batch" / "c", {"lang: en": "lang: en\ndoi: 10.5555/other"})
    result = run_cli("build", "batch", "--to", "jats", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert ("batch/a/article.md:4:6: doi: the DOI 10.5555/same.1 is also the DOI of "
            "batch/b/article.md:4 (each article has its own DOI)") in lines
    assert ("batch/b/article.md:4:6: doi: the DOI 10.5555/same.1 is also the DOI of "
            "batch/a/article.md:4 (each article has its own DOI)") in lines
    assert lines[-1] == "1 built, 2 failed, 0 unchanged"
    assert (tmp_path / "out" / "c" / "article.xml").exists()
    assert not (tmp_path / "out" / "a").exists() and not (tmp_path / "out" / "b").exists()


def test_an_author_who_cites_herself_keeps_her_initials_everywhere(tmp_path):
    """The article's own entry is rendered apart: beside "Yılmaz, A." in the .bib, the
    author (Ayşe Yılmaz) was "disambiguated" to "Yılmaz, Ayşe" on page 1 and "A. Yılmaz"
    in the text."""
    own = ("@article{yilmaz2019, author = {Yılmaz, A.}, title = {Earlier Work}, "
           "journal = {Journal of Studies}, year = {2019}, volume = {2}, pages = {1--9}}\n")
    write_manuscript(tmp_path, bibtex=BIBTEX + own,
                     body="\n# Method\n\nAs before [@yilmaz2019; @doe2020].\n")
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "(Doe, 2020; Yılmaz, 2019)" in text and "A. Yılmaz" not in text
    assert "Cite as: Yılmaz, A. (2023). A Study of Alliances." in text
    assert "Yılmaz, Ayşe" not in text


def test_a_citation_typed_as_text_and_an_uncited_entry_are_warned_at_their_lines(tmp_path):
    """The imported seed's slips: "(Rabi & Freidman 2017, p. 12)" printed as plain text,
    linked to nothing, while Rabi's entry, never cited, vanished from the references."""
    rabi = ("@article{rabi2017, author = {Rabi, Uzi and Friedman, Brandon}, title = {Weaponizing "
            "Iran's Minorities}, journal = {Survival}, year = {2017}, volume = {59}}\n")
    write_manuscript(tmp_path, bibtex=BIBTEX + rabi,
                     body="\n# Method\n\nAs argued (Rabi & Freidman 2017, p. 12) and "
                          "[@doe2020].\n")
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert ("article.md:31:11: warning: (Rabi & Freidman 2017, p. 12) reads as a citation "
            "typed as text: it links to no reference (write it with the entry's key, e.g. "
            "[@key, p. 12]) [typed-citation]") in lines
    assert ("references.bib:9:1: warning: @article{rabi2017}: the entry 'rabi2017' is never "
            "cited: it is left out of the references (cite it, list it under 'nocite:' in "
            "the front matter, or delete it) [uncited-entry]") in lines
    assert run_cli("check", "--strict", "article.md", cwd=tmp_path).returncode == 1


def test_two_authors_of_one_institution_have_a_line_and_a_mark_each(tmp_path):
    second = ("    corresponding: true\n  - given-names: Ali\n    surname: Demir\n"
              "    affiliations: [ege]\n    email: ali@example.edu.tr")
    write_manuscript(tmp_path, {"    corresponding: true": second})
    build(tmp_path, "html")
    page = etree.HTML((tmp_path / "out" / "article.html").read_bytes())
    marks = [[a.get("href") for a in author.iter("a")]
             for author in page.iterfind(".//span[@class='author']")]
    assert marks == [["#aff1"], ["#aff2"]]
    lines = {li.get("id"): "".join(li.itertext()) for li in page.iter("li")
             if (li.get("id") or "").startswith("aff")}
    assert "ayse@example.edu.tr" in lines["aff1"] and "ali@example.edu.tr" in lines["aff2"]
    assert "Ege Üniversitesi" in lines["aff1"] and "Ege Üniversitesi" in lines["aff2"]


PARTICLES = """
@book{castles2014, author = {Castles, Stephen and de Haas, Hein and Miller, Mark J.},
  title = {The Age of Migration}, publisher = {Palgrave}, address = {London}, year = {2014}}
@techreport{kaya2015, author = {Kaya, Ali}, title = {Akdeniz adalarında turizm planlaması},
  institution = {Turizm Bakanlığı}, number = {14}, year = {2015}}
"""


def test_a_surname_keeps_its_particle_and_a_turkish_report_its_genre(tmp_path):
    write_manuscript(tmp_path, {"lang: en": "lang: tr"}, bibtex=BIBTEX + PARTICLES,
                     body="\n# Yöntem\n\nBkz. [@castles2014; @kaya2015; @doe2020].\n")
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "Castles, de Haas ve Miller, 2014" in text
    assert "Castles, S., de Haas, H. ve Miller, M. J. (2014)" in text
    assert "Haas, H. de" not in text
    assert "(Rapor No: 14)" in text and "( No" not in text
    # English too: APA writes the particle with the surname.
    write_manuscript(tmp_path, bibtex=BIBTEX + PARTICLES,
                     body="\n# Method\n\nSee [@castles2014; @doe2020].\n")
    build(tmp_path, "html")
    text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
    assert "Castles, S., de Haas, H., &amp; Miller, M. J. (2014)" in text


def test_a_title_prints_curly_apostrophes_and_quotes_like_the_body(tmp_path):
    write_manuscript(tmp_path, {'title: {en: "A Study of Alliances"':
                                "title: {en: \"Internal Migrants' Ties and the 'New' Order\""})
    build(tmp_path, "jats", "html")
    xml = etree.parse(str(tmp_path / "out" / "article.xml"))
    assert xml.findtext(".//title-group/article-title") == \
        "Internal Migrants’ Ties and the ‘New’ Order"
    page = (tmp_path / "out" / "article.html").read_text("utf-8")
    assert "Internal Migrants’ Ties" in page and "Migrants'" not in page


def test_a_mistyped_label_is_reported_on_its_own_line_with_a_suggestion(tmp_path):
    body = ("\n# Method {#sec:method}\n\nSee @tbl:participants'de.\n\n| a | b |\n|---|---|\n"
            "| 1 | 2 |\n\n: Participants {#tbl:participants}\n\n"
            "Again @tbl:particip, as [@doe2020].\n")
    write_manuscript(tmp_path, body=body)
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "article.md:39:7: the cross-reference @tbl:particip has no target (did you mean "
        "@tbl:participants?)")


def test_a_turkish_article_prints_page_ranges_and_dois_as_an_english_one_does(tmp_path):
    """PESA's Turkish style (styles/pesa/pesa-apa-tr.csl, an adapted apa-tr.csl): "45–67"
    and https://doi.org/..., as its English style prints them."""
    entry = ("@article{kaya2012, author = {Kaya, Ali}, title = {Bir makale}, journal = "
             "{Dergi}, year = {2012}, volume = {3}, pages = {45--67}, doi = {10.5555/tb.1}}\n")
    for lang in ("tr", "en"):
        write_manuscript(tmp_path, {"lang: en": f"lang: {lang}"}, bibtex=BIBTEX + entry,
                         body="\n# Yöntem\n\nBkz. [@kaya2012; @doe2020].\n")
        build(tmp_path, "html")
        text = re.sub(r"<[^>]+>", "", (tmp_path / "out" / "article.html").read_text("utf-8"))
        assert "3, 45–67. https://doi.org/10.5555/tb.1" in text, lang
        assert "doi:10.5555" not in text and "45-67" not in text, lang


def test_a_table_without_a_caption_is_warned_and_not_numbered(tmp_path):
    """An editor's trial: Word's borderless layout table came in as a table with no
    caption, and printed "Table 1." above nothing, renumbering the real Table 1."""
    write_manuscript(tmp_path, body=(
        "\n# Method\n\nThe counts [@doe2020]:\n\n| Variable | n |\n|---|--:|\n| Women | 214 |\n"
        "\n| Group | n |\n|---|--:|\n| Men | 198 |\n\n: Respondents {#tbl:respondents}\n\n"
        "See @tbl:respondents.\n"))
    result = build(tmp_path, "html", "jats")
    assert ("article.md:33:1: warning: a table without a caption: printed without a number "
            "(add a caption line below it: ': Caption {#tbl:label}') [uncaptioned-table]"
            ) in result.stderr.splitlines()
    html = (tmp_path / "out" / "article.html").read_text(encoding="utf-8")
    assert html.count("<caption>") == 1 and "Table 1" in html and "Table 2" not in html
    jats = etree.parse(str(tmp_path / "out" / "article.xml"))
    wraps = jats.findall(".//table-wrap")
    assert [w.findtext("label") for w in wraps] == [None, "Table 1"]
    assert run_cli("check", "--strict", "article.md", cwd=tmp_path).returncode == 1


def test_a_shared_bibliography_is_counted_in_one_warning_not_thousands(tmp_path):
    """A journal's shared .bib of 40 entries, one cited: one line says so (the benchmark's
    5,000-entry bibliography once printed 5,000 warnings)."""
    shared = "".join(f"@book{{other{n}, author = {{Author, A{n}}}, title = {{Book {n}}}, "
                     f"publisher = {{P}}, year = {{2001}}}}\n" for n in range(39))
    write_manuscript(tmp_path, bibtex=BIBTEX + shared)
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    uncited = [line for line in result.stderr.splitlines() if "[uncited-entry]" in line]
    assert uncited == [
        "references.bib:9:1: warning: 39 of its 40 entries are never cited (other0, other1, "
        "other2, ...): they are left out of the references (cite them, list them under "
        "'nocite:' ('@*' for all), or keep the article's own entries in a file of its own) "
        "[uncited-entry]"]
