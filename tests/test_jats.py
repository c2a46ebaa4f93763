"""JATS: the golden sample, both tag sets validated, references mapped, read back by Pandoc."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from pybtex.database import parse_string

from tests.conftest import run_cli
from typeset.read.pandoc import pandoc_path
from typeset.read.references import record_of
from typeset.render.jats import article as jats
from typeset.render.jats.validation import JatsValidator
from typeset.run.builder import Builder

from . import seed
from .golden import GOLDEN, SAMPLE, sample_jats

ROOT = Path(__file__).resolve().parents[1]
TEST_STYLES = ROOT / "tests" / "data" / "styles"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def validator():
    return JatsValidator()


@pytest.fixture(scope="module")
def sample_xml() -> str:
    return sample_jats()


def test_sample_matches_the_golden_file(sample_xml):
    golden = (GOLDEN / "sample.xml").read_text(encoding="utf-8")
    assert sample_xml == golden, "JATS changed: run `make regenerate` and review the diff"


def test_sample_is_valid_archiving_without_issn(sample_xml, validator):
    assert "Journal Archiving and Interchange DTD with MathML3 v1.3" in sample_xml
    issues = validator.validate(sample_xml.encode())
    assert [i for i in issues if i.severity == "error"] == []
    assert [i for i in issues if i.source == "jats4r"] == []


def publishing_article(tmp_path: Path):
    """The sample under a test journal profile that has an ISSN."""
    folder = tmp_path / "manuscript"
    shutil.copytree(SAMPLE.parent, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace("journal: pesa", "journal: issn-test"),
                                       encoding="utf-8")
    return Builder(validate_jats=False, styles=TEST_STYLES).read(folder / "article.md")


def test_with_issn_writes_valid_journal_publishing(tmp_path, validator):
    xml = jats.render_jats(publishing_article(tmp_path))
    assert "Journal Publishing DTD with MathML3 v1.3" in xml
    issues = validator.validate(xml.encode())
    assert [i for i in issues if i.severity == "error"] == []
    tree = etree.fromstring(xml.encode())
    meta = tree.find("front/journal-meta")
    assert {i.get("publication-format"): i.text for i in meta.iter("issn")} == {
        "print": "0000-0019", "electronic": "0000-0027"}
    assert meta.findtext("publisher/publisher-loc") == "İzmir"
    license_ref = tree.find(".//permissions/license/{http://www.niso.org/schemas/ali/1.0/}"
                            "license_ref")
    assert license_ref.text == "https://creativecommons.org/licenses/by/4.0/"


def test_without_issn_a_note_names_the_profile_and_strict_check_passes():
    """A fact of the journal profile is said once, at journal.yaml, as a note: it does not
    fail a manuscript's `check --strict` (PESA has no ISSN, so JATS is Archiving)."""
    result = run_cli("check", "--strict", "manuscript/article.md", "manuscript/turkish")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "[jats-archiving]" in line]
    assert notes == ["styles/pesa/journal.yaml: note: no ISSN: the JATS is written as "
                     "Archiving and Interchange, not Journal Publishing (add the journal's "
                     "issn or eissn when it has one) [jats-archiving]"]


def test_pandoc_jats_reader_finds_the_whole_article(sample_xml, tmp_path):
    path = tmp_path / "article.xml"
    path.write_text(sample_xml, encoding="utf-8")
    text = subprocess.run([pandoc_path(), "-f", "jats", "-t", "plain", "--wrap=none",
                           str(path)], capture_output=True, text=True, check=True).stdout
    normalized = seed.normalize(seed.without_citations(text))
    position = 0
    for chunk in seed.body_chunks():
        needle = seed.normalize(seed.without_citations(chunk))
        found = normalized.find(needle, position)
        assert found >= 0, chunk[:100]
        position = found + len(needle)


def test_sections_are_nested_and_labelled(sample_xml):
    tree = etree.fromstring(sample_xml.encode())
    top = tree.findall("body/sec")
    assert [s.findtext("label") for s in top] == [None, "1.", "2.", "3.", None]
    assert top[0].get("sec-type") == "intro" and top[-1].get("sec-type") == "conclusions"
    assert [s.findtext("label") for s in top[3].findall("sec")] == ["3.1.", "3.2.", "3.3.",
                                                                     "3.4."]
    assert top[1].get("id") == "sec-situation"


