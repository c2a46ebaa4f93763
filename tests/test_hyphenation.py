"""Turkish hyphenation (typeset.render.pdf.hyphenation): word list, TeX cross-check, WeasyPrint."""

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pyphen
import pytest

from typeset.render.pdf.hyphenation import (
    DICTIONARY_PATH,
    VOWELS,
    dictionary_text,
    register_turkish_hyphenation,
)

ROOT = Path(__file__).resolve().parent.parent
WORD_LIST = Path(__file__).parent / "data" / "turkish_hyphenation.txt"
TEX_PATTERNS = ROOT / "node_modules" / "hyphen" / "patterns" / "tr.js"
FONTS = ROOT / "styles" / "pesa" / "fonts"
MIN_FRAGMENT = 2  # TDK: no single letter at a line's start or end

# Turkish prose (written for this test) for the larger cross-check sample.
SAMPLE_TEXT = """
Türkiye Cumhuriyeti 1923 yılında Ankara'da ilan edildi. Cumhuriyetin ilk yıllarında
eğitim, ekonomi ve hukuk alanlarında köklü değişiklikler yapıldı; harf devrimiyle birlikte
okuma yazma oranı hızla yükseldi. Üniversitelerde yeni enstitüler kuruldu, bilimsel
araştırmalar desteklendi ve uluslararası işbirliği güçlendirildi. Bugün İstanbul, İzmir ve
Ankara gibi büyük şehirler kültür, sanat ve ticaret merkezleri olarak öne çıkmaktadır.
Öğretmenler, öğrencilerin eleştirel düşünme becerilerini geliştirmek için çağdaş yöntemler
kullanıyor. Dergimizde yayımlanan makaleler toplumsal değişmenin dinamiklerini,
demokrasinin kurumsallaşmasını ve stratejik planlamanın kamu politikalarına etkisini
inceliyor. Yazarlar kaynakçalarını düzenlerken dergi kurallarına uymak zorundadır. Çevre
kirliliği, iklim değişikliği ve sürdürülebilir kalkınma konularındaki çalışmalar son
yıllarda belirgin biçimde artmıştır. Araştırmacılar Ortadoğu ile Avrupa arasındaki göç
hareketlerini karşılaştırmalı olarak ele alan kapsamlı bir proje yürütüyor. Kooperatifin
elektrik santrali, kontrol odası ve transformatör istasyonu geçen yıl yenilendi.
Mühendisler programın teknik ayrıntılarını telgrafla değil elektronik postayla bildirdi.
Festival programında tiyatro, sinema, müzik ve edebiyat etkinlikleri yer alıyor; saat on
birde başlayacak konferansta psikoloji profesörü ailelerin rolünü anlatacak. Türkçenin
zengin ek yapısı, sözcüklerin satır sonunda doğru bölünmesini özellikle önemli kılar.
"""

# Words of the hand-checked list where TeX's patterns (hyph-tr, as shipped by the npm
# package `hyphen`) and TDK disagree, and why.  We follow TDK.
TEX_DIFFERENCES = {
    # TeX forbids a break after a pair of vowels; TDK: one vowel per syllable.
    "aile": "vowel pair",
    "teori": "vowel pair",
    "kooperatif": "vowel pair",
    # TeX has no rule for word-initial clusters and splits st-ra; TDK: stra-te-ji.
    "stratejik": "initial cluster",
    "stres": "initial cluster",
    "sprey": "initial cluster",
    "strateji": "initial cluster",
    # TeX's "2e2cek." refuses gele-cek; TDK syllabifies ge-le-cek.
    "gelecek": "final -ecek",
    "gidecek": "final -ecek",
    "edecek": "final -ecek",
    # TeX's "tu4r4k" keeps "turk" together; tur-ku-az is regular.
    "turkuaz": "TeX exception",
}


def turkish_lower(word):
    return word.replace("İ", "i").replace("I", "ı").lower()


