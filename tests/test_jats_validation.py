"""JATS validation: the DTD and the JATS4R rules must both really run, offline.

Every broken fixture must produce its own, named issue: a validator that silently checks
nothing passes the valid fixtures but fails here.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from typeset.render.jats.validation import (
    NODE_MODULES_ENV,
    JatsIssue,
    JatsValidator,
    JatsValidatorUnavailable,
    compile_schematron,
    default_node_modules,
)

DATA = Path(__file__).parent / "data" / "jats"
PUBLISHING_1_3 = b"-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN"


@pytest.fixture(scope="module")
def validator() -> JatsValidator:
    return JatsValidator()


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def line_of(xml: bytes, needle: str) -> int:
    """The line of the only occurrence of `needle`, so the tests survive fixture edits."""
    assert xml.count(needle.encode()) == 1, needle
    return xml[: xml.index(needle.encode())].count(b"\n") + 1


def with_entities(xml: bytes) -> bytes:
    """The article with named entities, which only the DTD defines."""
    return xml.replace(b"Varve counting has", b"Varve counting&nbsp;&mdash; has")


def find(issues: list[JatsIssue], source: str, text: str) -> JatsIssue:
    matching = [i for i in issues if i.source == source and text in i.message]
    assert matching, f"no {source} issue with {text!r} in {issues}"
    return matching[0]


@pytest.mark.parametrize("name", ["valid-publishing.xml", "valid-archiving.xml"])
def test_valid_articles_have_no_issues(validator, name):
    assert validator.validate(read(name)) == []


def test_named_entities_are_defined_by_the_dtd(validator):
    assert validator.validate(with_entities(read("valid-publishing.xml"))) == []


def test_the_doctype_chooses_the_dtd(validator):
    # Archiving allows a journal without ISSN; Publishing does not.
    archive = read("valid-archiving.xml")
    as_publishing = archive.replace(
        b"Journal Archiving and Interchange DTD with MathML3",
        b"Journal Publishing DTD with MathML3",
    ).replace(b"JATS-archivearticle1-3-mathml3.dtd", b"JATS-journalpublishing1-3-mathml3.dtd")
    issue = find(validator.validate(as_publishing), "dtd", "Element journal-meta content")
    assert issue.line == line_of(archive, "<journal-meta>")


@pytest.mark.parametrize(("name", "needle", "message"), [
    ("dtd-unknown-element.xml", "<subtitle-note>", "No declaration for element subtitle-note"),
    ("dtd-missing-child.xml", "<title-group>",
     "Element title-group content does not follow the DTD, expecting (article-title"),
    ("dtd-bad-attribute.xml", 'corresp="maybe"',
     'Value "maybe" for attribute corresp of contrib is not among the enumerated set'),
])
def test_dtd_errors_are_reported_at_their_line(validator, name, needle, message):
    xml = read(name)
    issue = find(validator.validate(xml), "dtd", message)
    assert (issue.severity, issue.line) == ("error", line_of(xml, needle))


def test_xml_that_is_not_well_formed(validator):
    xml = read("not-well-formed.xml")
    [issue] = validator.validate(xml)
    assert (issue.severity, issue.source) == ("error", "xml")
    assert issue.line == line_of(xml, "<volume>12</issue>")
    assert "Opening and ending tag mismatch" in issue.message


@pytest.mark.parametrize(("name", "message"), [
    ("no-doctype.xml", "No DOCTYPE"),
    ("unknown-dtd.xml", "names a DTD we do not have"),
])
def test_a_document_needs_a_known_doctype(validator, name, message):
    [issue] = validator.validate(read(name))
    assert (issue.severity, issue.source) == ("error", "dtd")
    assert message in issue.message


@pytest.mark.parametrize(("name", "needle", "rule", "message"), [
    ("jats4r-copyright-holder.xml", "<permissions>", "permissions-errors",
     "Missing <copyright-holder>"),
    ("jats4r-country-code.xml", "<country>Nigeria</country>", "auths-aff-errors",
     "<country> must have a @country that includes the ISO 3166-1 2-letter country code"),
    ("jats4r-bare-math.xml", "<p>Each pixel row", "math-errors",
     "They should not appear directly in <p>"),
    # Needs id()/idref(), hence ID-typed attributes in the document Saxon sees.
    ("jats4r-unlinked-affs.xml", '<aff id="aff1">', "auths-aff-errors",
     "more than one author and more than one affiliation"),
])
def test_jats4r_errors(validator, name, needle, rule, message):
    xml = read(name)
    issues = validator.validate(xml)
    assert [i for i in issues if i.source != "jats4r"] == []  # valid against the DTD
    issue = find(issues, "jats4r", message)
    assert (issue.severity, issue.rule, issue.line) == ("error", rule, line_of(xml, needle))


def test_jats4r_warnings(validator):
    xml = read("valid-publishing.xml")
    without_uri = xml.replace(
        b"<ali:license_ref>https://creativecommons.org/licenses/by/4.0/</ali:license_ref>", b"")
    issue = find(validator.validate(without_uri), "jats4r", "No licence URI")
    assert (issue.severity, issue.rule) == ("warning", "permissions-warnings")
    assert issue.line == line_of(xml, "<license>")


def test_all_jats4r_rules_are_compiled():
    # The package's own jats4r.sch.xsl lacks most rule files; ours must have every rule.
    folder = default_node_modules() / "@jats4r/schematrons/schematrons/1.0"
    sch = {"sch": "http://purl.oclc.org/dsdl/schematron"}
    included = etree.parse(str(folder / "jats4r.sch")).xpath("//sch:include/@href", namespaces=sch)
    rules = sum(len(etree.parse(str(folder / href)).xpath("//sch:rule", namespaces=sch))
                for href in included)
    stylesheet = compile_schematron(folder / "jats4r.sch")
    templates = [t for t in stylesheet.iter("{*}template") if t.get("mode", "").startswith("p")]
    assert len(included) == 16
    assert len(templates) == rules > 30


def test_validation_does_not_depend_on_the_working_folder(validator, tmp_path, monkeypatch):
    # A decoy with the DOCTYPE's relative system id: loading it would break everything.
    (tmp_path / "JATS-journalpublishing1-3-mathml3.dtd").write_text("<!ELEMENT article EMPTY>")
    monkeypatch.chdir(tmp_path)
    assert JatsValidator().validate(read("valid-publishing.xml")) == []
    assert validator.validate(with_entities(read("valid-publishing.xml"))) == []
    xml = read("dtd-bad-attribute.xml")
    assert find(validator.validate(xml), "dtd", "corresp").line == line_of(xml, "corresp")


def test_external_entities_are_not_read(validator, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text("<bogus>secret</bogus>")
    xml = with_entities(read("valid-publishing.xml")).replace(
        b'mathml3.dtd">', f'mathml3.dtd" [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'.encode()
    ).replace(b"Varve counting", b"Varve &x; counting")
    assert validator.validate(xml) == []  # read, <bogus> would be a DTD error


def test_missing_packages_are_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(NODE_MODULES_ENV, str(tmp_path))
    with pytest.raises(JatsValidatorUnavailable, match="make setup"):
        JatsValidator()


# --- The network -------------------------------------------------------------------------

# A server in another process: saxonche keeps the GIL while it waits on a socket, so a
# server thread in this process could never answer. It counts connections and closes
# them at once (the client fails fast instead of hanging) until it gets b"stop".
_TRIPWIRE = """
import socket
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
while True:
    connection, _ = server.accept()
    connection.settimeout(5)
    try:
        data = connection.recv(100)
    except OSError:
        data = b""
    connection.close()
    if data == b"stop":
        break
    print("hit", flush=True)
