"""Author-date citations found in the text and linked to the reference list.

Parenthetical: "(Royle, 2001, s. 12; Baldacchino, 2006)", "(Hall ve Clark, 2019a, 2019b)",
"(Tabatabai et al., 2021, p. 13)", "(Rabi & Friedman 2017)"; narrative: "Kaya ve Öztürk
(2020, ss. 88-91)", "Hall vd. (2019a)". A citation is linked only when exactly one entry of
the list has its authors and its year; otherwise it stays as the author wrote it and the
report says why: no entry, a near miss (a misspelt name, another year, an entry without a
year), or several entries that fit.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from typeset.i18n import ascii_fold
from typeset.importers.inlines import words
from typeset.importers.language import turkish_lower
from typeset.importers.references import Reference
from typeset.model.ast import table_cell_blocks
from typeset.read import citation_forms as forms
from typeset.read.citation_forms import (
    AUTHOR_WORD,
    ITEM,
    PARENS,
    YEAR,
    YEARS_ONLY,
)


@dataclass
class Found:
    """One cited work as typed, and what became of it."""
    text: str  # the whole bracket as typed, e.g. "(Stent, 2019, p. 243; Kalaycı, 2021)"
    families: list[str]
    et_al: bool
    year: str
    locator: str
    narrative: bool
    block: int  # id() of the top-level block it stands in
    status: str = ""  # linked, near-miss, missing, ambiguous, left (its bracket was left)
    key: str = ""  # linked key, or the near miss's candidate
    reason: str = ""


@dataclass
class Entry:
    key: str
    ref: Reference
    line: int = 0  # in references.bib

    @property
    def year(self) -> str:
        return self.ref.year + self.ref.suffix


@dataclass
class Linker:
    entries: list[Entry]
    found: list[Found] = field(default_factory=list)
    block: int = 0

    # -- matching ------------------------------------------------------------------------

    def candidates(self, families: list[str], et_al: bool, year: str) -> list[Entry]:
        out = []
        for entry in self.entries:
            ref_families = entry.ref.families
            if not ref_families or not _same_names(families, ref_families, et_al):
                continue
            if _norm_year(year) == entry.year.lower() or (
                    not entry.ref.suffix and _norm_year(year) == entry.ref.year):
                out.append(entry)
            elif _norm_year(year)[:4] == entry.ref.year and not year[4:] and entry.ref.suffix:
                out.append(entry)  # "2019" for 2019a and 2019b: ambiguous, told below
        return out

    def near_misses(self, families: list[str], et_al: bool, year: str) -> list[tuple[Entry,
                                                                                        str]]:
        out = []
        first = _fold(families[0]) if families else ""
        for entry in self.entries:
            ref_first = _fold(entry.ref.first_family)
            if not ref_first:
                continue
            same_first = first == ref_first
            similar = difflib.SequenceMatcher(None, first, ref_first).ratio() >= 0.75
            year_ok = _norm_year(year)[:4] == entry.ref.year
            if same_first and not entry.ref.year:
                out.append((entry, f"the entry {entry.ref.first_family} has no year (cited "
                                   f"as {year})"))
            elif same_first and not year_ok and _same_names(families, entry.ref.families,
                                                            et_al):
                out.append((entry, f"the list dates {entry.ref.first_family} "
                                   f"{entry.year or 'without a year'}, the text {year}"))
            elif similar and year_ok and not same_first:
                out.append((entry, f"\"{families[0]}\" is spelt \"{entry.ref.first_family}\" "
                                   "in the list"))
            elif same_first and year_ok:
                pairs = list(zip(families, entry.ref.families, strict=False))
                misspelt = [(a, b) for a, b in pairs if _fold(a) != _fold(b) and
                            difflib.SequenceMatcher(None, _fold(a), _fold(b)).ratio() >= 0.75]
                if misspelt and len(families) == len(entry.ref.families):
                    typed, listed = misspelt[0]
                    out.append((entry, f"\"{typed}\" is spelt \"{listed}\" in the list"))
                    continue
                spelt = " & ".join(entry.ref.families) if len(entry.ref.families) < 3 else (
                    entry.ref.families[0] + " et al.")
                out.append((entry, f"the authors differ from the list's ({spelt})"))
        return out

    # -- the walk ------------------------------------------------------------------------

    def link_blocks(self, blocks: list) -> None:
        for block in blocks:
            self.block = id(block)
            self._block(block)

    def _block(self, block: dict) -> None:
        kind = block["t"]
        content = block.get("c")
        if kind in ("Para", "Plain"):
            block["c"] = self._inlines(content)
        elif kind == "Header":
            pass  # no citations in headings
        elif kind in ("BlockQuote", "Div"):
            for child in (content if kind == "BlockQuote" else content[1]):
                self._block(child)
        elif kind in ("BulletList",):
            for item in content:
                for child in item:
                    self._block(child)
        elif kind == "OrderedList":
            for item in content[1]:
                for child in item:
                    self._block(child)
        elif kind == "Table":
            for cell_blocks in table_cell_blocks(block["c"]):
                for child in cell_blocks:
                    self._block(child)
        elif kind == "Figure":
            for child in content[1][1]:
                self._block(child)

    def _inlines(self, inlines: list) -> list:
        out: list = []
        run: list = []
        for node in inlines:
            if node["t"] in ("Str", "Space", "SoftBreak"):
                run.append(node)
                continue
            out += self._run(run)
            run = []
            if node["t"] == "Note":
                for child in node["c"]:
                    self._block(child)
            elif node["t"] in ("Emph", "Strong", "Span", "Quoted", "Underline"):
                container = node["c"] if node["t"] in ("Emph", "Strong", "Underline") else \
                    node["c"][1]
                new = self._inlines(container)
                if node["t"] in ("Emph", "Strong", "Underline"):
                    node["c"] = new
                else:
                    node["c"][1] = new
            out.append(node)
        out += self._run(run)
        return out

    def _run(self, run: list) -> list:
        if not run:
            return []
        text = "".join(n["c"] if n["t"] == "Str" else " " for n in run)
        if "(" not in text:
            return run
        pieces: list = []
        position = 0
        for match in PARENS.finditer(text):
            replacement = self._bracket(text, match)
            if replacement is None:
                continue
            start, nodes = replacement
            if start < position:
                continue
            pieces += words(text[position:start])
            pieces += nodes
            position = match.end()
        if position == 0:
            return run
        pieces += words(text[position:])
        return pieces

    def _bracket(self, text: str, match: re.Match) -> tuple[int, list] | None:
        inner = re.sub(r"\s+", " ", match[1]).strip()
        if re.fullmatch(r"[A-ZÇĞİÖŞÜ][a-zçğıöşü'’-]+(?: [A-ZÇĞİÖŞÜ][a-zçğıöşü'’-]+){0,2}",
                        inner):
            self._yearless(inner, match)
            return None
        if not re.search(YEAR, inner):
            return None
        if years_only := YEARS_ONLY.match(inner):
            return self._narrative(text, match, years_only)
        items = [i.strip() for i in inner.split(";")]
        parsed = [ITEM.match(i) for i in items]
        if not all(parsed) or not all(forms.authors_ok(p["authors"]) for p in parsed):
            return None
        citations, founds = [], []
        for item in parsed:
            families, et_al = forms.families(item["authors"])
            years = [y.strip() for y in item["years"].split(",")]
            for n, year in enumerate(years):
                locator = (item["locator"] or "") if n == len(years) - 1 else ""
                found = Found(match[0], families, et_al, year, locator, False, self.block)
                self._resolve(found)
                founds.append(found)
                citations.append((found, (item["prefix"] or "").strip() if n == 0 else ""))
        self.found += founds
        if not all(f.status == "linked" for f in founds):
            for f in founds:
                if f.status == "linked":
                    f.status, f.reason = "left", "another work in its bracket is not linked"
            return None
        cite = _cite([(f.key, f.locator, prefix, "NormalCitation") for f, prefix in citations],
                     match[0])
        return match.start(), [cite]

    def _narrative(self, text: str, match: re.Match, years_only: re.Match
                   ) -> tuple[int, list] | None:
        before = text[:match.start()].rstrip()
        years = [y.strip() for y in years_only["years"].split(",")]
        locator = years_only["locator"] or ""
        # the author phrase: up to six words before the bracket, longest that fits
        tokens = before.split(" ")
        for size in range(min(7, len(tokens)), 0, -1):
            phrase = " ".join(tokens[-size:])
            if not phrase or not phrase[0].isupper():
                continue
            bare = re.sub(r"['’][a-zçğıöşü]+$", "", phrase)  # Clark'ın -> Clark
            if not forms.authors_ok(bare):
                continue
            families, et_al = forms.families(bare)
            if all(self.candidates(families, et_al, y) for y in years):
                founds = []
                for n, year in enumerate(years):
                    found = Found(f"{phrase} {match[0]}", families, et_al, year,
                                  locator if n == len(years) - 1 else "", True, self.block)
                    self._resolve(found)
                    founds.append(found)
                self.found += founds
                if not all(f.status == "linked" for f in founds):
                    return None
                if len(founds) == 1 and bare == phrase:
                    start = len(before) - len(phrase)
                    cite = _cite([(founds[0].key, locator, "", "AuthorInText")],
                                 f"{phrase} {match[0]}")
                    return start, [cite]
                cite = _cite([(f.key, f.locator, "", "SuppressAuthor") for f in founds],
                             match[0])
                return match.start(), [cite]
        # no entry fits: a near miss when the words before the bracket are like authors
        trailing: list[str] = []
        for token in reversed(tokens):
            bare = re.sub(r"['’][a-zçğıöşü]+$", "", token)
            if AUTHOR_WORD.match(bare) or token in ("ve", "and", "&", "vd.", "et", "al."):
                trailing.insert(0, token)
            else:
                break
        while trailing and trailing[0] in ("ve", "and", "&", "vd.", "et", "al."):
            trailing.pop(0)
        if trailing and forms.authors_ok(re.sub(r"['’][a-zçğıöşü]+$", "", " ".join(trailing))):
            phrase = " ".join(trailing[-5:])
            families, et_al = forms.families(re.sub(r"['’][a-zçğıöşü]+$", "", phrase))
            for year in years:
                found = Found(f"{phrase} {match[0]}", families, et_al, year, locator, True,
                              self.block)
                self._resolve(found)
                if found.status != "missing" or _looks_like_name(trailing[-1]):
                    self.found.append(found)
        return None

    def _yearless(self, inner: str, match: re.Match) -> None:
        """ "(Artech)": a name in brackets without a year, like a citation that lost it."""
        if any(_fold(inner) == _fold(e.ref.first_family) for e in self.entries):
            reason = "a citation without a year"
        else:
            reason = "looks like a citation without a year, and no entry of the list has " \
                     "this author"
        found = Found(match[0], [inner], False, "", "", False, self.block, "missing", "",
                      reason)
        self.found.append(found)

    def _resolve(self, found: Found) -> None:
        exact = self.candidates(found.families, found.et_al, found.year)
        if len(exact) == 1:
            found.status, found.key = "linked", exact[0].key
            return
        if len(exact) > 1:
            found.status = "ambiguous"
            found.reason = "fits " + ", ".join(e.key for e in exact) + \
                           " (add the year's letter, 2019a or 2019b)"
            return
        near = self.near_misses(found.families, found.et_al, found.year)
        if near:
            entry, reason = near[0]
            found.status, found.key, found.reason = "near-miss", entry.key, reason
            return
        found.status, found.reason = "missing", "no entry of the reference list has this " \
                                                "author and year"


def _cite(items: list[tuple[str, str, str, str]], typed: str) -> dict:
    citations = []
    for key, locator, prefix, mode in items:
        suffix = [{"t": "Str", "c": ","}, {"t": "Space"}, *words(locator)] if locator else []
        if mode == "AuthorInText" and locator:
            suffix = words(locator)
        citations.append({"citationId": key, "citationPrefix": words(prefix) if prefix else [],
                          "citationSuffix": suffix, "citationMode": {"t": mode},
                          "citationNoteNum": 0, "citationHash": 0})
    return {"t": "Cite", "c": [citations, words(typed)]}


def _same_names(cited: list[str], listed: list[str], et_al: bool) -> bool:
    if _fold(cited[0]) not in _forms(listed[0]):
        return False
    if et_al:
        return len(listed) >= 3
    if len(cited) != len(listed):
        return False
    return all(_fold(a) in _forms(b) for a, b in zip(cited, listed, strict=True))


GROUP_ABBREVIATION = re.compile(r"(?P<full>.+?)\s*\[(?P<short>[^\]]+)\]$")


def _forms(listed: str) -> set[str]:
    """The ways a listed name is cited: APA's group author "Türkiye İstatistik Kurumu
    [TÜİK]" is cited by its abbreviation (TÜİK), its full name, or both."""
    forms = {_fold(listed)}
    if match := GROUP_ABBREVIATION.match(listed.strip()):
        forms |= {_fold(match["full"]), _fold(match["short"])}
    return forms


def _fold(name: str) -> str:
    return turkish_lower(re.sub(r"\s+", " ", name.strip()))


def _norm_year(year: str) -> str:
    return year.strip().lower().replace(" ", "")


def _looks_like_name(word: str) -> bool:
    return bool(re.fullmatch(r"[A-ZÇĞİÖŞÜ][a-zçğıöşü'’-]{2,}", word))


def folded_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())
