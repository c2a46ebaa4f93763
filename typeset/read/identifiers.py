"""Persistent identifiers: one rule each for DOIs, ORCID iDs and ISSNs.

A DOI is accepted in the forms editors paste (bare, `doi:`, a doi.org URL) and kept bare;
the front matter, the bibliography, the journal profile and the exports all go through
`normalise_doi`, so that a DOI accepted in one place is accepted in all of them.
"""

from __future__ import annotations

import re

_DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
# The DOI handbook's syntax: "10." + registrant code, "/" + a suffix of printable
# characters. Crossref's own pattern is narrower on the prefix (4 to 9 digits), as here.
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_DOI_PREFIX = re.compile(r"^10\.\d{4,9}(?:\.\d+)*$")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_ORCID_UNHYPHENATED = re.compile(r"^(?:https?://orcid\.org/)?(\d{15}[\dX])$")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")


def normalise_doi(value: str) -> str | None:
    """The bare DOI (`10.1234/abc`) of `value`, or None when it is not a DOI."""
    bare = _DOI_PREFIXES.sub("", value.strip()).strip()
    return bare if _DOI.match(bare) else None


def is_doi_prefix(value: str) -> bool:
    return bool(_DOI_PREFIX.match(value.strip()))


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 11,2 check digit, as ORCID defines it."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def orcid_form(value: str) -> str | None:
    """The hyphenated 0000-0000-0000-0000 form of `value` (with or without hyphens, or an
    orcid.org URL), or None when it does not look like an ORCID iD; the checksum is
    checked separately (`orcid_checksum_ok`)."""
    text = value.strip()
    match = _ORCID.match(text)
    if match:
        return match.group(1)
    match = _ORCID_UNHYPHENATED.match(text)
    if match:
        digits = match.group(1)
        return "-".join(digits[i:i + 4] for i in range(0, 16, 4))
    return None


def normalise_issn(value: str) -> str | None:
    """`1234-5679` for an ISSN with a right check digit, with or without its hyphen."""
    match = _ISSN.match(value.strip().upper())
    if not match:
        return None
    digits = match.group(1) + match.group(2)
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        return None
    return f"{match.group(1)}-{match.group(2)}"
