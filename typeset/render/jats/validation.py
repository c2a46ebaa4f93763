"""Checking JATS XML against its DTD and the JATS4R Schematron rules.

The DTDs (`@jats4r/dtds`) and the rules (`@jats4r/schematrons`) come from npm. Nothing is
ever fetched from the network: a DOCTYPE is looked up in the package's OASIS catalog.

We compile the Schematron sources ourselves instead of using the package's precompiled
`jats4r.sch.xsl`: besides having its `xsl:function`s emptied, that file was built from an
older rule set and only checks permissions, math and data citations; the author,
affiliation, COI, data-availability, preprint, keyword and subject rules are missing.
"""

from __future__ import annotations

import copy
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from typeset import paths
from typeset.errors import TypesetError

NODE_MODULES_ENV = "TYPESET_NODE_MODULES"
_DTD_CATALOG = Path("@jats4r/dtds/schema/catalog.xml")
_JATS4R_SCHEMA = Path("@jats4r/schematrons/schematrons/1.0/jats4r.sch")

_CATALOG_NS = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
_SCH = "http://purl.oclc.org/dsdl/schematron"
_XSL = "http://www.w3.org/1999/XSL/Transform"
_NS = {"sch": _SCH, "xsl": _XSL}


class JatsValidatorUnavailable(TypesetError):
    """The DTDs or the Schematron rules are not installed (or cannot be used)."""


@dataclass(frozen=True)
class JatsIssue:
    severity: str  # "error" | "warning"
    source: str  # "xml" (well-formedness) | "dtd" | "jats4r"
    line: int | None
    message: str
    rule: str | None = None  # Schematron assert/report id, else its pattern id

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}{self.severity} ({self.source}{rule}): {self.message}"


def default_node_modules() -> Path:
    configured = os.environ.get(NODE_MODULES_ENV)
    if configured:
        return Path(configured)
    return paths.ROOT / "node_modules"


class JatsValidator:
    """Validates JATS documents; build one and reuse it.

    The DTD of each DOCTYPE and the compiled Schematron are loaded on first use and kept.
    `validate` may be called from several threads: calls are serialised, because neither
    an lxml DTD object nor the Saxon executable is safe to share between threads.
    """

    def __init__(self, node_modules: Path | None = None):
        root = Path(node_modules) if node_modules else default_node_modules()
        self._catalog_path = root / _DTD_CATALOG
        self._schema_path = root / _JATS4R_SCHEMA
        for path in (self._catalog_path, self._schema_path):
            if not path.is_file():
                raise JatsValidatorUnavailable(
                    f"JATS validation needs {path}, which is missing: run `make setup` "
                    f"(or point {NODE_MODULES_ENV} at a node_modules folder that has "
                    "@jats4r/dtds and @jats4r/schematrons)")
        self._lock = threading.Lock()
        self._catalog: _Catalog | None = None
        self._dtds: dict[Path, tuple[etree.DTD, str]] = {}
        self._schematron: _Schematron | None = None

    def warm_up(self) -> None:
        """Load the catalog and compile the Schematron now rather than on first use."""
        with self._lock:
            self._load_catalog()
            self._load_schematron()

    def validate(self, xml: bytes) -> list[JatsIssue]:
        with self._lock:
            return self._validate(xml)

    def _validate(self, xml: bytes) -> list[JatsIssue]:
        catalog = self._load_catalog()
        try:
            tree = _parse(xml, catalog)
        except etree.XMLSyntaxError as exc:
            return [JatsIssue("error", "xml", exc.lineno, exc.msg)]

        dtd_path, issues = catalog.dtd_for(tree.docinfo, _doctype_line(xml))
        if dtd_path is None:
            # Without the DTD, ID/IDREF attributes are untyped and the JATS4R rules built
            # on id()/idref() would report false errors: fix the DOCTYPE first.
            return issues
        dtd, id_declarations = self._load_dtd(dtd_path)
        if not dtd.validate(tree):
            issues += [
                JatsIssue("warning" if e.level_name == "WARNING" else "error", "dtd",
                          e.line or None, e.message)
                for e in dtd.error_log
            ]
        issues += self._load_schematron().run(tree, id_declarations)
        return issues

    def _load_catalog(self) -> _Catalog:
        if self._catalog is None:
            self._catalog = _Catalog(self._catalog_path)
        return self._catalog

    def _load_dtd(self, path: Path) -> tuple[etree.DTD, str]:
        if path not in self._dtds:
            dtd = etree.DTD(str(path))
            self._dtds[path] = dtd, _id_attlists(dtd)
        return self._dtds[path]

    def _load_schematron(self) -> _Schematron:
        if self._schematron is None:
            self._schematron = _Schematron(self._schema_path)
        return self._schematron


