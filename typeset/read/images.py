"""What an image file holds, checked before any output uses it.

- A raster image (PNG, JPEG, GIF, WebP) is identified by Pillow, which reads its header
  the way the layout will (a JPEG's frame header may stand behind any number of metadata
  segments): its real dimensions are compared with the cap, so that no picture decodes
  into gigabytes. Pillow's own decompression-bomb limit is set to the same cap, so that it
  never warns past us.
- An SVG is parsed whole, safely (no DTD loaded, no entity expanded, nothing fetched,
  lxml's limits on depth and size kept), and refused when it could act when opened: a
  `<script>`, an event handler (`onload=`), a `javascript:` URL, a `<foreignObject>`
  (HTML inside the drawing), an entity, or a reference to anything outside itself (an
  `href`, a `url(...)` or an `@import` to anything but `#an-id` or a `data:` image). The
  outputs copy the figure as it is: a browser that opens it must find nothing to run.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from typeset.errors import TypesetError

MAX_IMAGE_PIXELS = 100_000_000  # a full A4 page at 600 dpi is about 35 megapixels
KINDS = "PNG, JPEG, GIF, SVG or WebP"
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ImageProblem:
    message: str
    hint: str = ""
    line: int | None = None  # in the file itself (an SVG's), when known


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


def _xml_prolog(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith((b"<?xml", b"<!--", b"<!DOCTYPE", b"<!doctype"))


def image_problem(data: bytes, shown_name: str) -> ImageProblem | None:
    """Why the image file `data` cannot be used, or None. `shown_name` names it in the
    messages."""
    kind = image_kind(data[:_SNIFF_BYTES])
    if kind is None and _xml_prolog(data[:_SNIFF_BYTES]) and b"<svg" in data:
        kind = "svg"  # the <svg> element comes after a long prolog: the parse decides
    if kind is None:
        return ImageProblem(f"'{shown_name}' is not an image file",
                            f"figures must be {KINDS} files")
    if kind == "svg":
        return svg_problem(data, shown_name)
    return raster_problem(kind, data, shown_name)


# -- raster images ---------------------------------------------------------------------

def raster_problem(kind: str, data: bytes, shown_name: str) -> ImageProblem | None:
    try:
        width, height = _pillow_size(kind, data)
    except TypesetError:
        raise  # a time limit that ran out while Pillow read
    except Exception as exc:  # Pillow's plugins raise SyntaxError, OSError, struct.error...
        reason = str(exc) or type(exc).__name__
        return ImageProblem(f"the image '{shown_name}' cannot be read as {kind.upper()} "
                            f"({reason})", "open it in an image editor and save it again")
    if width * height > MAX_IMAGE_PIXELS:
        return ImageProblem(f"the image '{shown_name}' is {width} × {height} pixels, too "
                            "large to lay out", "scale it down: a printed page needs at most "
                            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels")
    if width <= 0 or height <= 0:
        return ImageProblem(f"the image '{shown_name}' has no pixels ({width} × {height})")
    return None


def _pillow_size(kind: str, data: bytes) -> tuple[int, int]:
    """The dimensions in the header, read by the format's Pillow plugin itself (without
    `Image.open`'s decompression-bomb check, which would warn or raise before we can say
    which image and how large)."""
    from PIL import GifImagePlugin, Image, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # for WeasyPrint's decoding too
    plugin = {"png": PngImagePlugin.PngImageFile, "jpeg": JpegImagePlugin.JpegImageFile,
              "gif": GifImagePlugin.GifImageFile, "webp": WebPImagePlugin.WebPImageFile}[kind]
    with plugin(io.BytesIO(data)) as image:
        return image.size


# -- SVG -------------------------------------------------------------------------------

_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|livescript)\s*:", re.I)
_CSS_URL = re.compile(r"""url\(\s*['"]?\s*([^'")\s]*)""", re.I)
_CSS_IMPORT = re.compile(r"@import", re.I)
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.I)
_HINT_STATIC = "a figure is a drawing: save it again without scripts"
_HINT_SELF_CONTAINED = "embed what it uses, pictures as data: URLs, or export a PNG"
_HINT_ENTITIES = "save it again without a DOCTYPE: entities can read other files"