"""


class Tripwire:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-c", _TRIPWIRE],
                                        stdout=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.process.stdout.readline().strip()}"

    def connections(self) -> int:
        # Connections are accepted in order, so once "stop" is read, all earlier ones were.
        with socket.create_connection(("127.0.0.1", int(self.url.rsplit(":", 1)[1]))) as s:
            s.sendall(b"stop")
        output, _ = self.process.communicate(timeout=30)
        return output.split().count("hit")


@pytest.fixture
def tripwire():
    wire = Tripwire()
    yield wire
    if wire.process.poll() is None:
        wire.process.kill()
        wire.process.wait()


def _remote(xml: bytes, url: str, public_id: bytes = PUBLISHING_1_3) -> bytes:
    return xml.replace(PUBLISHING_1_3, public_id).replace(
        b'"JATS-journalpublishing1-3-mathml3.dtd"', f'"{url}/JATS.dtd"'.encode())


def test_the_tripwire_sees_a_dtd_download(tripwire):
    # What Saxon does when handed a DOCTYPE: the reason we never hand it one.
    from saxonche import PySaxonApiError, PySaxonProcessor

    xml = _remote(read("valid-publishing.xml"), tripwire.url)
    with pytest.raises(PySaxonApiError):
        PySaxonProcessor(license=False).parse_xml(xml_text=xml.decode())
    assert tripwire.connections() >= 1  # Saxon tries several times


def test_validation_never_uses_the_network(tripwire, monkeypatch):
    def refuse(*args):
        raise AssertionError("validation opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    validator = JatsValidator()  # a fresh one: loading and compiling must be offline too
    valid = read("valid-publishing.xml")
    assert validator.validate(_remote(valid, tripwire.url)) == []
    assert validator.validate(_remote(with_entities(valid), tripwire.url)) == []
    unknown = _remote(valid, tripwire.url, b"-//Example//DTD Unknown//EN")
    assert "names a DTD we do not have" in validator.validate(unknown)[0].message
    external_entity = _remote(with_entities(valid), tripwire.url).replace(
        b'JATS.dtd">', f'JATS.dtd" [<!ENTITY x SYSTEM "{tripwire.url}/x">]>'.encode()
    ).replace(b"Varve counting", b"Varve &x; counting")
    validator.validate(external_entity)
    monkeypatch.undo()
    assert tripwire.connections() == 0