def turkish_upper(word):
    return word.replace("i", "İ").replace("ı", "I").upper()


def load_word_list():
    """Return (word, syllable boundaries) pairs of the hand-checked list."""
    entries = []
    for line in WORD_LIST.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            syllables = line.split("-")
            ends = [len("".join(syllables[:i])) for i in range(1, len(syllables))]
            entries.append(("".join(syllables), ends))
    return entries


def hyphenation_points(word, boundaries):
    """Syllable boundaries allowed at a line end (no single-letter fragment)."""
    return [b for b in boundaries if MIN_FRAGMENT <= b <= len(word) - MIN_FRAGMENT]


def insert_hyphens(word, points):
    for point in reversed(points):
        word = word[:point] + "-" + word[point:]
    return word


def sample_words():
    words = {word for word, _ in load_word_list()}
    words.update(re.findall(r"[^\W\d_]+", SAMPLE_TEXT))
    return sorted(words)


@pytest.fixture(scope="module")
def turkish():
    register_turkish_hyphenation()
    return pyphen.Pyphen(lang="tr")


def test_committed_dictionary_is_generated():
    assert DICTIONARY_PATH.read_bytes() == dictionary_text().encode()


def test_registration_is_idempotent_and_covers_language_tags():
    register_turkish_hyphenation()
    hyph_dict = pyphen.hdcache[DICTIONARY_PATH]
    register_turkish_hyphenation()
    assert pyphen.hdcache[DICTIONARY_PATH] is hyph_dict
    for tag in ("tr", "TR", "tr-TR", "tr_TR", "tr-tr", "tr-Latn-TR"):
        assert pyphen.LANGUAGES[pyphen.language_fallback(tag)] == DICTIONARY_PATH, tag
        assert pyphen.Pyphen(lang=tag).hd is hyph_dict


def test_word_list(turkish):
    entries = load_word_list()
    assert len(entries) >= 100
    wrong = []
    for word, boundaries in entries:
        expected = insert_hyphens(word, hyphenation_points(word, boundaries))
        if turkish.inserted(word) != expected:
            wrong.append((turkish.inserted(word), expected))
    assert not wrong


def test_patterns_encode_every_syllable_boundary():
    register_turkish_hyphenation()
    syllables = pyphen.Pyphen(lang="tr", left=1, right=1)
    wrong = [
        word for word, boundaries in load_word_list() if syllables.positions(word) != boundaries
    ]
    assert not wrong


def test_no_single_letter_fragment(turkish):
    from weasyprint.css.properties import INITIAL_VALUES

    # WeasyPrint hands Pyphen left=2, right=2 unless hyphenate-limit-chars says otherwise.
    assert INITIAL_VALUES["hyphenate_limit_chars"] == (5, MIN_FRAGMENT, MIN_FRAGMENT)
    for word in sample_words():
        for point in turkish.positions(word):
            assert MIN_FRAGMENT <= point <= len(word) - MIN_FRAGMENT, (word, point)


def test_capitals_hyphenate_like_lowercase(turkish):
    assert turkish.inserted("İstanbul") == "İs-tan-bul"
    assert turkish.inserted("İngiltere") == "İn-gil-te-re"
    assert turkish.inserted("İSTİKLAL") == "İS-TİK-LAL"
    for word in sample_words():
        lower, upper = turkish_lower(word), turkish_upper(word)
        assert turkish.positions(upper) == turkish.positions(lower), upper


def test_no_hyphen_after_apostrophe(turkish):
    # TDK: a line may end at the apostrophe, and then without a hyphen.
    assert turkish.inserted("Ankara'dan") == "An-ka-ra'dan"
    assert turkish.inserted("Türkiye’nin") == "Tür-ki-ye’nin"
    assert turkish.inserted("1996'da") == "1996'da"


# --- Cross-check with TeX's Turkish patterns ------------------------------------------


