"""Exit statuses of the command line: 0 success, 1 a problem in the input, 2 a usage error;
never a traceback, and nothing written when a build fails."""

from __future__ import annotations

import re

import pytest

from .conftest import run_cli
from .helpers_manuscript import write_manuscript

LOCATED = re.compile(r"^article\.md:\d+:\d+: ")


def listing(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_help_exits_0():
    result = run_cli("--help")
    assert result.returncode == 0 and "usage: build.py" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["build", "--bogus"], "unrecognized arguments: --bogus"),
    (["build", "article.md", "--to", "pdf,docx"], "--to: unknown output docx"),
    (["build", "empty-folder"], "empty-folder: no article.md in this folder or its subfolders"),
    (["check", "notes.txt"], "notes.txt: not a Markdown file or a folder"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    (tmp_path / "empty-folder").mkdir()
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_problem_in_the_input_exits_1_with_located_messages(tmp_path):
    write_manuscript(tmp_path, {"email: ayse@example.edu.tr": "email: x@",
                                "country: TR": "country: XX"})
    before = listing(tmp_path)
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "article.md:9:12: authors[0].email: 'x@' is not an email address",
        "article.md:14:14: affiliations[0].country: 'XX' is not an ISO 3166-1 country code "
        "(two letters, e.g. TR)"]
    assert listing(tmp_path) == before


def test_a_missing_manuscript_exits_1(tmp_path):
    result = run_cli("build", "article.md", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "article.md: the manuscript does not exist"
    assert not (tmp_path / "out").exists()


def test_check_of_a_good_manuscript_exits_0_and_writes_nothing(tmp_path):
    write_manuscript(tmp_path)
    before = listing(tmp_path)
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "article.md: no problems found" in result.stderr
    assert listing(tmp_path) == before


def test_windows_line_endings_and_a_bom_simply_work(tmp_path):
    path = write_manuscript(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    bib = tmp_path / "references.bib"
    bib.write_bytes(b"\xef\xbb\xbf" + bib.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_batch_builds_the_good_and_reports_the_bad(tmp_path):
    write_manuscript(tmp_path / "batch" / "good")
    write_manuscript(tmp_path / "batch" / "bad", {"received: 2022-12-28": "received: 2024-1-1"})
    result = run_cli("build", "batch", "--to", "jats", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert lines[0] == ("batch/bad/article.md:16:13: history.received: expected a date as "
                        "YYYY-MM-DD, got the text '2024-1-1' (e.g. 2022-12-28)")
    # The journal profile's fact, said once for the whole batch, then the count.
    assert len([line for line in lines if "[jats-archiving]" in line]) == 1
    assert lines[-1] == "1 built, 1 failed, 0 unchanged"
    built = listing(tmp_path / "out")
    assert "good/article.xml" in built and not any(p.startswith("bad") for p in built)


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    write_manuscript(tmp_path)
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    result = run_cli("build", "article.md", "--to", "jats", "--out", "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode in (1, 2)
