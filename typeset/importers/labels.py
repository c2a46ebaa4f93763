"""The words that label parts of an author's file, in Turkish and English, in one place.

Each table maps a normalised label (lower case, Turkish-aware, no trailing colon) to what it
labels and the language of the label itself.
"""

from __future__ import annotations

import re

from typeset.importers.language import turkish_lower

ABSTRACT = {"öz": "tr", "özet": "tr", "abstract": "en", "summary": "en"}
KEYWORDS = {"anahtar kelimeler": "tr", "anahtar sözcükler": "tr", "anahtar kavramlar": "tr",
            "keywords": "en", "key words": "en"}
# history field -> labels
DATES = {
    "received": {"geliş": "tr", "geliş tarihi": "tr", "gönderim tarihi": "tr",
                 "received": "en", "submitted": "en", "date of submission": "en"},
    "revised": {"düzeltme": "tr", "düzeltme tarihi": "tr", "revizyon": "tr",
                "revised": "en", "revision": "en"},
    "accepted": {"kabul": "tr", "kabul tarihi": "tr", "accepted": "en",
                 "date of acceptance": "en"},
    "published": {"yayın": "tr", "yayın tarihi": "tr", "yayımlanma tarihi": "tr",
                  "published": "en", "published online": "en"},
}
# statement field -> labels
STATEMENTS = {
    "funding": {"finansman": "tr", "finansal destek": "tr", "destek": "tr",
                "funding": "en", "financial support": "en", "funding statement": "en"},
    "conflict-of-interest": {"çıkar çatışması": "tr", "çıkar çatışması beyanı": "tr",
                             "çatışan çıkarlar": "tr", "conflict of interest": "en",
                             "conflicts of interest": "en", "competing interests": "en",
                             "declaration of competing interest": "en"},
    "ethics": {"etik beyan": "tr", "etik kurul onayı": "tr", "etik onay": "tr",
               "araştırma ve yayın etiği": "tr", "ethics": "en", "ethics statement": "en",
               "ethical approval": "en", "ethical statement": "en", "ethics approval": "en"},
    "acknowledgements": {"teşekkür": "tr", "teşekkürler": "tr", "acknowledgements": "en",
                         "acknowledgments": "en", "acknowledgement": "en",
                         "acknowledgment": "en"},
    "data-availability": {"veri erişilebilirliği": "tr", "veri paylaşımı": "tr",
                          "veri erişilebilirlik beyanı": "tr", "data availability": "en",
                          "data availability statement": "en"},
}
# Blocks of the journal's own layout that an author copies from the template: skipped.
SKIPPED = {"makale bilgisi": "tr", "makale geçmişi": "tr", "article info": "en",
           "article information": "en", "article history": "en", "öz": "tr",
           "araştırma makalesi": "tr", "research article": "en"}
ARTICLE_TYPES = {"araştırma makalesi": "research-article", "research article":
                 "research-article", "derleme makalesi": "review-article",
                 "derleme": "review-article", "review article": "review-article",
                 "kitap incelemesi": "book-review", "book review": "book-review",
                 "olgu sunumu": "case-report", "vaka çalışması": "case-report",
                 "case report": "case-report", "editöryal": "editorial",
                 "editorial": "editorial", "kısa rapor": "brief-report",
                 "brief report": "brief-report"}
CORRESPONDING = {"sorumlu yazar": "tr", "yazışma adresi": "tr", "iletişim": "tr",
                 "corresponding author": "en", "correspondence": "en"}
REFERENCES = {"kaynakça": "tr", "kaynaklar": "tr", "kaynakca": "tr", "references": "en",
              "bibliography": "en", "works cited": "en", "reference list": "en"}
APPENDIX = re.compile(r"^(ek(ler)?|appendix|appendices)(\s*[-–]?\s*[\dA-Z]+)?\b", re.I)
INTRODUCTION = {"giriş": "tr", "introduction": "en", "giriş ve amaç": "tr"}
CONCLUSION = {"sonuç": "tr", "sonuçlar": "tr", "sonuç ve öneriler": "tr",
              "sonuç ve değerlendirme": "tr", "değerlendirme ve sonuç": "tr",
              "conclusion": "en", "conclusions": "en", "concluding remarks": "en",
              "conclusion and recommendations": "en"}
# Caption lines and the words that refer to numbered things in the text.
FLOAT_WORDS = {"tablo": ("table", "tr"), "table": ("table", "en"), "şekil": ("figure", "tr"),
               "figure": ("figure", "en"), "fig.": ("figure", "en"), "grafik": ("figure", "tr"),
               "resim": ("figure", "tr"), "harita": ("figure", "tr")}
REFERRING_WORDS = {
    "table": ("tablo", "table", "tables", "tablolar"),
    "figure": ("şekil", "figure", "fig.", "figures", "şekiller"),
    "section": ("bölüm", "section", "kısım", "alt bölüm", "sections"),
    "equation": ("denklem", "eşitlik", "formül", "equation", "eq.", "eqn."),
}


def key(text: str) -> str:
    """A label as the tables above hold it: "ANAHTAR KELİMELER:" -> "anahtar kelimeler".

    A capital I is ı in Turkish and i in English: "ABSTRACT" must find "abstract" and
    "ÇIKAR ÇATIŞMASI" "çıkar çatışması", so a word's I is read the Turkish way only when
    the word has Turkish letters of its own."""
    text = re.sub(r"[\s\u00a0]+", " ", text).strip().strip("*_").strip()
    text = re.sub(r"^\d+(\.\d+)*\.?\s+", "", text)
    text = text.rstrip(":.").strip()
    return " ".join(turkish_lower(w) if re.search("[çğıöşüÇĞİÖŞÜ]", w) else w.lower()
                    for w in text.split(" "))


def lookup(table: dict, text: str):
    return table.get(key(text))


def split_label(text: str, tables: list[dict]) -> tuple[str, str] | None:
    """ "Anahtar Kelimeler: a, b" -> ("anahtar kelimeler", "a, b") when the words before
    the first colon are a label of one of `tables`; ("label", "") for a bare label."""
    head, colon, rest = text.partition(":")
    if not colon:
        head, rest = text, ""
    label = key(head)
    # "Finansman / Funding:" : a label given in both languages
    for part in [label, *[p.strip() for p in label.split("/")]]:
        if any(part in table for table in tables):
            return part, rest.strip()
    return None
