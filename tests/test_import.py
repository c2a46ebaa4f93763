"""`build.py import`: an author's Word file to a manuscript folder.

The seed as its author's .docx and a Turkish author's file with every construct are
imported through the real command line once per module; the tests read what a production
editor would read: article.md, references.bib, IMPORT.md, the report on stdout and its line
numbers, the exit status and messages for bad files, and whether the imported manuscripts
build once the report's missing fields are added.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli
from tests.docx_builder import Docx, write_zip
from tests.import_agreement import DOCS, front_matter, measure, table
from typeset.cli import main

DATA = ROOT / "tests" / "data" / "import"


def _report(stdout: str, folder: Path) -> list[tuple[str, int | None, str]]:
    """The report lines: (file, line, text)."""
    items = []
    for line in stdout.splitlines():
        match = re.match(rf"^{re.escape(str(folder))}/([\w.]+)(?::(\d+))?: (.*)$", line)
        assert match, f"not a report line: {line}"
        items.append((match[1], int(match[2]) if match[2] else None, match[3]))
    return items


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import") / "seed"
    result = run_cli("import", str(DATA / "seed.docx"), "--out", str(folder))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return folder, result, _report(result.stdout, folder)


@pytest.fixture(scope="module")
def turkish(tmp_path_factory):
    folder = tmp_path_factory.mktemp("import") / "turkish"
    result = run_cli("import", str(DATA / "turkish.docx"), "--out", str(folder))
    assert result.returncode == 0, result.stderr
    return folder, result, _report(result.stdout, folder)


def _line_of(report, text: str) -> tuple[str, int | None, str]:
    found = [item for item in report if text in item[2]]
    assert len(found) == 1, (text, found)
    return found[0]


def _article_line(folder: Path, number: int) -> str:
    return (folder / "article.md").read_text(encoding="utf-8").splitlines()[number - 1]


# -- the fixtures are what their script makes ---------------------------------------------

def test_fixtures_are_reproduced_by_their_script(tmp_path):
    spec = importlib.util.spec_from_file_location("make_docx", DATA / "make_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_bytes() == (DATA / path.name).read_bytes(), (
            f"{path.name} differs from its script's output: run "
            ".venv/bin/python tests/data/import/make_docx.py")


# -- the seed --------------------------------------------------------------------------------

def test_seed_writes_the_manuscript_folder(seed):
    folder, result, _ = seed
    assert sorted(p.name for p in folder.iterdir()) == ["IMPORT.md", "article.md",
                                                         "references.bib"]
    assert "37 entries" in result.stderr and "49" not in result.stderr.split("found")[0]
    report_md = (folder / "IMPORT.md").read_text(encoding="utf-8")
    assert report_md.startswith("# Import report: seed.docx")
    # every report line is in IMPORT.md too, at the same place
    for file, line, text in seed[2]:
        message = text.split(": ", 1)[1]
        assert f"`{file}{':' + str(line) if line else ''}`" in report_md
        assert message in report_md


def test_seed_front_matter_agrees_with_the_hand_conversion(seed):
    folder, _, _ = seed
    mine = front_matter(folder / "article.md")
    hand = front_matter(ROOT / "manuscript" / "article.md")
    for name in ("title", "keywords", "history", "copyright", "lang", "journal"):
        assert mine[name] == hand[name], name
    for lang in ("en", "tr"):
        assert mine["abstract"][lang].strip() == hand["abstract"][lang].strip()
    assert mine["authors"] == hand["authors"]
    assert mine["affiliations"] == hand["affiliations"]
    assert "article-type" not in mine  # not in the Word file: left out, reported


def test_seed_report_names_what_is_missing_and_the_swapped_abstracts(seed):
    folder, _, report = seed
    file, line, text = _line_of(report, "article type")
    assert text.startswith("missing:") and file == "article.md"
    for heading, lang in (("ÖZET", "en"), ("ABSTRACT", "tr")):
        file, line, text = _line_of(report, f"under the heading \"{heading}\"")
        assert _article_line(folder, line) == f"  {lang}: |"
    file, line, _ = _line_of(report, "country TR inferred")
    assert _article_line(folder, line).strip() == "country: TR"


@pytest.mark.parametrize(("typed", "why", "on_the_line"), [
    ("(Behravesch & Cafiero, 2019)", "\"Behravesch\" is spelt \"Behravesh\"",
     "(Behravesch & Cafiero, 2019)"),
    ("(Rabi & Freidman 2017, p. 12)", "\"Freidman\" is spelt \"Friedman\"",
     "(Rabi & Freidman 2017, p. 12)"),
    ("(Goodarzi, 2013, p. 1)", "has no year", "(Goodarzi, 2013, p. 1)"),
    ("(Artech)", "no entry of the list has this author", "(Artech)"),
    ("Kalaycı, 2021, pp. 134-143", "pp. 134-143 lies outside the work's pages (463-484)",
     "@kalayci2021, pp. 134-143"),
    ("(Crosston, 2014, p. 97)", "p. 97 lies outside the work's pages (1-18)",
     "@crosston2014, p. 97"),
    ("Crosston, 2014, p. 99)", "p. 99 lies outside the work's pages (1-18)",
     "@crosston2014, p. 99"),
    ("Kalaycı, 2019, pp. 533-553", "pp. 533-553 is the whole page range",
     "@kalayci2019, pp. 533-553"),
])
def test_seed_report_names_each_slip_of_the_citations_at_its_line(seed, typed, why,
                                                                   on_the_line):
    folder, _, report = seed
    found = [item for item in report if typed in item[2] and why in item[2]]
    assert len(found) == 1, (typed, why)
    file, line, _ = found[0]
    # left as the author wrote it (a near miss), or linked with the locator kept, on the
    # line the report gives
    assert file == "article.md" and on_the_line in _article_line(folder, line)


@pytest.mark.parametrize(("key", "why"), [
    ("behravesh2019", "never cited"), ("rabi2017", "never cited"),
    ("goodarzi", "gives no year"), ("kalayci2021", "split by its formatting"),
    ("landis2020", "its web address 2020-08-17"), ("weiss2019", "stray year \"2019\""),
    ("tasnim2017", "has no web address"), ("khlebnikov2020", "not in alphabetical order"),
])
def test_seed_report_names_each_slip_of_the_reference_list(seed, key, why):
    folder, _, report = seed
    bib = (folder / "references.bib").read_text(encoding="utf-8").splitlines()
    found = [item for item in report if why in item[2] and item[0] == "references.bib"
             and item[1] and bib[item[1] - 1].endswith(f"{{{key},")]
    assert found, (key, why)


def test_seed_references_and_citations_agree_with_the_hand_conversion():
    rows, _ = measure()
    by_field = {row.field: row for row in rows}
    assert all(by_field[f].agreed == by_field[f].total for f in by_field
               if not f.startswith(("references", "citations")))
    references = by_field["references: entries by first author and year"]
    citations = by_field["citations: found, in order, with the right entry"]
    assert references.total == 37 and references.agreed / references.total >= 0.95
    assert citations.total == 49 and citations.agreed / citations.total >= 0.95
    assert by_field["citations: linked in article.md"].agreed == 46
    # docs/import.md shows these figures (regenerate: python -m tests.import_agreement)
    assert table(rows) in DOCS.read_text(encoding="utf-8")


def test_seed_body_headings_footnote_and_citations(seed):
    folder, _, _ = seed
    text = (folder / "article.md").read_text(encoding="utf-8")
    headings = re.findall(r"^(#+) (.*)$", text, re.M)
    assert headings[0] == ("#", "Introduction {.unnumbered}")
    assert headings[-1] == ("#", "Conclusion {.unnumbered}")
    assert ("#", "Interchange of Russia-Iran's Interests in Syria {#sec:interchange-russia-iran}") \
        in headings
    assert ("##", "Russia and Iran Dual Involvement in Syria {#sec:russia-iran-dual}") \
        in headings  # Word's heading 3 in the file, level 2 by its number 3.1.
    assert len(headings) == 12
    assert "opposition.[^1]\n\n[^1]: The Syria policy" in text
    assert "20^th^ century" in text
    assert "[@landis2020; @sahloul2020]" in text  # "and" for "&"
    assert "[@tabatabai2021, p. 13]" in text  # "et al."
    assert "unsustainable [@khlebnikov2020]." in text
    assert "REFERENCES" not in text and "MAKALE BİLGİSİ" not in text


def test_seed_builds_once_the_report_is_followed(seed, tmp_path):
    folder, _, _ = seed
    copy = tmp_path / "seed"
    shutil.copytree(folder, copy)
    article = copy / "article.md"
    result = run_cli("check", str(article))
    assert result.returncode == 1 and "article-type" in result.stderr
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("lang: en\n", "article-type: research-article\nlang: en\n",
                                    1), encoding="utf-8")
    result = run_cli("check", str(article))
    assert result.returncode == 0, result.stderr


# -- the Turkish author's file: every construct ------------------------------------------------

def test_turkish_front_matter(turkish):
    folder, _, report = turkish
    meta = front_matter(folder / "article.md")
    assert meta["article-type"] == "research-article" and meta["lang"] == "tr"
    assert meta["title"] == {"tr": "Küçük Ada Ekonomilerinde Turizm ve Dayanıklılık",
                             "en": "Tourism and Resilience in Small Island Economies"}
    assert [(a["given-names"], a["surname"], a["affiliations"]) for a in meta["authors"]] == [
        ("Zeynep", "Kaya", ["ege"]), ("Ali", "Yılmaz", ["odt"]), ("Elif", "Demir", ["ege"])]
    kaya, yilmaz, demir = meta["authors"]
    assert kaya["corresponding"] is True and "corresponding" not in yilmaz
    assert kaya["position"] == {"tr": "Doç. Dr."} and demir["position"] == {"tr": "Arş. Gör."}
    assert kaya["orcid"] == "0000-0002-1825-0097" and "orcid" not in demir
    assert [a["email"] for a in meta["authors"]] == [
        "zeynep.kaya@example.edu.tr", "ali.yilmaz@example.edu.tr", "elif.demir@example.edu.tr"]
    assert meta["affiliations"][0] == {
        "id": "ege", "institution": "Ege Üniversitesi",
        "department": ["İktisadi ve İdari Bilimler Fakültesi", "İktisat Bölümü"],
        "city": "İzmir", "country": "TR"}
    assert {k: str(v) for k, v in meta["history"].items()} == {
        "received": "2026-09-14", "revised": "2026-10-26", "accepted": "2026-11-16"}
    assert meta["keywords"]["en"] == ["Tourism", "Resilience", "Island economies",
                                      "Small states"]
    assert meta["abstract"]["tr"].startswith("Küçük ada ekonomileri")
    assert "*dayanıklılık*" in meta["abstract"]["tr"]
    assert meta["funding"] == {"tr": "Bu çalışma için herhangi bir kurumdan mali destek "
                                     "alınmamıştır.",
                               "en": "No funding was received for this work."}
    assert set(meta) >= {"conflict-of-interest", "ethics", "acknowledgements"}
    _line_of(report, "Elif Demir's ORCID iD 0000-0002-1825-0098 has a wrong check digit")
    _, line, _ = _line_of(report, "surname YILMAZ is typed in capitals")
    assert _article_line(folder, line).strip() == "surname: Yılmaz"
    _, line, text = _line_of(report, "no copyright line")
    assert text.startswith("missing:") and _article_line(folder, line) == \
        "bibliography: references.bib"


def test_turkish_body_constructs(turkish):
    folder, _, _ = turkish
    text = (folder / "article.md").read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    # Columns of numbers are set flush right (Word's reader gives them no alignment); the
    # column of names stays as it was.
    assert re.search(r"^\+=+\+=+:\+=+:\+$", body, re.M)
    assert re.search(r"^\+=+\+=+:\+$", body, re.M)
    assert re.findall(r"^#+ .*$", body, re.M) == [
        "# Giriş {.unnumbered}",
        "# Kuramsal Çerçeve {#sec:kuramsal-cerceve}",
        "## Ada Ekonomilerinin Özellikleri {#sec:ada-ekonomilerinin-ozellikleri}",
        "### Turizme Bağımlılık {#sec:turizme-bagimlilik}",
        "# Yöntem {#sec:yontem}", "## Veri {#sec:veri}", "# Bulgular {#sec:bulgular}",
        "# Sonuç {.unnumbered}", "# Örnek Adaların Listesi {.appendix}"]
    assert "\n- Küçük iç pazar ve sınırlı üretim çeşitliliği,\n- dışa açıklık" in body
    assert "\n1.  Adaların seçilmesi,\n2.  göstergelerin" in body
    assert "\n> Sezon kısaldığında adanın bütün ekonomisi durur" in body
    assert body.count("[^1]") == 2 and body.count("[^2]") == 2
    assert ": Örnek adaların turizm göstergeleri {#tbl:ornek-adalarin-turizm}" in body
    assert ": Gelirin kaynaklara göre dağılımı {#tbl:gelirin-kaynaklara-gore}" in body
    assert "Tablo 1." not in body and "**Ada**" not in body
    assert "$$D_{i} = \\frac{T_{i}}{Y_{i}} \\times 100$$ {#eq:1}" in body
    figure = re.search(r"^!\[Örnek adalarda turizmin gelir içindeki payı\]"
                       r"\((figures/[\w-]+\.png)\)\{#fig:[\w-]+ width=\"75%\" alt=\"Dört",
                       body, re.M)
    assert figure and (folder / figure[1]).read_bytes().startswith(b"\x89PNG")
    # cross-references where the target is certain, with their Turkish suffixes
    assert "@tbl:ornek-adalarin-turizm'de, gelir dağılımı @tbl:gelirin-kaynaklara-gore'de" \
        in body
    assert "@sec:ada-ekonomilerinin-ozellikleri'de sayılan" in body
    assert "@fig:ornek-adalarda-turizmin'de görülmektedir. Tablo 3 ise" in body
    # The style prints an equation's reference as "(1)": the author's word stays.
    assert "hesaplanışı Denklem @eq:1'de verilmiştir" in body
    assert "Bulgular @sec:yontem'de anlatılan" in body


@pytest.mark.parametrize(("typed", "written"), [
    ("(Hall ve Clark, 2019a, 2019b)", "[@hall2019a; @hall2019b]"),
    ("Kaya ve Öztürk (2020, ss. 88-91)", "@kaya2020 [ss. 88-91]"),
    ("(Aydın, 2001, s. 12; Brown, 2006)", "[@aydin2001, s. 12; @brown2006]"),
    ("Hall ve Clark'ın (2019a)", "Hall ve Clark'ın [-@hall2019a]"),
    ("Şahin vd. (2018)", "@sahin2018 Akdeniz"),
    ("(Taylor et al., 2021; Miller & Stone, 2017, p. 45)",
     "[@taylor2021; @miller2017, p. 45]"),
    ("(Example Island Council, 2022; Dünya Turizm Örgütü, 2023)",
     "[@example2022; @dunya2023]"),
    ("(bkz. Kaya ve Öztürk, 2020)", "[bkz. @kaya2020]"),
    ("(Yurt, 2014, s. 77)", "[@yurt2014, s. 77]"),
])
def test_turkish_citation_forms(turkish, typed, written):
    folder, _, _ = turkish
    body = (folder / "article.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert written in body and typed not in body


@pytest.mark.parametrize(("what", "key_or_text"), [
    ("\"Browne\" is spelt \"Brown\"", "(Browne, 2006)"),
    ("the list dates Demirtaş 2016, the text 2015", "(Demirtaş, 2015)"),
    ("no entry of the reference list has this author and year", "(Yıldız, 2010)"),
    ("\"Tablo 3\" in the text: no target carries this number", "Tablo 3"),
])
def test_turkish_report_names_unmatched_citations_at_their_line(turkish, what, key_or_text):
    folder, _, report = turkish
    file, line, _ = _line_of(report, what)
    assert file == "article.md" and key_or_text in _article_line(folder, line)


def test_turkish_reference_list(turkish):
    folder, _, report = turkish
    bib = (folder / "references.bib").read_text(encoding="utf-8")
    kinds = dict(re.findall(r"^@(\w+)\{(\w+),", bib, re.M)[::1])
    types = {key: kind for kind, key in re.findall(r"^@(\w+)\{(\w+),", bib, re.M)}
    assert kinds and types == {
        "aydin2001": "book", "brown2006": "article", "demirtas2016": "article",
        "dunya2023": "online", "ekinci2012": "mastersthesis", "example2022": "online",
        "hall2019a": "article", "hall2019b": "book", "kaya2020": "incollection",
        "miller2017": "incollection", "sahin2018": "report", "taylor2021": "article",
        "turizm2021": "online", "yurt2014": "phdthesis"}
    assert "editor    = {Yılmaz, A.}" in bib and "pages     = {80--102}" in bib
    assert "urldate = {2024-03-12}" in bib and "urldate = {2024-01-05}" in bib
    assert "doi     = {10.5555/eje.2021.102}" in bib
    never = [text for file, _, text in report if "is never cited" in text]
    assert len(never) == 3 and any("Ekinci" in t for t in never)


def test_turkish_builds_once_the_report_is_followed(turkish, tmp_path):
    folder, _, _ = turkish
    copy = tmp_path / "turkish"
    shutil.copytree(folder, copy)
    article = copy / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("bibliography: references.bib\n",
                                    "copyright:\n  holder: PESA\nbibliography: references.bib\n",
                                    1), encoding="utf-8")
    out = tmp_path / "build"
    result = run_cli("build", str(article), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    html = (out / "article.html").read_text(encoding="utf-8")
    assert "Tablo 1" in html and "Şekil 1" in html and "(Kaya ve Öztürk, 2020" not in html
    assert (out / "article.pdf").stat().st_size > 10_000


# -- the command line and bad files ------------------------------------------------------------

def test_never_overwrites_without_force(tmp_path, capsys):
    folder = tmp_path / "again"
    folder.mkdir()
    article = folder / "article.md"
    article.write_text("edited by hand\n", encoding="utf-8")
    assert main(["import", str(DATA / "turkish.docx"), "--out", str(folder)]) == 2
    assert "--force" in capsys.readouterr().err
    assert article.read_text(encoding="utf-8") == "edited by hand\n"
    assert sorted(p.name for p in folder.iterdir()) == ["article.md"]
    assert main(["import", str(DATA / "turkish.docx"), "--out", str(folder), "--force"]) == 0
    assert article.read_text(encoding="utf-8").startswith("---\n")


def test_default_folder_is_beside_the_docx_named_after_it(tmp_path):
    docx = tmp_path / "Yazar Makalesi.docx"
    shutil.copyfile(DATA / "turkish.docx", docx)
    result = run_cli("import", str(docx))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Yazar Makalesi" / "article.md").is_file()
    assert (tmp_path / "Yazar Makalesi" / "figures").is_dir()


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, what the message must say)."""
    corrupt = folder / "corrupt.docx"
    corrupt.write_bytes((DATA / "seed.docx").read_bytes()[:3000])
    doc = folder / "old.docx"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode(
        "utf-16-le") + bytes(1000))
    encrypted = folder / "encrypted.docx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                          + "EncryptionInfo".encode("utf-16-le") + bytes(64)
                          + "EncryptedPackage".encode("utf-16-le") + bytes(1000))
    empty_doc = folder / "empty.docx"
    Docx().save(empty_doc)
    zero = folder / "zero.docx"
    zero.write_bytes(b"")
    pdf = folder / "paper.docx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    not_word = folder / "archive.docx"
    write_zip(not_word, {"readme.txt": "hello"})
    broken_xml = folder / "broken.docx"
    with zipfile.ZipFile(DATA / "seed.docx") as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"][:500]
    write_zip(broken_xml, parts)
    directory = folder / "folder.docx"
    directory.mkdir()
    return {
        "corrupt zip": (corrupt, "not a Word .docx file"),
        ".doc renamed": (doc, "old Word 97-2003 document (.doc)"),
        "encrypted": (encrypted, "password-protected"),
        "empty document": (empty_doc, "the document is empty"),
        "zero bytes": (zero, "the file is empty (0 bytes)"),
        "PDF renamed": (pdf, "it is a PDF file"),
        "zip, not Word": (not_word, "not a Word document"),
        "damaged XML": (broken_xml, "not well-formed XML"),
        "a folder": (directory, "is a folder"),
        "no such file": (folder / "missing.docx", "no such file"),
    }


