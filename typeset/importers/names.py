"""Personal names in a reference list: "Kaya, Z., Öztürk, A. B., & Hall, J." and friends."""

from __future__ import annotations

import re
from dataclasses import dataclass

GIVEN = re.compile(r"^(?:[A-ZÇĞİÖŞÜÂÎÛ][\w'’]*\.?(?:[\s-]+|$))+$")
INITIALS = re.compile(r"^(?:[A-ZÇĞİÖŞÜ]\.[\s-]?)+$")
ET_AL = re.compile(r"(,?\s*(et al\.?|vd\.?|ve ark\.?|ve diğerleri|\.\.\.|…))\s*$", re.I)


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    corporate: bool = False

    def bibtex(self) -> str:
        if self.corporate:
            return "{" + self.family + "}"
        return f"{self.family}, {self.given}" if self.given else "{" + self.family + "}"


def split_names(text: str) -> tuple[list[Name], bool]:
    """APA's author list (surname first) -> names, and whether it ended in "et al."."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(",;")
    text = re.sub(r"\s+\.", ".", text).replace("..", ".")  # "Yılmaz, A. (Ed.)." -> "A."
    truncated = bool(ET_AL.search(text))
    text = ET_AL.sub("", text).strip().rstrip(",")
    # separators: "&", "ve", "and", "ile" before the last name
    text = re.sub(r",?\s+(?:&|ve|and|ile)\s+", ", ", text)
    text = re.sub(r"\s*&\s*", ", ", text)
    if "," not in text:
        # one name without initials: a corporate author ("Tasnim News Agency")
        name = text.strip(" ").rstrip(".")
        return ([Name(name, corporate=True)] if name else []), truncated
    chunks = [c.strip() for c in text.split(",") if c.strip()]
    names: list[Name] = []
    index = 0
    while index < len(chunks):
        family = chunks[index]
        given = chunks[index + 1] if index + 1 < len(chunks) else ""
        if given and GIVEN.match(given + ("" if given.endswith(".") else ".")) and \
                len(given) <= 40 and not _looks_like_family(given, chunks, index + 1):
            names.append(Name(family.strip(" ."), _given(given)))
            index += 2
        else:
            names.append(Name(family.strip(" ."), corporate=len(family.split()) > 2))
            index += 1
    return names, truncated


def _looks_like_family(given: str, chunks: list[str], index: int) -> bool:
    """In "Kaya, Z., Öztürk, A.", "Öztürk" is a family name: a full word followed by initials."""
    nxt = chunks[index + 1] if index + 1 < len(chunks) else ""
    return (not INITIALS.match(given.strip() + ("" if given.strip().endswith(".") else "."))
            and bool(nxt) and bool(INITIALS.match(nxt.strip())))


def _given(text: str) -> str:
    text = text.strip()
    # "Jubin." -> "Jubin" (a full given name ended by the list's full stop)
    if re.fullmatch(r"[^\W\d_][\w'’-]{2,}\.", text):
        return text[:-1]
    return text


def given_first(text: str) -> list[Name]:
    """Editors as APA writes them: "R. Kalaycı and İ. Akdoğan", "Z. Kaya & A. Öztürk"."""
    text = re.sub(r"\((eds?|haz|ed\.?ler)\.?\)", "", text, flags=re.I).strip(" ,.")
    parts = re.split(r"\s*(?:,\s*(?:&|and|ve)\s+|\s+(?:&|and|ve)\s+|,\s+)\s*", text)
    names = []
    for part in parts:
        words = part.split()
        if len(words) >= 2:
            names.append(Name(words[-1], " ".join(words[:-1])))
        elif words:
            names.append(Name(words[0], corporate=True))
    return names
