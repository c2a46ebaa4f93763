"""The JATS 1.3 article: front matter from the model, body from the AST, references from
the bibliography (structured `element-citation`) and the citation style (`mixed-citation`).
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry
from markupsafe import Markup
from pybtex.database import Entry

from typeset import i18n
from typeset.model.article import Article, LangMap
from typeset.model.ast import joined_inlines
from typeset.render.jats.writer import JatsWriter, escape, xml_id
from typeset.render.presentation import float_labels
from typeset.render.templating import environment

ARCHIVING = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and '
             'Interchange DTD with MathML3 v1.3 20210610//EN" '
             '"JATS-archivearticle1-3-mathml3.dtd">')
PUBLISHING = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD '
              'with MathML3 v1.3 20210610//EN" "JATS-journalpublishing1-3-mathml3.dtd">')

# BibTeX entry type -> JATS publication-type
PUBLICATION_TYPES = {
    "article": "journal", "book": "book", "booklet": "book", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "confproc", "conference": "confproc",
    "proceedings": "confproc", "phdthesis": "thesis", "mastersthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "manual": "standard", "misc": "other",
    "unpublished": "preprint", "dataset": "data", "software": "software", "patent": "patent",
}
NEWS_SUBTYPES = ("newspaper", "magazine")


def tag_set(article: Article) -> str:
    """Journal Publishing needs an ISSN; without one we write Archiving and Interchange."""
    journal = article.journal
    return "publishing" if (journal.issn or journal.eissn) else "archiving"


@cache
def _country_names(lang: str):
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str, lang: str = "en") -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _country_names(i18n.base(lang)).gettext(name)


def render_jats(article: Article) -> str:
    md, journal, lang = article.metadata, article.journal, article.lang
    writer = JatsWriter(i18n.quotes(lang), float_labels(article))
    body = writer.body(article.document.blocks)
    appendices = writer.body(article.document.appendices, top="app")
    abstracts = [(code, writer.blocks(blocks)) for code, blocks in
                 article.document.abstracts.items()]
    statements = dict(article.document.statements)

    def texts(kind):
        return [(code, writer.blocks(blocks)) for code, blocks in
                statements.get(kind, ()).items()] if kind in statements else []

    def label(kind, code):
        return journal.label(code, kind)

    # Where JATS4R wants each statement: COI and ethics as author notes, data availability
    # as a back-matter section, funding as funding-statement (text only), ack as ack.
    author_notes = [(fn_type, code, text) for kind, fn_type in
                    (("conflict-of-interest", "COI-statement"),
                     ("ethics", "ethics-statement")) for code, text in texts(kind)]
    funding = [(code, writer.inlines(joined_inlines(blocks))) for code, blocks in
               statements.get("funding", LangMap()).items()]
    references = [Markup(reference_xml(ref.key, ref.html_id, ref.inlines, article, writer))
                  for ref in article.document.references]
    journal_lang = lang if lang in journal.title else journal.languages[0]
    labels = dict(journal.labels.get("en", {}))
    labels.update(journal.labels.get(i18n.base(lang), {}))
    context = {
        "doctype": Markup(PUBLISHING if tag_set(article) == "publishing" else ARCHIVING),
        "md": md, "journal": journal, "lang": lang, "journal_lang": journal_lang,
        "labels": labels,
        "title": writer.inlines([{"t": "Str", "c": md.title[lang]}]),
        "other_titles": [(code, text) for code, text in md.title.items() if code != lang],
        "type_labels": journal.article_types.get(md.article_type),
        "history": [(kind if kind != "revised" else "rev-recd", date)
                    for kind, date in md.history.events() if kind != "published"],
        "abstracts": abstracts,
        "funding": funding,
        "acknowledgements": [(code, label("acknowledgements", code), text)
                             for code, text in texts("acknowledgements")],
        "data_availability": [(code, label("data-availability", code), text)
                              for code, text in texts("data-availability")],
        "author_notes": author_notes,
        "body": body,
        "appendices": appendices,
        "references": references,
        "fn_group": writer.fn_group(),
        "last_page": article.last_page,
        "country_name": lambda code: country_name(code, lang),
    }
    return environment().get_template("jats/article.xml.j2").render(context)


def reference_xml(key: str, html_id: str, inlines, article: Article,
                  writer: JatsWriter) -> str:
    mixed = writer.inlines(inlines)
    element = ""
    if article.bibliography is not None and key in article.bibliography.data.entries:
        element = element_citation(article.bibliography.entry(key))
    return (f'<ref id="{xml_id(html_id)}">{element}'
            f'<mixed-citation>{mixed}</mixed-citation></ref>')


def _latex_to_text(value: str) -> str:
    value = re.sub(r"\\url\{([^}]*)\}", r"\1", value)
    value = value.replace("\\&", "&").replace("\\%", "%").replace("\\_", "_")
    value = value.replace("--", "–") if not value.startswith("http") else value
    return re.sub(r"[{}]", "", value).strip()


def _person_name(person) -> str:
    surname = _latex_to_text(" ".join(person.prelast_names + person.last_names))
    given = _latex_to_text(" ".join(person.first_names + person.middle_names))
    if not given:  # a corporate author, {{Tasnim News Agency}}
        return f"<collab>{escape(surname)}</collab>"
    return (f'<name name-style="western"><surname>{escape(surname)}</surname>'
            f"<given-names>{escape(given)}</given-names></name>")


def element_citation(entry: Entry) -> str:
    """A structured JATS `element-citation` from a BibTeX entry."""
    fields = {name.lower(): _latex_to_text(value) for name, value in entry.fields.items()}
    kind = entry.type.lower()
    pub_type = PUBLICATION_TYPES.get(kind, "other")
    if kind == "article" and fields.get("entrysubtype") in NEWS_SUBTYPES:
        pub_type = "newspaper" if fields["entrysubtype"] == "newspaper" else "magazine"
    if kind == "misc" and fields.get("url"):
        pub_type = "webpage"  # what a @misc with a URL is, in JATS4R's list of types
    parts = []
    for role in ("author", "editor"):
        persons = entry.persons.get(role)
        if persons:
            names = "".join(_person_name(p) for p in persons)
            parts.append(f'<person-group person-group-type="{role}">{names}</person-group>')
    title = fields.get("title")
    container = (fields.get("journal") or fields.get("journaltitle")
                 or fields.get("booktitle"))
    if pub_type in ("journal", "newspaper", "magazine", "chapter", "confproc"):
        if title:
            tag = "article-title" if pub_type != "chapter" else "chapter-title"
            parts.append(f"<{tag}>{escape(title)}</{tag}>")
        if container:
            parts.append(f"<source>{escape(container)}</source>")
    elif title:
        parts.append(f"<source>{escape(title)}</source>")
    date = fields.get("date", "")
    year = fields.get("year") or date[:4]
    if year:
        parts.append(f'<year iso-8601-date="{escape(date or year)}">{escape(year)}</year>'
                     if date else f"<year>{escape(year)}</year>")
    if len(date) >= 7:
        parts.append(f"<month>{escape(date[5:7])}</month>")
    if len(date) >= 10:
        parts.append(f"<day>{escape(date[8:10])}</day>")
    for field, tag in (("volume", "volume"), ("number", "issue"), ("edition", "edition")):
        if fields.get(field):
            parts.append(f"<{tag}>{escape(fields[field])}</{tag}>")
    pages = fields.get("pages")
    if pages:
        first, _, last = pages.replace("–", "-").partition("-")
        parts.append(f"<fpage>{escape(first.strip())}</fpage>")
        if last.strip("- "):
            parts.append(f"<lpage>{escape(last.strip('- '))}</lpage>")
    publisher = (fields.get("publisher") or fields.get("institution") or fields.get("school")
                 or fields.get("organization"))
    if publisher:
        location = fields.get("address") or fields.get("location")
        if location:
            parts.append(f"<publisher-loc>{escape(location)}</publisher-loc>")
        parts.append(f"<publisher-name>{escape(publisher)}</publisher-name>")
    doi = fields.get("doi")
    if doi:
        doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
        parts.append(f'<pub-id pub-id-type="doi">{escape(doi)}</pub-id>')
    url = fields.get("url")
    if url:
        parts.append(f'<ext-link ext-link-type="uri" xlink:href="{escape(url)}">'
                     f"{escape(url)}</ext-link>")
    if fields.get("urldate"):
        parts.append(f'<date-in-citation content-type="access-date" '
                     f'iso-8601-date="{escape(fields["urldate"])}">'
                     f"{escape(fields['urldate'])}</date-in-citation>")
    return (f'<element-citation publication-type="{pub_type}">{"".join(parts)}'
            "</element-citation>")