def test_bad_files_get_a_clear_message_and_exit_1(tmp_path, capsys):
    for name, (path, message) in _bad_files(tmp_path).items():
        out = tmp_path / f"out-{name.replace(' ', '-')}"
        status = main(["import", str(path), "--out", str(out)])
        captured = capsys.readouterr()
        assert status == 1, (name, captured.err)
        assert captured.err.startswith(f"{path}: ") and message in captured.err, name
        assert "unexpected" not in captured.err and "does not handle" not in captured.err
        assert not out.exists() and captured.out == "", name
    # and through the real command line, once: no traceback
    result = run_cli("import", str(tmp_path / "encrypted.docx"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path):
    result = run_cli("import")
    assert result.returncode == 2 and "FILE.docx" in result.stderr
    result = run_cli("import", str(DATA / "seed.docx"), "--journal", "nosuch",
                     "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "no journal profile 'nosuch'" in result.stderr
    assert not (tmp_path / "x").exists()


def test_yaml_of_the_import_reads_back(seed, turkish):
    for folder, _, _ in (seed, turkish):
        text = (folder / "article.md").read_text(encoding="utf-8")
        assert isinstance(yaml.safe_load(text.split("---\n", 2)[1]), dict)


def _odd_documents(folder: Path) -> dict[str, Path]:
    """Files an author might send that have little of what a manuscript needs."""
    docs = {}

    def save(name: str, build) -> None:
        doc = Docx()
        build(doc)
        docs[name] = folder / f"{name}.docx"
        doc.save(docs[name])

    save("one line", lambda d: d.para("Makale taslağı"))
    save("only a table", lambda d: d.table([["a", "b"], ["1", "2"]]))
    save("only headings", lambda d: [d.heading(t, 1) for t in ("GİRİŞ", "1. YÖNTEM", "SONUÇ")])
    save("only references", lambda d: (d.heading("KAYNAKÇA", 1), d.para(
        "Kaya, Z. (2020). *Kitap*. Ankara: Yayınevi."), d.para("(2020). Eksik.")))
    save("citations without a list", lambda d: (d.heading("Giriş", 1), d.para(
        "Metin (Kaya, 2020; Hall ve Clark, 2019a) ve Kaya (2020) der. Tablo 1 yok.")))
    save("caption lines alone", lambda d: (d.heading("1. Bölüm", 1), d.para("Tablo 1. Boş"),
                                           d.para("Şekil 2: Boş"), d.equation("", "3")))
    save("labels without values", lambda d: [d.para(t) for t in (
        "Öz", "Anahtar Kelimeler:", "Geliş: yarın", "Abstract", "Keywords:", "©",
        "ORCID: 0000-0000-0000-0000", "Zeynep KAYA^1^", "^1^ ")])
    return docs


def test_odd_documents_import_without_failing(tmp_path, capsys):
    for name, path in _odd_documents(tmp_path).items():
        out = tmp_path / f"out-{name.replace(' ', '-')}"
        status = main(["import", str(path), "--out", str(out)])
        captured = capsys.readouterr()
        assert status == 0, (name, captured.err)
        assert (out / "article.md").is_file() and (out / "IMPORT.md").is_file(), name
        # what the file lacks is reported as missing, at a line of the article
        assert "missing:" in captured.out, name
        text = (out / "article.md").read_text(encoding="utf-8")
        assert isinstance(yaml.safe_load(text.split("---\n", 2)[1]), dict), name


# -- what an editor's trial found --------------------------------------------------------

def _trial_docx(path: Path) -> None:
    """The forms of an author's Word file that an editor's trial saw go wrong."""
    from tests.docx_builder import m_frac, m_run, m_sub

    doc = Docx()
    doc.footnote("tez", "Bu makale, birinci yazarın doktora tezinden üretilmiştir.")
    doc.para("**KENTTE GÜVEN VE KOMŞULUK: ANKARA ÖRNEĞİ**[^tez]", align="center")
    doc.para("*Trust and Neighbourhood in the City: The Case of Ankara*", align="center")
    doc.para("Dr. Öğr. Üyesi Ayşe YILMAZ^1^, Mehmet ÖZTÜRK^2^", align="center")
    doc.para("^1^ Ege Üniversitesi, Edebiyat Fakültesi, İzmir, Türkiye")
    doc.para("^2^ Arş. Gör., Hacettepe Üniversitesi, Edebiyat Fakültesi, Ankara, Türkiye")
    doc.para("Geliş Tarihi: 12 Mart 2024 – Kabul Tarihi: 05.06.2024")
    doc.heading("Öz", 2)
    doc.para("Bu çalışma kentte güveni ve komşuluk ilişkilerini incelemektedir.")
    doc.para("**Anahtar Kelimeler:** güven, komşuluk")
    doc.heading("1. Giriş", 1)
    doc.para("Güven toplumsal yaşamın temelidir (TÜİK, 2023; Öztürk, 2020; Putnam, 2000).")
    doc.heading("2. Yöntem", 1)
    doc.para("Endeks Denklem 1 ile, ağırlık Denklem 2 ile hesaplanmıştır:")
    doc.equation_in_table(m_sub(m_run("G"), m_run("i")) + m_run("=")
                          + m_frac(m_run("1"), m_run("k")), "1")
    doc.equation(m_run("w=") + m_frac(m_run("n"), m_run("N")))
    doc.para("(2)")
    doc.heading("3. Sonuç", 1)
    doc.para("Komşuluk güveni artırmaktadır.")
    doc.heading("Kaynakça", 1)
    doc.para("Öztürk, M. (2020). *Komşuluk*. Ankara: Örnek Yayınları.")
    doc.para("Putnam, R. D. (2000). *Bowling alone*. New York: Simon & Schuster.")
    doc.para("Türkiye İstatistik Kurumu [TÜİK]. (2023). *Yaşam memnuniyeti araştırması*. "
             "Ankara: TÜİK.")
    doc.save(path)


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trial")
    _trial_docx(folder / "makale.docx")
    result = run_cli("import", str(folder / "makale.docx"), "--out", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    text = (folder / "out" / "article.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    return text, front, result.stdout + result.stderr


def test_a_numbered_introduction_loses_its_typed_number(trial):
    text, _, report = trial
    assert "# Giriş {.unnumbered}" in text and "# Sonuç {.unnumbered}" in text
    assert "1. Giriş" not in text.split("---\n", 2)[2]
    assert "its number is removed" in report


def test_the_titles_note_is_kept_as_the_acknowledgements(trial):
    _, front, report = trial
    assert front["acknowledgements"]["tr"].strip() == (
        "Bu makale, birinci yazarın doktora tezinden üretilmiştir.")
    assert "the title's note" in report and "[^" not in front["title"]["tr"]


def test_an_equation_in_a_table_or_with_its_number_below_gets_its_label(trial):
    text, _, report = trial
    assert re.search(r"^\$\$G_\{i\} = \\frac\{1\}\{k\}\$\$ \{#eq:1\}$", text, re.M)
    assert re.search(r"^\$\$w = \\frac\{n\}\{N\}\$\$ \{#eq:2\}$", text, re.M)
    assert "@eq:1" in text and "@eq:2" in text
    assert "tbl:" not in text and "a table without" not in report


def test_two_dates_on_one_line_are_both_read(trial):
    _, front, _ = trial
    assert str(front["history"]["received"]) == "2024-03-12"
    assert str(front["history"]["accepted"]) == "2024-06-05"


def test_a_group_author_is_cited_by_its_abbreviation_and_turkish_order_is_kept(trial):
    text, _, report = trial
    assert re.search(r"\[@t[^\];]*2023", text), "TÜİK's citation is linked"
    assert "never cited" not in report
    assert "alphabetical order" not in report  # Öztürk before Putnam: O, Ö, P


def test_an_abbreviated_position_keeps_its_point(trial):
    _, front, _ = trial
    assert front["authors"][1]["position"] == {"tr": "Arş. Gör."}
