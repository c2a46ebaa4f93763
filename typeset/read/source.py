"""Reading a manuscript file: decoding, line endings, and the front-matter block.

The front matter is replaced by blank lines in the body we hand to Pandoc, so that a line
number in the body is a line number in the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from typeset.errors import ManuscriptError, Problem

# A manuscript larger than this is refused before anything parses it. A 300-page article is
# about 1.5 MB; at 5 MB a build takes a few minutes and about 1.5 GB (docs/performance.md),
# well within the build's time budget (run/timeouts.py) and memory limit (run/memory.py).
MAX_MANUSCRIPT_BYTES = 5 * 1024 * 1024
# Hundreds of authors fit in a few kilobytes: more than this is a mistake, and refusing it
# keeps the YAML parser (pure Python) well within its time limit.
MAX_FRONT_MATTER_CHARS = 1024 * 1024

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
# Characters XML 1.0 cannot carry (so the JATS could not either) and that no editor means
# to type: C0 controls other than tab and line feed, and the two non-characters.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_NAMES = {"\x00": "NUL", "\x08": "backspace", "\x0b": "vertical tab",
                  "\x0c": "form feed", "\x1b": "escape"}
_MAX_REPORTED = 10


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
    digest: str = ""  # SHA-256 of the file's bytes, as read

    @property
    def name(self) -> str:
        return display_path(self.path)

    @property
    def body_first_line(self) -> int:
        """The first line after the closing '---' of the front matter."""
        return self.front_matter_first_line + self.front_matter.count("\n") + 2

    def find(self, needle: str) -> tuple[int | None, int | None]:
        """Where text of the body stands: in the body first (the front matter may hold the
        same words), else anywhere in the file. The one way checks locate what they report."""
        line, column = self.locate(needle, self.body_first_line)
        return (line, column) if line is not None else self.locate(needle)

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
    return position_of(text, index)


def position_of(text: str, index: int) -> tuple[int, int]:
    """Line and column (1-based) of the character at `index`."""
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


def read_limited(path: Path, limit: int, name: str, what: str) -> bytes:
    """The bytes of a regular file no larger than `limit`, or a located problem.

    Only regular files are read: a FIFO would block the build forever and a device such
    as /dev/zero would never end, whatever name (or symlink) leads to it.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _error(name, None, f"{what} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _error(name, None, f"{what} is not a regular file")
        if info.st_size > limit:
            raise _error(name, None, f"{what} is larger than {limit // (1024 * 1024)} MB")
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)
    except FileNotFoundError:
        raise _error(name, None, f"{what} does not exist") from None
    except PermissionError:
        raise _error(name, None, f"{what} cannot be read (permission denied)") from None
    except OSError as exc:
        raise _error(name, None, f"{what} cannot be read ({exc.strerror or exc})") from None
    if len(raw) > limit:  # it grew while we looked
        raise _error(name, None, f"{what} is larger than {limit // (1024 * 1024)} MB")
    return raw


def read_manuscript(path: Path) -> Source:
    name = display_path(path)
    raw = read_limited(path, MAX_MANUSCRIPT_BYTES, name, "the manuscript")
    text = decode(raw, name)
    return dataclasses.replace(split_front_matter(path, text),
                               digest=hashlib.sha256(raw).hexdigest())


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text with a BOM dropped and every line ending made '\\n', or located problems."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ManuscriptError([Problem(name, 1, 1, "the file is UTF-16, not UTF-8",
                                       hint="save it again as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManuscriptError([_not_utf8(raw, exc.start, name)]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = []
    for match in _FORBIDDEN.finditer(text):
        if len(problems) == _MAX_REPORTED:
            break
        char = match.group()
        line, column = position_of(text, match.start())
        label = f"U+{ord(char):04X}"
        if char in _CONTROL_NAMES:
            label += f" ({_CONTROL_NAMES[char]})"
        message = (f"the file contains the invisible control character {label}"
                   if char != "\x00" else
                   "the file contains a NUL character (is it a binary file?)")
        problems.append(Problem(name, line, column, message, hint="delete it"
                                if char != "\x00" else ""))
    if problems:
        raise ManuscriptError(problems)
    return text


def _not_utf8(raw: bytes, start: int, name: str) -> Problem:
    line_start = raw.rfind(b"\n", 0, start) + 1
    line = raw.count(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
    byte = raw[start]
    hint = "save the file as UTF-8"
    try:
        # Turkish manuscripts that are not UTF-8 are nearly always Windows-1254.
        guess = bytes([byte]).decode("cp1254")
        if guess.isalpha():
            hint += f"; it looks like Windows-1254, where this byte is '{guess}'"
    except UnicodeDecodeError:
        pass
    return Problem(name, line, column,
                   f"the file is not UTF-8: byte 0x{byte:02X} cannot be decoded", hint=hint)


def split_front_matter(path: Path, text: str) -> Source:
    name = display_path(path)
    lines = text.split("\n")
    if not text.strip():
        raise _error(name, 1, "the file is empty: a manuscript starts with YAML front matter "
                              "between two '---' lines")
    if lines[0].rstrip() != "---":
        first = next(index for index, line in enumerate(lines) if line.strip())
        if lines[first].rstrip() == "---":
            raise _error(name, 1, "the front matter must start on the first line",
                         hint=f"remove the blank lines before the '---' on line {first + 1}")
        raise _error(name, 1, "no front matter: the file must start with a '---' line, "
                              "then the YAML fields, then a closing '---' line")
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[1:index])
            if len(front) > MAX_FRONT_MATTER_CHARS:
                raise _error(name, 2, "the front matter is larger than "
                                      f"{MAX_FRONT_MATTER_CHARS // 1024} KB")
            body = "\n" * (index + 1) + "\n".join(lines[index + 1:])
            return Source(path, text, front, 2, body)
    raise _error(name, 1, "the front matter is not closed",
                 hint="add a '---' line after the YAML fields")


def _error(name: str, line: int | None, message: str, column: int | None = None,
           hint: str = "") -> ManuscriptError:
    if line is not None and column is None:
        column = 1
    return ManuscriptError([Problem(name, line, column, message, hint=hint)])
