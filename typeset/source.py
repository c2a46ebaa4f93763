"""Reading a manuscript file: decoding, line endings, and the front-matter block.

The front matter is replaced by blank lines in the body we hand to Pandoc, so that a line
number in the body is a line number in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ManuscriptError, Problem

# A manuscript larger than this is refused before anything parses it.
MAX_MANUSCRIPT_BYTES = 20 * 1024 * 1024

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    front_matter: str
    front_matter_first_line: int  # line number of the first YAML line in the file
    body: str  # the whole file with the front matter blanked out

    @property
    def name(self) -> str:
        return display_path(self.path)

    def locate(self, needle: str, start_line: int = 1) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the first occurrence of `needle` in the file."""
        return locate_in(self.text, needle, start_line)


def locate_in(text: str, needle: str, start_line: int = 1) -> tuple[int | None, int | None]:
    if not needle:
        return None, None
    offset = 0
    if start_line > 1:
        offset = _nth_line_offset(text, start_line)
    index = text.find(needle, offset)
    if index < 0:
        return None, None
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _nth_line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        next_newline = text.find("\n", offset)
        if next_newline < 0:
            return len(text)
        offset = next_newline + 1
    return offset


def read_manuscript(path: Path) -> Source:
    name = display_path(path)
    try:
        if path.stat().st_size > MAX_MANUSCRIPT_BYTES:
            raise _error(name, None, f"the file is larger than {MAX_MANUSCRIPT_BYTES} bytes")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(name, None, "no such file") from None
    except IsADirectoryError:
        raise _error(name, None, "is a folder, not a Markdown file") from None
    except OSError as exc:
        raise _error(name, None, f"cannot be read ({exc.strerror})") from None
    text = decode(raw, name)
    return split_front_matter(path, text)


def decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        raise ManuscriptError([Problem(
            name, line, column,
            f"the file is not UTF-8: byte 0x{byte:02X} cannot be decoded",
            hint="save the file as UTF-8")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line, column = locate_in(text, "\x00")
        raise _error(name, line, "the file contains a NUL character (is it a binary file?)",
                     column)
    return text


def split_front_matter(path: Path, text: str) -> Source:
    name = display_path(path)
    lines = text.split("\n")
    if not text.strip():
        raise _error(name, 1, "the file is empty: a manuscript starts with YAML front matter "
                              "between two '---' lines")
    if not lines or lines[0].rstrip() != "---":
        raise _error(name, 1, "no front matter: the file must start with a '---' line, "
                              "then the YAML fields, then a closing '---' line")
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n" * (index + 1) + "\n".join(lines[index + 1:])
            return Source(path, text, front, 2, body)
    raise _error(name, 1, "the front matter is not closed: add a '---' line after the YAML "
                          "fields")


def _error(name: str, line: int | None, message: str, column: int | None = None
           ) -> ManuscriptError:
    return ManuscriptError([Problem(name, line, column if line else None, message)])