def svg_problem(data: bytes, shown_name: str) -> ImageProblem | None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return ImageProblem(f"the SVG image '{shown_name}' is not well-formed XML "
                            f"({exc.msg})", "save it again from a drawing program",
                            exc.lineno)
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace not in (
            None, _SVG_NAMESPACE):
        return ImageProblem(f"'{shown_name}' is not an SVG image (its root element is "
                            f"<{etree.QName(root).localname}>)", f"figures must be {KINDS} "
                            "files")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        doctype = max(data.upper().find(b"<!DOCTYPE"), 0)
        return ImageProblem(f"the SVG image '{shown_name}' declares XML entities",
                            _HINT_ENTITIES, data.count(b"\n", 0, doctype) + 1)
    for sibling in root.itersiblings(preceding=True):
        if isinstance(sibling, etree._ProcessingInstruction):
            return ImageProblem(f"the SVG image '{shown_name}' has an instruction "
                                f"<?{sibling.target} ...?>, a stylesheet from elsewhere",
                                _HINT_SELF_CONTAINED, sibling.sourceline)
    for element in root.iter():
        found = _element_problem(element, shown_name, etree)
        if found is not None:
            return found
    return None


def _element_problem(element, shown_name: str, etree) -> ImageProblem | None:
    line = element.sourceline
    if isinstance(element, etree._Entity):
        return ImageProblem(f"the SVG image '{shown_name}' uses the entity &{element.name};",
                            _HINT_ENTITIES, line)
    if isinstance(element, etree._ProcessingInstruction):
        return ImageProblem(f"the SVG image '{shown_name}' has an instruction "
                            f"<?{element.target} ...?>", _HINT_SELF_CONTAINED, line)
    if not isinstance(element.tag, str):
        return None  # a comment
    name = etree.QName(element).localname
    if name.lower() == "script":
        return ImageProblem(f"the SVG image '{shown_name}' has a <script> element, which "
                            "would run in the browser of anyone who opens it",
                            _HINT_STATIC, line)
    if name.lower() == "foreignobject":
        return ImageProblem(f"the SVG image '{shown_name}' has a <foreignObject> element: "
                            "HTML inside the drawing", "draw it with SVG shapes and text "
                            "only, or export a PNG", line)
    if name.lower() == "style" and element.text:
        found = _css_problem(element.text, shown_name, line)
        if found is not None:
            return found
    for attribute, value in element.attrib.items():
        local = etree.QName(attribute).localname.lower()
        if local.startswith("on"):
            return ImageProblem(f"the SVG image '{shown_name}' has an event handler, "
                                f"{local}=..., which would run in the browser of anyone "
                                "who opens it", _HINT_STATIC, line)
        if _SCRIPT_URL.match(value):
            return ImageProblem(f"the SVG image '{shown_name}' has a script URL in "
                                f"{local}=...", _HINT_STATIC, line)
        if local == "href" and not _internal(value):
            return ImageProblem(f"the SVG image '{shown_name}' refers to "
                                f"'{_short(value)}' outside itself", _HINT_SELF_CONTAINED,
                                line)
        found = _css_problem(value, shown_name, line) if "url(" in value.lower() or \
            "@import" in value.lower() else None
        if found is not None:
            return found
    return None


def _css_problem(css: str, shown_name: str, line: int | None) -> ImageProblem | None:
    if _CSS_IMPORT.search(css):
        return ImageProblem(f"the SVG image '{shown_name}' imports a stylesheet with @import",
                            _HINT_SELF_CONTAINED, line)
    for target in _CSS_URL.findall(css):
        if not _internal(target):
            return ImageProblem(f"the SVG image '{shown_name}' refers to "
                                f"'{_short(target)}' outside itself", _HINT_SELF_CONTAINED,
                                line)
    return None


def _internal(reference: str) -> bool:
    """A reference inside the drawing (`#id`) or a picture carried in it (`data:image/`)."""
    reference = reference.strip()
    return reference.startswith("#") or bool(_SAFE_DATA.match(reference))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
