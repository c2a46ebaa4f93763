"""The shared layers: problems and warnings as records that cross process boundaries, one
list of an article's files, time limits on any thread, one formats table."""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

import pytest

from typeset.errors import ManuscriptError, Problem, StageTimeout, warning
from typeset.render import FORMATS, OUTPUTS
from typeset.run.batch import Outcome, build_one
from typeset.run.timeouts import seconds_limit

from .conftest import run_cli
from .helpers_manuscript import tiny_png, write_manuscript


def test_a_manuscript_error_survives_pickling_with_its_located_problems():
    problems = [Problem("a.md", 3, 5, "bad date", "history.received", "e.g. 2022-12-28"),
                Problem("a.bib", 1, 1, "no key")]
    error = pickle.loads(pickle.dumps(ManuscriptError(problems)))
    assert isinstance(error, ManuscriptError)
    assert error.problems == sorted(problems)
    assert str(error) == str(ManuscriptError(problems))


def test_a_failed_outcome_carries_records_not_a_joined_string(tmp_path):
    path = write_manuscript(tmp_path / "bad", {"received: 2022-12-28": "received: 2024-1-1"})
    outcome = build_one(path, tmp_path / "out", ["jats"], strict=False, use_cache=False)
    outcome = pickle.loads(pickle.dumps(outcome))  # as it comes back from a worker
    assert isinstance(outcome, Outcome) and not outcome.ok
    assert [(p.line, p.column, p.field) for p in outcome.problems] == [
        (16, 13, "history.received")]


def test_an_internal_error_in_one_article_is_a_located_problem_not_a_crash(
        tmp_path, monkeypatch):
    path = write_manuscript(tmp_path / "a")

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("typeset.run.builder.build_document", broken)
    outcome = build_one(path, tmp_path / "out", ["jats"], strict=False, use_cache=False)
    assert not outcome.ok
    assert "internal error (RecursionError" in outcome.problems[0].message
    assert "bug in the pipeline" in outcome.problems[0].hint


def test_warnings_are_located_records_with_a_code_and_strict_makes_them_errors(tmp_path):
    # A footnote written but never called: Pandoc's warning, at the note's line.
    body = "\n# Method\n\nText [@doe2020].\n\n[^1]: A note nobody calls.\n"
    write_manuscript(tmp_path, body=body)
    result = run_cli("check", "article.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("article.md:33:1: warning: Pandoc: Note with key '1' defined but not used. "
            "[pandoc]" in result.stderr.splitlines())
    strict = run_cli("check", "--strict", "article.md", cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0] == (
        "article.md:33:1: Pandoc: Note with key '1' defined but not used. (--strict makes "
        "warnings errors)")


def test_a_warning_prints_its_code_and_an_error_does_not():
    record = warning("page-limit", "a.md", None, None, "26 pages, over the limit of 20")
    assert str(record) == "a.md: warning: 26 pages, over the limit of 20 [page-limit]"
    assert str(record.as_error("--strict")) == "a.md: 26 pages, over the limit of 20 (--strict)"


def test_the_formats_are_one_table():
    assert FORMATS == ("pdf", "jats", "html") == tuple(o.name for o in OUTPUTS)
    result = run_cli("build", "--to", "docx")
    assert result.returncode == 2
    assert "choose among pdf, jats, html" in result.stderr


def test_an_image_in_an_abstract_is_copied_and_hashed_like_the_body_figures(tmp_path):
    folder = tmp_path / "m"
    write_manuscript(folder, {"en: An abstract in English.":
                              "en: \"An abstract with a map: ![A map](figures/abstract.png)\""})
    (folder / "figures").mkdir()
    (folder / "figures" / "abstract.png").write_bytes(tiny_png())
    result = run_cli("build", "m", "--to", "html", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert (out / "figures" / "abstract.png").read_bytes() == tiny_png()
    assert 'src="figures/abstract.png"' in (out / "article.html").read_text(encoding="utf-8")
    record = json.loads((out / ".typeset-cache.json").read_text(encoding="utf-8"))
    (inputs,) = [entry["inputs"] for entry in record["sets"].values()]
    assert str((folder / "figures" / "abstract.png").resolve()) in inputs
    # Changing only that image makes the next build a real one.
    (folder / "figures" / "abstract.png").write_bytes(tiny_png() + b"\0")
    again = run_cli("build", "m", "--to", "html", "--out", "out", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (out / "figures" / "abstract.png").read_bytes() == tiny_png() + b"\0"


def _spin():
    while True:
        sum(range(100))


@pytest.mark.parametrize("where", ["main", "thread"])
def test_a_time_limit_holds_on_the_main_thread_and_on_any_other(where):
    """Dask runs tasks on worker threads and the preview rebuilds on its own: a limit
    that held only on the main thread would be silently off there."""
    outcome: list = []

    def stage():
        started = time.monotonic()
        try:
            with seconds_limit(0.3, "the read stage took too long"):
                _spin()
        except StageTimeout as exc:
            outcome.append((str(exc), time.monotonic() - started))

    if where == "main":
        stage()
    else:
        thread = threading.Thread(target=stage)
        thread.start()
        thread.join(10)
    assert outcome and outcome[0][0] == "the read stage took too long"
    assert outcome[0][1] < 5


def test_nested_limits_on_a_thread_fire_at_the_earliest_deadline_only():
    seen: list = []

    def stage():
        try:
            with seconds_limit(5, "outer"), seconds_limit(0.2, "inner"):
                _spin()
        except StageTimeout as exc:
            seen.append(str(exc))
        with seconds_limit(0.2, "quick"):
            pass
        time.sleep(0.4)  # nothing fires after a block that ended in time
        seen.append("after")

    thread = threading.Thread(target=stage)
    thread.start()
    thread.join(10)
    assert seen == ["inner", "after"]


def test_html_alone_does_not_link_a_pdf_that_was_not_built(tmp_path):
    write_manuscript(tmp_path)
    result = run_cli("build", "article.md", "--to", "html", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "article.html").read_text(encoding="utf-8")
    assert "article.pdf" not in page and not (tmp_path / "out" / "article.pdf").exists()


def test_a_mistyped_command_is_named(tmp_path):
    result = run_cli("biuld", "manuscript/article.md")
    assert result.returncode == 2
    assert result.stderr.strip() == "build.py: error: unknown command 'biuld'; did you mean " \
                                    "'build'?"
    assert not Path("biuld").exists()
