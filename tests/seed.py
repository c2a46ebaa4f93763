"""The seed article (tests/data/seed.md, a copy of shared/seed) read independently of the
pipeline: its paragraphs, headings, footnote, abstracts and reference list, as printed."""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parent / "data" / "seed.md"
# The sample's headings as the style numbers them (the seed's own numbers, made by us).
SAMPLE_HEADINGS = (
    "Introduction", "1. The Situation in Syria",
    "1.1. Iran’s Presence During the Uprisings in Syria",
    "1.2. Russia’s Presence During the Uprisings in Syria",
    "2. Interchange of Russia-Iran’s Interests in Syria",
    "2.1. Russia and Iran’s Diversifying Goals in Syria and Beyond",
    "3. A Syrian Measurement", "3.1. Russia and Iran Dual Involvement in Syria",
    "3.2. International and Regional Factors in the Syrian Civil War",
    "3.3. Russia and Iran’s Impulses in Syrian Crisis",
    "3.4. Russian-Iranian Contest on Syria", "Conclusion")
# A parenthetical citation: "(Saab, 2006)", "(Stent, 2019, p. 243; Kalaycı, 2021, ...)".
CITATION = re.compile(r"\([^()]*\b(19|20)\d\d[a-z]?\b[^()]*\)")


def _text() -> str:
    return SEED.read_text(encoding="utf-8")


def normalize(text: str) -> str:
    """Letters and digits only, lower case: what survives any typesetting."""
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("İ", "i")
    return re.sub(r"[^0-9a-zçğıöşüâîû]+", "", text.lower())


def without_citations(text: str) -> str:
    return CITATION.sub(" ", text)


def body_chunks() -> list[str]:
    """The body's paragraphs and headings in order (page-split pieces stay separate)."""
    text = _text()
    body = text[text.index("## **INTRODUCTION**"):text.index("## REFERENCES")]
    chunks = []
    for piece in body.split("\n\n"):
        piece = piece.strip()
        if not piece or piece == "---" or piece.startswith("<sup>1</sup>"):
            continue
        if piece.startswith("#"):
            piece = re.sub(r"^#+\s*|\*\*", "", piece)
            piece = re.sub(r"^\d+(\.\d+)*\.\s*", "", piece)
        chunks.append(piece)
    return chunks


def footnote() -> str:
    match = re.search(r"^<sup>1</sup> (.+)$", _text(), re.M)
    assert match
    return match.group(1)


def abstracts() -> dict[str, str]:
    """The two abstracts by language (the seed prints them under swapped labels)."""
    text = _text()
    turkish = text.split("### ABSTRACT", 1)[1].split("###", 1)[0].strip()
    english = text.split("### ÖZET", 1)[1].split("##", 1)[0].strip()
    return {"tr": turkish, "en": english}


def references() -> list[str]:
    text = _text()
    listing = text[text.index("## REFERENCES"):]
    return [line[2:].strip() for line in listing.splitlines() if line.startswith("- ")]


def reference_surname(entry: str) -> str:
    return re.split(r"[,.]", entry, maxsplit=1)[0].split()[0]


def reference_doi(entry: str) -> str | None:
    match = re.search(r"(10\.\d{4,9}/[^\s)>\]]+)", entry)
    return match.group(1).rstrip(".") if match else None
