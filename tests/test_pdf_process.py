"""The command line's build of one article lays its PDF out in a process of its own
(render/pdf/process.py): the outputs must be those of a build in one process, byte for
byte, and a failure there must end the build as any other does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from typeset.render.pdf.process import PdfProcess, two_cores
from typeset.run.builder import Builder

from .conftest import ROOT, SAMPLE
from .outputs import jats_tree, pdf_page_texts

pytestmark = pytest.mark.skipif(not two_cores(), reason="the PDF process needs two cores")

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}  # the PDF's dates, fixed


def paginated_copy(folder: Path) -> Path:
    """The sample, with volume, issue and first page 37 (its last page printed on page 1
    and in the JATS, known only once laid out)."""
    shutil.copytree(SAMPLE.parent, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace(
        "\nbibliography:", "\nvolume: 9\nissue: 1\nfirst-page: 37\nbibliography:", 1),
        encoding="utf-8")
    return folder / "article.md"


def build_command(manuscript: Path, out: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "build", str(manuscript),
                           "--out", str(out), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **EPOCH, **env}, timeout=300)


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    """The paginated sample built by the command line (PDF in its own process) and by a
    Builder in this process, with no PDF process."""
    folder = tmp_path_factory.mktemp("pdf-process")
    manuscript = paginated_copy(folder / "article")
    command = build_command(manuscript, folder / "command")
    assert command.returncode == 0, command.stderr
    os.environ.update(EPOCH)
    try:
        Builder(use_cache=False).build(manuscript, folder / "inline")
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH")
    return folder


@pytest.mark.parametrize("name", ["article.pdf", "article.xml", "article.html"])
def test_outputs_are_those_of_one_process_byte_for_byte(both_ways, name):
    assert (both_ways / "command" / name).read_bytes() == \
        (both_ways / "inline" / name).read_bytes()


def test_the_last_page_reaches_page_one_and_the_jats(both_ways):
    pages = pdf_page_texts(both_ways / "command" / "article.pdf")
    last = 37 + len(pages) - 1
    assert f"37–{last}" in " ".join(pages[0].split())
    front = jats_tree(both_ways / "command" / "article.xml").find(".//article-meta")
    assert (front.findtext("fpage"), front.findtext("lpage")) == ("37", str(last))


def test_a_layout_error_there_is_the_builds_error(tmp_path):
    """A picture the print page may not load is refused in WeasyPrint's process: the build
    fails on it, located, with no traceback and nothing written."""
    shutil.copytree(SAMPLE.parent, tmp_path / "article")
    manuscript = tmp_path / "article" / "article.md"
    style = tmp_path / "styles" / "pesa"
    shutil.copytree(ROOT / "styles" / "pesa", style)
    css = style / "print.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\nbody { background: url('https://example.org/x.png'); }\n",
                   encoding="utf-8")
    result = build_command(manuscript, tmp_path / "out",
                           TYPESET_STYLES=str(tmp_path / "styles"))
    assert result.returncode == 1
    assert "refused to load" in result.stderr and "example.org" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_killed_pdf_process_ends_the_build_in_one_line(tmp_path):
    """WeasyPrint's process killed as it starts (the system out of memory): the build
    says so and fails; the output folder keeps what it had."""
    out = tmp_path / "out"
    assert build_command(SAMPLE, out).returncode == 0
    earlier = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = build_command(SAMPLE, out, TYPESET_TEST_FAULTS="pdf-process=kill")
    assert result.returncode == 1
    assert "WeasyPrint's process ended before the PDF was made (killed by signal 9" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == earlier


def test_the_process_is_stopped_when_the_build_leaves_early():
    """A build that fails on its input never sends the print page: leaving the block
    stops the process that was warming up."""
    with PdfProcess() as process:
        child = process._process
        assert child.is_alive()
    assert not child.is_alive()


def test_a_long_article_is_laid_out_in_the_builds_own_process(tmp_path, monkeypatch):
    """Past MAX_MANUSCRIPT_BYTES the two processes would hold the article twice: the
    command line lays it out itself (its pages are made here, where they can be counted)."""
    from pypdf import PdfReader

    from typeset import cli
    from typeset.render.pdf import layout, process

    layout._weasyprint()
    from weasyprint.layout import page as page_module

    made, make_page = [], page_module.make_page
    monkeypatch.setattr(page_module, "make_page",
                        lambda *args, **kwargs: made.append(1) or make_page(*args, **kwargs))
    monkeypatch.setattr(process, "MAX_MANUSCRIPT_BYTES", SAMPLE.stat().st_size - 1)
    assert cli.main(["build", str(SAMPLE), "--out", str(tmp_path / "out"), "--no-cache",
                     "--to", "pdf"]) == 0
    assert len(made) == len(PdfReader(tmp_path / "out" / "article.pdf").pages) > 1
