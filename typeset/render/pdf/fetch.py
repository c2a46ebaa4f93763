"""The only way WeasyPrint reads a file: from the manuscript's folder or the style's.

The manuscript's files come from memory: the bytes read once when the manuscript was read
(Document.file_data), so that the PDF embeds what the HTML and JATS copy, whatever
happened to the files since. Responses carry no file path, so that WeasyPrint keeps the
bytes it was given rather than reading the file again when it writes the PDF (it does,
for a picture whose response names a local file). The style's files are read through the
confinement (read/confined.py).

Anything else — the network, a `file://` path elsewhere, a `..` escape, a symlink that
points outside, a device or FIFO, an oversized `data:` URL — is refused and recorded, and
the build fails on it: a PDF must never carry a file from outside the article, nor wait on
a server.

The decision (`resolve`) is plain Python, testable without WeasyPrint; WeasyPrint itself is
imported only when a fetcher is made, since importing it costs about a second and most
commands (check, a failing build) never lay out a page.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from typeset.read.confined import Refused, read_confined

MAX_DATA_URL_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024

# The URLs under which WeasyPrint sees the manuscript's folder and the style's: the same on
# every machine, so that nothing in a PDF depends on where the folders lie (WeasyPrint
# names each image after its URL). A cluster worker builds in a temporary folder of its
# own and must give the bytes a local build gives.
MANUSCRIPT_URL = "file:///typeset-manuscript/"
STYLE_URL = "file:///typeset-style/"


@dataclass(frozen=True)
class Resource:
    url: str
    body: bytes
    content_type: str


def resolve(url: str, roots: list[Path], files: dict[str, bytes] | None = None,
            aliases: dict[str, Path] | None = None) -> Resource:
    """The resource behind `url`, if it is a local file under one of `roots` (already
    resolved) or a small `data:` URL; `Refused` otherwise. With `files` (absolute path ->
    bytes), a file under the first root (the manuscript's folder) comes from `files`
    only. `aliases` maps a URL prefix (MANUSCRIPT_URL, STYLE_URL) to the folder it stands
    for; the resource keeps its aliased URL, so that what it refers to relatively is
    aliased too."""
    for prefix, folder in (aliases or {}).items():
        if url.startswith(prefix):
            real = resolve(folder.as_uri().rstrip("/") + "/" + url[len(prefix):], roots,
                           files)
            return Resource(url, real.body, real.content_type)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _data_url(url)
    if scheme != "file":
        raise Refused("the build never fetches from the network" if scheme in
                      ("http", "https", "ftp", "ftps", "ws", "wss", "")
                      else f"'{scheme}:' URLs are not allowed")
    if parts.netloc not in ("", "localhost"):
        raise Refused("a file on another machine")
    path = Path(unquote(parts.path))
    if not path.is_absolute():
        raise Refused("not an absolute file URL")
    if files is not None:
        key = os.path.normpath(path)
        if key in files:
            return Resource(url, files[key], content_type(path))
        if Path(key).is_relative_to(roots[0]):
            raise Refused("not among the files the manuscript shows")
    # The check is made on the file opened, links followed: where the bytes are.
    body = read_confined(path, roots, MAX_FILE_BYTES)
    return Resource(path.resolve().as_uri(), body, content_type(path))


def _data_url(url: str) -> Resource:
    # Checked on the URL's length first, so a huge one is never decoded.
    if len(url) > MAX_DATA_URL_BYTES * 4 // 3 + 256:
        raise Refused(f"a data: URL larger than {MAX_DATA_URL_BYTES // (1024 * 1024)} MB")
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise Refused("a malformed data: URL")
    params = header.split(";")
    media_type = params[0].strip() or "text/plain"
    try:
        if "base64" in (p.strip().lower() for p in params[1:]):
            body = base64.b64decode(unquote(payload), validate=False)
        else:
            body = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise Refused("a malformed data: URL") from None
    if len(body) > MAX_DATA_URL_BYTES:
        raise Refused(f"a data: URL larger than {MAX_DATA_URL_BYTES // (1024 * 1024)} MB")
    return Resource(url, body, media_type)


def content_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
            ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
            ".webp": "image/webp", ".ttf": "font/ttf", ".otf": "font/otf",
            ".woff": "font/woff", ".woff2": "font/woff2"}.get(
                path.suffix.lower(), "application/octet-stream")


def SafeFetcher(roots: list[Path], files: dict[str, bytes] | None = None,  # a class,
                aliases: dict[str, Path] | None = None):  # to callers
    """A WeasyPrint URL fetcher limited to `roots`, serving the first root's files from
    `files` and reading the URL `aliases` (see `resolve`); refused URLs are listed in
    `.refused`."""
    return _fetcher_class()(roots, files, aliases)


def shown_url(url: str, aliases: dict[str, Path] | None = None) -> str:
    """A URL as a message shows it: an aliased one as the path it stands for, relative to
    the manuscript's folder (or the style's, named after the style)."""
    for prefix, folder in (aliases or {}).items():
        if url.startswith(prefix):
            rest = unquote(url[len(prefix):])
            return rest if prefix == MANUSCRIPT_URL else f"{folder.name}/{rest}"
    return url


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _Response(URLFetcherResponse):
        path = None  # no file behind it: WeasyPrint keeps these bytes, never re-reads

    class _SafeFetcher(URLFetcher):
        def __init__(self, roots: list[Path], files: dict[str, bytes] | None,
                     aliases: dict[str, Path] | None):
            # No protocol at all for the parent's opener: every URL goes through resolve(),
            # so the network handlers it installs can never be reached.
            super().__init__(allowed_protocols=set(), allow_redirects=False)
            self.roots = [Path(root).resolve() for root in roots]
            self.files = files
            self.aliases = {prefix: Path(folder).resolve()
                            for prefix, folder in (aliases or {}).items()}
            self.refused: list[str] = []

        def fetch(self, url: str, headers=None):
            try:
                resource = resolve(url, self.roots, self.files, self.aliases)
            except Refused as reason:
                shown = shown_url(url, self.aliases)
                shown = shown if len(shown) < 100 else shown[:97] + "..."
                self.refused.append(f"{shown}: {reason}")
                raise ValueError(f"refused {shown}: {reason}") from None
            return _Response(resource.url, body=resource.body,
                             headers={"Content-Type": resource.content_type})

    return _SafeFetcher
