"""The reference list parsed into records: APA 6 and 7, in English and in Turkish.

No maintained parser fits offline: anystyle (Ruby, a trained model) and GROBID (a Java
service) are not Python packages; refextract reads physics references (report numbers,
journal abbreviations), refparse reads Web of Science and Scopus exports. So this is a
rule-based parser for the forms authors in our field use, tested on a corpus
(tests/test_import_references.py):

    Surname, I. I., & Surname, I. (2019a). Title. *Journal*, *12*(3), 45-67. https://doi.org/...
    Surname, I. (2014). *Book title* (2nd ed.). City: Publisher.
    Surname, I. (2021). Chapter. In E. Editor (Ed.), *Book* (pp. 1-20). City: Publisher.
    Surname, I. ve Surname, I. (2020). Bölüm. E. Editör (Ed.), *Kitap* içinde (ss. 1-20). Yayınevi.
    Surname, I. (2018). *Tez başlığı* (Yayımlanmamış doktora tezi). X Üniversitesi, Ankara.
    Corporate Author. (2017, July 15). *Page title*. Retrieved from https://...
    Surname, I. (2015). *Başlık*. Erişim tarihi: 6.11.2022, https://...
    Surname, I. (2019). *Başlık*. 12 Mart 2021 tarihinde https://... adresinden erişildi.

The italics of the Word file tell the container (journal, book) from the title; where a
field is unsure the record carries a note, which the report shows at the entry's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from typeset.importers.affiliations import TURKISH_PROVINCES
from typeset.importers.dates import month_number, parse_date
from typeset.importers.inlines import Marked
from typeset.importers.language import detect, turkish_lower
from typeset.importers.names import Name, given_first, split_names

DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*|\bDOI:?\s*)(10\.\d{4,9}/\S+)",
                 re.I)
URL = re.compile(r"https?://[^\s<>\"]+")
YEAR_GROUP = re.compile(
    r"\((?P<year>(?:1[5-9]|20)\d{2})(?P<suffix>[a-z])?(?:,\s*(?P<when>[^)]{2,30}))?\)"
    r"|\((?P<nodate>t\.\s?y\.|n\.\s?d\.|ty|nd)\)", re.I)
ACCESS = re.compile(
    r"(?:Access(?:ed)?(?:\s+date)?|Erişim(?:\s+tarihi)?|Retrieved(?:\s+on)?)\s*:?\s*"
    r"(?P<date>\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}\s+[A-Za-zÇĞİÖŞÜçğıöşü]+\s+\d{4}|"
    r"[A-Za-z]+\s+\d{1,2},\s+\d{4})(?:\s*,?\s*from)?", re.I)
ACCESS_TR = re.compile(r"(?P<date>\d{1,2}[./]\d{1,2}[./]\d{4}|\d{1,2}\s+[A-Za-zÇĞİÖŞÜçğıöşü]+"
                       r"\s+\d{4})\s+tarihinde\b", re.I)
RETRIEVED = re.compile(r"\b(Retrieved from|Available (at|from)|Erişim adresi|adresinden "
                       r"erişildi|adresinden ulaşılmıştır|Erişim|Retrieved|URL)\s*:?", re.I)
PAGES = re.compile(r"(?:\b(?:pp?|ss?)\.\s*)?(?P<pages>[A-Za-z]?\d+\s*[-–—]\s*[A-Za-z]?\d+|e\d+)")
THESIS = re.compile(r"\((?P<what>[^()]*?(doctoral dissertation|doktora tezi|master'?s thesis|"
                    r"yüksek lisans tezi|ph\.?d\.? thesis|unpublished|yayımlanmamış|"
                    r"yayınlanmamış)[^()]*)\)", re.I)
EDITION = re.compile(r"\((?P<ed>\d+)(?:nd|rd|th|st|\.)?\s*(?:ed|bs|baskı|edition)\.?\)", re.I)
REPORT_NUMBER = re.compile(r"\((?P<kind>Report|Rapor|Working Paper|Policy Brief|Çalışma "
                           r"Raporu)\s*(?:No\.?|Nr\.?)\s*(?P<number>[^)]+)\)", re.I)
REPORT_WORDS = re.compile(r"\b(council|institute|institution|cent(er|re)|foundation|rand|"
                          r"chatham house|agency|ministry|office|commission|bank|"
                          r"organi[sz]ation|programme|enstitüsü|vakfı|merkezi|bakanlığı|"
                          r"başkanlığı|kurumu|think tank)\b", re.I)
PUBLISHER_WORDS = re.compile(r"\b(press|books|publish(ing|ers)|yayın(ları|evi)|kitabevi|"
                             r"kitapevi|verlag|routledge|springer|palgrave|wiley|sage|"
                             r"hachette|penguin|schuster|macmillan|elsevier)\b", re.I)
IN_BOOK = re.compile(r"^(In|İçinde)\s+", re.I)
EDITORS = re.compile(r"\((Eds?|Haz|Ed\.?ler|Çev)\.?\)", re.I)


@dataclass
class Reference:
    raw: str
    kind: str = "misc"  # article, book, incollection, report, phdthesis, mastersthesis,
    # online, misc
    authors: list[Name] = field(default_factory=list)
    editors: list[Name] = field(default_factory=list)
    truncated_authors: bool = False  # the list ended in "et al." / "vd."
    year: str = ""
    suffix: str = ""  # 2019a -> "a"
    date: str = ""  # ISO, when the list gives a full date
    title: str = ""
    container: str = ""  # journal or book title, newspaper
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    address: str = ""
    institution: str = ""
    edition: str = ""
    number: str = ""
    doi: str = ""
    url: str = ""
    urldate: str = ""
    subtype: str = ""  # newspaper
    lang: str = "en"
    notes: list[str] = field(default_factory=list)

    @property
    def first_family(self) -> str:
        names = self.authors or self.editors
        return names[0].family if names else ""

    @property
    def families(self) -> list[str]:
        return [n.family for n in (self.authors or self.editors)]


def parse_reference(text: Marked) -> Reference:
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: Marked):
        self.source = text
        raw = text.text.replace("\u00a0", " ")
        self.ref = Reference(re.sub(r"\s+", " ", raw).strip())
        # Work on a copy whose consumed spans are blanked, so that offsets stay those of
        # the marks (italics, links).
        self.chars = list(raw)

    # -- helpers -------------------------------------------------------------------------

    def text(self, start: int = 0, end: int | None = None) -> str:
        return "".join(self.chars[start:end])

    def blank(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.chars[i] = " "

    def note(self, message: str) -> None:
        self.ref.notes.append(message)

    def italics(self, start: int) -> list[tuple[int, int]]:
        """Italic spans after `start`, neighbours joined, with text in them."""
        spans = sorted((m.start, m.end) for m in self.source.spans("italic") if m.end > start)
        merged: list[list[int]] = []
        for s, e in spans:
            s = max(s, start)
            if merged and not self.text(merged[-1][1], s).strip(" ,.") and \
                    self.text(merged[-1][1], s).strip() in ("", ",", "."):
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(s, e) for s, e in merged if self.text(s, e).strip(" .,")]

    # -- the parse -----------------------------------------------------------------------

    def parse(self) -> Reference:
        self.take_links()
        self.take_doi()
        self.take_access_date()
        self.take_urls()
        after_year = self.take_head()
        self.take_body(after_year)
        self.ref.lang = detect(f"{self.ref.title} {self.ref.container}") or (
            "tr" if re.search(r"(Üniversitesi|Yayınları|Yayınevi|Kitabevi|Dergisi|Enstitüsü)",
                              self.ref.raw) else "en")
        self.settle_type()
        return self.ref

    def take_links(self) -> None:
        for mark in self.source.spans("link"):
            target = mark.value.strip()
            label = self.source.text[mark.start:mark.end].strip()
            if target.startswith(("http://", "https://")):
                if not URL.fullmatch(label.rstrip(".")):
                    # link text that is not the address: keep the address, drop the text
                    self.blank(mark.start, mark.end)
                    self.set_url(target)
            elif not target.startswith("mailto:"):
                self.blank(mark.start, mark.end)
                self.note(f"the link \"{label[:50]}\" has no web address (its target is "
                          f"\"{target}\"): no url written")

    def set_url(self, url: str) -> None:
        url = url.rstrip(".,;")
        if doi := DOI.match(url):
            self.ref.doi = self.ref.doi or doi[1].rstrip(".,;")
            return
        if self.ref.url and self.ref.url != url:
            self.note(f"a second web address was left out: {url}")
            return
        self.ref.url = url

    def take_doi(self) -> None:
        for match in DOI.finditer(self.text()):
            self.ref.doi = self.ref.doi or match[1].rstrip(".,;)")
            self.blank(match.start(), match.end())

    def take_access_date(self) -> None:
        text = self.text()
        match = ACCESS.search(text) or ACCESS_TR.search(text)
        if not match:
            return
        date = parse_date(match["date"])
        if date is None:
            self.note(f"the access date \"{match['date']}\" could not be read")
        else:
            self.ref.urldate = date.isoformat()
        self.blank(match.start(), match.end())
        # "Access date:20/11/2022, 2019," : a stray year right after the access date
        rest = self.text(match.end())
        if stray := re.match(r"^\s*,\s*((?:19|20)\d{2})\s*,", rest):
            self.stray_year = stray[1]
            self.blank(match.end(), match.end() + stray.end())

    stray_year = ""

    def take_urls(self) -> None:
        for match in URL.finditer(self.text()):
            url = match[0].rstrip(".,;)")
            self.set_url(url)
            self.blank(match.start(), match.start() + len(url))
        for match in RETRIEVED.finditer(self.text()):
            self.blank(match.start(), match.end())

    def take_head(self) -> int:
        """Authors and year; returns where the title starts."""
        text = self.text()
        match = YEAR_GROUP.search(text)
        if match and match.start() < 400 and (match.start() > 0 or not text.strip()):
            head = text[:match.start()]
            self.ref.year = match["year"] or ""
            self.ref.suffix = (match["suffix"] or "").lower()
            if match["nodate"]:
                self.ref.year = ""
                self.note("the reference gives no date (t.y. / n.d.)")
            elif match["when"]:
                self.full_date(match["when"])
            after = match.end()
            while after < len(text) and text[after] in " .":
                after += 1
        else:
            # No year in brackets: the authors end at the first ". " before the title
            # (the italic title, when there is one).
            italics = self.italics(0)
            limit = italics[0][0] if italics else len(text)
            cut = text.rfind(". ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            head, after = text[:cut], cut
            while after < len(text) and text[after] in " .":
                after += 1
            self.note("the reference gives no year")
        head = head.strip()
        if EDITORS.search(head):
            self.ref.editors, self.ref.truncated_authors = split_names(EDITORS.sub("", head))
        else:
            self.ref.authors, self.ref.truncated_authors = split_names(head)
        if self.ref.truncated_authors:
            self.note("the author list ends in \"et al.\": the other authors are not in the "
                      "list")
        if self.stray_year:
            same = self.stray_year == self.ref.year
            self.note(f"a stray year \"{self.stray_year}\" after the access date was left "
                      f"out{' (it repeats the publication year)' if same else ''}")
        return after

    def full_date(self, when: str) -> None:
        year = self.ref.year
        when = when.strip()
        date = parse_date(f"{when} {year}") or parse_date(f"{year} {when}")
        if date:
            self.ref.date = date.isoformat()
            return
        if month := month_number(when.split()[0]):
            self.ref.date = f"{year}-{month:02d}"
            return
        self.note(f"the date \"{when}\" beside the year was not understood")

    def take_body(self, start: int) -> None:
        ref = self.ref
        text = self.text()
        italics = self.italics(start)
        if match := THESIS.search(text, start):
            ref.kind = "mastersthesis" if re.search(r"master|yüksek lisans", match["what"],
                                                    re.I) else "phdthesis"
            inside = match["what"]
            if "," in inside:
                ref.institution = inside.split(",", 1)[1].strip()
            self.blank(match.start(), match.end())
            text = self.text()
        if match := EDITION.search(text, start):
            ref.edition = match["ed"]
            self.blank(match.start(), match.end())
            text = self.text()
        if match := REPORT_NUMBER.search(text, start):
            ref.kind = "report"
            ref.number = match["number"].strip()
            self.blank(match.start(), match.end())
            text = self.text()

        if italics and self.text(start, italics[0][0]).strip(" .,"):
            # Title in roman, then an italic container: an article or a chapter.
            title_end = italics[0][0]
            before = self.text(start, title_end)
            container = self.text(*italics[0])
            after = self.text(italics[0][1])
            self.article_or_chapter(before, container, after)
        elif italics:
            ref.title = _clean_title(self.text(*italics[0]))
            rest = self.text(italics[0][1])
            self.book_like(rest)
        else:
            self.no_italics(self.text(start))

    def article_or_chapter(self, before: str, container: str, after: str) -> None:
        ref = self.ref
        before = before.strip()
        chapter = IN_BOOK.search(before.split(". ")[-1]) or EDITORS.search(before) or re.search(
            r"^\s*içinde\b", after, re.I) or re.search(r"\bEd\.\s", before)
        if chapter:
            self.chapter(before, container, after)
            return
        ref.title = _clean_title(before)
        container = container.strip(" ,.")
        # "*Journal, 12*": the volume in the italics, as APA sets it
        if match := re.match(r"^(.*?),\s*(\d+)$", container):
            container, ref.volume = match[1], match[2]
        ref.container = container
        after = after.strip()
        volume = re.match(r"^,?\s*(?P<volume>\d+)?\s*(?:\((?P<issue>[^)]+)\))?\s*,?\s*"
                          r"(?:(?:pp?|ss?)\.\s*)?(?P<pages>[A-Za-z]?\d+\s*[-–—]\s*[A-Za-z]?\d+"
                          r"|e\d+|\d+)?", after)
        if volume:
            ref.volume = ref.volume or (volume["volume"] or "")
            ref.issue = volume["issue"] or ""
            ref.pages = _pages(volume["pages"] or "")
        if ref.volume or ref.issue or ref.pages or ref.doi:
            ref.kind = "article"
        elif ref.date or ref.url:
            ref.kind = "article"
            ref.subtype = "newspaper"
        else:
            ref.kind = "article"
            self.note("no volume, issue or pages after the journal name: check the type")

    def chapter(self, before: str, container: str, after: str) -> None:
        ref = self.ref
        ref.kind = "incollection"
        # title, then "In E. Editor (Ed.)," / "E. Editör (Ed.)," / "Ed. A and B."
        parts = re.split(r"\.\s+(?=(?:In|İçinde)\s)|\.\s+(?=Ed\.\s)", before, maxsplit=1)
        if len(parts) == 1:
            # APA-TR: "Bölüm başlığı. A. Editör (Ed.), *Kitap* içinde"
            parts = re.split(r"\.\s+(?=[A-ZÇĞİÖŞÜ]\.\s)", before, maxsplit=1)
        ref.title = _clean_title(parts[0])
        editors = parts[1] if len(parts) > 1 else ""
        editors = IN_BOOK.sub("", editors).strip()
        junk = ""
        if editors.startswith("Ed."):
            # "Ed. Rıdvan Kalaycı and İsmail Akdoğan. 21." (editors given first, full names)
            body = editors[3:].strip()
            names, _, junk = body.partition(". ")
            editors = names
        ref.editors = given_first(editors.rstrip(",. ")) if editors else []
        if not ref.editors:
            self.note("the editors of the book could not be read")
        container = container.strip(" ,.")
        junk = junk.strip()
        if junk:
            # a piece of the book's title outside its italics ("21." of "21. Yüzyılda ...")
            container = f"{junk} {container}"
            self.note(f"the book title was split by its formatting (\"{junk}\" outside the "
                      "italics): joined")
        ref.container = container
        after = re.sub(r"^\s*içinde\b", "", after, flags=re.I)
        if match := re.search(r"\((?:(?:pp?|ss?)\.\s*)?(\d+\s*[-–—]\s*\d+)\)", after):
            ref.pages = _pages(match[1])
            after = after[:match.start()] + after[match.end():]
        self.publisher(after)

    def book_like(self, rest: str) -> None:
        ref = self.ref
        self.publisher(rest)
        if ref.kind in ("phdthesis", "mastersthesis"):
            if not ref.institution:
                school = ", ".join(p for p in (ref.address, ref.publisher) if p)
                parts = [p.strip() for p in school.split(",")]
                # "X Üniversitesi, Sosyal Bilimler Enstitüsü, İzmir": the city last
                if len(parts) > 1 and turkish_lower(parts[-1]) in TURKISH_PROVINCES:
                    ref.institution, ref.address = ", ".join(parts[:-1]), parts[-1]
                else:
                    ref.institution, ref.address = school, ""
                ref.publisher = ""
            return
        if ref.kind == "report":
            ref.institution = ref.institution or ref.publisher
            ref.publisher = ""
            return
        if ref.publisher:
            if REPORT_WORDS.search(ref.publisher) and not PUBLISHER_WORDS.search(ref.publisher):
                ref.kind, ref.institution, ref.publisher = "report", ref.publisher, ""
            else:
                ref.kind = "book"
                if not PUBLISHER_WORDS.search(ref.publisher):
                    self.note(f"\"{ref.publisher}\" read as a book's publisher: check the "
                              "type (a report's institution?)")
        elif ref.url:
            ref.kind = "online"
        else:
            ref.kind = "book"
            self.note("no publisher found for this book")

    def publisher(self, rest: str) -> None:
        """ "City, ST: Publisher." / "Publisher." / "Ankara: Yayınevi." (what is left)."""
        ref = self.ref
        rest = re.sub(r"\s+", " ", rest).strip(" .,;")
        if not rest:
            return
        rest = re.sub(r"^[.,;:]\s*", "", rest)
        if match := re.match(r"^([^:]{2,40}):\s*(.+)$", rest):
            ref.address, ref.publisher = match[1].strip(" ,."), match[2].strip(" ,.")
        else:
            ref.publisher = rest.strip(" ,.")
        if len(ref.publisher) > 120:
            self.note(f"unparsed text after the title: \"{ref.publisher[:60]}...\"")

    def no_italics(self, rest: str) -> None:
        """No italics in the Word file: fall back on punctuation."""
        ref = self.ref
        rest = re.sub(r"\s+", " ", rest).strip()
        article = re.match(r"^(?P<title>.+?[.?!])\s+(?P<journal>[^.]+?),\s*(?P<volume>\d+)\s*"
                           r"(?:\((?P<issue>[^)]+)\))?\s*,\s*(?:(?:pp?|ss?)\.\s*)?"
                           r"(?P<pages>\d+\s*[-–—]\s*\d+|e?\d+)", rest)
        if article:
            ref.kind = "article"
            ref.title = _clean_title(article["title"])
            ref.container = article["journal"].strip()
            ref.volume, ref.issue = article["volume"], article["issue"] or ""
            ref.pages = _pages(article["pages"])
            self.note("no italics in the entry: journal and title told apart by punctuation")
            return
        title, _, tail = rest.partition(". ")
        ref.title = _clean_title(title)
        if tail.strip(" ."):
            self.book_like(tail)
            self.note("no italics in the entry: title and publisher told apart by "
                      "punctuation")
        else:
            ref.kind = "online" if ref.url else "misc"

    def settle_type(self) -> None:
        ref = self.ref
        if not ref.title:
            ref.title = ref.raw
            ref.kind = "misc"
            self.note("the entry could not be parsed: the whole text is kept as its title")
        if ref.kind == "article" and not ref.container:
            ref.kind = "online" if ref.url else "misc"
        if ref.kind == "online" and not ref.url:
            ref.kind = "misc"
        if not (ref.authors or ref.editors):
            self.note("no author found")


def _clean_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    text = re.sub(r"([?!])\s*\.$", r"\1", text)  # "… last?." : the "." is the list's
    return text.rstrip(".").strip()


def _pages(text: str) -> str:
    text = re.sub(r"\s*[-–—]\s*", "-", text.strip())
    return text.replace("-", "--")