def test_merged_citation_has_one_xref_per_work(sample_xml):
    tree = etree.fromstring(sample_xml.encode())
    paragraph = next(p for p in tree.iter("p") if "Pragmatic and non-ideational" in
                     "".join(p.itertext()))
    xrefs = [(x.get("rid"), x.text) for x in paragraph.iter("xref")]
    assert xrefs == [("ref-kalayci2019", "Kalaycı, 2019"), ("ref-kalayci2021", "2021"),
                     ("ref-stent2019", "Stent, 2019, p. 243")]


BIBTEX = r"""
@article{art, author={Kaya, Zeynep and Demir, Ali}, title={Bir {Başlık}}, journal={Dergi},
  year={2020}, volume={4}, number={2}, pages={10--25}, doi={10.1234/abc.5}}
@book{bk, author={Smith, John}, title={A Book}, publisher={Press}, address={London},
  year={2019}, edition={2}}
@incollection{ch, author={Öz, Can}, editor={Ak, Banu}, title={A Chapter}, booktitle={Edited},
  publisher={Yayınevi}, address={Ankara}, year={2021}, pages={463--484}}
@inproceedings{conf, author={Lee, Ann}, title={A Paper}, booktitle={Proc. of X}, year={2018}}
@phdthesis{thesis, author={Yıldız, Ece}, title={Tez}, school={Ege Üniversitesi}, year={2017}}
@techreport{rep, author={Doe, Jane}, title={Report}, institution={Institute}, year={2016}}
@online{web, author={{Tasnim News Agency}}, title={A Page}, url={https://example.org/a_b},
  urldate={2022-12-11}, year={2017}}
@article{news, author={Bassam, Laila}, title={Story}, journal={Reuters},
  date={2015-10-06}, entrysubtype={newspaper}}
@misc{other, title={Something Else}, year={2015}}
@article{latex, author={{\"O}zg{\"u}r, {\c{C}}a{\u{g}}la}, title={On \emph{Foo} and \textit{Bar}},
  journal={A \& B}, year={2019}, pages={5--9}, doi={https://doi.org/10.5555/X\_1}}
"""


@pytest.mark.parametrize(("key", "publication_type", "expected"), [
    ("art", "journal", ["<article-title>Bir Başlık</article-title>", "<source>Dergi</source>",
                        "<volume>4</volume>", "<issue>2</issue>", "<fpage>10</fpage>",
                        "<lpage>25</lpage>", '<pub-id pub-id-type="doi">10.1234/abc.5</pub-id>',
                        "<surname>Demir</surname>"]),
    ("bk", "book", ["<source>A Book</source>", "<publisher-loc>London</publisher-loc>",
                    "<publisher-name>Press</publisher-name>", "<edition>2</edition>"]),
    ("ch", "chapter", ['<person-group person-group-type="editor">',
                       "<chapter-title>A Chapter</chapter-title>", "<source>Edited</source>",
                       "<fpage>463</fpage>"]),
    ("conf", "confproc", ["<article-title>A Paper</article-title>",
                          "<source>Proc. of X</source>"]),
    ("thesis", "thesis", ["<source>Tez</source>",
                          "<publisher-name>Ege Üniversitesi</publisher-name>"]),
    ("rep", "report", ["<publisher-name>Institute</publisher-name>"]),
    ("web", "webpage", ["<collab>Tasnim News Agency</collab>",
                        'xlink:href="https://example.org/a_b"',
                        '<date-in-citation content-type="access-date" '
                        'iso-8601-date="2022-12-11">']),
    ("news", "newspaper", ['<year iso-8601-date="2015-10-06">2015</year>',
                           "<month>10</month>", "<day>06</day>"]),
    ("other", "other", ["<source>Something Else</source>"]),
    # LaTeX in fields reads as text (not "\\emphFoo"); a DOI URL is kept bare.
    ("latex", "journal", ["<article-title>On Foo and Bar</article-title>",
                          "<source>A &amp; B</source>", "<surname>Özgür</surname>",
                          "<given-names>Çağla</given-names>",
                          '<pub-id pub-id-type="doi">10.5555/X_1</pub-id>']),
])
def test_bibtex_types_map_to_element_citation(key, publication_type, expected):
    data = parse_string(BIBTEX, "bibtex")
    xml = jats.element_citation(record_of(key, data.entries[key], data))
    assert f'publication-type="{publication_type}"' in xml
    for fragment in expected:
        assert fragment in xml
    wrapped = f'<r xmlns:xlink="http://www.w3.org/1999/xlink">{xml}</r>'
    etree.fromstring(wrapped.encode())  # well-formed
