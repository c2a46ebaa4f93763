"""Which language a piece of text is in (Turkish or English), and letter case by language.

The importer must tell a Turkish title from an English one, and a Turkish abstract printed
under "ABSTRACT" from an English one, by their words, not by where they stand. Two
languages, and texts of a sentence or more: counting each language's commonest words and
Turkish's own letters is enough, and it says "don't know" when the evidence is thin.
"""

from __future__ import annotations

import re

TURKISH_WORDS = frozenset(re.findall(r"\S+", """
ve bir bu da de ile için olarak olan gibi daha çok en ama veya ya ki ise her kadar sonra
önce göre üzerine arasında nasıl neden olduğu olduğunu olan olmak olmayan değil var yok
bu şu o ne hem ilgili üzerinde içinde tarafından yönelik karşı kendi iki çalışma çalışmada
makale makalede dönem döneminde ilişkileri ilişkisi türk türkiye dergisi üniversitesi
"""))
ENGLISH_WORDS = frozenset(re.findall(r"\S+", """
the and of to in is are was were for that with as on by this be from at an or which it
its their has have had not but also between during into than these those such can will
"""))
TURKISH_LETTERS = set("çğıöşüÇĞİÖŞÜ")
TURKISH_SUFFIX = re.compile(r"(nin|nın|nun|nün|ler|lar|leri|ları|lik|lık|luk|lük|sel|sal|"
                            r"inde|ında|iye|ıya|mesi|ması|etkisi|ndeki|ndaki)$")
ENGLISH_SUFFIX = re.compile(r"(tion|tions|ing|ness|ment|ments|ity|ies|ism)$")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def detect(text: str) -> str | None:
    """'tr', 'en', or None when the text does not say clearly."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return None
    turkish = sum(1 for w in words if turkish_lower(w) in TURKISH_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    # suffixes: weak evidence, for titles too short to hold function words
    turkish += 0.5 * sum(1 for w in words if TURKISH_SUFFIX.search(w))
    english += 0.5 * sum(1 for w in words if ENGLISH_SUFFIX.search(w))
    letters = sum(1 for c in text if c in TURKISH_LETTERS)
    # Turkish letters weigh less than words: English texts name Turkish places and people.
    turkish_score = turkish + min(letters, len(words)) * 0.5
    if english == 0 and turkish_score == 0:
        return None
    if english > turkish_score * 1.5 and english >= 0.5:
        return "en"
    if turkish_score > english * 1.5:
        return "tr"
    return None


# -- letter case ---------------------------------------------------------------------------

def turkish_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def turkish_upper(text: str) -> str:
    return text.replace("i", "İ").replace("ı", "I").upper()


def lower(text: str, lang: str) -> str:
    return turkish_lower(text) if lang == "tr" else text.lower()


def upper(text: str, lang: str) -> str:
    return turkish_upper(text) if lang == "tr" else text.upper()


def capitalize(word: str, lang: str) -> str:
    """First letter up, the rest down, by the language's rules ("İSTANBUL" -> "İstanbul")."""
    if not word:
        return word
    return upper(word[0], lang) + lower(word[1:], lang)


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


ENGLISH_MINOR = frozenset(re.findall(r"\S+", """
a an the and but or nor for so yet as at by in of off on per to up via vs from into onto
over with"""))
TURKISH_MINOR = frozenset(re.findall(r"\S+", "ve ile ya da de ki mi mı mu mü veya ama için "
                                                "gibi"))


def title_case(text: str, lang: str, keep: frozenset[str] = frozenset()) -> str:
    """Title Case for a text typed in capitals ("AN ALLIANCE BASED ON ...").

    Minor words stay lower case except at the start and after a colon; each part of a
    hyphenated word is capitalised ("Russian-Iranian"); words in `keep` (acronyms the text
    writes in capitals elsewhere, such as NATO) keep their capitals.
    """
    minor = TURKISH_MINOR if lang == "tr" else ENGLISH_MINOR
    out = []
    start = True
    for token in re.split(r"(\s+)", text):
        if not token or token.isspace():
            out.append(token)
            continue
        core = token.strip("\"'“”‘’()[]:;,.!?")
        if core and core in keep:
            out.append(token)
        elif core and lower(core, lang) in minor and not start:
            out.append(lower(token, lang))
        else:
            out.append("-".join(_capitalize_word(part, lang) for part in token.split("-")))
        start = token.endswith((":", "?", "!", "—", "–"))
    return "".join(out)


def _capitalize_word(word: str, lang: str) -> str:
    # "IRAN'S" -> "Iran's": the apostrophe's suffix stays lower case; a leading quote or
    # bracket is skipped.
    match = re.match(r"^([^\w]*)(\w)(.*)$", word, re.S)
    if not match:
        return word
    lead, first, rest = match.groups()
    return lead + upper(first, lang) + lower(rest, lang)


