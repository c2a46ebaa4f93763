"""The only way WeasyPrint reads a file: from the manuscript's folder or the style's.

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
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

MAX_DATA_URL_BYTES = 2 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024

# The URLs under which WeasyPrint sees the manuscript's folder and the style's: the same on
# every machine, so that nothing in a PDF depends on where the folders lie (WeasyPrint
# names each image after its URL). A cluster worker builds in a temporary folder of its
# own and must give the bytes a local build gives.
MANUSCRIPT_URL = "file:///typeset-manuscript/"
STYLE_URL = "file:///typeset-style/"


class Refused(Exception):
    """A URL the build will not load; the message says why."""


@dataclass(frozen=True)
class Resource:
    url: str
    body: bytes
    content_type: str


def resolve(url: str, roots: list[Path], aliases: dict[str, Path] | None = None
            ) -> Resource:
    """The resource behind `url`, if it is a local file under one of `roots` (already
    resolved) or a small `data:` URL; `Refused` otherwise. `aliases` maps a URL prefix
    (MANUSCRIPT_URL, STYLE_URL) to the folder it stands for; the resource keeps its
    aliased URL, so that what it refers to relatively is aliased too."""
    for prefix, folder in (aliases or {}).items():
        if url.startswith(prefix):
            real = resolve(folder.as_uri().rstrip("/") + "/" + url[len(prefix):], roots)
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
    # resolve() follows symlinks and folds '..': what is compared is where the bytes are.
    real = path.resolve()
    if not any(real.is_relative_to(root) for root in roots):
        raise Refused("outside the manuscript's and the style's folders")
    try:
        info = real.stat()
    except OSError:
        raise Refused("no such file") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise Refused(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        body = real.read_bytes()
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror or exc})") from None
    return Resource(real.as_uri(), body, content_type(real))


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


def SafeFetcher(roots: list[Path], aliases: dict[str, Path] | None = None):  # a class's name:
    # callers construct it
    """A WeasyPrint URL fetcher limited to `roots`, with the URL `aliases` of `resolve`;
    refused URLs are listed in `.refused`."""
    return _fetcher_class()(roots, aliases)


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

    class _SafeFetcher(URLFetcher):
        def __init__(self, roots: list[Path], aliases: dict[str, Path] | None):
            # No protocol at all for the parent's opener: every URL goes through resolve(),
            # so the network handlers it installs can never be reached.
            super().__init__(allowed_protocols=set(), allow_redirects=False)
            self.roots = [Path(root).resolve() for root in roots]
            self.aliases = {prefix: Path(folder).resolve()
                            for prefix, folder in (aliases or {}).items()}
            self.refused: list[str] = []

        def fetch(self, url: str, headers=None):
            try:
                resource = resolve(url, self.roots, self.aliases)
            except Refused as reason:
                shown = shown_url(url, self.aliases)
                shown = shown if len(shown) < 100 else shown[:97] + "..."
                self.refused.append(f"{shown}: {reason}")
                raise ValueError(f"refused {shown}: {reason}") from None
            return URLFetcherResponse(resource.url, body=resource.body,
                                      headers={"Content-Type": resource.content_type})

    return _SafeFetcher
