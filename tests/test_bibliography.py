"""The bibliography checks: every problem of a .bib file at once, each at its line and column
(of the entry, or of the field to fix)."""

from __future__ import annotations

import os
import threading

import pytest

from typeset.errors import ManuscriptError
from typeset.read.bibliography import load_bibliography

from .conftest import ROOT
from .helpers_manuscript import BIBTEX

BOOK = """\
@book{roe2019,
  author = {Roe, Richard},
  title = {A Book},
  publisher = {Press},
  year = {2019}
}
"""


def load(tmp_path, text: str | bytes):
    path = tmp_path / "references.bib"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_bibliography(path)


def problems(tmp_path, text) -> list[tuple]:
    with pytest.raises(ManuscriptError) as caught:
        load(tmp_path, text)
    return [(p.line, p.column, p.field, p.message) for p in caught.value.problems]


def test_the_sample_bibliography_loads_with_the_line_of_each_entry():
    bibliography = load_bibliography(ROOT / "manuscript" / "references.bib")
    assert len(bibliography.keys) == 37
    assert bibliography.lines["allison2017"] == 4


def test_a_good_file_with_bom_crlf_comments_and_strings(tmp_path):
    text = ("% a comment\n@string{jos = {Journal of Studies}}\n@comment{ignored}\n"
            + BIBTEX.replace("{Journal of Studies}", "jos") + BOOK)
    bibliography = load(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert bibliography.keys == {"doe2020", "roe2019"}
    assert bibliography.entry("doe2020").fields["journal"] == "Journal of Studies"
    assert bibliography.lines == {"doe2020": 4, "roe2019": 12}


def test_empty_file_is_an_empty_bibliography(tmp_path):
    assert load(tmp_path, "% nothing yet\n\n").keys == set()


@pytest.mark.parametrize("text, expected", [
    (BIBTEX + "@book{roe2019,\n  title = {Unclosed {brace},\n  year = 2019\n",
     (9, 1, "", "BibTeX syntax error: the file ends inside the entry that starts here")),
    (BIBTEX + "@book{roe2019,\n  title {A Book}\n}\n",
     (10, 9, "", "BibTeX syntax error: expected '=' here")),
    (BIBTEX + "@book{roe2019,\n  title = A Book,\n}\n",
     (10, 11, "", "BibTeX syntax error: 'A' is not a defined @string abbreviation")),
    (BIBTEX + "@book{roe2019,\n  author = {Roe, R},\n  title = {A}} Book},\n  year = 2019\n}\n",
     (12, 3, "@book{roe2019}", "the field 'year' stands after the end of the entry")),
    ("@misc{a, title = {" + "{" * 120 + "x" + "}" * 120 + "}}\n",
     (1, 120, "", "BibTeX syntax error: too many nested braces")),
    ("@article{author={Doe}}\n", (1, 1, "@article{author={Doe}", "the entry has no key")),
    ("@article{author = {Doe}}\n", (1, 17, "", "BibTeX syntax error: expected '}' here")),
])
def test_syntax_errors_are_located(tmp_path, text, expected):
    assert expected in problems(tmp_path, text)


def test_an_entry_with_a_syntax_error_is_not_also_checked_for_fields(tmp_path):
    found = problems(tmp_path, BIBTEX + "@article{roe2019,\n  title {x}\n}\n")
    assert [message for *_rest, message in found] == ["BibTeX syntax error: expected '=' here"]


def test_duplicate_keys_also_differing_in_case(tmp_path):
    found = problems(tmp_path, BIBTEX + BOOK.replace("roe2019", "doe2020")
                     + BOOK.replace("roe2019", "DOE2020"))
    assert found == [
        (9, 1, "@book{doe2020}", "duplicate BibTeX key 'doe2020' (first defined on line 1)"),
        (15, 1, "@book{DOE2020}", "duplicate BibTeX key 'DOE2020' (first defined on line 1 "
                                  "as 'doe2020'; BibTeX ignores case in keys)")]


def test_a_duplicate_field_is_located_at_its_second_occurrence(tmp_path):
    found = problems(tmp_path, BOOK.replace("  year = {2019}", "  year = {2019},\n"
                                                               "  title = {Again}"))
    assert found == [(6, 3, "@book{roe2019}", "the field 'title' is given twice")]


def test_missing_fields_per_entry_type(tmp_path):
    found = problems(tmp_path, "@incollection{a,\n  author = {A, B},\n  title = {T}\n}\n"
                               "@online{b, title = {Page}}\n@misc{c, note = {x}}\n")
    assert found == [
        (1, 1, "@incollection{a}", "missing one of the fields 'year', 'date'"),
        (1, 1, "@incollection{a}", "missing the field 'booktitle'"),
        (5, 1, "@online{b}", "missing the field 'url'"),
        (6, 1, "@misc{c}", "missing the field 'title'")]


def test_crossref_supplies_fields_and_must_exist(tmp_path):
    parent = "@book{whole, editor = {E, F}, title = {Whole}, booktitle = {Whole}, year = 2020}\n"
    child = "@incollection{part, author = {A, B}, title = {Part}, crossref = {whole}}\n"
    assert load(tmp_path, parent + child).keys == {"whole", "part"}
    found = problems(tmp_path, child.replace("{whole}", "{hole}"))
    assert (1, 54, "@incollection{part}", "the crossref 'hole' is not a key of this file") \
        in found


def test_an_unknown_entry_type_is_caught(tmp_path):
    assert problems(tmp_path, BOOK.replace("@book", "@bok")) == [
        (1, 1, "@bok{roe2019}", "unknown entry type '@bok'")]


@pytest.mark.parametrize("field, value, message", [
    ("doi", "{10.12/x}", "'10.12/x' is not a DOI"),
    ("date", "{2020-02-30}", "the date '2020-02-30' is not an ISO date"),
    ("urldate", "{15.03.2021}", "the urldate '15.03.2021' is not an ISO date"),
    ("year", "{circa 2019}", "the year 'circa 2019' is not a year"),
    ("url", "{file:///etc/passwd}", "the url 'file:///etc/passwd' is not an http(s) address"),
])
def test_field_values_are_checked_at_the_field(tmp_path, field, value, message):
    text = BOOK.replace("  year = {2019}", f"  year = {{2019}},\n  {field} = {value}")
    if field == "year":
        text = BOOK.replace("{2019}", value)
    found = problems(tmp_path, text)
    line = 5 if field == "year" else 6
    assert found == [(line, 3, "@book{roe2019}", message)]


def test_a_name_with_too_many_commas_does_not_stop_the_other_checks(tmp_path):
    found = problems(tmp_path, BIBTEX.replace("Doe, Jane", "Doe, Jane, Jr, More, Again")
                     + BOOK.replace("  title = {A Book},\n", ""))
    assert [(line, message) for line, _c, _f, message in found] == [
        (1, "the name 'Doe, Jane, Jr, More, Again' has too many commas"),
        (9, "missing the field 'title'")]


def test_a_file_without_entries_is_not_taken_for_an_empty_bibliography(tmp_path):
    assert problems(tmp_path, '[{"id": "doe2020", "type": "book"}]\n') == [
        (1, 1, "", "no BibTeX entry found in the file")]


def test_a_file_that_is_not_utf8_names_line_column_and_byte(tmp_path):
    found = problems(tmp_path, BIBTEX.replace("Doe, Jane", "Doğan, Ayşe").encode("cp1254"))
    assert found == [(2, 15, "", "the file is not UTF-8: byte 0xF0 cannot be decoded")]


def test_what_is_not_a_readable_file(tmp_path):
    (tmp_path / "folder.bib").mkdir()
    with pytest.raises(ManuscriptError, match="the bibliography is a folder, not a file"):
        load_bibliography(tmp_path / "folder.bib")
    with pytest.raises(ManuscriptError, match="the bibliography does not exist"):
        load_bibliography(tmp_path / "missing.bib")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "references.bib"
    os.mkfifo(fifo)
    outcome = []

    def attempt():
        try:
            load_bibliography(fifo)
        except ManuscriptError as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock it before failing, so the suite does not hang
        with open(fifo, "w", encoding="utf-8"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert outcome and "the bibliography is not a regular file" in outcome[0]


@pytest.mark.parametrize("value", [
    "Göç, Kimlik ve Toplum", "O'Neil, Cathy", "Ankara: Siyasal Kitabevi",
    "https://example.org/a?b=c", "1/2 of the cases", "  spaced\n  out  "])
def test_a_value_without_latex_reads_as_written_without_pylatexenc(value):
    """latex.py's shortcut: what has no LaTeX markup reads as pylatexenc would read it."""
    from typeset.read.latex import _converter, latex_to_text

    assert latex_to_text(value) == " ".join(_converter().latex_to_text(value).split()) \
        == " ".join(value.split())


@pytest.mark.parametrize("value, text", [
    ("{\\c{C}}ok -- \\emph{iyi}", "Çok – iyi"), ("50\\% of {NATO}", "50% of NATO"),
    ("``quoted''", "“quoted”"), ("a~b", "a b")])
def test_latex_markup_is_still_read(value, text):
    from typeset.read.latex import latex_to_text

    assert latex_to_text(value) == text
