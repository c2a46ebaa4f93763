"""A minimal valid manuscript, written out with small edits, for the bad-input tests.

The front matter is kept as text rather than built from a dict: the tests assert exact
line and column numbers, and those are easiest to read against a fixed listing.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from typeset.read.source import Source, split_front_matter

#  line numbers of the listing below, for the tests that point at them
FRONT_MATTER = """\
---
article-type: research-article
lang: en
title: {en: "A Study of Alliances", tr: "İttifaklar Üzerine Bir Çalışma"}
authors:
  - given-names: Ayşe
    surname: Yılmaz
    affiliations: [ege]
    email: ayse@example.edu.tr
    corresponding: true
affiliations:
  - id: ege
    institution: Ege Üniversitesi
    country: TR
history:
  received: 2022-12-28
  accepted: 2023-03-19
keywords:
  en: [alliance, Syria]
  tr: [ittifak, Suriye]
abstract:
  en: An abstract in English.
  tr: Türkçe bir özet.
copyright:
  holder: PESA
bibliography: references.bib
---
"""

BODY = """
# Introduction {.unnumbered}

The alliance has been described before [@doe2020, p. 5].

# Method {#sec:method}

See @sec:method.
"""

BIBTEX = """\
@article{doe2020,
  author = {Doe, Jane},
  title = {A Study},
  journal = {Journal of Studies},
  year = {2020},
  volume = {1},
  pages = {1--10}
}
"""


def manuscript_text(replace: dict[str, str] | None = None, *, body: str = BODY,
                    front: str = FRONT_MATTER) -> str:
    """The minimal manuscript with each `old: new` replacement made exactly once."""
    text = front
    for old, new in (replace or {}).items():
        assert text.count(old) == 1, f"{old!r} must occur exactly once in the front matter"
        text = text.replace(old, new)
    return text + body


def write_manuscript(folder: Path, replace: dict[str, str] | None = None, *,
                     body: str = BODY, bibtex: str | None = BIBTEX,
                     text: str | None = None) -> Path:
    """article.md (and references.bib unless `bibtex` is None) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "article.md"
    path.write_text(text if text is not None else manuscript_text(replace, body=body),
                    encoding="utf-8")
    if bibtex is not None:
        (folder / "references.bib").write_text(bibtex, encoding="utf-8")
    return path


def source_of(text: str, path: Path = Path("article.md")) -> Source:
    """A `Source` straight from text, as `read_manuscript` would give it."""
    return split_front_matter(path, text)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    pixels = b"".join(b"\x00" + b"\x80\x20\x20" * 4 for _ in range(3))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))
