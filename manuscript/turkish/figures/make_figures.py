"""Make the figures of the Turkish sample manuscript and print the numbers its tables quote.

Run from the repository root:

    .venv/bin/python manuscript/turkish/figures/make_figures.py

It reads one input, the Turkish abstract (`abstract.tr`) in the front matter of the first
sample, `manuscript/article.md` (Al-Basre, 2023), and writes, beside this script:

- `harf-sikligi.png`  - share of each of the 29 letters of the Turkish alphabet in that abstract;
- `hece-dagilimi.jpg` - how many words of that abstract have 1, 2, 3 ... syllables;
- `hece-kurali.svg`   - the three syllable rules of the Yazim Kilavuzu, drawn on TDK's examples.

It prints (to stdout) the rows of the alphabet table, the counts behind the readability table,
the syllabified words of the appendix and the first sentence of the abstract in syllables.
Nothing is random: two runs write the same files (same Pillow version).

Method, as the article states it:
- Turkish lower-casing: I -> ı and İ -> i first, then str.lower() (which alone maps I -> i
  and İ -> i + U+0307).
- Letters: the 29 letters of the Turkish alphabet; anything else (digits, punctuation) is
  not counted. The circumflexed vowels â î û would be counted as a, i, u; the abstract has none.
- Words: runs of letters, an apostrophe inside a word keeps it one word (NATO'nun).
- Sentences: a sentence ends at '.', '!' or '?'.
- Syllables: one per vowel (every Turkish syllable has exactly one vowel); the only word of the
  abstract written without its vowels being pronounced as written is the initialism "ABD",
  read letter by letter "a-be-de", so it counts as 3 (see ACRONYM_SYLLABLES).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FIRST_SAMPLE = ROOT / "manuscript" / "article.md"
FONT_DIR = ROOT / "styles" / "pesa" / "fonts"

ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyz"
VOWELS = set("aeıioöuü")
CIRCUMFLEX = {"â": "a", "î": "i", "û": "u"}
ACRONYM_SYLLABLES = {"abd": 3}  # initialisms read letter by letter: a-be-de

assert len(ALPHABET) == 29 and len(VOWELS) == 8


def tr_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def tr_upper(text: str) -> str:
    return text.replace("i", "İ").replace("ı", "I").upper()


def abstract_tr() -> str:
    text = FIRST_SAMPLE.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0].removeprefix("---\n")
    return yaml.safe_load(front)["abstract"]["tr"].strip()


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)


def sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def syllable_count(word: str) -> int:
    low = tr_lower(word)
    base = re.split(r"['’]", low)[0]
    if base in ACRONYM_SYLLABLES:
        return ACRONYM_SYLLABLES[base] + sum(1 for ch in low[len(base):] if ch in VOWELS)
    return sum(1 for ch in low if CIRCUMFLEX.get(ch, ch) in VOWELS)


def syllables(word: str) -> list[str]:
    """Split a Turkish word into syllables by the Yazim Kilavuzu's rules.

    Every syllable has one vowel; of the consonants between two vowels only the last one
    starts the next syllable (a-ra-ba, bir-lik, Türk-çe); consonants before the first vowel
    stay with it. An apostrophe stays where it is, inside its syllable.
    """
    letters = list(word)
    low = tr_lower(word)
    vowel_at = [i for i, ch in enumerate(low) if CIRCUMFLEX.get(ch, ch) in VOWELS]
    if len(vowel_at) < 2:
        return [word]
    cuts = []
    for left, right in pairwise(vowel_at):
        between = [i for i in range(left + 1, right) if low[i].isalpha()]
        cuts.append(between[-1] if between else right)
    pieces, start = [], 0
    for cut in cuts:
        pieces.append("".join(letters[start:cut]))
        start = cut
    pieces.append("".join(letters[start:]))
    return pieces


# -- the numbers --------------------------------------------------------------------------


def letter_counts(text: str) -> Counter:
    low = "".join(CIRCUMFLEX.get(ch, ch) for ch in tr_lower(text))
    return Counter(ch for ch in low if ch in ALPHABET)


def readability(text: str) -> dict:
    words = words_of(text)
    sentences = sentences_of(text)
    syl = sum(syllable_count(w) for w in words)
    x1 = syl / len(words)
    x2 = len(words) / len(sentences)
    return {"sentences": len(sentences), "words": len(words), "syllables": syl,
            "x1": x1, "x2": x2, "atesman": 198.825 - 40.175 * x1 - 2.610 * x2,
            "flesch": 206.835 - 1.015 * x2 - 84.6 * x1}


def tr_number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


# -- drawing ------------------------------------------------------------------------------

INK = (34, 34, 34)
BAR = (46, 94, 140)
GRID = (210, 210, 210)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "Carlito-Bold.ttf" if bold else "Carlito-Regular.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def bar_chart(path: Path, labels: list[str], values: list[float], *, size: tuple[int, int],
              y_label: str, x_label: str, value_format, y_max: float, y_step: float,
              fmt: str, **save) -> None:
    width, height = size
    left, right, top, bottom = 160, 40, 48, 140
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    plot_w, plot_h = width - left - right, height - top - bottom
    tick_font, label_font, value_font = font(36), font(40, bold=True), font(27)
    steps = round(y_max / y_step)
    for k in range(steps + 1):
        y = top + plot_h - plot_h * k / steps
        draw.line([(left, y), (left + plot_w, y)], fill=GRID, width=2)
        text = tr_number(k * y_step, 0)
        tw = draw.textlength(text, font=tick_font)
        draw.text((left - 14 - tw, y - 21), text, font=tick_font, fill=INK)
    slot = plot_w / len(values)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = left + i * slot + slot * 0.15
        x1 = left + (i + 1) * slot - slot * 0.15
        y0 = top + plot_h - plot_h * value / y_max
        draw.rectangle([x0, y0, x1, top + plot_h], fill=BAR)
        tw = draw.textlength(label, font=tick_font)
        draw.text(((x0 + x1) / 2 - tw / 2, top + plot_h + 10), label, font=tick_font, fill=INK)
        shown = value_format(value)
        vw = draw.textlength(shown, font=value_font)
        draw.text(((x0 + x1) / 2 - vw / 2, y0 - 32), shown, font=value_font, fill=INK)
    draw.line([(left, top), (left, top + plot_h), (left + plot_w, top + plot_h)], fill=INK,
              width=3)
    xw = draw.textlength(x_label, font=label_font)
    draw.text((left + plot_w / 2 - xw / 2, height - 66), x_label, font=label_font, fill=INK)
    # The y-axis label, turned a quarter.
    yw = int(draw.textlength(y_label, font=label_font)) + 8
    label = Image.new("RGB", (yw, 52), "white")
    ImageDraw.Draw(label).text((4, 2), y_label, font=label_font, fill=INK)
    label = label.rotate(90, expand=True)
    image.paste(label, (24, top + plot_h // 2 - yw // 2))
    image.save(path, fmt, **save)


SVG_ROWS = [
    # (rule, word, syllables as TDK divides them)
    ("İki ünlü arasında tek ünsüz", "ünsüz, sonraki ünlüyle hece kurar", ["a", "ra", "ba"]),
    ("Yan yana iki ünsüz", "ilki önceki, ikincisi sonraki heceye", ["bir", "lik"]),
    ("Yan yana üç ünsüz", "ilk ikisi önceki, üçüncüsü sonraki heceye", ["Türk", "çe"]),
]


def hece_svg() -> str:
    box, gap, sep = 46, 4, 26
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="760" height="330" '
           'viewBox="0 0 760 330" role="img" aria-labelledby="title desc" '
           'font-family="Carlito, Calibri, \'Liberation Sans\', Arial, sans-serif">',
           '<title id="title">Türkçede hece sınırı: üç kural</title>',
           '<desc id="desc">Üç örnek sözcük harf harf kutularda: a-ra-ba, bir-lik, Türk-çe. '
           'Ünlüler koyu, ünsüzler açık renkli kutulardadır; kırmızı çizgiler hece '
           'sınırlarını gösterir. Her sınırdan sonra tek bir ünsüz ve bir ünlü gelir.</desc>',
           '<rect width="760" height="330" fill="#ffffff"/>']
    for row, (rule, detail, parts) in enumerate(SVG_ROWS):
        y = 30 + row * 100
        out.append(f'<text x="20" y="{y + 20}" font-size="19" font-weight="bold" '
                   f'fill="#222222">{rule}</text>')
        out.append(f'<text x="20" y="{y + 46}" font-size="16" fill="#444444">{detail}</text>')
        x = 400
        for index, part in enumerate(parts):
            if index:
                middle = x + (sep - gap) / 2
                out.append(f'<line x1="{middle}" y1="{y - 4}" x2="{middle}" '
                           f'y2="{y + box + 4}" stroke="#c0392b" stroke-width="3"/>')
                x += sep
            for letter in part:
                vowel = tr_lower(letter) in VOWELS
                fill, ink = ("#2e5e8c", "#ffffff") if vowel else ("#e8eef5", "#222222")
                out.append(f'<rect x="{x}" y="{y}" width="{box}" height="{box}" rx="4" '
                           f'fill="{fill}" stroke="#2e5e8c" stroke-width="1.5"/>')
                out.append(f'<text x="{x + box / 2}" y="{y + 32}" font-size="26" '
                           f'text-anchor="middle" fill="{ink}">{letter}</text>')
                x += box + gap
    legend_y = 318
    out.append(f'<rect x="20" y="{legend_y - 14}" width="16" height="16" fill="#2e5e8c"/>')
    out.append(f'<text x="42" y="{legend_y}" font-size="15" fill="#222222">ünlü</text>')
    out.append(f'<rect x="100" y="{legend_y - 14}" width="16" height="16" fill="#e8eef5" '
               'stroke="#2e5e8c"/>')
    out.append(f'<text x="122" y="{legend_y}" font-size="15" fill="#222222">ünsüz</text>')
    out.append(f'<line x1="190" y1="{legend_y - 14}" x2="190" y2="{legend_y + 2}" '
               'stroke="#c0392b" stroke-width="3"/>')
    out.append(f'<text x="200" y="{legend_y}" font-size="15" fill="#222222">hece sınırı</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- main ---------------------------------------------------------------------------------

APPENDIX_WORDS = [
    # Examples the Yazim Kilavuzu gives for its rules (as quoted in NOTES.md), a word with a
    # word-initial cluster (tren), then words of this article.
    "araba", "birlik", "sevmek", "Türkçe", "korkmak", "saat", "başöğretmen", "ilkokul",
    "Karaosmanoğlu", "program", "kontrol", "santral", "tren", "okunabilirlik", "hecelenmesi",
    "yazılımlarında", "erişilebilirlik", "kılavuzu", "noktalama",
]


def main() -> None:
    text = abstract_tr()
    counts = letter_counts(text)
    total = sum(counts.values())
    shares = [100 * counts[ch] / total for ch in ALPHABET]
    bar_chart(HERE / "harf-sikligi.png", list(ALPHABET), shares, size=(1800, 800),
              y_label="Oran (%)", x_label="Harf", value_format=lambda v: tr_number(v, 1),
              y_max=14, y_step=2, fmt="PNG", optimize=True)

    words = words_of(text)
    per_word = Counter(syllable_count(w) for w in words)
    longest = max(per_word)
    bar_chart(HERE / "hece-dagilimi.jpg", [str(n) for n in range(1, longest + 1)],
              [per_word[n] for n in range(1, longest + 1)], size=(1400, 760),
              y_label="Kelime sayısı", x_label="Kelimedeki hece sayısı",
              value_format=lambda v: str(int(v)), y_max=50, y_step=10, fmt="JPEG",
              quality=92)

    (HERE / "hece-kurali.svg").write_text(hece_svg(), encoding="utf-8")

    print("== letters:", total, "letters counted")
    for ch in sorted(ALPHABET, key=lambda c: -counts[c])[:8]:
        print(f"   {ch}: {counts[ch]} ({tr_number(100 * counts[ch] / total, 1)} %)")
    print("   absent:", [ch for ch in ALPHABET if not counts[ch]])
    print("   vowels share:", tr_number(100 * sum(counts[c] for c in VOWELS) / total, 1))
    print("   ı vs i:", counts["ı"], counts["i"])
    print("== syllables per word:", dict(sorted(per_word.items())))
    r = readability(text)
    print("== readability:", {k: (round(v, 4) if isinstance(v, float) else v)
                             for k, v in r.items()})
    print("== alphabet table")
    for n, ch in enumerate(ALPHABET, 1):
        up = tr_upper(ch)
        default = ch.upper()
        kind = "ünlü" if ch in VOWELS else "ünsüz"
        ok = "evet" if default == up else f"hayır ({default})"
        back = up.lower()
        ok_back = "evet" if back == ch else ("hayır (i + U+0307)" if back == "i\u0307"
                                             else f"hayır ({back})")
        print(f"| {n} | {ch} | {up} | U+{ord(ch):04X} | U+{ord(up):04X} | {kind} | {ok} "
              f"| {ok_back} |")
    print("== appendix")
    for word in APPENDIX_WORDS:
        print("  ", word, "->", "-".join(syllables(word)))
    first = sentences_of(text)[0]
    print("== first sentence:")
    print("  ", first)
    print("  ", " ".join("·".join(syllables(w)) for w in first.split()))


if __name__ == "__main__":
    main()
