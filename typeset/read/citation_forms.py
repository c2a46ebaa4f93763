"""How author-date citations are typed by hand: "(Royle, 2001, s. 12; Baldacchino, 2006)",
"(Rabi & Friedman 2017)", "(Hall ve Clark, 2019a, 2019b)", "Kaya vd. (2020)".

The Word importer links such text to the reference list; a build warns when text of this
form is left in a manuscript, where it prints as plain text, linked to nothing, and its work
may be missing from the references.
"""

from __future__ import annotations

import re

YEAR = r"(?:(?:1[5-9]|20)\d{2}[a-z]?|t\.\s?y\.|n\.\s?d\.)"
LOCATOR = (r"(?:pp?|ss?|sayfa|sf|chap|ch|bölüm|para|paragraf|vol|cilt)\.?\s*"
           r"[\dIVXLivxl]+(?:\s*[-–—]\s*[\dIVXLivxl]+)?")
PREFIX = r"(?:e\.g\.,?|see(?:\s+also)?|bkz\.?|bkz:|örn\.?|örneğin|ayrıca bkz\.?|cf\.|aktaran)"
ITEM = re.compile(rf"^(?P<prefix>{PREFIX}\s+)?(?P<authors>[^\d();]+?),?\s+"
                  rf"(?P<years>{YEAR}(?:\s*,\s*{YEAR})*)"
                  rf"(?:\s*,\s*(?P<locator>{LOCATOR}))?$", re.I)
YEARS_ONLY = re.compile(rf"^(?P<years>{YEAR}(?:\s*,\s*{YEAR})*)(?:\s*,\s*(?P<locator>{LOCATOR}))?$",
                        re.I)
PARENS = re.compile(r"\(([^()]{1,400})\)")
ET_AL = re.compile(r"\s*(?:,\s*)?\b(?:et al\.?|vd\.?|ve ark\.?|ve diğerleri|ve arkadaşları)$",
                   re.I)
AUTHOR_WORD = re.compile(r"^[A-ZÇĞİÖŞÜ][\w'’.-]*$")
CONNECTORS = re.compile(r"\s*(?:,\s*(?:&|and|ve|ile)\s+|\s+(?:&|and|ve|ile)\s+|,\s*|\s*&\s*)")


def families(authors: str) -> tuple[list[str], bool]:
    authors = re.sub(r"\s+", " ", authors).strip(" ,")
    et_al = bool(ET_AL.search(authors))
    authors = ET_AL.sub("", authors).strip(" ,")
    return [f.strip() for f in CONNECTORS.split(authors) if f.strip()], et_al


def authors_ok(authors: str) -> bool:
    """Capitalised names joined by commas, &, and/ve/ile, ending maybe in et al./vd."""
    found, _ = families(authors)
    if not found or len(found) > 8:
        return False
    for family in found:
        parts = family.split()
        if len(parts) > 4 or not all(p[:1].isupper() or p.lower() in ("de", "van", "von",
                                                                       "al", "el", "der",
                                                                       "den", "la", "du")
                                     for p in parts):
            return False
    return True


def typed_citations(text: str) -> list[str]:
    """The brackets of `text` that read as author-date citations."""
    found = []
    for match in PARENS.finditer(text):
        items = [item.strip() for item in match.group(1).split(";")]
        parsed = [ITEM.match(item) for item in items]
        if items and all(parsed) and all(authors_ok(p["authors"]) for p in parsed):
            found.append(match.group(0))
    return found
