"""The reference-list parser on a corpus of reference strings (APA 6 and 7, English and
Turkish forms, each entry type), and the citation linker on each citation form."""

from __future__ import annotations

import re

import pytest

from typeset.importers.citations import Entry, Linker
from typeset.importers.inlines import Mark, Marked, words
from typeset.importers.references import parse_reference


def marked(markup: str) -> Marked:
    """`*italic*` and `[text](url)` as the Word file's italics and links."""
    out = Marked()
    for token in re.split(r"(\*[^*]+\*|\[[^\]]*\]\([^)]*\))", markup):
        if token.startswith("*") and token.endswith("*") and len(token) > 1:
            start = len(out.text)
            out.text += token[1:-1]
            out.marks.append(Mark(start, len(out.text), "italic"))
        elif link := re.fullmatch(r"\[([^\]]*)\]\(([^)]*)\)", token):
            start = len(out.text)
            out.text += link[1]
            out.marks.append(Mark(start, len(out.text), "link", link[2]))
        else:
            out.text += token
    return out


CORPUS = [
    # journal articles
    ("Allison, R. (2017). Russia and the post-2014 international legal order: revisionism "
     "and realpolitik. *International affairs*, 93(3), 519-543. "
     "https://doi.org/10.1093/ia/iix061",
     dict(kind="article", authors=[("Allison", "R.")], year="2017",
          title="Russia and the post-2014 international legal order: revisionism and "
                "realpolitik", container="International affairs", volume="93", issue="3",
          pages="519--543", doi="10.1093/ia/iix061")),
    ("Brown, G. (2006). Islands, island studies and small economies. *Journal of Example "
     "Island Studies*, *1*(1), 3–18. https://doi.org/10.5555/jeis.2006.001",
     dict(kind="article", volume="1", issue="1", pages="3--18",
          container="Journal of Example Island Studies", doi="10.5555/jeis.2006.001")),
    ("Taylor, S., Green, L., & White, M. (2021). Measuring resilience after tourism shocks. "
     "*Example Journal of Economics*, *33*, e102. doi:10.5555/eje.2021.102",
     dict(kind="article", authors=[("Taylor", "S."), ("Green", "L."), ("White", "M.")],
          volume="33", pages="e102", doi="10.5555/eje.2021.102")),
    ("Demirtaş, H. ve Koç, B. (2016). Kıyı turizminde mevsimsellik ve istihdam. *Örnek "
     "Sosyal Bilimler Dergisi*, 12(3), 45-67.",
     dict(kind="article", authors=[("Demirtaş", "H."), ("Koç", "B.")], lang="tr",
          container="Örnek Sosyal Bilimler Dergisi", pages="45--67")),
    ("Vysotsky, A. (2014). Russia and the Arab spring. *Connections*, 14(1), 41-64. DOI: "
     "[10.11610/Connections.14.1.02](https://doi.org/10.11610/Connections.14.1.02)",
     dict(kind="article", doi="10.11610/Connections.14.1.02", url="")),
    ("Hall, J. ve Clark, P. (2019a). Small states and tourism shocks. *Example Tourism "
     "Review*, 8(2), 101-120.",
     dict(kind="article", year="2019", suffix="a")),
    # newspaper and magazine pieces with a full date
    ("Bassam, L., & Perry, T. (2015, October 06). How Iranian general plotted out Syrian "
     "assault in Moscow. *Reuters*. Retrieved from https://www.reuters.com/article/x",
     dict(kind="article", subtype="newspaper", date="2015-10-06", container="Reuters",
          url="https://www.reuters.com/article/x")),
    ("Kaya, Z. (2021, 15 Mart). Adalarda sezon uzuyor. *Örnek Gazetesi*. "
     "https://example.org/haber",
     dict(kind="article", date="2021-03-15", container="Örnek Gazetesi")),
    # books
    ("Erlich, R. (2014). *Inside Syria*. New York: Prometheus Books.",
     dict(kind="book", title="Inside Syria", address="New York",
          publisher="Prometheus Books")),
    ("Stent, A. (2019). *Putin's world: Russia against the West and with the rest*. "
     "Hachette.",
     dict(kind="book", publisher="Hachette", address="")),
    ("Aydın, M. (2001). *Adalar coğrafyası: Küçük adaların yalıtılmışlığı* (2. bs.). "
     "Ankara: Örnek Yayınları.",
     dict(kind="book", edition="2", publisher="Örnek Yayınları", address="Ankara",
          lang="tr")),
    ("Green, L. (2010). *Island economics* (3rd ed.). London, UK: Example Press.",
     dict(kind="book", edition="3", address="London, UK")),
    ("Yılmaz, A. (Ed.). (2020). *Küçük ekonomiler üzerine yazılar*. İstanbul: Deneme "
     "Kitabevi.",
     dict(kind="book", authors=[], editors=[("Yılmaz", "A.")], year="2020")),
    # chapters
    ("Miller, R., & Stone, K. (2017). Tourism and growth on small islands. In L. Green & "
     "M. White (Eds.), *Handbook of example tourism* (pp. 30-55). New York, NY: Example "
     "Books.",
     dict(kind="incollection", title="Tourism and growth on small islands",
          editors=[("Green", "L."), ("White", "M.")],
          container="Handbook of example tourism", pages="30--55",
          publisher="Example Books", address="New York, NY")),
    ("Kaya, Z. ve Öztürk, A. (2020). Ada ekonomilerinde dışa bağımlılık. A. Yılmaz (Ed.), "
     "*Küçük ekonomiler üzerine yazılar* içinde (ss. 80-102). İstanbul: Deneme Kitabevi.",
     dict(kind="incollection", title="Ada ekonomilerinde dışa bağımlılık",
          editors=[("Yılmaz", "A.")], container="Küçük ekonomiler üzerine yazılar",
          pages="80--102", publisher="Deneme Kitabevi", address="İstanbul")),
    ("Kaya, Z. (2022). Turizm ve istihdam. İçinde A. Yılmaz ve B. Koç (Ed.), *Ada "
     "çalışmaları* (ss. 11-30). Deneme Kitabevi.",
     dict(kind="incollection", editors=[("Yılmaz", "A."), ("Koç", "B.")],
          container="Ada çalışmaları", pages="11--30", publisher="Deneme Kitabevi")),
    # reports
    ("Şahin, E., Koç, B. ve Aksoy, C. (2018). *Akdeniz adalarında turizm planlaması* "
     "(Rapor No. 14). Ankara: Örnek Kalkınma Enstitüsü.",
     dict(kind="report", number="14", institution="Örnek Kalkınma Enstitüsü",
          authors=[("Şahin", "E."), ("Koç", "B."), ("Aksoy", "C.")])),
    ("Hatahet, S. (2019). *Russia and Iran: Economic influence in Syria*. London, UK: "
     "Chatham House.",
     dict(kind="report", institution="Chatham House", address="London, UK")),
    # theses
    ("Yurt, N. (2014). *Ada turizminin yerel ekonomiye etkisi* (Yayımlanmamış doktora "
     "tezi). Deneme Üniversitesi, Sosyal Bilimler Enstitüsü, İzmir.",
     dict(kind="phdthesis", institution="Deneme Üniversitesi, Sosyal Bilimler Enstitüsü",
          address="İzmir", lang="tr")),
    ("Ekinci, S. (2012). *Adalarda kıyı yönetimi* (Yüksek lisans tezi). Örnek "
     "Üniversitesi, Muğla.",
     dict(kind="mastersthesis", institution="Örnek Üniversitesi", address="Muğla")),
    ("Liang, F. M. (1983). *Word hy-phen-a-tion by com-put-er* (Doctoral dissertation, "
     "Stanford University).",
     dict(kind="phdthesis", institution="Stanford University",
          authors=[("Liang", "F. M.")])),
    # web pages
    ("Kofman, M. (2017). *Russian Spetsnaz: Learning from experience*. Access date: "
     "15/12/2022, https://www.thecipherbrief.com/russian-spetsnaz",
     dict(kind="online", urldate="2022-12-15", url="https://www.thecipherbrief.com/"
                                                    "russian-spetsnaz")),
    ("Turizm Bakanlığı. (2021). *Ada turizmi değerlendirme raporu*. Erişim tarihi: "
     "5.1.2024, https://example.org/rapor",
     dict(kind="online", authors=[("Turizm Bakanlığı", "")], urldate="2024-01-05")),
    ("Dünya Turizm Örgütü. (2023). *Ada turizmi göstergeleri 2023*. 12 Mart 2024 "
     "tarihinde https://example.org/ada-turizmi adresinden erişildi.",
     dict(kind="online", urldate="2024-03-12", url="https://example.org/ada-turizmi")),
    ("Example Island Council. (2022, May 3). *Visitor statistics 2021*. Retrieved from "
     "https://example.org/visitors.",
     dict(kind="online", date="2022-05-03", url="https://example.org/visitors")),
    ("Türk Dil Kurumu. (t.y.). *Güncel Türkçe sözlük*. https://sozluk.gov.tr adresinden "
     "erişildi.",
     dict(kind="online", year="", url="https://sozluk.gov.tr")),
    # the seed's slips
    ("Goodarzi, Jubin. *Iran and Syria at the Crossroads: The Fall of the Tehran-Damascus "
     "Axis?*. Retrieved from https://www.wilsoncenter.org/x.pdf",
     dict(kind="online", year="", authors=[("Goodarzi", "Jubin")],
          title="Iran and Syria at the Crossroads: The Fall of the Tehran-Damascus Axis?")),
    ("Kalaycı, R. (2021). Bir Başarı Hikayesinden Askeri Çatışmaya Türkiye Suriye "
     "İlişkileri: 2001-2021 Arası Dönemin Analizi. Ed. Rıdvan Kalaycı and İsmail Akdoğan. "
     "21. *Yüzyılda Türkiye'nin Ortadoğu Ülkeleri ve Büyük Güçlerle İlişkileri*. "
     "(463-484), Ankara: Orion Kitapevi.",
     dict(kind="incollection", editors=[("Kalaycı", "Rıdvan"), ("Akdoğan", "İsmail")],
          container="21. Yüzyılda Türkiye'nin Ortadoğu Ülkeleri ve Büyük Güçlerle "
                    "İlişkileri", pages="463--484", publisher="Orion Kitapevi",
          address="Ankara")),
    ("Tasnim News Agency. (2017, July 15). Iran's Top Security Official, Russian Envoy "
     "Discuss Syrian Crisis. *Tasnim News Agency*. Access date: 11/12/2022, [Iran's Top "
     "Security Official | Tasnim](#)",
     dict(kind="article", url="", urldate="2022-12-11",
          authors=[("Tasnim News Agency", "")])),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS,
                         ids=[re.sub(r"\W+", "-", t[:30]) for t, _ in CORPUS])
