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
