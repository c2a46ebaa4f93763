"""Long manuscripts for the benchmark, made from the samples' own material.

    .venv/bin/python bench/long_article.py OUT_FOLDER [--units 100]

`write_long_article` writes the English sample's front matter and bibliography, then
`units` blocks of about a page and two thirds each: a numbered section with six paragraphs
of the sample's body, footnotes (two in every fourth unit, one in the others), a table, a
figure from the Turkish sample and a numbered display equation with inline math beside it.
The default 120 units give an article of about 200 pages with 150 footnotes, the size the
one-layout issue asks to measure; the figures' and footnotes' positions relative to the
page feet vary from unit to unit, since the paragraphs are taken in turn from the sample's.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "manuscript" / "article.md"
FIGURE = ROOT / "manuscript" / "turkish" / "figures" / "harf-sikligi.png"

NOTES = (
    "The figures of this part are the author's own reading of the sources cited in it; "
    "where two sources disagree, the later one is followed.",
    "On the same question see also the reports cited in the previous part, which reach a "
    "similar conclusion by another route.",
    "The dates are given as the sources give them; some of them were corrected later by "
    "the parties themselves.",
)


def sample_paragraphs() -> tuple[str, list[str]]:
    """The sample's front matter and its body paragraphs (no headings, no notes)."""
    text = SAMPLE.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    paragraphs = [p.strip() for p in body.split("\n\n")]
    kept = [re.sub(r"\[\^\w+\]", "", p) for p in paragraphs
            if p and not p.startswith(("#", "[^", ":", "|", "!", "$$"))]
    return front, kept


def unit(n: int, paragraphs: list[str]) -> str:
    """Part `n` of a long article: about two pages."""
    take = [paragraphs[(6 * n + k) % len(paragraphs)] for k in range(6)]
    notes = 2 if n % 4 == 0 else 1
    calls = []
    for k in range(notes):
        label = f"u{n}n{k}"
        # The call after the second sentence of a paragraph (or at its end).
        paragraph = take[k * 2]
        sentences = paragraph.split(". ")
        cut = min(2, len(sentences) - 1)
        sentences[cut - 1] += f"[^{label}]" if cut else ""
        take[k * 2] = ". ".join(sentences) if cut else paragraph + f"[^{label}]"
        calls.append(f"[^{label}]: {NOTES[(n + k) % len(NOTES)]}")
    rows = "\n".join(f"| {1990 + 3 * n % 30 + r} | {12 + (n * 7 + r * 5) % 80} | "
                     f"{(n * 13 + r * 11) % 97 / 10:.1f} | "
                     f"{'yes' if (n + r) % 3 else 'no'} |" for r in range(5))
    return "\n\n".join([
        f"# Part {n + 1}: Further Evidence",
        take[0], take[1],
        f"| Year | Events | Share (%) | Reported |\n|---:|---:|---:|:---|\n{rows}\n\n"
        f": Events by year in part {n + 1}. {{#tbl:u{n}}}",
        take[2],
        f"![Letter frequencies used as a stand-in figure for part {n + 1}.]"
        f"(figures/harf-sikligi.png){{#fig:u{n} width=60% alt=\"A bar chart of letter "
        f"frequencies.\"}}",
        f"The index of part {n + 1} weighs each of the $k = {n % 7 + 2}$ sources by "
        f"its share $s_i$ (@tbl:u{n}, @fig:u{n}):",
        f"$$ I_{{{n + 1}}} = \\frac{{1}}{{k}} \\sum_{{i=1}}^{{k}} s_i^2 $$ {{#eq:u{n}}}",
        take[3], take[4], take[5],
        *calls,
    ])


def write_long_article(folder: Path, units: int = 120) -> Path:
    """The long manuscript in `folder` (created); returns its article.md."""
    front, paragraphs = sample_paragraphs()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE.parent / "references.bib", folder / "references.bib")
    (folder / "figures").mkdir(exist_ok=True)
    shutil.copy(FIGURE, folder / "figures" / FIGURE.name)
    body = "\n\n".join(unit(n, paragraphs) for n in range(units))
    path = folder / "article.md"
    path.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--units", type=int, default=120)
    arguments = parser.parse_args()
    print(write_long_article(arguments.out, arguments.units))
