"""Golden files: the sample's JATS as reviewed. `make regenerate` (python -m tests.golden)
rewrites them; review the diff before committing."""

from __future__ import annotations

from pathlib import Path

from typeset.render.jats import article as jats
from typeset.run.builder import Builder

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SAMPLE = ROOT / "manuscript" / "article.md"


def sample_jats() -> str:
    return jats.render_jats(Builder(validate_jats=False).read(SAMPLE))


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    (GOLDEN / "sample.xml").write_text(sample_jats(), encoding="utf-8")
    print(f"wrote {GOLDEN / 'sample.xml'}")


if __name__ == "__main__":
    main()
