"""Reading a file only if it lies inside given folders: the one way the build and the
preview read the files a manuscript names (figures) and the style's files they serve.

The check is made on the file opened, not on its name: the real path of the open file
descriptor (from /proc/self/fd on Linux; elsewhere the resolved name, checked to be the
same file) must lie under one of the roots, and the file must be a regular file. A name
swapped for a symbolic link to somewhere else, at any moment, is refused or was never
followed: there is no gap between the check and the read. A FIFO or a device is refused
without blocking (opened non-blocking, then looked at).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path


class Refused(Exception):
    """A file the build will not read; the message says why."""


def outside(folder: Path, relative: str) -> str | None:
    """Whether the path `relative`, written in a manuscript, leads outside the manuscript's
    `folder` once links are followed: None when it stays inside, else how it leaves ("a link
    to a file outside the manuscript's folder", "outside the manuscript's folder"). The one
    rule for every path a manuscript names (figures, its bibliography); the read itself is
    checked again on the file opened (read_confined)."""
    folder = folder.resolve()
    if (folder / relative).resolve().is_relative_to(folder):
        return None
    link = folder / relative
    if link.is_symlink() and link.parent.resolve().is_relative_to(folder):
        return "a link to a file outside the manuscript's folder"
    return "outside the manuscript's folder"


def read_confined(path: Path, roots: Sequence[Path], limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, if it lies under one
    of `roots` (resolved folders) once every link is followed; `Refused` otherwise."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise Refused("no such file") from None
    except PermissionError:
        raise Refused("cannot be read (permission denied)") from None
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        real = _real_path(fd, path, info)
        if not any(real.is_relative_to(root) for root in roots):
            raise Refused("outside the manuscript's and the style's folders")
        if stat.S_ISDIR(info.st_mode):
            raise Refused("a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Refused("not a regular file")
        if info.st_size > limit:
            raise Refused(f"larger than {limit // (1024 * 1024)} MB")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read
            raise Refused(f"larger than {limit // (1024 * 1024)} MB")
        return b"".join(chunks)
    except OSError as exc:
        raise Refused(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _real_path(fd: int, path: Path, info: os.stat_result) -> Path:
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        pass
    real = Path(os.path.realpath(path))
    try:
        again = os.stat(real)
    except OSError:
        raise Refused("changed while it was opened") from None
    if (again.st_dev, again.st_ino) != (info.st_dev, info.st_ino):
        raise Refused("changed while it was opened")
    return real
