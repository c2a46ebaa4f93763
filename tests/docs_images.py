"""Page images under docs/ so that anyone can see the style without building:
page 1 and a body page of the sample, and the Turkish sample's table and math pages.
`make docs-images` (python -m tests.docs_images) regenerates them."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .outputs import pdf_page_texts

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def build_pdf(manuscript: Path, out: Path) -> Path:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", str(manuscript),
                    "--to", "pdf", "--out", str(out)], check=True, env=env)
    return out / "article.pdf"


def page_image(pdf: Path, page: int, name: str) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(DOCS / name)], check=True)
    print(f"wrote docs/{name}.png (page {page})")


def first_page_with(pdf: Path, needle: str) -> int:
    pages = pdf_page_texts(pdf)
    return next(i for i, text in enumerate(pages, 1) if needle in text)


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        sample = build_pdf(ROOT / "manuscript" / "article.md", Path(scratch) / "sample")
        page_image(sample, 1, "pdf-page-1")
        page_image(sample, 3, "pdf-page-3")
        turkish = build_pdf(ROOT / "manuscript" / "turkish" / "article.md",
                            Path(scratch) / "turkish")
        page_image(turkish, first_page_with(turkish, "Tablo 1."), "turkish-table-page")
        page_image(turkish, first_page_with(turkish, "OKUNABİLİRLİK"), "turkish-math-page")


if __name__ == "__main__":
    main()