def load_tex_patterns():
    """Read the `hyphen` package's pattern trie as {letters: [digit before letter i]}.

    tr.js wraps [levels table, trie, exceptions] in a UMD module; a trie value is a
    sub-trie, an index into the levels table, or [sub-trie, index].
    """
    source = TEX_PATTERNS.read_text(encoding="utf-8")
    literal = source[source.index("})(this,") + len("})(this,") : source.rindex(");")]
    literal = re.sub(r'([{,]\s*)([^\s"{}\[\],:]+)\s*:', r'\1"\2":', literal)  # quote keys
    levels, trie, exceptions = json.loads(literal)
    assert not exceptions
    patterns = {}

    def walk(node, prefix):
        for letter, value in node.items():
            child, index = value if isinstance(value, list) else (value, None)
            if isinstance(child, int):
                child, index = {}, child
            if index is not None:
                patterns[prefix + letter] = levels[index]
            walk(child, prefix + letter)

    walk(trie, "")
    # hyphen.js shifts the levels of patterns that start with ".": none in Turkish.
    assert not any(key.startswith(".") for key in patterns)
    return patterns


def liang_points(word, patterns):
    """Liang's algorithm: odd maximum between two letters allows a break there."""
    dotted = f".{turkish_lower(word)}."
    values = [0] * (len(dotted) + 1)
    longest = max(map(len, patterns))
    for start in range(len(dotted)):
        for end in range(start + 1, min(start + longest, len(dotted)) + 1):
            for offset, value in enumerate(patterns.get(dotted[start:end], ())):
                values[start + offset] = max(values[start + offset], value)
    # values[i] sits before dotted[i], i.e. before word[i - 1].
    return [
        point
        for point in range(MIN_FRAGMENT, len(word) - MIN_FRAGMENT + 1)
        if values[point + 1] % 2
    ]


def explain_difference(word, point, ours):
    """Name the documented TeX/TDK disagreement at `point`, or None."""
    word = turkish_lower(word)
    before, after = word[:point], word[point:]
    if ours and len(before) >= 2 and set(before[-2:]) <= set(VOWELS):
        return "vowel pair"
    if not ours and not set(before) & set(VOWELS):
        return "initial cluster"
    if ours and word.endswith("ecek") and after == "cek":
        return "final -ecek"
    tex_exceptions = {"turk": (2, 3), "mtrak": (2,)}  # tu4r4k, m1t4rak
    if ours and any(
        point - match.start() in offsets
        for cluster, offsets in tex_exceptions.items()
        for match in re.finditer(cluster, word)
    ):
        return "TeX exception"
    return None


def compare_with_tex(words, patterns, turkish):
    """Return (number of words that agree, {word: [(point, ours?, reason)]})."""
    differences = {}
    for word in words:
        ours, tex = set(turkish.positions(word)), set(liang_points(word, patterns))
        if ours != tex:
            differences[word] = [
                (point, point in ours, explain_difference(word, point, point in ours))
                for point in sorted(ours ^ tex)
            ]
    return len(words) - len(differences), differences


@pytest.mark.skipif(not TEX_PATTERNS.exists(), reason="node_modules/hyphen is not installed")
def test_agrees_with_tex_patterns(turkish):
    patterns = load_tex_patterns()
    hand_checked = [word for word, _ in load_word_list()]
    agree, differences = compare_with_tex(hand_checked, patterns, turkish)
    print(f"\nTeX agreement, hand-checked list: {agree}/{len(hand_checked)} words")
    found = {word: {reason for *_, reason in points} for word, points in differences.items()}
    assert found == {word: {reason} for word, reason in TEX_DIFFERENCES.items()}
    sample = sample_words()
    agree, differences = compare_with_tex(sample, patterns, turkish)
    reasons = [reason for points in differences.values() for *_, reason in points]
    print(f"TeX agreement, sample of {len(sample)} words: {agree} agree; differences:")
    for reason in sorted(set(reasons), key=str):
        print(f"  {reason}: {reasons.count(reason)}")
    unexplained = {
        word: points
        for word, points in differences.items()
        if None in {reason for *_, reason in points}
    }
    assert not unexplained


