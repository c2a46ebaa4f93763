"""What the body points at: images that must be real image files beside the manuscript,
and links that must be safe to click.

An image is read by WeasyPrint for the PDF and referenced by the HTML page and the JATS,
so a remote URL would be fetched from the network (or by every reader's browser), and a
path outside the manuscript's folder would copy some other file of this machine into the
article. Both are refused here, before any output is made, with the line of the image in
the manuscript; the URL fetcher (`fetch.py`) stays as the backstop. Each image is read
once, here, through the confinement (confined.py), and its content checked (images.py).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from typeset.errors import Problem, shown
from typeset.read.confined import Refused, outside, read_confined
from typeset.read.images import image_problem
from typeset.read.source import Source, display_path

MAX_IMAGE_BYTES = 50 * 1024 * 1024

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_REMOTE_SCHEMES = ("http", "https", "ftp", "ftps", "sftp", "ws", "wss")
LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Refusal:
    """Why an image is refused; located in the image file itself when `path` is given
    (a line of an SVG), else at the image's line in the manuscript."""

    message: str
    hint: str = ""
    path: str | None = None
    line: int | None = None
    column: int | None = None


def check_images(nodes: list, source: Source, problems: list[Problem]) -> dict[str, bytes]:
    """Every `Image` among `nodes` (elements as `walk` lists them) names an image file
    inside the manuscript's folder. Returns each file's bytes, read once, by its name
    relative to the folder (normalised: `./a.png` is `a.png`), in order of first
    appearance: every output uses these bytes, whatever happens to the file afterwards."""
    # The folder of the file itself, as the pipeline and the URL fetcher see it.
    folder = Path(source.path).resolve().parent
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    for node in nodes:
        if node["t"] != "Image":
            continue
        url = node["c"][2][0]
        if url in seen:
            continue  # one report per URL is enough
        seen.add(url)
        found = load_image(url, folder)
        if isinstance(found, Refusal):
            if found.path is None:
                line, column = _locate(source, url)
                problems.append(Problem(source.name, line, column, found.message,
                                        hint=found.hint))
            else:
                problems.append(Problem(found.path, found.line, found.column, found.message,
                                        hint=found.hint))
        else:
            files.setdefault(*found)
    return files


def image_name(url: str) -> str:
    """The file an image URL names, relative to the manuscript's folder, normalised."""
    return posixpath.normpath(unquote(urlsplit(url).path))


def load_image(url: str, folder: Path) -> tuple[str, bytes] | Refusal:
    """(name, bytes) of the image `url` names, read once through the confinement and
    checked, or why it is refused."""
    shown_url = shown(url)
    if not url.strip():
        return Refusal("an image without a file name", "write ![caption](figures/name.png)")
    scheme = _SCHEME.match(url)
    if url.startswith("//") or (scheme and scheme.group(1).lower() in _REMOTE_SCHEMES):
        return Refusal(f"the image '{shown_url}' is on the network: the build never fetches "
                       "anything", "download it into the manuscript's folder and give its path")
    if scheme and len(scheme.group(1)) > 1:  # one letter is a Windows drive, below
        return Refusal(f"the image '{shown_url}' is a '{scheme.group(1)}:' URL",
                       "give the path of an image file in the manuscript's folder")
    relative = unquote(urlsplit(url).path)
    if relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", relative):
        return Refusal(f"the image path '{shown_url}' is absolute",
                       "give a path relative to the manuscript, e.g. figures/map.png")
    if outside(folder, relative):  # said before "missing"
        return _refusal("outside", shown_url, folder, relative)
    try:  # the check that counts: made on the file opened
        data = read_confined(folder / relative, [folder], MAX_IMAGE_BYTES)
    except Refused as reason:
        return _refusal(str(reason), shown_url, folder, relative)
    found = image_problem(data, shown_url)
    if found is None:
        return image_name(url), data
    if found.line is not None:  # inside the file (an SVG's line)
        return Refusal(found.message, found.hint, display_path(folder / image_name(url)),
                       found.line)
    return Refusal(found.message, found.hint)


def _close_file(folder: Path, relative: str) -> str | None:
    """The file of the manuscript's folder (and its subfolders, a few levels down) whose
    path is nearest to the one written, when one is near enough."""
    try:
        files = [str(path.relative_to(folder)) for depth in range(3)
                 for path in folder.glob("/".join(["*"] * (depth + 1))) if path.is_file()]
    except OSError:
        return None
    close = difflib.get_close_matches(relative, files[:2000], n=1, cutoff=0.75)
    return close[0] if close else None


def _refusal(reason: str, shown_url: str, folder: Path, relative: str) -> Refusal:
    if reason.startswith("outside"):
        how = outside(folder, relative) or "outside the manuscript's folder"
        if how.startswith("a link"):
            return Refusal(f"the image '{shown_url}' is {how}",
                           "copy the image itself into the folder")
        return Refusal(f"the image '{shown_url}' lies {how}",
                       "copy it into the manuscript's folder")
    if reason == "no such file":
        hint = "use '/' between folders" if "\\" in relative else \
            "check the name and the folder; names are case-sensitive"
        close = _close_file(folder, relative)
        if close:
            hint = f"did you mean '{close}'?"
        return Refusal(f"the image '{shown_url}' does not exist", hint)
    if reason.startswith("a folder"):
        return Refusal(f"the image '{shown_url}' is a folder", "give the image file's name")
    if reason.startswith("not a regular file"):
        return Refusal(f"the image '{shown_url}' is not a regular file")
    if reason.startswith("larger than"):
        return Refusal(f"the image '{shown_url}' is {reason}", "reduce or compress it")
    return Refusal(f"the image '{shown_url}' {reason}")


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
    # As written, or as the editor may have written it before Pandoc escaped it.
    line, column = source.find(url)
    return (line, column) if line is not None else source.find(unquote(url))
