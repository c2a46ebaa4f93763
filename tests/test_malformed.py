"""The corpus of malformed manuscripts (tests/malformed/, see its README.md), each run
through the real command line: exit status 1, exactly the expected messages, each located
(path:line:column), no traceback, and the output folder left as it was."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from typeset.run.write import RECORD

from .conftest import run_cli

CORPUS = Path(__file__).resolve().parent / "malformed"
PREVIOUS = "previous-output.txt"
LOCATED = re.compile(r"^[\w./-]+:\d+:\d+: \S")


def _case_settings(folder: Path) -> dict:
    settings = folder / "case.yaml"
    return yaml.safe_load(settings.read_text(encoding="utf-8")) if settings.exists() else {}


def _params():
    params = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        reason = _case_settings(folder).get("xfail")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(folder.name, marks=marks, id=folder.name))
    return params


def _prepare(name: str, root: Path) -> Path:
    """A copy of the case in `root/<name>/case/`, as an editor's folder would be, with an
    output folder that already holds an earlier build's file (and its record)."""
    source = CORPUS / name
    work = root / name / "case"
    shutil.copytree(source, work, symlinks=True,
                    ignore=shutil.ignore_patterns("expected.txt", "case.yaml"))
    for link, target in _case_settings(source).get("symlinks", {}).items():
        (work / link).parent.mkdir(parents=True, exist_ok=True)
        (work / link).symlink_to(target)
    out = work / "out"
    out.mkdir()
    (out / PREVIOUS).write_text("an earlier build\n", encoding="utf-8")
    (out / RECORD).write_text(json.dumps({"format": 2, "sets": {"earlier": {"outputs": {
        PREVIOUS: hashlib.sha256(b"an earlier build\n").hexdigest()}}}}), encoding="utf-8")
    return work


@pytest.fixture(scope="module")
def corpus_runs(request, tmp_path_factory) -> dict:
    """Every selected case run at once (the runs wait mostly on process start-up)."""
    selected = [item.callspec.params["case"] for item in request.session.items
                if getattr(item, "originalname", "") == "test_malformed_case"]
    root = tmp_path_factory.mktemp("malformed")
    works = {name: _prepare(name, root) for name in selected}

    def run(name: str):
        return run_cli("build", "article.md", "--out", "out", cwd=works[name])

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 2) as pool:
        results = dict(zip(selected, pool.map(run, selected), strict=True))
    return {name: (results[name], works[name]) for name in selected}


@pytest.mark.parametrize("case", _params())
def test_malformed_case(case, corpus_runs):
    result, work = corpus_runs[case]
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").rstrip("\n")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.rstrip("\n") == expected
    assert result.returncode == 1
    for line in result.stderr.splitlines():
        assert LOCATED.match(line), f"not located as path:line:column: {line}"
    out = work / "out"
    assert sorted(p.name for p in out.iterdir()) == [RECORD, PREVIOUS], \
        "the build wrote output"
    assert (out / PREVIOUS).read_text(encoding="utf-8") == "an earlier build\n"


def test_corpus_is_complete():
    """Every case has its expected messages; the issue asks for at least 40 cases."""
    folders = [p for p in CORPUS.iterdir() if p.is_dir()]
    assert len(folders) >= 40
    for folder in folders:
        assert (folder / "expected.txt").is_file(), f"{folder.name}: no expected.txt"
        assert (folder / "article.md").exists(), f"{folder.name}: no article.md"
