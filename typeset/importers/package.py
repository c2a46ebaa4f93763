"""The .docx package: refused with a clear message when it is not a Word file we can read.

A .docx is a zip of XML parts. What arrives instead, in practice: an old binary .doc (or a
password-protected .docx, which Word stores in the same OLE compound-file wrapper), a PDF
or an RTF renamed, an OpenDocument file, a damaged download, a zero-byte file. Each gets
its own message, so that the editor knows what to ask the author for.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from typeset.errors import ManuscriptError, Problem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FILE_BYTES = 200 * 1024 * 1024
# A zip can claim anything; a Word file whose parts unpack to more than this is refused
# before Pandoc unpacks it (a "zip bomb" would otherwise fill the disk or the memory).
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
SIGNATURES = (
    (b"%PDF", "a PDF file"),
    (b"{\\rtf", "an RTF file"),
    (b"<?xml", "an XML file"),
    (b"<html", "an HTML page"),
    (b"<!DOCTYPE", "an HTML page"),
)


class UnreadableDocument(ManuscriptError):
    """The file given to `import` is not a Word document that can be read."""

    def __init__(self, path: Path, message: str, hint: str = ""):
        super().__init__([Problem(str(path), None, None, message, hint=hint)])


@dataclass(frozen=True)
class Package:
    path: Path
    text_width_emu: int | None  # the page's text width, for figures' relative widths
    has_text: bool


def open_docx(path: Path) -> Package:
    """Check that `path` is a readable .docx; raise `UnreadableDocument` otherwise."""
    if not path.exists():
        raise UnreadableDocument(path, "no such file")
    if path.is_dir():
        raise UnreadableDocument(path, "is a folder, not a Word file",
                                 "give the .docx file itself")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableDocument(path, "the file is empty (0 bytes)",
                                 "ask the author to send the file again")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(path, f"the file is too large ({size // 2**20} MB; at most "
                                       f"{MAX_FILE_BYTES // 2**20} MB)")
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot be read: {exc.strerror or exc}") from None
    if head.startswith(OLE_MAGIC):
        raise _ole_file(path)
    if not zipfile.is_zipfile(path):
        what = next((name for magic, name in SIGNATURES
                     if head.lstrip().lower().startswith(magic.lower())), None)
        if what:
            raise UnreadableDocument(path, f"not a Word .docx file: it is {what}",
                                     "ask the author for the .docx (Word: File > Save As > "
                                     "Word Document)")
        raise UnreadableDocument(path, "not a Word .docx file (not a zip package, or a "
                                       "damaged one)",
                                 "ask the author to send the .docx again")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_package(path, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        raise UnreadableDocument(path, f"the .docx package is damaged ({exc})",
                                 "ask the author to send the file again") from None


def _ole_file(path: Path) -> UnreadableDocument:
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return UnreadableDocument(path, "the Word file is password-protected (encrypted)",
                                  "ask the author for a copy without a password (Word: File "
                                  "> Info > Protect Document > Encrypt with Password, "
                                  "cleared)")
    return UnreadableDocument(path, "an old Word 97-2003 document (.doc), not a .docx",
                              "open it in Word and save it as a Word Document (.docx)")


def _read_package(path: Path, archive: zipfile.ZipFile) -> Package:
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        if "content.xml" in names and "mimetype" in names:
            raise UnreadableDocument(path, "an OpenDocument file (.odt), not a .docx",
                                     "save it as a Word Document (.docx)")
        raise UnreadableDocument(path, "a zip file, but not a Word document (it has no "
                                       "word/document.xml)")
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(path, f"the .docx unpacks to {unpacked // 2**20} MB, more "
                                       f"than the {MAX_UNPACKED_BYTES // 2**20} MB allowed")
    try:
        archive.testzip()
        root = etree.fromstring(archive.read("word/document.xml"),
                                etree.XMLParser(resolve_entities=False, no_network=True,
                                                huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(path, f"the document part (word/document.xml) is not "
                                       f"well-formed XML: {exc}",
                                 "ask the author to send the file again") from None
    text = "".join(root.itertext(f"{W}t", "{http://schemas.openxmlformats.org/"
                                          "officeDocument/2006/math}t"))
    pictures = root.find(f".//{W}drawing") is not None
    return Package(path, _text_width(root), bool(text.strip()) or pictures)


def _text_width(root) -> int | None:
    """The width between the margins of the (last) section, in EMU."""
    section = root.find(f".//{W}body/{W}sectPr")
    if section is None:
        return None
    size, margins = section.find(f"{W}pgSz"), section.find(f"{W}pgMar")
    try:
        width = int(size.get(f"{W}w"))
        left, right = int(margins.get(f"{W}left")), int(margins.get(f"{W}right"))
    except (AttributeError, TypeError, ValueError):
        return None
    twips = width - left - right
    return twips * 635 if twips > 0 else None  # 1 twip = 635 EMU
