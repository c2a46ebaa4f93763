"""What an image file holds, checked before any output uses it: a known format, and
dimensions (read from the header) that can be laid out."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

# Beyond this a decoded bitmap takes gigabytes; no printed figure needs it (a full A4 page
# at 600 dpi is about 35 megapixels).
MAX_IMAGE_PIXELS = 100_000_000
KINDS = "PNG, JPEG, GIF, SVG or WebP"
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ImageProblem:
    message: str
    hint: str = ""
    line: int | None = None  # in the file itself (an SVG's), when known


def image_problem(data: bytes, shown_name: str) -> ImageProblem | None:
    """Why the image file `data` cannot be used, or None. `shown_name` names it in the
    messages."""
    head = data[:_SNIFF_BYTES]
    kind = image_kind(head)
    if kind is None:
        return ImageProblem(f"'{shown_name}' is not an image file",
                            f"figures must be {KINDS} files")
    if kind == "svg" and b"<!ENTITY" in head.upper():
        return ImageProblem(f"the SVG image '{shown_name}' declares XML entities",
                            "save it again without a DOCTYPE (entities can read other files)")
    size = pixel_size(kind, head, data)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        return ImageProblem(f"the image '{shown_name}' is {size[0]} × {size[1]} pixels, too "
                            "large to lay out", "scale it down")
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


def pixel_size(kind: str, head: bytes, data: bytes) -> tuple[int, int] | None:
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
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # The frame header (SOFn) may come after large metadata segments: walk the segments.
    with io.BytesIO(data) as stream:
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