# --- Parsing and the DTD catalog --------------------------------------------------------


def _parse(xml: bytes, catalog: _Catalog) -> etree._ElementTree:
    # Loading the external DTD at each parse would cost as much as the rest of the
    # validation, so we validate against a DTD object loaded once. The DTD is only needed
    # while parsing when the text uses the entities it declares (&mdash; ...).
    parser = etree.XMLParser(load_dtd=False, resolve_entities=False, no_network=True)
    try:
        tree = etree.fromstring(xml, parser).getroottree()
        if next(tree.getroot().iter(etree.Entity), None) is None:
            return tree
    except etree.XMLSyntaxError as exc:
        if "Entity" not in exc.msg:  # an entity in an attribute value fails, not Entity node
            raise
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True, no_network=True)
    parser.resolvers.add(_LocalDtdResolver(catalog))
    return etree.fromstring(xml, parser).getroottree()


def _doctype_line(xml: bytes) -> int | None:
    at = xml.find(b"<!DOCTYPE")
    return xml.count(b"\n", 0, at) + 1 if at >= 0 else None


class _Catalog:
    """The OASIS catalog of `@jats4r/dtds`: public ids (and file names) to DTD files."""

    def __init__(self, path: Path):
        self.folder = path.parent.resolve()
        entries = etree.parse(str(path)).getroot()
        self.by_public_id = {
            e.get("publicId"): self.folder / e.get("uri")
            for e in entries.iterfind("c:public", _CATALOG_NS)
        }
        # Older JATS versions reuse file names (JATS-archivearticle1.dtd is 1.0, 1.1 and
        # 1.2), so a system id alone is only trusted when its file name is unique.
        files: dict[str, list[Path]] = {}
        for dtd in self.by_public_id.values():
            files.setdefault(dtd.name, []).append(dtd)
        self.by_file_name = {name: ps[0] for name, ps in files.items() if len(set(ps)) == 1}

    def lookup(self, public_id: str | None, system_id: str | None) -> Path | None:
        return self.by_public_id.get(public_id or "") or self._by_system_id(system_id)

    def _by_system_id(self, system_id: str | None) -> Path | None:
        return self.by_file_name.get(re.split(r"[/\\]", system_id)[-1]) if system_id else None

    def dtd_for(self, docinfo, line: int | None) -> tuple[Path | None, list[JatsIssue]]:
        public_id, system_id = docinfo.public_id, docinfo.system_url
        if not public_id and not system_id:
            return None, [JatsIssue("error", "dtd", line, "No DOCTYPE: cannot tell which "
                                    "JATS DTD the document follows.")]
        dtd = self.lookup(public_id, system_id)
        if dtd is None:
            return None, [JatsIssue("error", "dtd", line, "The DOCTYPE names a DTD we do not "
                                    f"have: PUBLIC {public_id!r} SYSTEM {system_id!r}.")]
        by_system = self._by_system_id(system_id)
        if public_id in self.by_public_id and by_system not in (None, dtd):
            # As in the catalog (prefer="public"), the public id wins.
            return dtd, [JatsIssue("warning", "dtd", line, f"The DOCTYPE's public id names "
                                   f"{dtd.name} but its system id names {by_system.name}; "
                                   f"validating against {dtd.name}.")]
        return dtd, []


class _LocalDtdResolver(etree.Resolver):
    """Serves the DOCTYPE's DTD from node_modules, whatever its system id says.

    The DTD's modules, named relative to the DTD file, load as usual; any other external
    entity (say, one declared in the document to read /etc/passwd) is read as empty.
    """

    def __init__(self, catalog: _Catalog):
        super().__init__()
        self.catalog = catalog

    def resolve(self, system_url, public_id, context):
        dtd = self.catalog.lookup(public_id, system_url)
        if dtd is not None:
            return self.resolve_filename(str(dtd), context)
        url = urlsplit(system_url or "")
        if url.scheme in ("", "file") and Path(url.path).resolve().is_relative_to(
                self.catalog.folder):
            return None
        return self.resolve_string("", context)


