"""The only way WeasyPrint reads a file: from the manuscript's folder or the style's.

Anything else — the network, a `file://` path elsewhere, a `..` escape, a symlink that
points outside, an oversized `data:` URL — is refused and recorded, and the build fails on
it: a PDF must never carry a file from outside the article, nor wait on a server.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_DATA_URL_BYTES = 2 * 1024 * 1024


class SafeFetcher(URLFetcher):
    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL_BYTES * 4 // 3 + 64:
                return self._refuse(url, "a data: URL larger than 2 MB")
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "the build never fetches from the network")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            return self._refuse(url, "outside the manuscript's and the style's folders")
        if not path.is_file():
            return self._refuse(url, "no such file")
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": _content_type(path)})

    def _refuse(self, url: str, reason: str):
        shown = url if len(url) < 100 else url[:97] + "..."
        self.refused.append(f"{shown}: {reason}")
        raise ValueError(f"refused {shown}: {reason}")


def _content_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
            ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".ttf": "font/ttf",
            ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}.get(
                path.suffix.lower(), "application/octet-stream")