def test_reference_corpus(text, expected):
    ref = parse_reference(marked(text))
    for name, value in expected.items():
        if name in ("authors", "editors"):
            got = [(n.family, n.given) for n in getattr(ref, name)]
        else:
            got = getattr(ref, name)
        assert got == value, (name, got, value)


def test_unsure_parses_carry_notes():
    assert "the reference gives no year" in parse_reference(marked(CORPUS[-3][0])).notes
    garbled = parse_reference(marked(CORPUS[-2][0]))
    assert any("split by its formatting" in n for n in garbled.notes)
    link = parse_reference(marked(CORPUS[-1][0]))
    assert any("has no web address" in n for n in link.notes)
    nothing = parse_reference(marked("Some text that is not a reference at all"))
    assert nothing.kind == "misc" and nothing.notes


# -- citations --------------------------------------------------------------------------------

LIST = [
    "Royle, S. (2001). *A geography of islands*. London: Example Press.",
    "Baldacchino, G. (2006). Islands. *Island Example Journal*, 1(1), 3-18.",
    "Hall, J. ve Clark, P. (2019a). Shocks. *Example Review*, 8(2), 101-120.",
    "Hall, J. ve Clark, P. (2019b). *Resilience*. London: Example Press.",
    "Kaya, Z. ve Öztürk, A. (2020). Bağımlılık. *Örnek Dergisi*, 3(1), 80-102.",
    "Taylor, S., Green, L., & White, M. (2021). Measuring. *Example Journal*, 33, 1-9.",
    "Miller, R., & Stone, K. (2017). *Growth*. New York: Example Books.",
]
KEYS = ["royle2001", "baldacchino2006", "hall2019a", "hall2019b", "kaya2020", "taylor2021",
        "miller2017"]