def _id_attlists(dtd: etree.DTD) -> str:
    """Declarations of the DTD's ID and IDREF(S) attributes, for an internal subset.

    Saxon gets the document without its DOCTYPE (it would load the external DTD), but
    the JATS4R rules call id() and idref(), which only work on attributes typed by a DTD.
    """
    lines = []
    for element in dtd.iterelements():
        name = f"{element.prefix}:{element.name}" if element.prefix else element.name
        for attribute in element.iterattributes():
            if attribute.type in ("id", "idref", "idrefs"):
                attr = f"{attribute.prefix}:{attribute.name}" if attribute.prefix \
                    else attribute.name
                lines.append(f"<!ATTLIST {name} {attr} {attribute.type.upper()} #IMPLIED>")
    return "\n".join(lines)


# --- Schematron --------------------------------------------------------------------------


class _Schematron:
    """The JATS4R Schematron, compiled to XSLT 3.0 and run with Saxon."""

    def __init__(self, schema_path: Path):
        from saxonche import PySaxonApiError, PySaxonProcessor

        self._api_error = PySaxonApiError
        self._processor = PySaxonProcessor(license=False)
        stylesheet = compile_schematron(schema_path)
        try:
            self._executable = self._processor.new_xslt30_processor().compile_stylesheet(
                stylesheet_text=etree.tostring(stylesheet, encoding="unicode"))
        except PySaxonApiError as exc:
            raise JatsValidatorUnavailable(
                f"cannot compile the JATS4R rules in {schema_path}: {exc}") from exc

    def run(self, tree: etree._ElementTree, id_declarations: str) -> list[JatsIssue]:
        root = tree.getroot()
        text = (f"<!DOCTYPE {tree.docinfo.root_name} [\n{id_declarations}\n]>\n"
                + etree.tostring(root, encoding="unicode"))
        try:
            document = self._processor.parse_xml(xml_text=text)
            report = self._executable.transform_to_string(xdm_node=document)
        except self._api_error as exc:
            return [JatsIssue("error", "jats4r", None, f"The JATS4R rules failed: {exc}")]
        issues = [
            JatsIssue(issue.get("severity"), "jats4r", _line_of(root, issue.get("path")),
                      " ".join((issue.text or "").split()), issue.get("rule") or None)
            for issue in etree.fromstring(report.encode())
        ]
        return sorted(issues, key=lambda issue: issue.line or 0)  # grouped by pattern so far


def _line_of(root: etree._Element, path: str) -> int | None:
    """The line of the element at `path`, made by `_PATH`."""
    element = root
    for position in filter(None, path.split("/")):
        element = list(element.iterchildren(etree.Element))[int(position) - 1]
    return element.sourceline


