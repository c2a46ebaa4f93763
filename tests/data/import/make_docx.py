"""Make the Word files the import tests read (run from the repository's root):

    .venv/bin/python tests/data/import/make_docx.py

- `seed.docx`: the seed article (tests/data/seed.md, a copy of shared/seed) as its author
  would have sent it: title in Word's Title style, byline with a superscript affiliation
  mark, the "MAKALE BİLGİSİ" / "ARTICLE INFO" blocks with the abstracts under swapped
  headings (as the seed prints them), headings in Word's heading styles at the seed's own
  inconsistent levels with their typed numbers, one real footnote, the reference list with
  its italics and links, and every slip of the seed's text and list kept (NOTES.md).
  The page-break splits of the seed (an artefact of its PDF) are joined, as a Word file has
  no such splits.
- `turkish.docx`: a Turkish author's file of our own with every construct the importer
  reads (`turkish_docx` below); a made-up test document, and it says so in its own text.

The output is reproducible byte for byte; tests/test_import.py checks that the committed
files are what this script makes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEED = ROOT / "tests" / "data" / "seed.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.docx_builder import Docx, m_frac, m_run, m_sub, png  # noqa: E402


def _chart(x: int, y: int) -> tuple[int, int, int]:
    """A bar chart of four bars (the shares of Table 1), 240 x 120 pixels."""
    bars = (0.62, 0.48, 0.35, 0.21)
    slot = x // 60
    height = bars[slot] * 110 if slot < len(bars) else 0
    if 10 + slot * 60 < x < 50 + slot * 60 and y > 118 - height:
        return (40, 90, 160)
    return (255, 255, 255) if y < 118 else (0, 0, 0)


def turkish_docx() -> Docx:
    """A Turkish author's submission with every construct the importer reads. Everything
    in it is made up for the test (it says so in its first footnote): people, places'
    figures, and the works of its reference list (example.org addresses, DOIs under
    Crossref's test prefix 10.5555)."""
    doc = Docx(title="Küçük Ada Ekonomilerinde Turizm ve Dayanıklılık", author="Zeynep Kaya")
    doc.para("Araştırma Makalesi / Research Article", align="right")
    doc.para("**KÜÇÜK ADA EKONOMİLERİNDE TURİZM VE DAYANIKLILIK**", align="center")
    doc.para("*Tourism and Resilience in Small Island Economies*", align="center")
    doc.para("Doç. Dr. Zeynep KAYA^1,*^, Ali YILMAZ^2^, Arş. Gör. Elif DEMİR^1^",
             align="center")
    doc.para("^1^ Ege Üniversitesi, İktisadi ve İdari Bilimler Fakültesi, İktisat "
             "Bölümü, İzmir, Türkiye")
    doc.para("^2^ Orta Doğu Teknik Üniversitesi, Mühendislik Fakültesi, Ankara, Türkiye")
    doc.para("* Sorumlu Yazar / Corresponding Author: zeynep.kaya@example.edu.tr")
    doc.para("E-posta: ali.yilmaz@example.edu.tr; elif.demir@example.edu.tr")
    doc.para("ORCID: Zeynep Kaya 0000-0002-1825-0097; Elif Demir 0000-0002-1825-0098")
    doc.para("Geliş Tarihi: 14.09.2026 / Kabul Tarihi: 16.11.2026")
    doc.para("Düzeltme: 26 Ekim 2026")
    doc.heading("Öz", 2)
    doc.para("Küçük ada ekonomileri dış şoklara karşı kırılgandır ve turizm bu ekonomilerin "
             "başlıca gelir kaynağıdır. Bu çalışma, turizme bağımlılığın *dayanıklılık* ile "
             "ilişkisini örnek adalar üzerinden ele almaktadır. Bulgular, gelir çeşitliliği "
             "arttıkça şoklardan sonra toparlanmanın hızlandığını göstermektedir.")
    doc.para("**Anahtar Kelimeler:** Turizm, Dayanıklılık, Ada ekonomileri, Küçük devletler")
    doc.heading("Abstract", 2)
    doc.para("Small island economies are vulnerable to external shocks, and tourism is the "
             "main source of their income. This study examines how dependence on tourism "
             "relates to resilience in a set of example islands. The findings show that "
             "recovery after shocks is faster where income is more diverse.")
    doc.para("**Keywords:** Tourism; Resilience; Island economies; Small states")

    doc.footnote("kurmaca", "Bu metin, dizgi hattının Word içe aktarma aracını sınamak için "
                 "yazılmış kurmaca bir makaledir: yazarlar, kurumlar, sayılar ve kaynakçadaki "
                 "eserler kurmacadır.")
    doc.heading("GİRİŞ", 1)
    doc.para("Ada ekonomileri üzerine yazın, turizmin hem fırsat hem de risk olduğunu "
             "vurgular (Hall ve Clark, 2019a, 2019b).[^kurmaca] Kaya ve Öztürk (2020, ss. 88-91) "
             "dışa bağımlılığın ölçülmesi için üç gösterge önerir. Küçük adaların yalıtılmışlığı"
             " uzun süredir tartışılmaktadır (Aydın, 2001, s. 12; Brown, 2006). Hall ve "
             "Clark'ın (2019a) bulguları da bu yöndedir.")
    doc.para("Şahin vd. (2018) Akdeniz adaları için bir planlama çerçevesi önermiştir. "
             "Benzer bulgular başka bölgelerde de bildirilmiştir (Taylor et al., 2021; Miller "
             "& Stone, 2017, p. 45). Adalarda ziyaretçi sayıları düzenli olarak "
             "yayımlanmaktadır (Example Island Council, 2022; Dünya Turizm Örgütü, 2023).")
    doc.para("**1. KURAMSAL ÇERÇEVE**")
    doc.para("Kuramsal çerçeve üç bölümde ele alınmıştır (bkz. Kaya ve Öztürk, 2020). "
             "Yalıtılmışlık tartışmasının kökleri eskidir (Browne, 2006).")
    doc.para("**1.1. Ada Ekonomilerinin Özellikleri**")
    doc.para("Ada ekonomilerinin başlıca özellikleri şunlardır:")
    doc.bullets(["Küçük iç pazar ve sınırlı üretim çeşitliliği,",
                 "dışa açıklık ve ithalata bağımlılık,",
                 "ulaşım maliyetlerinin yüksekliği."])
    doc.para("**1.1.1. Turizme Bağımlılık**")
    doc.para("Turizme bağımlılık, turizm gelirlerinin gayrisafi yurt içi hasılaya oranıyla "
             "ölçülür (Demirtaş, 2015). Bu oranın hesaplanışı Denklem 1'de verilmiştir:")
    doc.equation(m_sub(m_run("D"), m_run("i")) + m_run("=")
                 + m_frac(m_sub(m_run("T"), m_run("i")), m_sub(m_run("Y"), m_run("i")))
                 + m_run("×100"), number="1")
    doc.para("Burada T turizm gelirini, Y ise gayrisafi yurt içi hasılayı gösterir.")
    doc.heading("2. YÖNTEM", 1)
    doc.para("Araştırmanın adımları şöyle sıralanmıştır:")
    doc.bullets(["Adaların seçilmesi,", "göstergelerin hesaplanması,",
                 "bulguların karşılaştırılması."], ordered=True)
    doc.heading("2.1. Veri", 2)
    doc.footnote("veri", "Sayılar örnek olarak uydurulmuştur; gerçek bir adayı göstermez.")
    doc.para("Örnek adalara ilişkin göstergeler Tablo 1'de, gelir dağılımı Tablo 2'de "
             "özetlenmiştir.[^veri] Bölüm 1.1'de sayılan özellikler bu göstergelere "
             "yansımaktadır.")
    doc.para("Tablo 1. Örnek adaların turizm göstergeleri")
    doc.table([["Ada", "Turizm payı (%)", "Nüfus (bin)"],
               ["A Adası", "62", "85"], ["B Adası", "48", "120"],
               ["C Adası", "35", "64"], ["D Adası", "21", "210"]])
    doc.para("Kaynak: Yazarların örnek verileri.")
    doc.para("**Tablo 2:** Gelirin kaynaklara göre dağılımı")
    doc.table([["Kaynak", "Pay (%)"], ["Turizm", "41"], ["Tarım", "22"],
               ["Balıkçılık", "17"], ["Diğer", "20"]])
    doc.heading("3. BULGULAR", 1)
    doc.para("Turizm payı ile toparlanma süresi arasındaki ilişki Şekil 1'de görülmektedir. "
             "Tablo 3 ise ileride eklenecektir.")
    doc.picture(png(240, 120, _chart), 12, 6, "Dört adanın turizm paylarını gösteren "
                "çubuk grafik: A yüzde 62, B yüzde 48, C yüzde 35, D yüzde 21.")
    doc.para("Şekil 1. Örnek adalarda turizmin gelir içindeki payı")
    doc.para("Bir katılımcı durumu şöyle özetlemiştir:")
    doc.para("Sezon kısaldığında adanın bütün ekonomisi durur; balıkçı da, esnaf da aynı "
             "şoktan etkilenir (Yurt, 2014, s. 77).", style="Quote")
    doc.para("Bu bulgu, kayıtlarda adı geçen başka çalışmalarla da uyumludur (Yıldız, 2010).")
    doc.heading("SONUÇ", 1)
    doc.para("Gelir çeşitliliği yüksek adalar şoklardan daha hızlı toparlanmaktadır. Bulgular"
             " Bölüm 2'de anlatılan yöntemle elde edilmiştir.")
    doc.heading("Finansman", 2)
    doc.para("Bu çalışma için herhangi bir kurumdan mali destek alınmamıştır.")
    doc.para("Funding: No funding was received for this work.")
    doc.para("**Çıkar Çatışması:** Yazarlar herhangi bir çıkar çatışması bildirmemektedir.")
    doc.para("**Etik Beyan:** Çalışma insan ya da hayvan katılımcı içermemektedir.")
    doc.heading("Teşekkür", 2)
    doc.para("Yazarlar, taslağı okuyan hakemlere teşekkür eder.")

    doc.heading("KAYNAKÇA", 1)
    for entry in TURKISH_REFERENCES:
        doc.para(entry)
    doc.heading("EK 1. Örnek Adaların Listesi", 1)
    doc.bullets(["A Adası", "B Adası", "C Adası", "D Adası"])
    return doc


# Made up (see turkish_docx): every form the reference parser reads, Turkish and English,
# APA 6 and 7.
TURKISH_REFERENCES = [
    "Aydın, M. (2001). *Adalar coğrafyası: Küçük adaların yalıtılmışlığı* (2. bs.). Ankara: "
    "Örnek Yayınları.",
    "Brown, G. (2006). Islands, island studies and small economies. *Journal of Example "
    "Island Studies*, *1*(1), 3-18. https://doi.org/10.5555/jeis.2006.001",
    "Demirtaş, H. (2016). Kıyı turizminde mevsimsellik ve istihdam. *Örnek Sosyal Bilimler "
    "Dergisi*, 12(3), 45-67.",
    "Dünya Turizm Örgütü. (2023). *Ada turizmi göstergeleri 2023*. 12 Mart 2024 tarihinde "
    "https://example.org/ada-turizmi adresinden erişildi.",
    "Ekinci, S. (2012). *Adalarda kıyı yönetimi* (Yüksek lisans tezi). Örnek Üniversitesi, "
    "Fen Bilimleri Enstitüsü, Muğla.",
    "Example Island Council. (2022, May 3). *Visitor statistics 2021*. Retrieved from "
    "https://example.org/visitors",
    "Hall, J. ve Clark, P. (2019a). Small states and tourism shocks. *Example Tourism "
    "Review*, 8(2), 101-120.",
    "Hall, J. ve Clark, P. (2019b). *Resilience in island economies*. London: Example Press.",
    "Kaya, Z. ve Öztürk, A. (2020). Ada ekonomilerinde dışa bağımlılık. A. Yılmaz (Ed.), "
    "*Küçük ekonomiler üzerine yazılar* içinde (ss. 80-102). İstanbul: Deneme Kitabevi.",
    "Miller, R., & Stone, K. (2017). Tourism and growth on small islands. In L. Green & M. "
    "White (Eds.), *Handbook of example tourism* (pp. 30-55). New York, NY: Example Books.",
    "Şahin, E., Koç, B. ve Aksoy, C. (2018). *Akdeniz adalarında turizm planlaması* (Rapor "
    "No. 14). Ankara: Örnek Kalkınma Enstitüsü.",
    "Taylor, S., Green, L., & White, M. (2021). Measuring resilience after tourism shocks. "
    "*Example Journal of Economics*, *33*, e102. https://doi.org/10.5555/eje.2021.102",
    "Turizm Bakanlığı. (2021). *Ada turizmi değerlendirme raporu*. Erişim tarihi: 5.1.2024, "
    "https://example.org/rapor",
    "Yurt, N. (2014). *Ada turizminin yerel ekonomiye etkisi* (Yayımlanmamış doktora tezi). "
    "Deneme Üniversitesi, Sosyal Bilimler Enstitüsü, İzmir.",
]


def seed_docx() -> Docx:
    text = SEED.read_text(encoding="utf-8").replace("\\\\_", "_").replace("\\_", "_")
    text = re.sub(r"<sup>(\w+)</sup>", r"^\1^", text)
    head, rest = text.split("## **INTRODUCTION**", 1)
    body, references = rest.split("## REFERENCES", 1)
    doc = Docx(title="An Alliance Based on Common Interests", author="Mustafa Al-Basre")

    blocks = [b.strip() for b in head.split("\n\n") if b.strip()]
    for block in blocks:
        if block.startswith("## "):
            doc.para(block[3:], style="Title")
        elif block.startswith("Ortak Çıkarlara"):
            doc.para(block, align="center")
        elif block == "**Mustafa AL-BASRE**":
            doc.para("**Mustafa AL-BASRE**^1^", align="center")
        elif block.startswith("Y. Lisans"):
            # The mailto link of the seed is the email typed as text.
            doc.para("^1^ " + re.sub(r"\[([^\]]+)\]\(mailto:[^)]+\)", r"\1", block))
        elif block.startswith("### "):
            doc.heading(block[4:], 3)
        else:
            doc.para(block)

    doc.heading("**INTRODUCTION**", 1)
    chunks = [c.strip() for c in body.split("\n\n") if c.strip()]
    note = next(c for c in chunks if c.startswith("^1^ "))
    doc.footnote("1", note[4:])
    chunks = [c for c in chunks if c not in ("---", note)]
    paragraphs: list[str] = []
    for chunk in chunks:
        # A paragraph cut by a page break in the seed: joined.
        if (paragraphs and not paragraphs[-1].startswith("#")
                and not re.search(r"[.?!:)\"]$", paragraphs[-1]) and chunk[:1].islower()):
            paragraphs[-1] += " " + chunk
        else:
            paragraphs.append(chunk)
    for paragraph in paragraphs:
        if match := re.match(r"(#+) (.*)", paragraph):
            doc.heading(match[2], len(match[1]) - 1)
        else:
            doc.para(paragraph.replace("opposition.^1^", "opposition.[^1]"))

    doc.heading("REFERENCES", 1)
    for line in references.splitlines():
        if line.startswith("- "):
            doc.para(line[2:])
    return doc


def build(folder: Path = HERE) -> list[Path]:
    written = []
    for name, document in (("seed.docx", seed_docx()), ("turkish.docx", turkish_docx())):
        document.save(folder / name)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(ROOT))