def _link(sentence: str) -> tuple[list, Linker]:
    entries = [Entry(k, parse_reference(marked(t))) for k, t in zip(KEYS, LIST, strict=True)]
    linker = Linker(entries)
    block = {"t": "Para", "c": words(sentence)}
    linker.link_blocks([block])
    return block["c"], linker


def _cites(inlines: list) -> list[list[tuple[str, str, str]]]:
    return [[(c["citationId"], c["citationMode"]["t"],
              "".join(n.get("c", " ") if n["t"] == "Str" else " "
                      for n in c["citationSuffix"]).strip(", "))
             for c in node["c"][0]] for node in inlines if node["t"] == "Cite"]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("as shown (Royle, 2001, s. 12; Baldacchino, 2006).",
     [[("royle2001", "NormalCitation", "s. 12"), ("baldacchino2006", "NormalCitation", "")]]),
    ("vurgular (Hall ve Clark, 2019a, 2019b).",
     [[("hall2019a", "NormalCitation", ""), ("hall2019b", "NormalCitation", "")]]),
    ("Kaya ve Öztürk (2020, ss. 88-91) önerir.",
     [[("kaya2020", "AuthorInText", "ss. 88-91")]]),
    ("Hall ve Clark (2019a, 2019b) gösterir.",
     [[("hall2019a", "SuppressAuthor", ""), ("hall2019b", "SuppressAuthor", "")]]),
    ("shown (Taylor et al., 2021, p. 5).", [[("taylor2021", "NormalCitation", "p. 5")]]),
    ("gösterilmiştir (Taylor vd., 2021).", [[("taylor2021", "NormalCitation", "")]]),
    ("Taylor vd. (2021) gösterir.", [[("taylor2021", "AuthorInText", "")]]),
    ("shown (Miller & Stone, 2017, pp. 11-12).",
     [[("miller2017", "NormalCitation", "pp. 11-12")]]),
    ("shown (Miller and Stone, 2017).", [[("miller2017", "NormalCitation", "")]]),
    ("shown (Kaya & Öztürk 2020).", [[("kaya2020", "NormalCitation", "")]]),
])
def test_citation_forms(sentence, expected):
    inlines, linker = _link(sentence)
    assert _cites(inlines) == expected
    assert all(f.status == "linked" for f in linker.found)


