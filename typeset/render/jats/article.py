"""The JATS 1.3 article: front matter from the model, body from the AST, references from
the bibliography (structured `element-citation`) and the citation style (`mixed-citation`).
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from markupsafe import Markup

from typeset import i18n
from typeset.errors import ManuscriptError, Problem, note, warning
from typeset.model.article import Article, LangMap, Reference
from typeset.model.ast import joined_inlines
from typeset.model.reference import Person, ReferenceRecord
from typeset.read.source import display_path
from typeset.render import Rendered, RenderJob
from typeset.render.jats.writer import JatsWriter, escape, xml_id
from typeset.render.presentation import float_labels
from typeset.render.templating import environment
from typeset.run.timeouts import time_limit

ARCHIVING = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and '
             'Interchange DTD with MathML3 v1.3 20210610//EN" '
             '"JATS-archivearticle1-3-mathml3.dtd">')
PUBLISHING = ('<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD '
              'with MathML3 v1.3 20210610//EN" "JATS-journalpublishing1-3-mathml3.dtd">')



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


def render_output(article: Article, job: RenderJob) -> Rendered:
    """The JATS file, validated when the job has a validator, with the figures it names."""
    xml = render_jats(article)
    warnings = []
    if job.jats_validator is not None:
        warnings = validate(article, xml, job.jats_validator())
    return Rendered(xml.encode("utf-8"), warnings=warnings, notes=notes(article),
                    files=dict(article.file_data))


def notes(article: Article) -> list[Problem]:
    """What the JATS lacks because of the journal profile, said once per run."""
    if tag_set(article) == "archiving":
        return [note("jats-archiving", display_path(article.journal.folder / "journal.yaml"),
                     "no ISSN: the JATS is written as Archiving and Interchange, not Journal "
                     "Publishing", hint="add the journal's issn or eissn when it has one")]
    return []


def validate(article: Article, xml: str, validator) -> list[Problem]:
    """Our JATS against the DTD and JATS4R's rules: their errors are bugs of ours and stop
    the build; their warnings are returned, located in the XML."""
    name = display_path(article.source_path)
    with time_limit("jats"):
        issues = validator.validate(xml.encode("utf-8"))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise ManuscriptError([Problem(
            f"{name} (JATS output)", i.line, None,
            f"{i.source} error in the generated JATS: {i.message}",
            hint="this is a bug in the pipeline; please report it") for i in errors])
    return [warning("jats-validation", f"{name} (JATS output)", i.line, None,
                    f"{'JATS4R' if i.source == 'jats4r' else 'JATS ' + i.source.upper()}: "
                    f"{i.message}") for i in issues]


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
    # Journal Publishing's fn-type is a closed list, without JATS4R's "COI-statement"
    # (and JATS4R refuses the list's "coi-statement"): there the value goes into
    # custom-type, as JATS 1.3 provides for values the list lacks.
    publishing = tag_set(article) == "publishing"
    author_notes = [("custom" if publishing else fn_type, fn_type if publishing else None,
                     code, text) for kind, fn_type in
                    (("conflict-of-interest", "COI-statement"),
                     ("ethics", "ethics-statement")) for code, text in texts(kind)]
    funding = [(code, writer.inlines(joined_inlines(blocks))) for code, blocks in
               statements.get("funding", LangMap()).items()]
    references = [Markup(reference_xml(ref, writer)) for ref in article.document.references]
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
        "first_page": article.first_page,
        "last_page": article.last_page,
        "country_name": lambda code: country_name(code, lang),
    }
    return environment().get_template("jats/article.xml.j2").render(context)


def reference_xml(reference: Reference, writer: JatsWriter) -> str:
    mixed = writer.inlines(reference.inlines)
    element = element_citation(reference.record) if reference.record else ""
    return (f'<ref id="{xml_id(reference.html_id)}">{element}'
            f'<mixed-citation>{mixed}</mixed-citation></ref>')


def _person_name(person: Person) -> str:
    if person.is_organisation:  # a corporate author, {{Tasnim News Agency}}
        return f"<collab>{escape(person.surname)}</collab>"
    return (f'<name name-style="western"><surname>{escape(person.surname)}</surname>'
            f"<given-names>{escape(person.given_names)}</given-names></name>")


def element_citation(record: ReferenceRecord) -> str:
    """A structured JATS `element-citation` from a reference record."""
    parts = []
    for role, persons in (("author", record.authors), ("editor", record.editors)):
        if persons:
            names = "".join(_person_name(p) for p in persons)
            parts.append(f'<person-group person-group-type="{role}">{names}</person-group>')
    kind = record.kind
    if kind in ("journal", "newspaper", "magazine", "chapter", "confproc"):
        if record.title:
            tag = "article-title" if kind != "chapter" else "chapter-title"
            parts.append(f"<{tag}>{escape(record.title)}</{tag}>")
        if record.container:
            parts.append(f"<source>{escape(record.container)}</source>")
    elif record.title:
        parts.append(f"<source>{escape(record.title)}</source>")
    date = record.date
    if record.year:
        parts.append(f'<year iso-8601-date="{escape(date)}">{escape(record.year)}</year>'
                     if date else f"<year>{escape(record.year)}</year>")
    if len(date) >= 7:
        parts.append(f"<month>{escape(date[5:7])}</month>")
    if len(date) >= 10:
        parts.append(f"<day>{escape(date[8:10])}</day>")
    for value, tag in ((record.volume, "volume"), (record.issue, "issue"),
                       (record.edition, "edition")):
        if value:
            parts.append(f"<{tag}>{escape(value)}</{tag}>")
    if record.first_page:
        parts.append(f"<fpage>{escape(record.first_page)}</fpage>")
        if record.last_page:
            parts.append(f"<lpage>{escape(record.last_page)}</lpage>")
    publisher = record.publisher or record.institution
    if publisher:
        if record.publisher_location:
            parts.append(f"<publisher-loc>{escape(record.publisher_location)}</publisher-loc>")
        parts.append(f"<publisher-name>{escape(publisher)}</publisher-name>")
    if record.doi:
        parts.append(f'<pub-id pub-id-type="doi">{escape(record.doi)}</pub-id>')
    if record.url:
        parts.append(f'<ext-link ext-link-type="uri" xlink:href="{escape(record.url)}">'
                     f"{escape(record.url)}</ext-link>")
    if record.access_date:
        parts.append(f'<date-in-citation content-type="access-date" '
                     f'iso-8601-date="{escape(record.access_date)}">'
                     f"{escape(record.access_date)}</date-in-citation>")
    return (f'<element-citation publication-type="{kind}">{"".join(parts)}'
            "</element-citation>")
