"""The build as a whole: outputs written as a set, stage time limits, batches, --to."""

from __future__ import annotations

import shutil

from .conftest import SAMPLE, run_cli


def test_a_stage_past_its_time_limit_stops_cleanly(tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", str(SAMPLE), "--out", str(out),
                     env={"TYPESET_STAGE_TIMEOUT": "0.2"})
    assert result.returncode == 1
    assert "stage took more than 0.2 s and was stopped" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_failed_build_leaves_previous_outputs_untouched(tmp_path):
    folder = tmp_path / "manuscript"
    shutil.copytree(SAMPLE.parent, folder)
    out = tmp_path / "out"
    assert run_cli("build", str(folder), "--to", "jats,html", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("article.*")}
    assert set(before) == {"article.xml", "article.html"}
    text = (folder / "article.md").read_text(encoding="utf-8")
    (folder / "article.md").write_text(text.replace("[@saab2006]", "[@nosuchkey2006]"),
                                       encoding="utf-8")
    result = run_cli("build", str(folder), "--to", "jats,html", "--out", str(out))
    assert result.returncode == 1
    assert "the citation key 'nosuchkey2006' is not in the bibliography" in result.stderr
    after = {p.name: p.read_bytes() for p in out.glob("article.*")}
    assert after == before
    assert not [p for p in out.iterdir() if p.is_dir() and p.name.startswith(".typeset-")]


def test_batch_builds_each_manuscript_into_its_own_folder(tmp_path):
    issue = tmp_path / "issue"
    for name in ("first", "second"):
        shutil.copytree(SAMPLE.parent, issue / name)
    out = tmp_path / "out"
    result = run_cli("build", str(issue), "--to", "jats", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "first" / "article.xml").is_file()
    assert (out / "second" / "article.xml").is_file()
    assert not (out / "first" / "article.pdf").exists()


def test_the_reading_makes_the_records_while_pandoc_runs(monkeypatch):
    """The bibliography's records (its LaTeX turned into text) are made in the reading's
    own thread once Pandoc's process for the body is started, not before it: Pandoc reads
    the .bib itself. The records are those a direct reading makes."""
    import subprocess
    import threading

    from typeset.read import bibliography as bibliography_module
    from typeset.read import pandoc as pandoc_module
    from typeset.run.builder import Builder

    events = []
    build_records, popen = bibliography_module.build_records, subprocess.Popen

    def watched_records(data, lines):
        events.append(("records", threading.current_thread().name))
        return build_records(data, lines)

    class WatchedPopen(popen):
        def __init__(self, args, *rest, **options):
            if "--lua-filter" in args:  # the body's run (the "Cite as" run has none)
                events.append(("pandoc", threading.current_thread().name))
            super().__init__(args, *rest, **options)

    monkeypatch.setattr(bibliography_module, "build_records", watched_records)
    monkeypatch.setattr(pandoc_module.subprocess, "Popen", WatchedPopen)
    article = Builder().read(SAMPLE)
    assert events == [("pandoc", "MainThread"), ("records", "typeset-meanwhile")]
    direct = bibliography_module.load_bibliography(article.bibliography.path)
    assert article.bibliography.records == build_records(direct.data, direct.lines)
    assert len(article.bibliography.records) == 37


def test_pandoc_past_its_time_limit_is_stopped(monkeypatch, tmp_path):
    """Each of the reading's Pandoc runs (the body's, the "Cite as" entry's, the body alone
    for a broken front matter) ends the build with one line once past its time limit, and
    leaves no Pandoc running."""
    import subprocess

    import pytest

    from typeset.errors import StageTimeout
    from typeset.read import pandoc as pandoc_module
    from typeset.read.source import read_manuscript
    from typeset.run.builder import Builder

    started = []
    popen = subprocess.Popen

    class WatchedPopen(popen):
        def __init__(self, *args, **options):
            super().__init__(*args, **options)
            started.append(self)

    monkeypatch.setattr(pandoc_module, "PANDOC_TIMEOUT", 0.001)
    monkeypatch.setattr(pandoc_module.subprocess, "Popen", WatchedPopen)
    with pytest.raises(StageTimeout, match=r"Pandoc took more than 0.001 s and was stopped"):
        Builder().read(SAMPLE)
    broken = tmp_path / "article.md"
    broken.write_text("---\ntitle: [\n---\n\nA body.\n", encoding="utf-8")
    with pytest.raises(StageTimeout, match=r"Pandoc took more than 0.001 s"):
        pandoc_module.parse_body(read_manuscript(broken))
    assert started and all(process.poll() is not None for process in started)