# --- End to end through WeasyPrint ----------------------------------------------------

E2E_WORDS = (
    "Uluslararası cumhuriyet kardeşlik demokrasi ekonomi politika stratejik enstitü "
    "ortadoğu İngiltere elektrik Türkiye İstanbul bilgisayar değerlendirme araştırma "
    "üniversite televizyon milletvekili yayımlamak düzenleme"
)
E2E_HTML = f"""<!DOCTYPE html>
<html lang="tr"><head><style>
@font-face {{ font-family: Carlito; src: url(Carlito-Regular.ttf); }}
@page {{ size: 6cm 20cm; margin: 1cm; }}
/* Carlito has no U+2010 (WeasyPrint's default hyphen): use "-" to stay on this font. */
p {{ font: 11pt Carlito; width: 3cm; text-align: justify; hyphens: auto;
     hyphenate-character: "-"; }}
</style></head><body><p>{E2E_WORDS}</p></body></html>"""

RENDER_SCRIPT = """
import sys
from weasyprint import HTML
html, base_url, output = sys.argv[1:]
HTML(string=html, base_url=base_url).write_pdf(output)
"""


def pdf_lines(path):
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_weasyprint_hyphenates_turkish(tmp_path):
    from weasyprint import HTML

    register_turkish_hyphenation()
    with_patterns = tmp_path / "with.pdf"
    HTML(string=E2E_HTML, base_url=str(FONTS)).write_pdf(with_patterns)
    lines = pdf_lines(with_patterns)
    expected = {
        turkish_lower(word): hyphenation_points(word, boundaries)
        for word, boundaries in load_word_list()
    }
    breaks = []
    for line, next_line in itertools.pairwise(lines):
        if line.endswith("-"):
            head, tail = line.split()[-1][:-1], next_line.split()[0]
            breaks.append(f"{head}-{tail}")
            assert len(head) in expected[turkish_lower(head + tail)], (head, tail)
    assert len(breaks) >= 3, lines
    assert " ".join(lines).replace("- ", "").replace("-", "").split() == E2E_WORDS.split()

    # Registration is process-global, so render without it in a fresh interpreter.
    without_patterns = tmp_path / "without.pdf"
    subprocess.run(
        [sys.executable, "-c", RENDER_SCRIPT, E2E_HTML, str(FONTS), str(without_patterns)],
        check=True,
    )
    lines = pdf_lines(without_patterns)
    assert " ".join(lines).split() == E2E_WORDS.split()  # all there, none hyphenated


def test_foreign_words_and_inner_capitals_are_not_cut_by_turkish_rules():
    register_turkish_hyphenation()
    turkish = pyphen.Pyphen(lang="tr")
    for word in ("WeasyPrint", "Wikipedia", "Maxwell", "iPhone'un", "JavaScript"):
        assert turkish.positions(word) == [], word
    assert turkish.positions("kitaplarımızdan")  # Turkish words still hyphenate


@pytest.mark.parametrize("language", ["en_US", "en_GB", "fr", "it_IT", "es", "de_DE", "hu_HU"])
def test_dictionaries_read_quickly_into_pyphens_own_patterns(language):
    """hyphenation.quick_patterns reads a dictionary into what Pyphen reads (or leaves it
    to Pyphen: None), and the registered reader is the one Pyphen uses."""
    from typeset.render.pdf import hyphenation

    register_turkish_hyphenation()
    path = pyphen.LANGUAGES[language]
    pyphens_own = hyphenation._QuickHyphDict.__bases__[0](path)
    quick = hyphenation.quick_patterns(path)
    assert quick is None or quick == pyphens_own.patterns
    assert hyphenation._QuickHyphDict(path).patterns == pyphens_own.patterns
    if language == "en_US":
        assert quick is not None and pyphen.HyphDict is hyphenation._QuickHyphDict
