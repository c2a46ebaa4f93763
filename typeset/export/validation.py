"""Checking the deposits against their official schemas: Crossref 5.3.1 and DOAJ's
`doajArticles.xsd`, both kept in `schemas/` (see its README for their source).

    validate_crossref(xml: bytes) -> None   # raises DepositInvalid
    validate_doaj(xml: bytes) -> None       # raises DepositInvalid
    compile_crossref_in_background()        # optional: compile while the PDFs are laid out

Every deposit we write is built from checked input, so a deposit the schema rejects is a
bug in our code, never a mistake in a manuscript: `DepositInvalid` says so, with the line of
the deposit, the element's path and the article (DOI or title) it belongs to.

Crossref's schema (with JATS and MathML) takes about 5 s to compile, so each schema is
compiled on first use and kept for the life of the process; a process that writes no deposit
never pays for it. Compiling and validating are serialised by a lock: one lxml schema object
must not validate from two threads at once. Nothing is fetched from the network: the one
remote `schemaLocation` in Crossref's files (the `xml:` namespace, imported by `xlink.xsd`) is
resolved to the local copy, and the parser has network access switched off.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from typeset.errors import TypesetError

SCHEMAS = Path(__file__).resolve().parent / "schemas"
CROSSREF_XSD = SCHEMAS / "crossref-5.3.1" / "crossref5.3.1.xsd"
DOAJ_XSD = SCHEMAS / "doaj" / "doajArticles.xsd"

# Remote schema addresses that the copied files still name, mapped to the local copies.
_LOCAL_COPIES = {
    "http://www.w3.org/2001/xml.xsd": SCHEMAS / "crossref-5.3.1" / "xml.xsd",
}

_CROSSREF_NS = "http://www.crossref.org/schema/5.3.1"


@dataclass(frozen=True)
class SchemaError:
    line: int | None
    path: str  # the element's XPath in the deposit, as the validator reports it
    message: str
    item: str = ""  # which article: its DOI (Crossref), or its DOI or title (DOAJ)

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "?"
        item = f" [{self.item}]" if self.item else ""
        return f"{where}{item}: {self.path}: {self.message}"


class DepositInvalid(TypesetError):
    """A deposit we wrote does not validate against its schema: a bug in the pipeline."""

    def __init__(self, output: str, schema: str, errors: list[SchemaError]):
        self.output = output
        self.errors = errors
        lines = "\n".join(f"  {output}:{error}" for error in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{output} does not validate against {schema}. This is a bug in typeset, not in "
            f"the manuscripts: please report it with the issue folder. {output} was not "
            f"written.\n{lines}{more}")


class _LocalResolver(etree.Resolver):
    def resolve(self, url, pubid, context):
        local = _LOCAL_COPIES.get(url)
        return self.resolve_filename(str(local), context) if local else None


class _Schema:
    """One XSD, compiled on first use, shared by every thread of the process."""

    def __init__(self, path: Path, output: str, name: str, item_of):
        self.path = path
        self.output = output
        self.name = name
        self._item_of = item_of  # (tree, line) -> a label for the article at that line
        self._lock = threading.Lock()
        self._schema: etree.XMLSchema | None = None

    def _compiled(self) -> etree.XMLSchema:
        if self._schema is None:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            parser.resolvers.add(_LocalResolver())
            self._schema = etree.XMLSchema(etree.parse(str(self.path), parser))
        return self._schema

    def compile(self) -> None:
        with self._lock:
            self._compiled()

    def errors(self, xml: bytes) -> list[SchemaError]:
        try:
            tree = etree.fromstring(xml, etree.XMLParser(no_network=True,
                                                          resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            return [SchemaError(exc.lineno, "/", f"not well-formed: {exc.msg}")]
        with self._lock:
            schema = self._compiled()
            if schema.validate(tree):
                return []
            log = list(schema.error_log)
        return [SchemaError(entry.line or None, _readable_path(tree, entry.path),
                            _short_names(entry.message, tree),
                            self._item_of(tree, entry.line)) for entry in log]

    def validate(self, xml: bytes) -> None:
        errors = self.errors(xml)
        if errors:
            raise DepositInvalid(self.output, self.name, errors)


def _readable_path(tree, path: str | None) -> str:
    """`/doi_batch/body/journal/journal_article[2]/contributors/person_name[2]` for the
    validator's `/*/*[2]/*/*[4]/*[3]/*[2]` (it cannot name elements in a namespace)."""
    if not path:
        return "/"
    prefixes = {prefix: uri for prefix, uri in tree.nsmap.items() if prefix}
    try:
        found = tree.getroottree().xpath(path, namespaces=prefixes)
    except etree.XPathError:
        return path
    if not found or not isinstance(found[0], etree._Element):
        return path
    steps = []
    element = found[0]
    while element is not None:
        name = etree.QName(element).localname
        parent = element.getparent()
        same = [e for e in parent if e.tag == element.tag] if parent is not None else []
        steps.append(f"{name}[{same.index(element) + 1}]" if len(same) > 1 else name)
        element = parent
    return "/" + "/".join(reversed(steps))


def _short_names(message: str, tree) -> str:
    """The validator's message with `{namespace}name` written as the deposit writes it:
    `surname`, `jats:break`."""
    for prefix, uri in tree.nsmap.items():
        message = message.replace(f"{{{uri}}}", f"{prefix}:" if prefix else "")
    return message


def _enclosing(tree, line: int | None, tag: str):
    """The last `tag` element that starts at or before `line`: the record holding it."""
    found = None
    if line:
        for element in tree.iter(tag):
            if element.sourceline and element.sourceline <= line:
                found = element
    return found


def _crossref_item(tree, line: int | None) -> str:
    article = _enclosing(tree, line, f"{{{_CROSSREF_NS}}}journal_article")
    if article is None:
        return ""
    doi = article.findtext(f"{{{_CROSSREF_NS}}}doi_data/{{{_CROSSREF_NS}}}doi")
    return f"DOI {doi}" if doi else ""


def _doaj_item(tree, line: int | None) -> str:
    record = _enclosing(tree, line, "record")
    if record is None:
        return ""
    doi = record.findtext("doi")
    return f"DOI {doi}" if doi else (record.findtext("title") or "")[:60]


CROSSREF = _Schema(CROSSREF_XSD, "crossref.xml", "the Crossref schema 5.3.1", _crossref_item)
DOAJ = _Schema(DOAJ_XSD, "doaj.xml", "DOAJ's doajArticles.xsd", _doaj_item)


def compile_crossref_in_background() -> threading.Thread:
    """Start compiling Crossref's schema in a thread and return it. lxml releases the GIL
    while libxml2 compiles, so an issue build that calls this before laying out its PDFs
    hides the 5 s on a second core; `validate_crossref` waits for it (the lock) and never
    compiles twice. Call it only when a deposit will be written."""
    thread = threading.Thread(target=CROSSREF.compile, name="crossref-schema", daemon=True)
    thread.start()
    return thread


def validate_crossref(xml: bytes) -> None:
    """Raise `DepositInvalid` unless `xml` is a valid Crossref 5.3.1 deposit."""
    CROSSREF.validate(xml)


def validate_doaj(xml: bytes) -> None:
    """Raise `DepositInvalid` unless `xml` is valid against DOAJ's article schema."""
    DOAJ.validate(xml)
