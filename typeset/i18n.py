"""Language facts the outputs need: month names, capitals, quotation marks.

These belong to the languages, not to a journal; a journal's own wording lives in its
profile (`journal.yaml`).
"""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
           "Eylül", "Ekim", "Kasım", "Aralık"),
}
QUOTES = {
    "en": ("“", "”", "‘", "’"),
    "tr": ("“", "”", "‘", "’"),
}


def base(lang: str) -> str:
    return lang.split("-")[0].lower()


def format_date(date: dt.date, lang: str) -> str:
    """28 December 2022 / 28 Aralık 2022."""
    months = MONTHS.get(base(lang), MONTHS["en"])
    return f"{date.day} {months[date.month - 1]} {date.year}"


def upper(text: str, lang: str) -> str:
    """Capitals by the language's rules: Turkish i -> İ and ı -> I."""
    if base(lang) in ("tr", "az"):
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def quotes(lang: str) -> tuple[str, str, str, str]:
    return QUOTES.get(base(lang), QUOTES["en"])


TURKISH_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyz"
_TURKISH_ORDER = {letter: index for index, letter in enumerate(TURKISH_ALPHABET)}


def turkish_sort_key(text: str) -> tuple:
    """Sorting by the Turkish alphabet: Ç after C, Ğ after G, I before İ, Ş after S.

    Pandoc's citeproc sorts Turkish reference lists mostly right but puts İ before I."""
    key = []
    for char in text.replace("I", "ı").replace("İ", "i").lower():
        if char in _TURKISH_ORDER:
            key.append((1, _TURKISH_ORDER[char], ""))
        elif char.isalnum():
            key.append((1, len(_TURKISH_ORDER), char))
        else:
            key.append((0, ord(char), ""))
    return tuple(key)