def compile_schematron(schema_path: Path) -> etree._Element:
    """An XSLT 3.0 stylesheet that reports each failed assert / successful report.

    The output is `<issues><issue severity rule path>message</issue>...</issues>`, where
    `path` gives the element positions from the root, so that we can find the line back
    in the lxml tree. Supports what JATS4R uses: ns, phase, include, let, pattern, rule,
    assert, report, name, value-of and xsl:function.
    """
    schema = _with_includes(etree.parse(str(schema_path)).getroot(), schema_path)
    unsupported = schema.xpath("//sch:*[@abstract='true' or @is-a] | //sch:extends", namespaces=_NS)
    if unsupported:
        raise JatsValidatorUnavailable(f"{schema_path}: unsupported Schematron construct "
                                       f"<{etree.QName(unsupported[0]).localname}>")

    nsmap = {"xsl": _XSL, "xs": "http://www.w3.org/2001/XMLSchema",
             # the JATS4R functions are declared `as="xsd:boolean"` without binding xsd
             "xsd": "http://www.w3.org/2001/XMLSchema"}
    nsmap.update({ns.get("prefix"): ns.get("uri") for ns in schema.iterfind("sch:ns", _NS)})
    stylesheet = etree.Element(f"{{{_XSL}}}stylesheet", nsmap=nsmap, version="3.0")
    stylesheet.append(_xsl("output", method="xml", indent="no"))
    for function in schema.iterfind("xsl:function", _NS):
        stylesheet.append(copy.deepcopy(function))
    for let in schema.xpath("sch:let | sch:pattern/sch:let", namespaces=_NS):
        stylesheet.append(_variable(let))

    severities = {}
    for phase in schema.iterfind("sch:phase", _NS):
        for active in phase.iterfind("sch:active", _NS):
            severities[active.get("pattern")] = _severity(phase.get("id"))

    main = etree.SubElement(stylesheet, f"{{{_XSL}}}template", match="/")
    issues = etree.SubElement(main, "issues")
    for number, pattern in enumerate(schema.iterfind("sch:pattern", _NS)):
        mode = f"pattern-{number}"
        issues.append(_xsl("apply-templates", select="/", mode=mode))
        rules = pattern.findall("sch:rule", _NS)
        for rank, rule in enumerate(rules):
            # In a pattern, a node is checked by the first rule whose context matches it.
            template = _xsl("template", match=rule.get("context"), mode=mode,
                            priority=str(len(rules) - rank))
            template.extend(_variable(let) for let in rule.iterfind("sch:let", _NS))
            for check in rule.xpath("sch:assert | sch:report", namespaces=_NS):
                template.append(_check(check, pattern, severities))
            template.append(_xsl("apply-templates", select="@*|node()", mode="#current"))
            stylesheet.append(template)

    # Nodes that no rule matches: walk on through elements, ignore the rest.
    walk = _xsl("template", match="document-node()|*", mode="#all", priority="-10")
    walk.append(_xsl("apply-templates", select="@*|node()", mode="#current"))
    stylesheet.append(walk)
    stylesheet.append(_xsl("template", match="@*|text()|comment()|processing-instruction()",
                           mode="#all", priority="-10"))
    return stylesheet


def _with_includes(element: etree._Element, path: Path) -> etree._Element:
    for include in element.xpath(".//sch:include", namespaces=_NS):
        included_path = path.parent / include.get("href")
        included = _with_includes(etree.parse(str(included_path)).getroot(), included_path)
        include.getparent().replace(include, included)
    return element


def _check(check: etree._Element, pattern: etree._Element,
           severities: dict[str, str]) -> etree._Element:
    test = check.get("test")
    if etree.QName(check).localname == "assert":
        test = f"not({test})"
    role = check.get("role")
    severity = _severity(role) if role else severities.get(pattern.get("id"), "error")
    issue = etree.Element("issue", severity=severity,
                          rule=check.get("id") or pattern.get("id") or "")
    issue.append(_xsl("attribute", name="path", select=_PATH))
    _append_text(issue, check.text)
    for child in check:
        name = etree.QName(child)
        if name.namespace == _SCH and name.localname == "value-of":
            issue.append(_xsl("value-of", select=child.get("select")))
        elif name.namespace == _SCH and name.localname == "name":
            issue.append(_xsl("value-of", select=f"name({child.get('path', '.')})"))
        else:  # emph, dir, span...: keep the words
            _append_text(issue, "".join(child.itertext()))
        _append_text(issue, child.tail)
    test_if = _xsl("if", test=test)
    test_if.append(issue)
    return test_if


# Element positions below the root down to the context node (its parent for an
# attribute): "" is the root element, "4/2" its fourth child's second child.
_PATH = ("string-join(ancestor-or-self::*[parent::*]"
         "/string(count(preceding-sibling::*) + 1), '/')")


def _append_text(parent: etree._Element, text: str | None) -> None:
    # Inside xsl:text, so that XSLT keeps the spaces between words and values.
    if text:
        parent.append(_xsl("text"))
        parent[-1].text = text


def _severity(word: str | None) -> str:
    return "warning" if word and word.lower().startswith(("warn", "info")) else "error"


def _variable(let: etree._Element) -> etree._Element:
    return _xsl("variable", name=let.get("name"), select=let.get("value"))


def _xsl(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{_XSL}}}{tag}", **attributes)
