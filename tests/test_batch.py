"""Batch builds and the build cache: only what changed is built again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE, run_cli


def outputs(out: Path) -> dict[str, int]:
    """Each output file and the time it was last written."""
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("article.*")}


@pytest.fixture
def issue(tmp_path) -> Path:
    folder = tmp_path / "issue"
    for name in ("first", "second"):
        shutil.copytree(SAMPLE.parent, folder / name,
                        ignore=shutil.ignore_patterns("turkish"))
    return folder


@pytest.fixture
def assets(tmp_path) -> dict[str, str]:
    """Copies of the templates and styles, so that a test may change them."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    return {"TYPESET_TEMPLATES": str(tmp_path / "templates"),
            "TYPESET_STYLES": str(tmp_path / "styles")}


def build(issue: Path, out: Path, env: dict, *extra: str):
    result = run_cli("build", str(issue), "--to", "jats,html", "--out", str(out),
                     "--jobs", "2", *extra, env=env)
    assert result.returncode == 0, result.stderr
    return outputs(out)


def test_nothing_changed_nothing_rebuilt(issue, tmp_path, assets):
    out = tmp_path / "out"
    first = build(issue, out, assets)
    assert set(first) == {"first/article.xml", "first/article.html",
                          "second/article.xml", "second/article.html"}
    assert build(issue, out, assets) == first


def test_a_changed_article_rebuilds_only_itself(issue, tmp_path, assets):
    out = tmp_path / "out"
    first = build(issue, out, assets)
    manuscript = issue / "second" / "article.md"
    manuscript.write_text(manuscript.read_text(encoding="utf-8").replace(
        "remarkable durability", "lasting durability"), encoding="utf-8")
    second = build(issue, out, assets)
    assert second["first/article.xml"] == first["first/article.xml"]
    assert second["second/article.xml"] != first["second/article.xml"]
    assert "lasting durability" in (out / "second" / "article.xml").read_text(encoding="utf-8")


def test_a_changed_bibliography_rebuilds_its_article(issue, tmp_path, assets):
    out = tmp_path / "out"
    first = build(issue, out, assets)
    bibliography = issue / "first" / "references.bib"
    bibliography.write_text(bibliography.read_text(encoding="utf-8") + "\n% a comment\n",
                            encoding="utf-8")
    second = build(issue, out, assets)
    assert second["first/article.xml"] != first["first/article.xml"]
    assert second["second/article.xml"] == first["second/article.xml"]


@pytest.mark.parametrize(("variable", "relative"), [
    ("TYPESET_TEMPLATES", "html/article.html.j2"),
    ("TYPESET_STYLES", "pesa/screen.css"),
])
def test_a_changed_template_or_style_rebuilds_all(issue, tmp_path, assets, variable,
                                                  relative):
    out = tmp_path / "out"
    first = build(issue, out, assets)
    changed = Path(assets[variable]) / relative
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = build(issue, out, assets)
    assert all(second[name] != first[name] for name in first)


def test_no_cache_rebuilds(issue, tmp_path, assets):
    out = tmp_path / "out"
    first = build(issue, out, assets)
    assert all(value != first[name] for name, value in
               build(issue, out, assets, "--no-cache").items())


def test_deleted_output_is_rebuilt(issue, tmp_path, assets):
    out = tmp_path / "out"
    build(issue, out, assets)
    (out / "first" / "article.xml").unlink()
    assert "first/article.xml" in build(issue, out, assets)
