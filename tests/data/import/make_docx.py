"""Make the Word files the import tests read (run from the repository's root):

    .venv/bin/python tests/data/import/make_docx.py

- `seed.docx`: the seed article (tests/data/seed.md, a copy of shared/seed) as its author
  would have sent it: title in Word's Title style, byline with a superscript affiliation
  mark, the "MAKALE BİLGİSİ" / "ARTICLE INFO" blocks with the abstracts under swapped
  headings (as the seed prints them), headings in Word's heading styles at the seed's own
  inconsistent levels with their typed numbers, one real footnote, the reference list with
  its italics and links, and every slip of the seed's text and list kept (NOTES.md).
  The page-break splits of the seed (an artefact of its PDF) are joined, as a Word file has
  no such splits.
- `turkish.docx`: a Turkish author's file of our own with every construct the importer
  reads (`turkish_docx` below); a made-up test document, and it says so in its own text.

The output is reproducible byte for byte; tests/test_import.py checks that the committed
files are what this script makes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEED = ROOT / "tests" / "data" / "seed.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.docx_builder import Docx, m_frac, m_run, m_sub, png  # noqa: E402


def turkish_docx() -> Docx:
    return Docx()


def seed_docx() -> Docx:
    text = SEED.read_text(encoding="utf-8").replace("\\\\_", "_").replace("\\_", "_")
    text = re.sub(r"<sup>(\w+)</sup>", r"^\1^", text)
    head, rest = text.split("## **INTRODUCTION**", 1)
    body, references = rest.split("## REFERENCES", 1)
    doc = Docx(title="An Alliance Based on Common Interests", author="Mustafa Al-Basre")

    blocks = [b.strip() for b in head.split("\n\n") if b.strip()]
    for block in blocks:
        if block.startswith("## "):
            doc.para(block[3:], style="Title")
        elif block.startswith("Ortak Çıkarlara"):
            doc.para(block, align="center")
        elif block == "**Mustafa AL-BASRE**":
            doc.para("**Mustafa AL-BASRE**^1^", align="center")
        elif block.startswith("Y. Lisans"):
            # The mailto link of the seed is the email typed as text.
            doc.para("^1^ " + re.sub(r"\[([^\]]+)\]\(mailto:[^)]+\)", r"\1", block))
        elif block.startswith("### "):
            doc.heading(block[4:], 3)
        else:
            doc.para(block)

    doc.heading("**INTRODUCTION**", 1)
    chunks = [c.strip() for c in body.split("\n\n") if c.strip()]
    note = next(c for c in chunks if c.startswith("^1^ "))
    doc.footnote("1", note[4:])
    chunks = [c for c in chunks if c not in ("---", note)]
    paragraphs: list[str] = []
    for chunk in chunks:
        # A paragraph cut by a page break in the seed: joined.
        if (paragraphs and not paragraphs[-1].startswith("#")
                and not re.search(r"[.?!:)\"]$", paragraphs[-1]) and chunk[:1].islower()):
            paragraphs[-1] += " " + chunk
        else:
            paragraphs.append(chunk)
    for paragraph in paragraphs:
        if match := re.match(r"(#+) (.*)", paragraph):
            doc.heading(match[2], len(match[1]) - 1)
        else:
            doc.para(paragraph.replace("opposition.^1^", "opposition.[^1]"))

    doc.heading("REFERENCES", 1)
    for line in references.splitlines():
        if line.startswith("- "):
            doc.para(line[2:])
    return doc


def build(folder: Path = HERE) -> list[Path]:
    written = []
    for name, document in (("seed.docx", seed_docx()), ("turkish.docx", turkish_docx())):
        document.save(folder / name)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(ROOT))
