"""What the body points at: images that must be real image files beside the manuscript,
and links that must be safe to click.

An image is read by WeasyPrint for the PDF and referenced by the HTML page and the JATS,
so a remote URL would be fetched from the network (or by every reader's browser), and a
path outside the manuscript's folder would copy some other file of this machine into the
article. Both are refused here, before any output is made, with the line of the image in
the manuscript; the URL fetcher (`fetch.py`) stays as the backstop.
"""

from __future__ import annotations

import re
import stat
import struct
from pathlib import Path
from urllib.parse import unquote, urlsplit

from typeset.errors import Problem, shown
from typeset.read.source import Source

MAX_IMAGE_BYTES = 50 * 1024 * 1024
# Beyond this a decoded bitmap takes gigabytes; no printed figure needs it (a full A4 page
# at 600 dpi is about 35 megapixels).
MAX_IMAGE_PIXELS = 100_000_000
_SNIFF_BYTES = 4096

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_REMOTE_SCHEMES = ("http", "https", "ftp", "ftps", "sftp", "ws", "wss")
LINK_SCHEMES = ("http", "https", "mailto")
IMAGE_KINDS = "PNG, JPEG, GIF, SVG or WebP"


def check_images(nodes: list, source: Source, problems: list[Problem]) -> None:
    """Every `Image` among `nodes` (elements as `walk` lists them) names an image file
    inside the manuscript's folder."""
    # The folder of the file itself, as the pipeline and the URL fetcher see it.
    folder = Path(source.path).resolve().parent
    checked: dict[str, tuple[str, str] | None] = {}
    for node in nodes:
        if node["t"] != "Image":
            continue
        url = node["c"][2][0]
        if url not in checked:
            checked[url] = image_problem(url, folder)
        found = checked[url]
        if found is not None:
            message, hint = found
            line, column = _locate(source, url)
            problems.append(Problem(source.name, line, column, message, hint=hint))
            checked[url] = None  # one report per URL is enough


def image_problem(url: str, folder: Path) -> tuple[str, str] | None:
    """(message, hint) saying why `url` is not an acceptable image, or None."""
    shown_url = shown(url)
    if not url.strip():
        return "an image without a file name", "write ![caption](figures/name.png)"
    scheme = _SCHEME.match(url)
    if url.startswith("//") or (scheme and scheme.group(1).lower() in _REMOTE_SCHEMES):
        return (f"the image '{shown_url}' is on the network: the build never fetches "
                "anything", "download it into the manuscript's folder and give its path")
    if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive, below
        return (f"the image '{shown_url}' is a '{scheme.group(1)}:' URL",
                "give the path of an image file in the manuscript's folder")
    parts = urlsplit(url)
    relative = unquote(parts.path)
    if relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", relative):
        return (f"the image path '{shown_url}' is absolute",
                "give a path relative to the manuscript, e.g. figures/map.png")
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder):
        link = folder / relative
        if link.is_symlink() and link.parent.resolve().is_relative_to(folder):
            return (f"the image '{shown_url}' is a link to a file outside the manuscript's "
                    "folder", "copy the image itself into the folder")
        return (f"the image '{shown_url}' lies outside the manuscript's folder",
                "copy it into the manuscript's folder")
    try:
        info = target.stat()
    except OSError:
        hint = "use '/' between folders" if "\\" in relative else \
            "check the name and the folder; names are case-sensitive"
        return f"the image '{shown_url}' does not exist", hint
    if stat.S_ISDIR(info.st_mode):
        return f"the image '{shown_url}' is a folder", "give the image file's name"
    if not stat.S_ISREG(info.st_mode):
        return f"the image '{shown_url}' is not a regular file", ""
    if info.st_size > MAX_IMAGE_BYTES:
        return (f"the image '{shown_url}' is larger than "
                f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB", "reduce or compress it")
    try:
        with target.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as exc:
        return f"the image '{shown_url}' cannot be read ({exc.strerror or exc})", ""
    kind = image_kind(head)
    if kind is None:
        return (f"'{shown_url}' is not an image file",
                f"figures must be {IMAGE_KINDS} files")
    if kind == "svg" and b"<!ENTITY" in head.upper():
        return (f"the SVG image '{shown_url}' declares XML entities",
                "save it again without a DOCTYPE (entities can read other files)")
    size = pixel_size(kind, head, target)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        return (f"the image '{shown_url}' is {size[0]} × {size[1]} pixels, too large to lay "
                "out", "scale it down")
    return None


def image_kind(head: bytes) -> str | None:
    """The image format the first bytes of a file announce, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    # An SVG may open with an XML declaration, comments and a DOCTYPE before <svg.
    if text.startswith((b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE svg", b"<!doctype svg")) \
            and re.search(rb"<svg[\s>]", head):
        return "svg"
    return None


def pixel_size(kind: str, head: bytes, path: Path) -> tuple[int, int] | None:
    """Width and height from the file's header, where the format puts them near the start."""
    try:
        if kind == "png" and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if kind == "gif":
            return struct.unpack("<HH", head[6:10])
        if kind == "webp":
            chunk = head[12:16]
            if chunk == b"VP8X":
                width = int.from_bytes(head[24:27], "little") + 1
                height = int.from_bytes(head[27:30], "little") + 1
                return width, height
            if chunk == b"VP8L":
                bits = int.from_bytes(head[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if chunk == b"VP8 ":
                width, height = struct.unpack("<HH", head[26:30])
                return width & 0x3FFF, height & 0x3FFF
        if kind == "jpeg":
            return _jpeg_size(path)
    except struct.error:
        return None
    return None


def _jpeg_size(path: Path) -> tuple[int, int] | None:
    # The frame header (SOFn) may come after large metadata segments: walk the segments.
    with path.open("rb") as stream:
        stream.read(2)
        for _ in range(1000):
            marker = stream.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return None
            kind = marker[1]
            if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
                continue
            length_bytes = stream.read(2)
            if len(length_bytes) < 2:
                return None
            length = struct.unpack(">H", length_bytes)[0]
            if 0xC0 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):
                data = stream.read(5)
                if len(data) < 5:
                    return None
                height, width = struct.unpack(">HH", data[1:5])
                return width, height
            stream.seek(length - 2, 1)
    return None


def check_links(nodes: list, source: Source, problems: list[Problem]) -> None:
    """Links go to the web, to an email address, or within the article.

    A `javascript:` link would run in the reader's browser from the HTML page, a `file:`
    or relative link points at nothing once the article is published.
    """
    reported = set()
    for node in nodes:
        if node["t"] != "Link":
            continue
        url = node["c"][2][0].strip()
        if url in reported or url.startswith("#"):
            continue
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1).lower() in LINK_SCHEMES:
            continue
        if url.startswith("//"):
            continue  # the reader's browser adds the scheme: still the web
        reported.add(url)
        line, column = _locate(source, node["c"][2][0])
        if scheme:
            message = f"links to '{scheme.group(1)}:' URLs are not allowed"
        else:
            message = f"the link '{shown(url)}' points at a file, not a web address"
        problems.append(Problem(source.name, line, column, message,
                                hint="link to an http(s) or mailto: address"))


def _locate(source: Source, url: str) -> tuple[int | None, int | None]:
    # In the body first (the front matter may hold the same text), then anywhere, then as
    # the editor may have written it before Pandoc escaped it.
    for needle in (url, unquote(url)):
        for start in (source.body_first_line, 1):
            line, column = source.locate(needle, start)
            if line is not None:
                return line, column
    return None, None
