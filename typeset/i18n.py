"""Language facts the outputs need: month names, capitals, quotation marks.

These belong to the languages, not to a journal; a journal's own wording lives in its
profile (`journal.yaml`).
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
           "Eylül", "Ekim", "Kasım", "Aralık"),
}
# "and others" after the first author's name, as the running head abbreviates it.
ET_AL = {"en": "et al.", "tr": "vd."}
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


def et_al(lang: str) -> str:
    return ET_AL.get(base(lang), ET_AL["en"])


def quotes(lang: str) -> tuple[str, str, str, str]:
    return QUOTES.get(base(lang), QUOTES["en"])


_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)'(?=\w)")
_APOSTROPHE_AFTER_S = re.compile(r"(?<=[sS])'(?=[\s,.;:!?)]|$)")
_DOUBLE_QUOTED = re.compile(r'"([^"]+)"')
_SINGLE_QUOTED = re.compile(r"(?<!\w)'([^']+)'(?!\w)")


def typographic(text: str, lang: str) -> str:
    """Straight quotes and apostrophes as the body's Markdown prints them (Pandoc's "smart"
    reading): for the plain-text fields of the front matter, such as titles, which print
    on page 1, in running heads, contents and metadata beside the body's curly ones."""
    left, right, single_left, single_right = quotes(lang)
    text = _APOSTROPHE_IN_WORD.sub("’", text)
    text = _APOSTROPHE_AFTER_S.sub("’", text)
    text = _DOUBLE_QUOTED.sub(lambda m: f"{left}{m.group(1)}{right}", text)
    return _SINGLE_QUOTED.sub(lambda m: f"{single_left}{m.group(1)}{single_right}", text)


# The Turkish alphabet, with the letters it lacks (q, w, x) where the Latin alphabet has
# them, for the foreign names in a Turkish reference list.
TURKISH_ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
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


def sort_key(text: str, lang: str) -> tuple:
    """How a reference list in `lang` is alphabetised: by the Turkish alphabet in Turkish,
    else by the letters without their accents (Öztürk with the O's)."""
    if base(lang) == "tr":
        return turkish_sort_key(text)
    return (ascii_fold(text).casefold(),)


def slug(text: str) -> str:
    """A name as a part of a web address or an identifier: "Özel Sayı 2" -> "ozel-sayi-2"."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def ascii_fold(text: str) -> str:
    """'Kalaycı' -> 'Kalayci', 'Öztürk' -> 'Ozturk' (for keys, identifiers, near matches)."""
    import unicodedata

    text = text.replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- Turkish suffixes after numbers ------------------------------------------------------
# An author writes "@sec:bulgular'da" without knowing the number the style will print;
# the suffix must agree with the number as it is read aloud: "Bölüm 3'te" (üç),
# "Bölüm 2'de" (iki), "Tablo 1'de" (bir), "Şekil 4'te" (dört), "Tablo 6'da" (altı).

_UNITS = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_BACK_VOWELS, _FRONT_VOWELS = "aıou", "eiöü"
_VOICELESS = "çfhkpsşt"

# The suffixes that follow a number, as archiphonemes: D is d/t, A is a/e, I is ı/i/u/ü;
# (y) and (n) are buffer consonants written only after a vowel. Longest first.
_MORPHEMES = (
    ("DAn", ("dan", "den", "tan", "ten")),
    ("DIr", ("dır", "dir", "dur", "dür", "tır", "tir", "tur", "tür")),
    ("DA", ("da", "de", "ta", "te")),
    ("(n)In", ("nın", "nin", "nun", "nün", "ın", "in", "un", "ün")),
    ("(y)lA", ("yla", "yle", "la", "le")),
    ("(y)A", ("ya", "ye", "a", "e")),
    ("(y)I", ("yı", "yi", "yu", "yü", "ı", "i", "u", "ü")),
    ("ki", ("ki",)),
)
APOSTROPHES = ("'", "’")


def turkish_number_word(number: str) -> str | None:
    """The word a Turkish reader says last when reading `number` ("2.1" -> "bir",
    "30" -> "otuz", "100" -> "yüz"); None when it ends in no digit."""
    digits = ""
    for char in reversed(number):
        if char.isdigit():
            digits = char + digits
        elif digits:
            break
    if not digits:
        return None
    value = int(digits)
    if value == 0:
        return _UNITS[0]
    if value % 10:
        return _UNITS[value % 10]
    if value % 100:
        return _TENS[value % 100 // 10]
    # A round number: the word of its lowest group ("iki bin" -> bin, "bin yüz" -> yüz).
    if value % 1000:
        return "yüz"
    if value % 10**6:
        return "bin"
    return "milyon" if value % 10**9 else "milyar"


def turkish_suffix(stem: str, suffix: str) -> str | None:
    """`suffix` (as the author wrote it, without the apostrophe) made to agree with `stem`
    (the word read aloud) by vowel harmony, consonant assimilation and buffer consonants;
    None when the suffix is not one this knows (it is then left as written)."""
    morphemes = _parse_suffix(suffix.lower())
    if morphemes is None:
        return None
    text = stem.lower()
    written = ""
    for morpheme in morphemes:
        piece = _render(morpheme, text)
        text += piece
        written += piece
    return written


def _parse_suffix(suffix: str) -> list[str] | None:
    found = []
    rest = suffix
    while rest:
        for name, forms in _MORPHEMES:
            form = next((f for f in forms if rest.startswith(f)), None)
            if form is not None:
                found.append(name)
                rest = rest[len(form):]
                break
        else:
            return None
    return found


def _render(morpheme: str, stem: str) -> str:
    vowels = [c for c in stem if c in _BACK_VOWELS + _FRONT_VOWELS]
    last = vowels[-1] if vowels else "e"
    a = "a" if last in _BACK_VOWELS else "e"
    i = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[last]
    ends_in_vowel = stem[-1:] in _BACK_VOWELS + _FRONT_VOWELS
    d = "t" if stem[-1:] in _VOICELESS else "d"
    return {
        "DAn": f"{d}{a}n",
        "DIr": f"{d}{i}r",
        "DA": f"{d}{a}",
        "(n)In": f"{'n' if ends_in_vowel else ''}{i}n",
        "(y)lA": f"{'y' if ends_in_vowel else ''}l{a}",
        "(y)A": f"{'y' if ends_in_vowel else ''}{a}",
        "(y)I": f"{'y' if ends_in_vowel else ''}{i}",
        "ki": "ki",
    }[morpheme]
