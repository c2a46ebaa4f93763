"""The front page of an author's file read into the manuscript's front-matter fields.

Titles (which is which by the language of their words), the byline with its superscript
affiliation marks, the affiliation lines, emails and ORCID iDs (checked), the corresponding
author, abstracts (under their own language, whatever heading the author put over them),
keywords, the history dates, the copyright line and the article type when the file names
them. Whatever is unsure goes to the report; whatever is not in the file stays out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from typeset.i18n import ascii_fold
from typeset.importers import affiliations as aff
from typeset.importers import labels
from typeset.importers.dates import parse_date
from typeset.importers.inlines import Marked, block_inlines, block_text, marked, plain
from typeset.importers.language import (
    capitalize,
    detect,
    is_all_caps,
    title_case,
    turkish_lower,
)
from typeset.importers.layout import Layout, Statement, heading_of
from typeset.importers.report import Report
from typeset.read.frontmatter import orcid_checksum_ok

FRONT = "front matter"
SUP_OPEN, SUP_CLOSE = "\x01", "\x02"


@dataclass
class Person:
    given: str
    surname: str
    marks: list[str] = field(default_factory=list)
    corresponding: bool = False
    position: dict[str, str] = field(default_factory=dict)
    email: str = ""
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)
    typed: str = ""  # as the byline prints it


@dataclass
class Affiliation:
    id: str
    institution: str
    departments: list[str]
    city: str
    country: str
    mark: str = ""


@dataclass
class Front:
    article_type: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    authors: list[Person] = field(default_factory=list)
    affiliations: list[Affiliation] = field(default_factory=list)
    history: dict[str, dt.date] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    abstracts: dict[str, list[dict]] = field(default_factory=dict)  # lang -> blocks
    copyright_holder: str | None = None
    copyright_year: int | None = None
    statements: dict[str, dict[str, list[dict]]] = field(default_factory=dict)


def read_front(layout: Layout, languages: tuple[str, ...], acronyms: frozenset[str],
               report: Report) -> Front:
    reader = _Reader(languages, acronyms, report)
    reader.read(layout)
    reader.read_statements(layout.statements)
    return reader.front


class _Reader:
    def __init__(self, languages: tuple[str, ...], acronyms: frozenset[str], report: Report):
        self.languages = languages
        self.acronyms = acronyms
        self.report = report
        self.front = Front()
        self.title_candidates: list[tuple[str, Marked]] = []
        self.affiliation_lines: list[aff.AffiliationLine] = []
        self.dates_by_lang: dict[str, dict[str, tuple[dt.date, str]]] = {}
        self.keyword_lists: list[tuple[str | None, list[str], str]] = []  # label lang
        self.abstract_parts: list[tuple[str, list[dict]]] = []  # (label, blocks)
        self.corresponding_hint: Marked | None = None
        self.pending_emails: list[str] = []
        self.named_orcids: list[tuple[str, str]] = []

    def note(self, severity: str, message: str, path: tuple = ()) -> None:
        self.report.add(FRONT, severity, message, ("yaml", path))

    # -- the walk ------------------------------------------------------------------------

    def read(self, layout: Layout) -> None:
        for style, inlines in layout.meta_blocks:
            text = marked(inlines)
            if style in ("title", "subtitle"):
                self.title_candidates.append((style, text))
            elif style == "author":
                self.byline(text)
            elif style == "abstract":
                self.abstract_parts.append(("", [{"t": "Para", "c": inlines}]))
        blocks = layout.front
        index = 0
        while index < len(blocks):
            index = self.block(blocks, index)
        self.finish()
        self.front_page_notes(layout)

    def front_page_notes(self, layout: Layout) -> None:
        """A note called on the front page has no place there in the manuscript (notes
        belong to the body): the title's note (often "drawn from the author's thesis")
        becomes the acknowledgements, any other is quoted in the report, never lost."""
        # the titles as typed (one in capitals was recased since)
        typed = (re.sub(r"\s+", " ", m.text).strip() for _, m in self.title_candidates)
        titles = {text for text in typed if text and (
            text in self.front.titles.values() or is_all_caps(text))}
        places = [inlines for _, inlines in layout.meta_blocks] + [
            inlines for block in layout.front if (inlines := block_inlines(block))]
        for inlines in places:
            owner = re.sub(r"\s+", " ", marked(inlines).text).strip()
            for note in _notes(inlines):
                text = " ".join(block_text(b) for b in note).strip()
                if not text:
                    continue
                if owner in titles:
                    lang = detect(text) or self.languages[0]
                    by_lang = self.front.statements.setdefault("acknowledgements", {})
                    by_lang[lang] = [*by_lang.get(lang, []), *note]
                    self.note("check", f"the title's note \"{_short(text, 120)}\" is kept "
                                       f"as the acknowledgements ({lang}): notes are not "
                                       "called from the title; move it to another statement "
                                       "if it belongs there", ("acknowledgements",))
                else:
                    self.note("check", f"a note called on the front page (\"{_short(owner)}\")"
                                       f" was not placed: \"{text[:300]}\"; put what it says "
                                       "where it belongs (an author's details, a statement)")

    def block(self, blocks: list, index: int) -> int:
        block = blocks[index]
        inlines = block_inlines(block)
        if inlines is None:
            if block["t"] == "Table":
                self.note("check", "a table on the front page was not read; copy what it "
                                   "holds into the front matter")
            return index + 1
        text = marked(inlines)
        flat = re.sub(r"\s+", " ", text.text).strip()
        if not flat:
            return index + 1
        found = labels.split_label(flat, [labels.ABSTRACT])
        if found:
            label, rest = found
            if rest:
                self.abstract_parts.append((label, [{"t": "Para", "c": _strip_label(inlines)}]))
                return index + 1
            end = index + 1
            while end < len(blocks) and not self.is_label(blocks[end]):
                end += 1
            self.abstract_parts.append((label, list(blocks[index + 1:end])))
            return end
        found = labels.split_label(flat, [labels.KEYWORDS])
        if found:
            label, rest = found
            if not rest and index + 1 < len(blocks):
                rest = block_text(blocks[index + 1])
                index += 1
            self.keyword_lists.append((labels.KEYWORDS[label], _split_keywords(rest), flat))
            return index + 1
        if self.dates(flat):
            return index + 1
        if flat.startswith("©") or re.match(r"^(copyright|telif)\b", flat, re.I):
            self.copyright(flat)
            return index + 1
        if kind := labels.lookup(labels.ARTICLE_TYPES, flat.split("/")[0]):
            self.front.article_type = kind
            return index + 1
        if labels.split_label(flat, [labels.SKIPPED]):
            return index + 1
        if re.match(r"^ORCID\b", flat, re.I) and aff.ORCID.search(flat):
            # "ORCID: Zeynep Kaya 0000-...; Elif Demir 0000-...": each iD after its name
            position = 0
            for match in aff.ORCID.finditer(flat):
                self.named_orcids.append((flat[position:match.start()], match[1].upper()))
                position = match.end()
            return index + 1
        if labels.split_label(flat, [labels.CORRESPONDING]) or (
                flat.startswith("*") and "@" in flat):
            self.corresponding_hint = text
            for email in aff.EMAIL.findall(flat):
                self.pending_emails.append(email)
            return index + 1
        if text.spans("sup") and text.spans("sup")[0].start == 0:
            mark = text.text[:text.spans("sup")[0].end].strip()
            self.affiliation_lines.append(aff.parse(text.text[len(mark):].strip(" ,"), mark))
            return index + 1
        if not self.front.authors and self.looks_like_byline(text, blocks, index):
            self.byline(text)
            return index + 1
        if self.front.authors and (aff.EMAIL.search(flat) or aff.INSTITUTION.search(flat)
                                   or aff.ORCID.search(flat)):
            self.affiliation_lines.append(aff.parse(flat))
            return index + 1
        if not self.front.authors:
            self.title_candidates.append(("paragraph", text))
            return index + 1
        self.note("check", f"front-page text not placed in the front matter: "
                           f"\"{_short(flat)}\"")
        return index + 1

    def is_label(self, block: dict) -> bool:
        text = block_text(block)
        tables = [labels.ABSTRACT, labels.KEYWORDS, labels.SKIPPED, labels.CORRESPONDING,
                  *labels.DATES.values()]
        return bool(heading_of(block) is not None or (text and (
            labels.split_label(text, tables) or text.startswith("©"))))

    # -- titles ------------------------------------------------------------------------

    def finish_titles(self) -> None:
        candidates = [(style, re.sub(r"\s+", " ", m.text).strip())
                      for style, m in self.title_candidates]
        candidates = [(s, t) for s, t in candidates if t]
        if not candidates:
            self.note("missing", "no title found on the front page: add title", ("title",))
            return
        if len(candidates) > len(self.languages):
            extra = candidates[len(self.languages):]
            for _, text in extra:
                self.note("check", f"a further title-like line was left out: "
                                   f"\"{_short(text)}\"", ("title",))
            candidates = candidates[:len(self.languages)]
        detected = [detect(text) for _, text in candidates]
        assigned: dict[str, str] = {}
        for (_, text), lang in zip(candidates, detected, strict=True):
            if lang and lang not in assigned:
                assigned[lang] = text
        for _, text in candidates:
            if text in assigned.values():
                continue
            missing = [code for code in self.languages if code not in assigned]
            if missing:
                assigned[missing[0]] = text
                self.note("check", f"the language of the title \"{_short(text)}\" is not "
                                   f"clear from its words: taken as {missing[0]}",
                          ("title", missing[0]))
        for lang, text in assigned.items():
            if is_all_caps(text):
                cased = title_case(text, lang, self.acronyms)
                self.note("check", f"the {lang} title is typed in capitals; written in "
                                   f"title case as \"{_short(cased, 80)}\" (check proper names "
                                   "and acronyms)", ("title", lang))
                text = cased
            self.front.titles[lang] = text
        for lang in self.languages:
            if lang not in self.front.titles:
                self.note("missing", f"no title in {lang}: add title.{lang}", ("title",))

    # -- byline --------------------------------------------------------------------------

    def looks_like_byline(self, text: Marked, blocks: list, index: int) -> bool:
        persons = _persons(text)
        if not persons or len(persons) > 12:
            return False
        for name, _ in persons:
            words = _name_words(name)
            if not 2 <= len(words) <= 5:
                return False
            if not all(w[:1].isupper() for w in words):
                return False
        # "Zeynep KAYA": surnames in capitals, given names not (a title in capitals has
        # every word in capitals)
        has_caps = all(any(is_all_caps(w) for w in _name_words(name))
                       and not all(is_all_caps(w) for w in _name_words(name))
                       for name, _ in persons)
        has_marks = any(marks for _, marks in persons)
        following = block_text(blocks[index + 1]) if index + 1 < len(blocks) else ""
        return has_caps or has_marks or bool(aff.INSTITUTION.search(following)
                                             or aff.EMAIL.search(following))

    def byline(self, text: Marked) -> None:
        for name, marks in _persons(text):
            words = _name_words(name)
            position = []
            while words and (aff.is_position(" ".join([*position, words[0]]))
                             or words[0].rstrip(".").lower() in ("prof", "doç", "dr", "öğr",
                                                                 "arş", "gör", "üyesi")):
                position.append(words.pop(0))
            if len(words) < 2:
                self.note("check", f"the name \"{name}\" could not be split into given names "
                                   "and surname", ("authors",))
                continue
            caps = [w for w in words if is_all_caps(w)]
            if caps and words[-len(caps):] == caps and len(caps) < len(words):
                given, surname = words[:-len(caps)], caps
            else:
                given, surname = words[:-1], words[-1:]
            person = Person(" ".join(given), " ".join(surname), marks=marks,
                            typed=name.strip())
            person.corresponding = "*" in marks
            person.marks = [m for m in marks if m != "*"]
            if position:
                pos = " ".join(position)
                person.position[aff.position_language(pos)] = pos
            self.front.authors.append(person)

    # -- dates, copyright ------------------------------------------------------------------

    def dates(self, flat: str) -> bool:
        names = {label: (field_name, lang) for field_name, table in labels.DATES.items()
                 for label, lang in table.items()}
        pattern = re.compile(r"(?i)\b(" + "|".join(sorted(
            (re.escape(n) for n in names), key=len, reverse=True)) + r")\s*:\s*")
        found = list(pattern.finditer(flat))
        if not found or found[0].start() > 2:
            return False
        any_date = False
        for position, match in enumerate(found):
            end = found[position + 1].start() if position + 1 < len(found) else len(flat)
            # "Geliş Tarihi: 12 Mart 2024 – Kabul Tarihi: ...": what separates the dates
            value = flat[match.end():end].strip(" /|,;–—-·•")
            field_name, lang = names[turkish_lower(match[1])]
            date = parse_date(value)
            if date is None:
                self.note("check", f"the date \"{match[1]}: {value}\" could not be read; "
                                   f"add history.{field_name}", ("history",))
                continue
            any_date = True
            self.dates_by_lang.setdefault(field_name, {})[lang] = (date, value)
        return any_date or bool(found)

    def copyright(self, flat: str) -> None:
        match = re.search(r"(\d{4})\s+(.+?)(?:[.,]?\s*(tüm hakları saklıdır|all rights "
                          r"reserved).*)?$", flat, re.I)
        if not match:
            self.note("check", f"the copyright line \"{_short(flat)}\" was not understood",
                      ("copyright",))
            return
        year, holder = int(match[1]), match[2].strip(" .,")
        if self.front.copyright_year not in (None, year) or (
                self.front.copyright_holder not in (None, holder)):
            self.note("check", f"two copyright lines disagree: \"{_short(flat)}\"",
                      ("copyright",))
            return
        self.front.copyright_year, self.front.copyright_holder = year, holder

    # -- putting it together -------------------------------------------------------------

    def finish(self) -> None:
        self.finish_titles()
        self.finish_authors()
        self.finish_history()
        self.finish_keywords()
        self.finish_abstracts()
        if self.front.copyright_holder is None:
            self.note("missing", "no copyright line (\"© 2023 PESA\") in the file: add "
                                 "copyright.holder", ("copyright",))
        if self.front.article_type is None:
            self.note("missing", "the file does not name the article type: add article-type "
                                 "(research-article, review-article, ...)", ("article-type",))

    def finish_authors(self) -> None:
        authors, lines = self.front.authors, self.affiliation_lines
        if not authors:
            self.note("missing", "no byline (authors' names) found: add authors",
                      ("authors",))
            return
        taken: set[str] = set()
        by_mark: dict[str, Affiliation] = {}
        unmarked: list[aff.AffiliationLine] = []
        for line in lines:
            for part in line.unknown:
                self.note("check", f"a part of the affiliation line was not understood and "
                                   f"left out: \"{_short(part)}\"", ("affiliations",))
            if not line.institution:
                if line.emails or line.orcids:
                    unmarked.append(line)
                    continue
                self.note("check", "an affiliation line names no institution",
                          ("affiliations",))
                continue
            affiliation = next((a for a in self.front.affiliations
                                if a.institution == line.institution
                                and a.departments == line.departments), None)
            if affiliation is None:
                affiliation = Affiliation(aff.affiliation_id(line.institution, taken),
                                          line.institution, line.departments, line.city,
                                          line.country, line.mark)
                self.front.affiliations.append(affiliation)
                if line.country_inferred:
                    self.note("check", f"country {line.country} inferred from "
                                       f"\"{line.city or line.institution}\" (the file "
                                       "names no country)",
                              ("affiliations", len(self.front.affiliations) - 1, "country"))
            if line.mark:
                by_mark[line.mark] = affiliation
            else:
                unmarked.append(line)
            line.affiliation = affiliation  # type: ignore[attr-defined]
        for person in authors:
            for mark in person.marks:
                if mark in by_mark:
                    person.affiliations.append(by_mark[mark].id)
                else:
                    self.note("check", f"{person.given} {person.surname}: no affiliation line "
                                       f"has the mark {mark}", ("authors",))
        # Lines without marks: one author, or one line per author in byline order.
        plain_lines = [ln for ln in unmarked if getattr(ln, "affiliation", None)]
        if plain_lines and not any(p.affiliations for p in authors):
            if len(authors) == 1 or len(plain_lines) == 1:
                for person in authors:
                    person.affiliations.append(plain_lines[0].affiliation.id)
            elif len(plain_lines) == len(authors):
                for person, line in zip(authors, plain_lines, strict=True):
                    person.affiliations.append(line.affiliation.id)
                self.note("check", "the affiliation lines have no marks: given to the "
                                   "authors in byline order", ("authors",))
        countries = {a.id: a.country for a in self.front.affiliations}
        for index, person in enumerate(authors):
            # A name typed in capitals is written as the person writes it (AL-BASRE ->
            # Al-Basre); a capital I is a dotless ı in a Turkish name, an i in others.
            turkish = (any(countries.get(a) == "TR" for a in person.affiliations)
                       or any(c in "çğıöşüÇĞİÖŞÜ" for c in person.typed))
            lang = "tr" if turkish else "en"
            typed_surname = person.surname
            person.given = " ".join(_recase(w, lang) for w in person.given.split())
            person.surname = " ".join(_recase(w, lang) for w in person.surname.split())
            if is_all_caps(typed_surname) and "I" in typed_surname:
                self.note("check", f"the surname {typed_surname} is typed in capitals: written"
                                   f" \"{person.surname}\" ({'Turkish' if turkish else 'English'}"
                                   " letters; check I/ı)", ("authors", index, "surname"))
        for index, person in enumerate(authors):
            if not person.affiliations:
                self.note("missing", f"{person.given} {person.surname}: no affiliation found;"
                                     " add it", ("authors", index))
        # positions, emails and ORCID iDs of each line: to the authors with that mark
        for line in lines:
            owners = [p for p in authors if line.mark and line.mark in p.marks] or (
                authors if len(authors) == 1 else [])
            if line.position and len(owners) == 1:
                owners[0].position.setdefault(aff.position_language(line.position),
                                              line.position)
            elif line.position:
                self.note("check", f"the position \"{line.position}\" stands on an "
                                   "affiliation line shared by several authors: given to none",
                          ("authors",))
            for email in line.emails:
                self.give_email(email, owners)
            for orcid in line.orcids:
                self.give_orcid(orcid, owners)
        for email in self.pending_emails:
            self.give_email(email, [])
        for before, orcid in self.named_orcids:
            folded = ascii_fold(before).lower()
            named = [p for p in authors if ascii_fold(p.surname).lower() in folded]
            self.give_orcid(orcid, named[-1:] if named else [])
        self.finish_corresponding()

    def give_email(self, email: str, owners: list[Person]) -> None:
        authors = self.front.authors
        if len(owners) != 1:
            local = ascii_fold(email.split("@")[0]).lower()
            owners = [p for p in authors
                      if ascii_fold(p.surname).lower().replace(" ", "") in local
                      or ascii_fold(p.surname.split("-")[-1]).lower() in local]
        if len(owners) == 1 and not owners[0].email:
            owners[0].email = email
        else:
            self.note("check", f"the email {email} could not be given to one author; add it "
                               "by hand", ("authors",))

    def give_orcid(self, orcid: str, owners: list[Person]) -> None:
        if not orcid_checksum_ok(orcid):
            whose = (f"{owners[0].given} {owners[0].surname}'s "
                     if len(owners) == 1 else "")
            self.note("check", f"{whose}ORCID iD {orcid} has a wrong check digit (a typing "
                               "slip): left out; ask the author for it", ("authors",))
            return
        if len(owners) == 1 and not owners[0].orcid:
            owners[0].orcid = orcid
        else:
            self.note("check", f"the ORCID iD {orcid} could not be given to one author; add "
                               "it by hand", ("authors",))

    def finish_corresponding(self) -> None:
        authors = self.front.authors
        hint = self.corresponding_hint
        if hint is not None:
            text = ascii_fold(hint.text).lower()
            named = [p for p in authors if ascii_fold(p.surname).lower() in text]
            emails = aff.EMAIL.findall(hint.text)
            by_email = [p for p in authors if p.email and p.email in emails]
            chosen = by_email or named
            if len(chosen) == 1:
                chosen[0].corresponding = True
                if emails and not chosen[0].email:
                    chosen[0].email = emails[0]
        if not any(p.corresponding for p in authors):
            if len(authors) == 1:
                authors[0].corresponding = True
            else:
                self.note("missing", "the file does not say who the corresponding author is: "
                                     "add corresponding: true to one author", ("authors",))
        for index, person in enumerate(authors):
            if person.corresponding and not person.email:
                self.note("missing", f"{person.given} {person.surname} is the corresponding "
                                     "author but the file gives no email: add it",
                          ("authors", index))

    def finish_history(self) -> None:
        for field_name, by_lang in self.dates_by_lang.items():
            values = {date for date, _ in by_lang.values()}
            if len(values) > 1:
                shown = "; ".join(f"{lang}: {typed}" for lang, (_, typed) in by_lang.items())
                self.note("check", f"the {field_name} dates disagree between the languages "
                                   f"({shown}): left out, add history.{field_name}",
                          ("history",))
                continue
            self.front.history[field_name] = values.pop()
        for field_name in ("received", "accepted"):
            if field_name not in self.front.history:
                self.note("missing", f"no {field_name} date in the file: add "
                                     f"history.{field_name}", ("history",))

    def finish_keywords(self) -> None:
        for label_lang, words, typed in self.keyword_lists:
            lang = detect(" ".join(words)) or label_lang
            if lang in self.front.keywords:
                lang = label_lang if label_lang not in self.front.keywords else None
                if lang is None:
                    self.note("check", f"a second keyword list was left out: "
                                       f"\"{_short(typed)}\"", ("keywords",))
                    continue
            if lang != label_lang:
                self.note("check", f"the keywords under \"{typed.split(':')[0]}\" are in "
                                   f"{lang}: taken as keywords.{lang}", ("keywords", lang))
            self.front.keywords[lang] = words
        for lang in self.languages:
            if lang not in self.front.keywords:
                self.note("missing", f"no keywords in {lang}: add keywords.{lang}",
                          ("keywords",))

    def finish_abstracts(self) -> None:
        for label, blocks in self.abstract_parts:
            text = " ".join(block_text(b) for b in blocks)
            label_lang = labels.ABSTRACT.get(label) if label else None
            lang = detect(text) or label_lang
            if lang is None:
                self.note("check", "the language of an abstract is not clear from its words: "
                                   "left out", ("abstract",))
                continue
            if lang in self.front.abstracts:
                self.note("check", f"a second {lang} abstract was left out: "
                                   f"\"{_short(text)}\"", ("abstract", lang))
                continue
            if label_lang and lang != label_lang:
                heading = label.upper() if label else ""
                self.note("check", f"the text under the heading \"{heading}\" is in "
                                   f"{_language_name(lang)}: taken as abstract.{lang} (the "
                                   "author swapped the headings)", ("abstract", lang))
            self.front.abstracts[lang] = blocks
        for lang in self.languages:
            if lang not in self.front.abstracts:
                self.note("missing", f"no abstract in {lang}: add abstract.{lang}",
                          ("abstract",))

    # -- statements ----------------------------------------------------------------------

    def read_statements(self, statements: list[Statement]) -> None:
        for statement in statements:
            blocks = list(statement.blocks) or [{"t": "Para", "c": list(statement.inlines)}]
            if statement.inlines and statement.blocks:
                blocks = [{"t": "Para", "c": list(statement.inlines)}, *statement.blocks]
            text = " ".join(block_text(b) for b in blocks).strip()
            if not text:
                continue
            lang = detect(text)
            label_lang = next((table.get(labels.key(statement.label))
                               for table in labels.STATEMENTS.values()
                               if labels.key(statement.label) in table), None)
            lang = lang or label_lang or self.languages[0]
            by_lang = self.front.statements.setdefault(statement.kind, {})
            if lang in by_lang:
                by_lang[lang] = by_lang[lang] + blocks
            else:
                by_lang[lang] = blocks


# -- helpers ----------------------------------------------------------------------------------

def _notes(inlines: list) -> list[list[dict]]:
    """The blocks of each note called in `inlines` (at any depth: in bold, in a link)."""
    found = []
    for node in inlines:
        if not isinstance(node, dict):
            continue
        if node.get("t") == "Note":
            found.append(node["c"])
        elif isinstance(node.get("c"), list):
            found += _notes([c for c in node["c"] if isinstance(c, dict)] + [
                item for c in node["c"] if isinstance(c, list)
                for item in c if isinstance(item, dict)])
    return found


def _strip_label(inlines: list) -> list:
    from typeset.importers.layout import _after_colon

    return _after_colon(inlines)


def _split_keywords(text: str) -> list[str]:
    parts = re.split(r"\s*[;,]\s*", text.strip().rstrip("."))
    return [p.strip(" .") for p in parts if p.strip(" .")]


def _persons(text: Marked) -> list[tuple[str, list[str]]]:
    """The byline split into (name, marks): superscripts are the marks."""
    chars = []
    sups = text.spans("sup")
    for position, char in enumerate(text.text):
        opening = any(m.start == position for m in sups)
        closing = any(m.end == position for m in sups)
        if closing:
            chars.append(SUP_CLOSE)
        if opening:
            chars.append(SUP_OPEN)
        chars.append(char)
    if any(m.end == len(text.text) for m in sups):
        chars.append(SUP_CLOSE)
    flat = "".join(chars)
    people, depth, current = [], 0, ""
    tokens = re.split(r"(\x01|\x02|,|;|&|\bve\b|\band\b)", flat)
    for token in tokens:
        if token == SUP_OPEN:
            depth += 1
        elif token == SUP_CLOSE:
            depth -= 1
        if depth == 0 and token in (",", ";", "&", "ve", "and"):
            people.append(current)
            current = ""
        else:
            current += token
    people.append(current)
    out = []
    for person in people:
        marks = []
        for sup in re.findall(r"\x01([^\x02]*)\x02?", person):
            marks += [m.strip() for m in re.split(r"[,\s]+", sup) if m.strip()]
        name = re.sub(r"\x01[^\x02]*\x02?", "", person).strip()
        # "Zeynep KAYA1*": marks typed without superscript
        if match := re.match(r"^(.*?[^\d\s*])\s*([\d,*]+)$", name):
            name = match[1]
            marks += [m for m in re.split(r",", match[2].replace("*", ",*")) if m]
        if name.endswith("*"):
            name, marks = name.rstrip("*").strip(), [*marks, "*"]
        marks = [m.replace("∗", "*") for m in marks]
        if "*" in "".join(marks):
            marks = [m.replace("*", "") for m in marks if m.replace("*", "")] + ["*"]
        if name:
            out.append((name, marks))
    return out


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"\s+", name.strip(" .,")) if w]


def _recase(word: str, lang: str) -> str:
    """A name typed in capitals, written as a person writes it (AL-BASRE -> Al-Basre)."""
    if not is_all_caps(word):
        return word
    return "-".join(capitalize(part, lang) for part in word.split("-"))


def _short(text: str, limit: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _language_name(lang: str) -> str:
    return {"tr": "Turkish", "en": "English"}.get(lang, lang)


def plain_blocks(blocks: list) -> str:
    return " ".join(plain(block_inlines(b) or []) for b in blocks)