@pytest.mark.parametrize(("sentence", "status", "reason"), [
    ("(Roylе, 2001)", "near-miss", "spelt"),  # a Cyrillic e: looks right, is not
    ("(Royel, 2001)", "near-miss", "spelt \"Royle\""),
    ("(Royle, 2003)", "near-miss", "the list dates Royle 2001, the text 2003"),
    ("(Kaya, 2020)", "near-miss", "the authors differ"),
    ("(Hall ve Clark, 2019)", "ambiguous", "hall2019a, hall2019b"),
    ("(Yıldız, 2010)", "missing", "no entry"),
    ("(Miller et al., 2017)", "near-miss", "the authors differ"),
])
def test_unmatched_citations_are_left_as_written(sentence, status, reason):
    inlines, linker = _link(sentence)
    assert _cites(inlines) == []
    assert "".join(n.get("c", " ") if n["t"] == "Str" else " " for n in inlines) == sentence
    assert [f.status for f in linker.found] == [status]
    assert reason in linker.found[0].reason


def test_a_bracket_with_one_unmatched_work_is_left_whole():
    inlines, linker = _link("(Royle, 2001; Yıldız, 2010)")
    assert _cites(inlines) == []
    assert [f.status for f in linker.found] == ["left", "missing"]


@pytest.mark.parametrize("sentence", [
    "in the summer (2015) the talks began", "after the revolution (1979 revolution)",
    "between (2011-2015)", "the years (in 2015 and 2016)", "Turkey (TR) and Iran (IR)",
])
def test_other_brackets_are_not_citations(sentence):
    inlines, linker = _link(sentence)
    assert _cites(inlines) == [] and linker.found == []
