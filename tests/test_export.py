"""The Crossref deposit and the DOAJ upload of an issue (typeset.export).

Both samples are read under the fictional test journal (tests/data/styles/issn-test: ISSNs,
site URL, DOI prefix 10.5555, a Crossref depositor), given DOIs and made-up page numbers,
and put into a made-up issue; no PDF is laid out. Every deposit is validated against the
official schema it claims; Crossref's is compiled once for the module (about 5 s).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from typeset.export import (
    DepositInvalid,
    compile_crossref_in_background,
    deposit_stamp,
    render_crossref,
    render_doaj,
    validate_crossref,
    validate_doaj,
)
from typeset.export.validation import CROSSREF, DOAJ
from typeset.model.article import Author, CrossrefAccount, Funder, LangMap
from typeset.model.issue import Issue, IssueArticle, IssueSection
from typeset.read.identifiers import normalise_doi
from typeset.read.journal import find_journal
from typeset.render.jats.article import render_jats
from typeset.render.jats.validation import JatsValidator
from typeset.run.builder import Builder

ROOT = Path(__file__).resolve().parents[1]
TEST_STYLES = ROOT / "tests" / "data" / "styles"
CR = "{http://www.crossref.org/schema/5.3.1}"
JATS = "{http://www.ncbi.nlm.nih.gov/JATS1}"
AI = "{http://www.crossref.org/AccessIndicators.xsd}"
FR = "{http://www.crossref.org/fundref.xsd}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The English sample's DOI is written as a doi.org link, the Turkish one's bare: the
# deposit must hold both bare, by the front matter's own DOI rule.
ENGLISH_DOI = "https://doi.org/10.5555/TJT.2023.001"
TURKISH_DOI = "10.5555/tjt.2023.002"


def _read(folder: Path, doi: str | None, abstract_en: str | None = None):
    text = (folder / "article.md").read_text(encoding="utf-8")
    text = text.replace("journal: pesa", "journal: issn-test"
                        + (f"\ndoi: {doi}" if doi else ""))
    if abstract_en:
        text = text.replace("  en: |\n    Many journals",
                            f"  en: |\n    {abstract_en}\n\n    Many journals")
    (folder / "article.md").write_text(text, encoding="utf-8")
    return Builder(validate_jats=False, styles=TEST_STYLES).read(folder / "article.md")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """(English sample, Turkish sample), read under the test journal, with DOIs."""
    base = tmp_path_factory.mktemp("export-samples")
    shutil.copytree(ROOT / "manuscript", base / "al-basre",
                    ignore=shutil.ignore_patterns("turkish"))
    shutil.copytree(ROOT / "manuscript" / "turkish", base / "ornekci")
    return _read(base / "al-basre", ENGLISH_DOI), _read(base / "ornekci", TURKISH_DOI)


def make_issue(journal, **changes) -> Issue:
    issue = Issue(folder=Path("issues/2023-1"), journal=journal, volume="9", number="1",
                  published=dt.date(2023, 3, 31), first_page=1,
                  sections=(IssueSection(LangMap((("tr", "Araştırma Makaleleri"),
                                                  ("en", "Research Articles"))),
                                         ("al-basre", "ornekci")),))
    return replace(issue, **changes)


def laid_out(english, turkish) -> list[IssueArticle]:
    return [IssueArticle(english, 0, "al-basre", 1, 20),
            IssueArticle(turkish, 0, "ornekci", 21, 38)]


@pytest.fixture(scope="module")
def validator():
    return JatsValidator()


@pytest.fixture(scope="module")
def issue(samples):
    return make_issue(samples[0].journal)


@pytest.fixture(scope="module")
def crossref(samples, issue):
    result = render_crossref(issue, laid_out(*samples), timestamp="20230331120000000",
                             batch_id="issn-test-9-1-test")
    assert result.xml is not None
    validate_crossref(result.xml)
    return result, etree.fromstring(result.xml)


@pytest.fixture(scope="module")
def doaj(samples, issue):
    result = render_doaj(issue, laid_out(*samples))
    assert result.xml is not None
    validate_doaj(result.xml)
    return result, etree.fromstring(result.xml)


def deposited(tree, doi: str):
    return next(a for a in tree.iter(f"{CR}journal_article")
                if a.findtext(f"{CR}doi_data/{CR}doi") == doi)


def texts(element, path: str) -> list[str]:
    return [e.text for e in element.findall(path)]


# -- Crossref ------------------------------------------------------------------------------

def test_crossref_deposit_is_valid_and_registers_both_articles(crossref):
    result, tree = crossref
    assert CROSSREF.errors(result.xml) == []
    assert tree.get("version") == "5.3.1"
    assert texts(tree, f".//{CR}journal_article/{CR}doi_data/{CR}doi") == [
        "10.5555/TJT.2023.001", "10.5555/tjt.2023.002"]


def test_crossref_head_names_the_depositor(crossref):
    head = crossref[1].find(f"{CR}head")
    assert head.findtext(f"{CR}doi_batch_id") == "issn-test-9-1-test"
    assert head.findtext(f"{CR}timestamp") == "20230331120000000"
    assert head.findtext(f"{CR}depositor/{CR}depositor_name") == \
        "Test Journal Production Office"
    assert head.findtext(f"{CR}depositor/{CR}email_address") == "production@example.org"
    assert head.findtext(f"{CR}registrant") == "Test Publisher"


def test_crossref_journal_and_issue(crossref):
    journal = crossref[1].find(f"{CR}body/{CR}journal")
    meta = journal.find(f"{CR}journal_metadata")
    assert texts(meta, f"{CR}full_title") == ["Test Journal of Typesetting",
                                               "Dizgi Deneme Dergisi"]
    assert meta.findtext(f"{CR}abbrev_title") == "Test J. Typeset."
    assert {i.get("media_type"): i.text for i in meta.findall(f"{CR}issn")} == {
        "print": "0000-0019", "electronic": "0000-0027"}
    assert meta.find(f"{CR}doi_data") is None  # the journal has no DOI: none is invented
    issue = journal.find(f"{CR}journal_issue")
    date = issue.find(f"{CR}publication_date")
    assert date.get("media_type") == "online"
    assert [date.findtext(f"{CR}{part}") for part in ("year", "month", "day")] == [
        "2023", "03", "31"]
    assert issue.findtext(f"{CR}journal_volume/{CR}volume") == "9"
    assert issue.findtext(f"{CR}issue") == "1"


def test_crossref_titles_in_both_languages_the_articles_own_first(crossref):
    english = deposited(crossref[1], "10.5555/TJT.2023.001")
    turkish = deposited(crossref[1], "10.5555/tjt.2023.002")
    assert english.get("language") == "en" and turkish.get("language") == "tr"
    assert texts(english, f"{CR}titles/{CR}title") == [
        "An Alliance Based on Common Interests: Russian-Iranian Relations During the Syrian "
        "Civil War",
        "Ortak Çıkarlara Dayalı Bir İttifak: Suriye İç Savaşı Döneminde Rus-İran İlişkileri"]
    assert texts(turkish, f"{CR}titles/{CR}title")[0].startswith(
        "Türkçe Bilimsel Makalelerin Dizgisi")
    # original_language_title is for translations; these titles are not translations.
    assert turkish.find(f".//{CR}original_language_title") is None


def test_crossref_contributors_with_orcid_and_affiliations(crossref):
    people = deposited(crossref[1], "10.5555/tjt.2023.002").findall(
        f"{CR}contributors/{CR}person_name")
    assert [(p.get("sequence"), p.get("contributor_role")) for p in people] == [
        ("first", "author"), ("additional", "author")]
    first, second = people
    assert first.findtext(f"{CR}given_name") == "Işıl"
    assert first.findtext(f"{CR}surname") == "Örnekçi"
    orcid = first.find(f"{CR}ORCID")
    assert orcid.text == "https://orcid.org/0000-0002-1825-0097"
    assert orcid.get("authenticated") == "false"
    assert second.findtext(f"{CR}given_name") == "İsmet Çağrı"
    assert second.findtext(f"{CR}ORCID") == "https://orcid.org/0000-0001-2345-6789"
    institution = first.find(f"{CR}affiliations/{CR}institution")
    assert institution.findtext(f"{CR}institution_name") == "Örnek Üniversitesi"
    assert institution.findtext(f"{CR}institution_place") == "Ankara, Türkiye"
    assert texts(institution, f"{CR}institution_department") == [
        "Edebiyat Fakültesi", "Türk Dili ve Edebiyatı Bölümü"]
    # The English sample's author has no ORCID: none is written.
    english = deposited(crossref[1], "10.5555/TJT.2023.001")
    assert english.find(f".//{CR}ORCID") is None
    assert english.findtext(f".//{CR}institution_place") == "Türkiye"


def test_crossref_abstracts_per_language_in_jats(crossref):
    turkish = deposited(crossref[1], "10.5555/tjt.2023.002")
    abstracts = turkish.findall(f"{JATS}abstract")
    assert [a.get(XML_LANG) for a in abstracts] == ["tr", "en"]
    english_text = "".join(abstracts[1].find(f"{JATS}p").itertext())
    assert english_text.startswith("Many journals now publish each article in three forms")
    assert abstracts[1].findtext(f"{JATS}p/{JATS}italic") == "Yazım Kılavuzu"
    assert abstracts[0].findtext(f"{JATS}p").startswith("Birçok dergi aynı makaleyi")


def test_crossref_dates_pages_licence_and_landing_page(crossref):
    turkish = deposited(crossref[1], "10.5555/tjt.2023.002")
    published = turkish.find(f"{CR}publication_date")
    assert published.get("media_type") == "online"
    assert published.findtext(f"{CR}year") == "2023"  # the issue's date, not the sample's
    accepted = turkish.find(f"{CR}acceptance_date")
    assert [accepted.findtext(f"{CR}{p}") for p in ("year", "month", "day")] == [
        "2026", "11", "16"]
    assert turkish.findtext(f"{CR}pages/{CR}first_page") == "21"
    assert turkish.findtext(f"{CR}pages/{CR}last_page") == "38"
    licence = turkish.find(f"{AI}program/{AI}license_ref")
    assert licence.text == "https://creativecommons.org/licenses/by/4.0/"
    assert licence.get("applies_to") == "vor" and licence.get("start_date") == "2023-03-31"
    assert turkish.findtext(f"{CR}doi_data/{CR}resource") == \
        "https://journal.example.org/9/1/ornekci/article.html"


def test_crossref_citations_carry_the_bibliographys_dois(crossref, samples):
    for article in samples:
        element = deposited(crossref[1], article.metadata.doi)
        citations = element.findall(f"{CR}citation_list/{CR}citation")
        assert len(citations) == len(article.document.references)
        assert all(c.findtext(f"{CR}unstructured_citation") for c in citations)
        bib = (article.folder / "references.bib").read_text(encoding="utf-8")
        bib_dois = {normalise_doi(d) for d in re.findall(r"doi\s*=\s*\{([^}]*)\}", bib)}
        cited = {c.findtext(f"{CR}doi") for c in citations} - {None}
        # Every DOI of a cited entry, and no other; nocite'd entries are not in the list.
        cited_keys = {r.key for r in article.document.references}
        assert cited and cited <= bib_dois
        assert cited == {r.record.doi for r in article.document.references
                         if r.record and r.record.doi and r.key in cited_keys}
    knuth = next(c for c in deposited(crossref[1], "10.5555/tjt.2023.002").iter(
        f"{CR}citation") if c.get("key") == "ref-knuth1981")
    fields = {child.tag[len(CR):]: child.text for child in knuth}
    assert fields == {
        "journal_title": "Software: Practice and Experience", "author": "Knuth",
        "volume": "11", "issue": "11", "first_page": "1119", "cYear": "1981",
        "doi": "10.1002/spe.4380111102", "article_title": "Breaking paragraphs into lines",
        "unstructured_citation": fields["unstructured_citation"]}
    assert fields["unstructured_citation"].startswith("Knuth, D. E. ve Plass, M. F. (1981).")


def test_the_doi_rule_is_the_front_matters(crossref, samples):
    english = samples[0]
    assert english.metadata.doi == normalise_doi(ENGLISH_DOI) == "10.5555/TJT.2023.001"
    assert deposited(crossref[1], english.metadata.doi) is not None


FUNDERS = (Funder("Türkiye Bilimsel ve Teknolojik Araştırma Kurumu (TÜBİTAK)",
                  "10.13039/501100004410", ("123K456", "124K001")),
           Funder("A Foundation Known by Its ROR Id", "https://ror.org/04w9kkr77"))


def test_funders_named_in_the_front_matter_are_deposited_and_tagged(samples, issue, validator):
    """`funders:` gives what a free-text statement cannot: the funder's name, its Funder
    Registry DOI and its grant numbers, in Crossref's fundref program and JATS award
    groups (both validated)."""
    english, turkish = samples
    funded = replace(turkish, metadata=replace(turkish.metadata, funders=FUNDERS))
    result = render_crossref(issue, laid_out(english, funded),
                             timestamp="20230331120000000", batch_id="issn-test-9-1-test")
    validate_crossref(result.xml)
    article = deposited(etree.fromstring(result.xml), TURKISH_DOI)
    groups = article.findall(f"{FR}program/{FR}assertion[@name='fundgroup']")
    assert [g.find(f"{FR}assertion[@name='funder_name']").text.strip() for g in groups] == [
        FUNDERS[0].name, FUNDERS[1].name]
    assert groups[0].findtext(f".//{FR}assertion[@name='funder_identifier']") == \
        "https://doi.org/10.13039/501100004410"
    assert texts(groups[0], f"{FR}assertion[@name='award_number']") == ["123K456", "124K001"]
    assert groups[1].find(f".//{FR}assertion[@name='funder_identifier']") is None
    assert not [n for n in result.notes if n.code == "crossref-funding"]
    # The fundref program stands before the licence's, as the schema orders them.
    programs = [child.tag for child in article if child.tag.endswith("program")]
    assert programs == [f"{FR}program", f"{AI}program"]
    xml = render_jats(funded)
    assert not [i for i in validator.validate(xml.encode()) if i.severity == "error"]
    group = etree.fromstring(xml.encode()).find(".//funding-group")
    awards = group.findall("award-group")
    assert [a.findtext("funding-source/institution-wrap/institution") for a in awards] == [
        FUNDERS[0].name, FUNDERS[1].name]
    assert [(i.get("institution-id-type"), i.text) for a in awards
            for i in a.iter("institution-id")] == [("doi", "10.13039/501100004410"),
                                                   ("ror", "https://ror.org/04w9kkr77")]
    assert texts(awards[0], "award-id") == ["123K456", "124K001"]
    assert group.find("funding-statement") is not None  # the text stays beside them


def test_a_funding_statement_is_not_passed_off_as_a_funder(crossref):
    result, tree = crossref
    assert tree.find(f".//{FR}program") is None
    # A note, not a warning: the format has no funder field the editor could fill in, so
    # --strict does not fail on it.
    (funding,) = result.notes
    assert (funding.code, funding.severity, funding.field) == ("crossref-funding", "note",
                                                               "funding")
    assert funding.path.endswith("ornekci/article.md")
    assert "not deposited in crossref.xml" in funding.message
    assert result.warnings == []


def test_an_article_without_doi_is_left_out_with_a_warning(samples, issue):
    english, turkish = samples
    without = replace(english, metadata=replace(english.metadata, doi=None))
    result = render_crossref(issue, laid_out(without, turkish))
    validate_crossref(result.xml)
    tree = etree.fromstring(result.xml)
    assert texts(tree, f".//{CR}doi_data/{CR}doi") == ["10.5555/tjt.2023.002"]
    (left_out,) = result.warnings
    assert (left_out.code, left_out.severity, left_out.field) == ("crossref-no-doi",
                                                                  "warning", "doi")
    assert left_out.path.endswith("al-basre/article.md")
    assert "not in crossref.xml: the article has no DOI" in str(left_out)
    # DOAJ lists articles with or without a DOI.
    doaj = etree.fromstring(render_doaj(issue, laid_out(without, turkish)).xml)
    assert len(doaj.findall("record")) == 2
    assert doaj.find("record").find("doi") is None


def test_no_article_with_a_doi_no_deposit(samples, issue):
    english, turkish = samples
    articles = [replace(item, article=replace(item.article, metadata=replace(
        item.article.metadata, doi=None))) for item in laid_out(english, turkish)]
    result = render_crossref(issue, articles)
    assert result.xml is None
    assert [w.code for w in result.warnings] == ["crossref-no-doi", "crossref-no-doi"]
    (summary,) = result.notes
    assert summary.code == "crossref-no-articles"
    assert "crossref.xml is not written" in summary.message


def test_without_issn_neither_deposit_is_written(samples, issue):
    journal = replace(issue.journal, issn=None, eissn=None)
    for render, output, code in ((render_crossref, "crossref.xml", "crossref-no-issn"),
                                 (render_doaj, "doaj.xml", "doaj-no-issn")):
        result = render(replace(issue, journal=journal), laid_out(*samples))
        assert result.xml is None and result.warnings == []
        (problem,) = result.notes  # about the setting: said, never an error
        assert (problem.code, problem.field, problem.severity) == (code, "issn", "note")
        assert problem.path.endswith("issn-test/journal.yaml")
        assert str(problem).endswith(
            f"note: issn: {output} is not written: the journal profile has no issn "
            f"({problem.hint}) [{code}]")


def test_without_depositor_or_url_no_crossref_deposit(samples, issue):
    journal = replace(issue.journal, crossref=None, url=None)
    result = render_crossref(replace(issue, journal=journal), laid_out(*samples))
    assert result.xml is None
    assert sorted((n.field, n.code) for n in result.notes) == [
        ("crossref.depositor-name", "crossref-no-depositor"), ("url", "crossref-no-url")]
    assert all("crossref.xml is not written" in n.message for n in result.notes)
    doaj = render_doaj(replace(issue, journal=journal), laid_out(*samples))
    assert doaj.xml is None and [(n.field, n.code) for n in doaj.notes] == [
        ("url", "doaj-no-url")]


def test_the_registrant_defaults_to_the_publisher(samples, issue):
    account = CrossrefAccount("Office", "office@example.org", registrant=None)
    journal = replace(issue.journal, crossref=account)
    result = render_crossref(replace(issue, journal=journal), laid_out(*samples))
    assert etree.fromstring(result.xml).findtext(f"{CR}head/{CR}registrant") == \
        "Test Publisher"
    nobody = replace(journal, publisher=None)
    result = render_crossref(replace(issue, journal=nobody), laid_out(*samples))
    assert result.xml is None
    assert [n.code for n in result.notes] == ["crossref-no-registrant"]


def test_a_profile_value_crossref_cannot_take_is_named(samples, issue):
    account = CrossrefAccount("Office " * 20, "a@b.c", registrant="Registrant")
    journal = replace(issue.journal, crossref=account)
    result = render_crossref(replace(issue, journal=journal), laid_out(*samples))
    assert result.xml is None
    assert sorted(n.field for n in result.notes) == ["crossref.depositor-email",
                                                     "crossref.depositor-name"]
    assert "Crossref takes a crossref.depositor-name of 1 to 130 characters" in str(
        result.notes[0])


def test_a_name_crossref_cannot_take_leaves_the_article_out(samples, issue):
    english, turkish = samples
    long_name = Author(given_names="A" * 61, surname="Yılmaz", affiliations=("sakarya",))
    odd = replace(english, metadata=replace(english.metadata, authors=(long_name,)))
    result = render_crossref(issue, laid_out(odd, turkish))
    validate_crossref(result.xml)
    assert len(etree.fromstring(result.xml).findall(f".//{CR}journal_article")) == 1
    # Named as the front matter's own messages name fields.
    (problem,) = result.warnings
    assert (problem.code, problem.field) == ("crossref-unfit", "authors.[0].given-names")


def test_a_rich_abstract_is_valid_jats_in_the_deposit(tmp_path, samples, issue):
    shutil.copytree(ROOT / "manuscript" / "turkish", tmp_path / "rich")
    rich = _read(tmp_path / "rich", "10.5555/tjt.2023.003",
                 abstract_en='With $x^2 + \\alpha$, **bold**, H~2~O, [a link]'
                             '(https://example.org/a?b=1&c=2), a citation [@knuth1981], a '
                             'note^[A note.] and "quotes",\\\n    after a line break.\n\n'
                             '    - item one\n    - item two\n\n    $$E = mc^2$$')
    result = render_crossref(issue, [IssueArticle(rich, 0, "rich", 1, 2)])
    validate_crossref(result.xml)
    abstract = etree.fromstring(result.xml).find(f".//{JATS}abstract[@{XML_LANG}='en']")
    first = abstract.find(f"{JATS}p")
    assert first.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None
    assert first.findtext(f"{JATS}bold") == "bold"
    assert first.findtext(f"{JATS}sub") == "2"
    assert first.find(f"{JATS}ext-link").get("{http://www.w3.org/1999/xlink}href") == \
        "https://example.org/a?b=1&c=2"
    text = "".join(first.itertext())
    assert "Knuth" in text and "1981" in text  # the citation's text, without its link
    assert "A note." not in text and first.find(f"{JATS}xref") is None
    assert "“quotes”, after a line break." in text  # the break is a space: JATS p has none
    assert texts(abstract, f"{JATS}p")[1:3] == ["item one", "item two"]
    assert abstract.find(f"{JATS}p/{JATS}disp-formula") is not None


def test_a_special_issue_gets_valid_addresses(samples, issue):
    special = replace(issue, number="Özel Sayı 2")
    result = render_crossref(special, laid_out(*samples))
    validate_crossref(result.xml)
    tree = etree.fromstring(result.xml)
    assert tree.findtext(f".//{CR}journal_issue/{CR}issue") == "Özel Sayı 2"
    assert texts(tree, f".//{CR}doi_data/{CR}resource")[0] == (
        "https://journal.example.org/9/ozel-sayi-2/al-basre/article.html")
    validate_doaj(render_doaj(special, laid_out(*samples)).xml)


def test_an_issue_without_volume(samples, issue):
    unnumbered = replace(issue, volume=None)
    crossref = render_crossref(unnumbered, laid_out(*samples))
    validate_crossref(crossref.xml)
    tree = etree.fromstring(crossref.xml)
    assert tree.find(f".//{CR}journal_volume") is None
    assert tree.findtext(f".//{CR}journal_issue/{CR}issue") == "1"
    doaj = render_doaj(unnumbered, laid_out(*samples))
    validate_doaj(doaj.xml)
    assert etree.fromstring(doaj.xml).find("record/volume") is None


def test_timestamps_are_reproducible_and_increase(samples, issue, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert deposit_stamp(issue) == ("20231114221320000",
                                    "issn-test-9-1-20231114221320000")
    first = render_crossref(issue, laid_out(*samples))
    second = render_crossref(issue, laid_out(*samples))
    assert first.xml == second.xml
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    earlier = dt.datetime(2024, 1, 1, 12, 0, 0, 1000, tzinfo=dt.UTC)
    later = earlier + dt.timedelta(milliseconds=1)
    assert int(deposit_stamp(issue, later)[0]) > int(deposit_stamp(issue, earlier)[0])
    special = replace(issue, number="Özel Sayı 2")
    assert deposit_stamp(special, earlier)[1] == "issn-test-9-ozel-sayi-2-20240101120000001"


def test_a_broken_deposit_is_reported_as_our_bug_with_its_place(crossref):
    text = crossref[0].xml.decode()
    broken = text.replace("<surname>Denemeci</surname>", "", 1)
    with pytest.raises(DepositInvalid) as caught:
        validate_crossref(broken.encode())
    message = str(caught.value)
    assert "bug in typeset" in message
    line = broken[:broken.index("<given_name>İsmet Çağrı")].count("\n") + 1
    error = caught.value.errors[0]
    assert error.line is not None and abs(error.line - line) <= 3
    assert error.item == "DOI 10.5555/tjt.2023.002"
    assert f"crossref.xml:line {error.line} [DOI 10.5555/tjt.2023.002]" in message
    assert ("/doi_batch/body/journal/journal_article[2]/contributors/person_name[2]/"
            "affiliations: Element 'affiliations': This element is not expected. Expected is "
            "( surname )") in message


# -- DOAJ ----------------------------------------------------------------------------------

def test_doaj_upload_is_valid_with_one_record_per_article(doaj):
    result, tree = doaj
    assert DOAJ.errors(result.xml) == [] and result.warnings == result.notes == []
    assert [r.findtext("doi") for r in tree.findall("record")] == [
        "10.5555/TJT.2023.001", "10.5555/tjt.2023.002"]


def test_doaj_record_fields(doaj):
    english, turkish = doaj[1].findall("record")
    assert english.findtext("language") == "eng" and turkish.findtext("language") == "tur"
    assert turkish.findtext("journalTitle") == "Test Journal of Typesetting"
    assert turkish.findtext("publisher") == "Test Publisher"
    assert (turkish.findtext("issn"), turkish.findtext("eissn")) == ("0000-0019",
                                                                   "0000-0027")
    assert turkish.findtext("publicationDate") == "2023-03-31"
    assert [turkish.findtext(f) for f in ("volume", "issue", "startPage", "endPage")] == [
        "9", "1", "21", "38"]
    assert [(t.get("language"), t.text[:20]) for t in turkish.findall("title")] == [
        ("tur", "Türkçe Bilimsel Maka"), ("eng", "Typesetting Turkish ")]
    assert [a.get("language") for a in english.findall("abstract")] == ["eng", "tur"]
    assert turkish.find("abstract").text.startswith("Birçok dergi aynı makaleyi")
    assert "*" not in turkish.findall("abstract")[1].text  # plain text, no Markdown
    assert [k.get("language") for k in turkish.findall("keywords")] == ["tur", "eng"]
    assert texts(turkish, "keywords[@language='eng']/keyword")[:2] == ["Typesetting",
                                                                       "Hyphenation"]
    full_text = turkish.find("fullTextUrl")
    assert full_text.text == "https://journal.example.org/9/1/ornekci/article.html"
    assert full_text.get("format") == "html"


def test_doaj_authors_affiliations_and_no_email(doaj):
    turkish = doaj[1].findall("record")[1]
    authors = turkish.findall("authors/author")
    assert [a.findtext("name") for a in authors] == ["Işıl Örnekçi", "İsmet Çağrı Denemeci"]
    assert [a.findtext("orcid_id") for a in authors] == [
        "https://orcid.org/0000-0002-1825-0097", "https://orcid.org/0000-0001-2345-6789"]
    assert [a.findtext("affiliationId") for a in authors] == ["1", "2"]
    affiliations = {a.get("affiliationId"): a.text
                    for a in turkish.findall("affiliationsList/affiliationName")}
    assert affiliations["2"] == ("Deneme Teknik Üniversitesi, Mühendislik Fakültesi, "
                                 "Bilgisayar Mühendisliği Bölümü, İzmir, Türkiye")
    assert doaj[1].find(".//email") is None
    assert "@" not in doaj[0].xml.decode()


def test_a_broken_doaj_upload_is_reported_with_its_record(doaj):
    broken = re.sub(r"<fullTextUrl[^>]*>[^<]*</fullTextUrl>", "", doaj[0].xml.decode(),
                    count=1)
    with pytest.raises(DepositInvalid) as caught:
        validate_doaj(broken.encode())
    assert caught.value.errors[0].item == "DOI 10.5555/TJT.2023.001"
    assert "doaj.xml:line" in str(caught.value) and "bug in typeset" in str(caught.value)


def test_validation_is_safe_from_several_threads(crossref, doaj):
    failures: list[BaseException] = []

    def check():
        try:
            validate_crossref(crossref[0].xml)
            validate_doaj(doaj[0].xml)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_pesa_profile_knows_too_little_to_deposit(samples, issue):
    pesa = find_journal("pesa")
    result = render_crossref(replace(issue, journal=pesa), laid_out(*samples))
    assert result.xml is None
    assert result.warnings == []
    assert sorted(n.field for n in result.notes) == ["crossref.depositor-name", "issn", "url"]
    assert all(n.path.endswith("styles/pesa/journal.yaml") for n in result.notes)
    doaj = render_doaj(replace(issue, journal=pesa), laid_out(*samples))
    assert doaj.xml is None and sorted(n.field for n in doaj.notes) == ["issn", "url"]


def test_the_schema_compiled_in_the_background_is_the_one_validation_uses(crossref):
    compiled = CROSSREF._compiled()
    compile_crossref_in_background().join()
    validate_crossref(crossref[0].xml)
    assert CROSSREF._compiled() is compiled  # compiled once per process, never again
