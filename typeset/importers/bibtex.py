"""Reference records written as the BibTeX an editor would write: one key scheme (first
author's surname in ASCII + year + the list's letter), fields in a fixed order, values
braced, titles' proper nouns protected so that a sentence-casing style keeps them."""

from __future__ import annotations

import re

from typeset.i18n import ascii_fold
from typeset.importers.references import Reference

FIELD_ORDER = ("entrysubtype", "author", "editor", "year", "date", "title", "journal",
               "booktitle", "edition", "volume", "number", "pages", "publisher", "institution",
               "school", "address", "doi", "url", "urldate", "langid")


def key_for(ref: Reference, taken: set[str]) -> str:
    family = ref.first_family or ref.title
    first_word = re.findall(r"[A-Za-z0-9]+", ascii_fold(family).lower())
    base = (first_word[0] if first_word else "ref") + ref.year + ref.suffix
    key, letter = base, ord("a")
    while key.lower() in taken:
        key = f"{base}{chr(letter)}" if not ref.suffix else f"{base}-{chr(letter)}"
        letter += 1
    taken.add(key.lower())
    return key


def escape(value: str) -> str:
    """Text as a BibTeX value: TeX's special characters escaped, braces balanced."""
    value = re.sub(r"\s+", " ", value).strip()
    value = value.replace("{", "").replace("}", "")
    value = value.replace("\\", "")
    return re.sub(r"([&%$#_])", r"\\\1", value)


def protect_title(title: str, proper: set[str], lang: str) -> str:
    """Braces around the words a sentence-casing style must not lower-case: acronyms,
    words with inner capitals, and capitalised words known to be proper nouns (they are
    capitalised where the article's running text has them mid-sentence). A Turkish title
    needs nothing: `langid` keeps it from being re-cased."""
    value = escape(title)
    if lang == "tr":
        return value
    out = []
    for position, token in enumerate(re.split(r"(\s+)", value)):
        core = token.strip(".,:;?!()\"'“”‘’")
        bare = re.sub(r"['’]s$", "", core)
        if position and core and (
                re.search(r"[A-Z].*[A-Z]", core) or bare in proper
                or any(part in proper for part in bare.split("-"))):
            out.append(token.replace(core, "{" + core + "}", 1))
        else:
            out.append(token)
    return "".join(out)


def entry_fields(ref: Reference, proper: set[str]) -> tuple[str, dict[str, str]]:
    kind = {"phdthesis": "phdthesis", "mastersthesis": "mastersthesis"}.get(ref.kind, ref.kind)
    fields: dict[str, str] = {}
    if ref.subtype:
        fields["entrysubtype"] = ref.subtype
    if ref.authors:
        fields["author"] = " and ".join(_name(n) for n in ref.authors)
    if ref.editors:
        fields["editor"] = " and ".join(_name(n) for n in ref.editors)
    if ref.date:
        fields["date"] = ref.date
    elif ref.year:
        fields["year"] = ref.year  # the letter (2019a) is citeproc's to give
    fields["title"] = protect_title(ref.title, proper, ref.lang)
    if ref.kind == "article":
        fields["journal"] = escape(ref.container)
    elif ref.kind == "incollection":
        fields["booktitle"] = protect_title(ref.container, proper, ref.lang)
    if ref.edition:
        fields["edition"] = ref.edition
    if ref.volume:
        fields["volume"] = escape(ref.volume)
    if ref.issue or ref.number:
        fields["number"] = escape(ref.issue or ref.number)
    if ref.pages:
        fields["pages"] = ref.pages
    if ref.kind in ("report",):
        fields["institution"] = _braced_list(ref.institution or ref.publisher)
    elif ref.kind in ("phdthesis", "mastersthesis"):
        fields["school"] = escape(ref.institution or ref.publisher)
    elif ref.publisher:
        fields["publisher"] = _braced_list(ref.publisher)
    if ref.address:
        fields["address"] = escape(ref.address)
    if ref.doi:
        fields["doi"] = ref.doi
    if ref.url:
        fields["url"] = ref.url.replace("{", "%7B").replace("}", "%7D")
    if ref.urldate:
        fields["urldate"] = ref.urldate
    if ref.lang == "tr":
        fields["langid"] = "turkish"
    return kind, {k: fields[k] for k in FIELD_ORDER if fields.get(k)}


def _name(name) -> str:
    if name.corporate or not name.given:
        return "{" + escape(name.family) + "}"
    return f"{escape(name.family)}, {escape(name.given)}"


def _braced_list(value: str) -> str:
    """Publisher and institution are lists in biblatex: an "and" inside one name is
    braced ("{Simon and Schuster}")."""
    value = escape(value)
    return "{" + value + "}" if re.search(r"\band\b", value) else value


def write_bib(entries: list[tuple[str, Reference]], proper: set[str], header: str
              ) -> tuple[str, dict[str, int]]:
    """The .bib text and the line of each entry."""
    lines = [f"% {line}" if line else "%" for line in header.splitlines()]
    lines.append("")
    where: dict[str, int] = {}
    for key, ref in entries:
        kind, fields = entry_fields(ref, proper)
        where[key] = len(lines) + 1
        lines.append(f"@{kind}{{{key},")
        width = max(len(name) for name in fields)
        for name, value in fields.items():
            lines.append(f"  {name.ljust(width)} = {{{value}}},")
        lines.append("}")
        lines.append("")
    return "\n".join(lines), where
