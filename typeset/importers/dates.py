"""Dates as authors type them: "28 Aralık 2022", "19 March 2023", "14.09.2026",
"2026-09-14", "March 19, 2023"; and in references "(2020, September 04)", "15/12/2022"."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    # Turkish
    "ocak": 1, "şubat": 2, "mart": 3, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7,
    "ağustos": 8, "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12,
    # English, with the usual abbreviations
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"([A-Za-zÇĞİÖŞÜçğıöşü]+)\.?"
_PATTERNS = (
    (re.compile(rf"^(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})$"), ("d", "m", "y")),
    (re.compile(rf"^{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})$"), ("m", "d", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "n", "d")),
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), ("d", "n", "y")),
    (re.compile(rf"^(\d{{4}}),?\s+{_MONTH}\s+(\d{{1,2}})$"), ("y", "m", "d")),
    (re.compile(rf"^(\d{{4}}),?\s+(\d{{1,2}})\s+{_MONTH}$"), ("y", "d", "m")),
)


def month_number(name: str) -> int | None:
    name = name.replace("I", "ı").replace("İ", "i").lower().rstrip(".")
    return MONTHS.get(name)


def parse_date(text: str) -> dt.date | None:
    """A full date in any of the forms above, or None."""
    text = re.sub(r"\s+", " ", text.strip().rstrip("."))
    for pattern, order in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = month_number(parts["m"]) if "m" in parts else int(parts["n"])
        if month is None:
            continue
        try:
            return dt.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            return None
    return None


def parse_year_month(text: str) -> tuple[int, int] | None:
    """ "September 2020", "Eylül 2020" -> (2020, 9)."""
    match = re.match(rf"^{_MONTH}\s+(\d{{4}})$", text.strip())
    if match and (month := month_number(match[1])):
        return int(match[2]), month
    return None
