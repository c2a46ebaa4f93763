"""An affiliation line as authors type it: "¹ Doç. Dr., Ege Üniversitesi, İktisadi ve İdari
Bilimler Fakültesi, İktisat Bölümü, İzmir, Türkiye, zeynep@example.edu.tr, ORCID: ..."

Each comma-separated part is recognised by its words: an academic position, an institution
(a university), departments (faculty, department, institute), a city (Turkey's 81
provinces), a country, an email, an ORCID iD. A part that is none of these is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

from typeset.i18n import ascii_fold
from typeset.importers.language import detect, turkish_lower

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ORCID = re.compile(r"(?:https?://)?(?:www\.)?(?:orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")
POSITION = re.compile(
    r"^(prof\.?( dr\.?)?|doç\.?( dr\.?)?|dr\.?( öğr\.? üyesi)?|öğr\.? gör\.?( dr\.?)?|"
    r"arş\.? gör\.?( dr\.?)?|uzm\.?|öğretim (üyesi|görevlisi)|araştırma görevlisi|"
    r"(yüksek |y\.? ?)?lisans öğrencisi|doktora öğrencisi|(bağımsız )?araştırmacı|"
    r"professor|assoc\.? prof\.?( dr\.?)?|asst\.? prof\.?( dr\.?)?|associate professor|"
    r"assistant professor|lecturer|senior lecturer|research(er| assistant| fellow)|"
    r"(phd|ph\.d\.|doctoral|master'?s|ma|msc|graduate|undergraduate) (student|candidate)|"
    r"postdoctoral (researcher|fellow)|independent researcher)$", re.I)
INSTITUTION = re.compile(r"\b(üniversitesi|university|universit[äée]t?|college|akademisi|"
                         r"academy|institute of technology|polytechnic)\b", re.I)
DEPARTMENT = re.compile(r"\b(fakültesi|faculty|bölümü|department|anabilim dalı|bilim dalı|"
                        r"enstitüsü|institute|yüksekokulu|school|programı|program|merkezi|"
                        r"centre|center|laboratuvarı|laboratory|meslek yüksekokulu|"
                        r"koleji|division|unit)\b", re.I)
STANDALONE = re.compile(r"\b(enstitüsü|institute|merkezi|centre|center|vakfı|foundation|"
                        r"bakanlığı|ministry|hastanesi|hospital|başkanlığı|kurumu|agency)\b",
                        re.I)
TURKISH_PROVINCES = frozenset(turkish_lower(p) for p in re.findall(r"\S+", """
Adana Adıyaman Afyonkarahisar Ağrı
Aksaray Amasya Ankara Antalya Ardahan Artvin Aydın Balıkesir Bartın Batman Bayburt Bilecik
Bingöl Bitlis Bolu Burdur Bursa Çanakkale Çankırı Çorum Denizli Diyarbakır Düzce Edirne Elazığ
Erzincan Erzurum Eskişehir Gaziantep Giresun Gümüşhane Hakkari Hatay Iğdır Isparta İstanbul
İzmir Kahramanmaraş Karabük Karaman Kars Kastamonu Kayseri Kilis Kırıkkale Kırklareli Kırşehir
Kocaeli Konya Kütahya Malatya Manisa Mardin Mersin Muğla Muş Nevşehir Niğde Ordu Osmaniye Rize
Sakarya Samsun Şanlıurfa Siirt Sinop Sivas Şırnak Tekirdağ Tokat Trabzon Tunceli Uşak Van
Yalova Yozgat Zonguldak"""))
COUNTRY_NAMES = {"türkiye": "TR", "turkey": "TR", "türkiye cumhuriyeti": "TR",
                 "kktc": "CY", "usa": "US", "abd": "US", "uk": "GB",
                 "united kingdom": "GB", "ingiltere": "GB", "birleşik krallık": "GB",
                 "almanya": "DE", "fransa": "FR", "azerbaycan": "AZ", "kazakistan": "KZ",
                 "kırgızistan": "KG", "özbekistan": "UZ"}


@dataclass
class AffiliationLine:
    mark: str = ""
    position: str = ""
    institution: str = ""
    departments: list[str] = field(default_factory=list)
    city: str = ""
    country: str = ""  # ISO code
    country_inferred: bool = False
    emails: list[str] = field(default_factory=list)
    orcids: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def country_code(text: str) -> str | None:
    name = turkish_lower(text.strip().rstrip("."))
    if name in COUNTRY_NAMES:
        return COUNTRY_NAMES[name]
    try:
        return pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        return None


def is_position(text: str) -> bool:
    return bool(POSITION.match(re.sub(r"\s+", " ", text.strip().rstrip(","))))


def position_language(text: str) -> str:
    lang = detect(text)
    if lang:
        return lang
    turkish = re.search(r"(doç|öğr|arş|gör|üyesi|lisans|doktora|uzm|araştırma)",
                        turkish_lower(text))
    return "tr" if turkish else "en"


def parse(text: str, mark: str = "") -> AffiliationLine:
    line = AffiliationLine(mark=mark)
    for email in EMAIL.findall(text):
        line.emails.append(email)
        text = text.replace(email, " ")
    for match in ORCID.finditer(text):
        line.orcids.append(match[1].upper())
    text = ORCID.sub(" ", text)
    text = re.sub(r"\b(ORCID(\s*(iD|ID|No))?|E-?posta|E-?mail|e-mail|Email)\s*:?", " ", text,
                  flags=re.I)
    parts = [p.strip(" .;:/") for p in re.split(r"[,;]", text)]
    for part in [p for p in parts if p and not re.fullmatch(r"[\s\W]*", p)]:
        lowered = turkish_lower(part)
        if is_position(part) and not line.position:
            line.position = _with_abbreviation_point(part, text)
        elif INSTITUTION.search(part) and not line.institution:
            line.institution = part
        elif DEPARTMENT.search(part) and (line.institution or INSTITUTION.search(text)):
            line.departments.append(part)
        elif STANDALONE.search(part) and not line.institution:
            line.institution = part
        elif DEPARTMENT.search(part):
            line.departments.append(part)
        elif lowered in TURKISH_PROVINCES and not line.city:
            line.city = part
            if not line.country:
                line.country = "TR"
                line.country_inferred = True
        elif (code := country_code(part)) and (not line.country or line.country_inferred):
            line.country, line.country_inferred = code, False
        elif re.fullmatch(r"[A-ZÇĞİÖŞÜ][\w\s-]{1,30}", part) and line.institution \
                and not line.city and len(part.split()) <= 3:
            line.city = part  # a city abroad, after the institution
        else:
            line.unknown.append(part)
    if line.institution and not line.country and re.search(
            r"\büniversitesi\b", turkish_lower(line.institution)):
        line.country, line.country_inferred = "TR", True
    return line


def affiliation_id(institution: str, taken: set[str]) -> str:
    """ "Sakarya Üniversitesi" -> "sakarya"; "Orta Doğu Teknik Üniversitesi" -> "odtu"-like
    initials when the name has more than two words."""
    words = [w for w in re.findall(r"[^\W\d_]+", ascii_fold(institution).lower())
             if w not in ("universitesi", "university", "of", "the", "and", "ve")]
    base = (words[0] if len(words) <= 2 else "".join(w[0] for w in words)) if words else "aff"
    ident, number = base, 2
    while ident in taken:
        ident, number = f"{base}{number}", number + 1
    taken.add(ident)
    return ident


def _with_abbreviation_point(part: str, text: str) -> str:
    """ "Arş. Gör." keeps the point of its abbreviation, which splitting the line at its
    commas took away ("Dr. Öğr. Üyesi" has none to keep)."""
    last = part.split()[-1]
    if len(last) <= 4 and re.search(re.escape(part) + r"\.", text):
        return part + "."
    return part
