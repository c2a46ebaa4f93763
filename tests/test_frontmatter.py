"""The front matter: YAML with positions (yamlsource) and the field checks (frontmatter).

Each problem is compared as (line, column, field, message): the place the editor must go
to and what they read there. The corpus (test_malformed.py) covers the same ground through
the command line; here are the finer points and the successful reads.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from typeset.errors import ManuscriptError
from typeset.read import yamlsource
from typeset.read.frontmatter import parse_front_matter
from typeset.read.identifiers import orcid_checksum_ok
from typeset.read.journal import find_journal
from typeset.read.source import read_manuscript

from .helpers_manuscript import write_manuscript

TITLE = 'title: {en: "A Study of Alliances", tr: "İttifaklar Üzerine Bir Çalışma"}'


def read(tmp_path, replace=None, **kwargs):
    path = write_manuscript(tmp_path, replace, **kwargs)
    return parse_front_matter(read_manuscript(path), find_journal)[0]


def problems(tmp_path, replace=None, **kwargs) -> list[tuple]:
    with pytest.raises(ManuscriptError) as caught:
        read(tmp_path, replace, **kwargs)
    return [(p.line, p.column, p.field, p.message) for p in caught.value.problems]


def hints(tmp_path, replace=None) -> list[str]:
    with pytest.raises(ManuscriptError) as caught:
        read(tmp_path, replace)
    return [p.hint for p in caught.value.problems]


# -- a good front matter -------------------------------------------------------------------

def test_minimal_front_matter_is_read_into_typed_values(tmp_path):
    md = read(tmp_path)
    assert md.journal == "pesa" and md.article_type == "research-article" and md.lang == "en"
    assert md.title["tr"] == "İttifaklar Üzerine Bir Çalışma"
    assert md.history.received == dt.date(2022, 12, 28)
    assert md.copyright.holder == "PESA" and md.copyright.year == 2023  # from accepted
    assert md.affiliations[0].country == "TR"
    author = md.authors[0]
    assert (author.given_names, author.surname, author.affiliations) == ("Ayşe", "Yılmaz",
                                                                       ("ege",))
    assert author.corresponding and author.email == "ayse@example.edu.tr"
    assert md.keywords["en"] == ("alliance", "Syria")
    assert md.bibliography == "references.bib"


def test_lenient_forms_editors_write(tmp_path):
    md = read(tmp_path, {
        "    email: ayse@example.edu.tr": "    email: ayse@example.edu.tr\n"
                                          "    orcid: https://orcid.org/0000-0002-1694-233X",
        "affiliations: [ege]": "affiliations: 1",
        "  - id: ege": "  - id: 1",
        "country: TR": "country: tr",
        "  holder: PESA": "  holder: PESA\n  year: '2024'",
        "lang: en": "lang: en\ndoi: https://doi.org/10.1234/pesa.5\nvolume: 9\n"
                    "short-title: Alliances",
        "received: 2022-12-28": "received: 2022-12-28 10:30:00",
    })
    assert md.authors[0].orcid == "0000-0002-1694-233X"
    assert md.authors[0].affiliations == ("1",) and md.affiliations[0].id == "1"
    assert md.affiliations[0].country == "TR"
    assert md.copyright.year == 2024
    assert md.doi == "10.1234/pesa.5" and md.volume == "9"
    assert md.short_title["en"] == "Alliances"  # a plain value is in the body's language
    assert md.history.received == dt.date(2022, 12, 28)


def test_funders_are_read_with_registry_dois_ror_ids_and_award_numbers(tmp_path):
    md = read(tmp_path, {"lang: en": "lang: en\nfunders:\n"
                         "  - name: TÜBİTAK\n    id: https://doi.org/10.13039/501100004410\n"
                         "    award: [123K456, 2024]\n"
                         "  - {name: Ege University, id: https://ror.org/02eaafc18, award: 7}\n"
                         "  - name: A private donor\n"})
    assert [(f.name, f.identifier, f.awards) for f in md.funders] == [
        ("TÜBİTAK", "10.13039/501100004410", ("123K456", "2024")),
        ("Ege University", "https://ror.org/02eaafc18", ("7",)),
        ("A private donor", None, ()),
    ]
    assert md.funders[0].registry_doi == "10.13039/501100004410"
    assert md.funders[1].registry_doi is None  # a ROR id is no Funder Registry DOI


def test_windows_line_endings_and_bom_read_like_the_original(tmp_path):
    plain = read(tmp_path / "plain")
    path = write_manuscript(tmp_path / "crlf")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert parse_front_matter(read_manuscript(path), find_journal)[0] == plain


@pytest.mark.parametrize("orcid, valid", [
    ("0000-0002-1825-0097", True), ("0000-0001-5109-3700", True),
    ("0000-0002-1694-233X", True), ("0000-0002-1825-0098", False),
    ("0000-0002-1694-2330", False),
])
def test_orcid_check_digit(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid


# -- problems, each located ----------------------------------------------------------------

def test_every_independent_problem_is_reported_at_once(tmp_path):
    found = problems(tmp_path, {
        "article-type: research-article": "article-type: essay",
        "email: ayse@example.edu.tr": "email: ayse@",
        "country: TR": "country: XX",
        "received: 2022-12-28": "received: 2022-13-01",
        "  holder: PESA": "  holder: PESA\n  year: 23",
        "lang: en": "lang: en\nvolme: 3",
    })
    assert [(line, field) for line, _c, field, _m in found] == [
        (2, "article-type"), (4, "volme"), (10, "authors[0].email"),
        (15, "affiliations[0].country"), (17, "history.received"), (27, "copyright.year")]


@pytest.mark.parametrize("replace, expected", [
    ({TITLE: "title: [A, B]"}, (4, 8, "title", "expected text, got a list")),
    ({TITLE: 'title: {en: "A Study", tr: ""}'},
     (4, 28, "title.tr", "must not be empty")),
    ({TITLE: 'title: {en: "A Study", tr: "Bir", EN: "x"}'},
     (4, 35, "title.EN", "'EN' is not a language code")),
    ({"  en: [alliance, Syria]": "  en: []"},
     (19, 7, "keywords.en", "the list of keywords is empty")),
    ({"authors:\n": "authors: []\nx-authors:\n"},
     (5, 10, "authors", "the list of authors is empty")),
    ({"affiliations: [ege]": "affiliations: []"},
     (8, 19, "authors[0].affiliations", "lists no affiliation")),
    ({"    corresponding: true": "    corresponding: 'yes'"},
     (10, 20, "authors[0].corresponding", "expected true or false, got the text 'yes'")),
    ({"  - id: ege": "  - id: ege\n    ror: ror.org/01dzn5f42"},
     (13, 10, "affiliations[0].ror", "'ror.org/01dzn5f42' is not a ROR id")),
    ({"lang: en": "lang: en\nlicense: CC BY 4.0"},
     (4, 10, "license", "'CC BY 4.0' is not a licence URL")),
    ({"lang: en": "lang: en\nfirst-page: 0"},
     (4, 13, "first-page", "expected a whole number from 1, got the number 0")),
    ({"lang: en": "lang: english"}, (3, 7, "lang", "'english' is not a language code")),
    ({"accepted: 2023-03-19": "accepted: 2023-02-29"},
     (17, 13, "history.accepted", "'2023-02-29' is not a date: day is out of range for "
                                  "month")),
    ({"accepted: 2023-03-19": "accepted: 2023"},
     (17, 13, "history.accepted", "expected a date as YYYY-MM-DD, got the number 2023")),
    ({"  holder: PESA": "  holder:"}, (25, 10, "copyright.holder", "must not be empty")),
    ({"  - id: ege\n    institution: Ege Üniversitesi":
      "  - id: ege\n    institution: Ege Üniversitesi\n  - id: ege\n    institution: Ege"},
     (14, 9, "affiliations[1].id", "the id 'ege' is used twice")),
])
def test_a_problem_is_located_at_the_value(tmp_path, replace, expected):
    assert expected in problems(tmp_path, replace)


def test_an_unknown_key_is_located_at_the_key_with_a_suggestion(tmp_path):
    found = problems(tmp_path, {"    surname: Yılmaz": "    surname: Yılmaz\n    orcdi: x"})
    assert found == [(8, 5, "authors[0].orcdi", "unknown field 'orcdi'")]
    assert hints(tmp_path, {"    surname: Yılmaz": "    surname: Yılmaz\n    orcdi: x"}) == [
        "did you mean 'orcid'?"]


def test_a_missing_language_names_the_language(tmp_path):
    found = problems(tmp_path, {"lang: en": "lang: de"})
    assert (4, 8, "title", "the German (de) version is missing") in found
    assert (22, 3, "abstract", "the German (de) version is missing") in found


def test_values_that_xml_cannot_carry_are_refused(tmp_path):
    found = problems(tmp_path, {TITLE: 'title: {en: "A\\x0cB", tr: "A\\ud800B"}'})
    assert [(f, m) for _l, _c, f, m in found] == [
        ("title.en", "contains the control character U+000C"),
        ("title.tr", "contains the control character U+D800")]


def test_a_fenced_div_in_a_statement_is_refused(tmp_path):
    found = problems(tmp_path, {"lang: en": "lang: en\nfunding: |\n  Paid by\n  ::: x\n"})
    assert found == [(4, 10, "funding", "a line starting with ':::' (a fenced div) is not "
                                        "allowed here")]


def test_the_bibliography_file_is_checked_where_it_is_named(tmp_path):
    replace = {"bibliography: references.bib": "bibliography: refs/references.bib"}
    assert problems(tmp_path / "a", replace, bibtex=None) == [
        (26, 15, "bibliography", "the file 'refs/references.bib' does not exist")]
    (tmp_path / "b" / "refs").mkdir(parents=True)
    (tmp_path / "b" / "refs" / "references.bib").mkdir()
    assert problems(tmp_path / "b", replace) == [
        (26, 15, "bibliography", "'refs/references.bib' is a folder, not a .bib file")]
    outside = tmp_path / "outside.bib"
    outside.write_text("@misc{x, title={X}}\n", encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "references.bib").symlink_to(outside)
    assert problems(tmp_path / "c", bibtex=None) == [
        (26, 15, "bibliography", "'references.bib' is a link to a file outside the "
                                 "manuscript's folder")]


# -- YAML ----------------------------------------------------------------------------------

def test_yaml_positions_of_keys_and_values():
    data, positions = yamlsource.load("a: 1\nb:\n  - {c: x}\n  - d\n", first_line=5)
    assert data == {"a": 1, "b": [{"c": "x"}, "d"]}
    assert positions.keys[("b",)] == (6, 1)
    assert positions.values[("b", 0, "c")] == (7, 9)
    assert positions.of(("b", 1, "missing")) == (8, 5)


def test_every_duplicate_key_is_reported():
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.load("a: 1\nb: 2\na: 3\nc: {x: 1, x: 2}\n", first_line=2)
    assert [(p.line, p.column, p.message) for p in caught.value.all] == [
        (4, 1, "duplicate key 'a' (first given on line 2)"),
        (5, 11, "duplicate key 'x' (first given on line 5)")]


def test_an_alias_bomb_is_refused_at_once():
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    started = time.perf_counter()
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.load("\n".join(layers), first_line=2)
    assert time.perf_counter() - started < 1
    assert (caught.value.line, caught.value.message) == (
        3, "YAML aliases (*a0) are not allowed in front matter")


@pytest.mark.parametrize("text, line, column, message", [
    ("a: " + "[" * 5000 + "]" * 5000, 1, 35, "the YAML is nested more than 32 levels deep"),
    ("a: !!binary aGVsbG8=", 1, 4, "the YAML tag '!!binary' is not allowed"),
    ("a: !!python/name:os.system ''", 1, 4,
     "the YAML tag '!!python/name:os.system' is not allowed"),
    ("a: !custom x", 1, 4, "the YAML tag '!custom' is not allowed"),
    ("? [a, b]\n: c", 1, 3, "a key must be plain text"),
    ("a: b\x85c\x7f", 1, 7, "the character U+007F is not allowed in YAML"),
    ("a: 'x\nb: 2", 1, 4, "YAML syntax error: this quotation mark is never closed"),
    ("a: {b: 1\nc: 2", 1, 4, "YAML syntax error: the '{' opened here is not closed properly: "
                            "unexpected text at line 2, column 2"),
    ("a: 1\nhello\nb: 2", 2, 1, "YAML syntax error: this line is not a 'field: value' pair"),
    ("a:\n  b: 1\n c: 2", 3, 2, "YAML syntax error: this line is indented wrongly"),
    ('a: "x" y', 1, 8, "YAML syntax error: unexpected text after the value"),
    ("a: @x", 1, 4, "YAML syntax error: a value cannot start with '@'"),
    ('a: "C:\\Users"', 1, 9, "YAML syntax error: a backslash in double quotes starts an "
                             "escape sequence: expected escape sequence of 8 hexadecimal "
                             "numbers, but found 's'"),
])
def test_yaml_problems_are_located_and_worded(text, line, column, message):
    with pytest.raises(yamlsource.YamlProblem) as caught:
        yamlsource.load(text, first_line=1)
    assert (caught.value.line, caught.value.column, caught.value.message) == (
        line, column, message)


def test_yaml_dates_that_are_no_dates_stay_text_for_the_checks():
    data, _ = yamlsource.load("a: 2022-13-45\nb: 2022-12-28\nc: 1" + "0" * 5000, 1)
    assert data["a"] == "2022-13-45" and data["b"] == dt.date(2022, 12, 28)
    assert isinstance(data["c"], int | str)
