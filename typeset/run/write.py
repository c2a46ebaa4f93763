"""Writing outputs: an output folder is replaced as a whole, never left mixed, and nothing
in it that we did not write is ever deleted.

The API
-------
    from typeset.run.write import OutputSet

    outputs = OutputSet(out_dir, owner=str(manuscript.resolve()))
    outputs.add("article.pdf", pdf_bytes)                # bytes ...
    outputs.add("article_files/screen.css", css_path)    # ... or a file to copy
    outputs.keep("a/article.pdf")                        # ... or the one already there
    written = outputs.commit({"options": ..., "inputs": ...})

A set is what one build writes into one folder, under relative names of any depth
("article.pdf", "figures/map.png", "a/article.pdf" for an issue's article). `owner` names
what it was built from (a manuscript, an issue's folder); the `commit` argument is kept in
the folder's record under that name, with the SHA-256 of every file written (the build
cache, run/cache.py, reads it back). `keep(name)` carries a file of the previous
contents over unchanged (hard-linked, its time stamps kept: an issue's article that was
not laid out again). `commit` returns the paths written. An issue build
hands its whole folder as one set; a cluster build hands the bytes its workers sent back.
`check_output_folder(out_dir)` tells before any work whether a folder may be written.

The promise
-----------
- A reader of the output folder sees, at every instant, everything the previous build
  left there or everything the new one wrote: never a new XML beside an old PDF, never a
  missing `figures/`. A build that fails, is interrupted or killed leaves the previous
  contents as they were.
- Nothing we did not write is deleted. The folder's record (`.typeset-cache.json`) lists
  every file each build wrote there; a folder that holds anything else (the manuscript's
  own folder, notes put in `figures/`, a symbolic link) is refused with a list of what is
  not ours (`UsageError`), before anything is written.
- Other builds' files in the folder are kept: another manuscript built into the same
  folder, and other builds' output folders inside it (`out/<name>/` of a batch).
- Builds writing into one folder at once are serialised: each waits for the other.
- A killed build leaves a hidden scratch folder beside the output folder
  (`.typeset-<name>.<random>.tmp`); the next write there removes it.
- A write that fails (a full disk, a read-only file system) raises `OutputError`, which
  says where and what to do; the previous contents stay.

How
---
The new contents are assembled in a scratch folder beside the output folder, on the same
file system: the new record first (so that a leftover always says what it holds), our
files (flushed to disk), then hard links to the files kept. The two folders are then
exchanged in one system call, `renameat2(RENAME_EXCHANGE)` (Linux 3.15), and the previous
contents, now in the scratch folder, are deleted by their record. Where the file system
cannot exchange two folders (NFS, another system), the output folder becomes a symbolic
link to a hidden folder beside it, `.typeset-<name>.<random>.set`, replaced by one
`rename` of a link over the link; turning a plain folder into that link is the one moment
a reader can find the folder missing (once, the first time).

Locks are `flock` locks on the folders themselves, so that none is left behind: a writer
holds its output folder exclusively and every folder around it shared (a batch's workers
write `out/a` and `out/b` at once, while a build into `out` itself waits for them), and
holds the scratch folder it fills, which is how a later run tells a leftover from a
scratch folder in use.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from typeset.errors import OutputError, UsageError
from typeset.read.source import display_path
from typeset.run.faults import fault_point

RECORD = ".typeset-cache.json"
RECORD_FORMAT = 2
LOCK_WAIT_SECONDS = 120.0
# Ours, beside or inside an output folder: scratch folders (.tmp), the hidden folders an
# output folder links to where folders cannot be exchanged (.set), a link being put in
# place (.link).
_OURS = re.compile(r"^\.typeset-(?P<name>.+)\.(?P<id>[0-9a-f]{16})\.(?P<kind>tmp|set|link)$")
_SHOWN_FOREIGN = 8  # names of foreign files listed in a refusal


# -- the set ---------------------------------------------------------------------------

@dataclass
class OutputSet:
    out_dir: Path
    owner: str
    files: dict[str, bytes | Path] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)  # kept from the previous contents

    def add(self, name: str, content: bytes | Path) -> None:
        """`content` (bytes, or a file read when the set is committed) under `name`, a
        relative path with '/' between folders."""
        name = _checked_name(name)
        if name in self.files and not _same_content(self.files[name], content):
            raise ValueError(f"two different files named {name!r} in one output set")
        self.files[name] = content

    def keep(self, name: str) -> None:
        """The file `name` of the folder's current contents, carried over as it is."""
        self.unchanged.add(_checked_name(name))

    def commit(self, entry: dict | None = None) -> list[Path]:
        """Replace this owner's files in the output folder by the set, as a whole."""
        contents = self._contents()
        path = _target(self.out_dir)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                with _ancestors_shared(path.parent, deadline):
                    clean_leftovers(path.parent, path.name)
                    current = _current(path)
                    if current is None:
                        self._create(path, contents, entry or {})
                    else:
                        with _exclusive(current, path, deadline):
                            self._replace(path, current, contents, entry or {})
                return [path / name for name in [*contents, *sorted(self.unchanged)]]
            except _Moved:
                continue  # another build replaced a folder while we waited: look again
            except OSError as exc:
                raise _output_error(path, exc) from None

    def _contents(self) -> dict[str, tuple[bytes, str]]:
        names = sorted(self.files)
        everything = {*self.files, *self.unchanged}
        if self.unchanged & set(self.files):
            raise ValueError("a name both kept and written anew: "
                             f"{sorted(self.unchanged & set(self.files))[0]!r}")
        for name in everything:  # "figures" the file and "figures/x.png" cannot both be
            for parent in PurePosixPath(name).parents:
                if str(parent) in everything:
                    raise ValueError(f"{name!r} would lie inside the file {str(parent)!r}")
        contents = {}
        for name in names:
            content = self.files[name]
            data = content if isinstance(content, bytes) else Path(content).read_bytes()
            contents[name] = (data, hashlib.sha256(data).hexdigest())
        return contents

    def _create(self, path: Path, contents: dict, entry: dict) -> None:
        if self.unchanged:
            raise _missing(path, sorted(self.unchanged))
        record = {"format": RECORD_FORMAT, "sets": {self.owner: _entry(entry, contents)},
                  "kept": []}
        with _Scratch(path) as scratch:
            scratch.fill(record, contents, keep=(), carry=(), source=None,
                         mode=0o777 & ~_umask())
            fault_point("swap")
            if _exchange_forbidden():
                scratch.link_as(path, previous=None)
            else:
                try:
                    os.rename(scratch.path, path)  # refused if another build made it first
                except OSError as exc:
                    if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR,
                                     errno.ENOTDIR):
                        raise _Moved from None
                    raise
                scratch.placed()
                _fsync_folder(path.parent)
            fault_point("swapped")

    def _replace(self, path: Path, current: Path, contents: dict, entry: dict) -> None:
        record, found = _usable_contents(path, current)
        missing = sorted(self.unchanged - found.owned)
        if missing:
            raise _missing(path, missing)
        clash = _clashes({*contents, *self.unchanged})
        taken = [name for name in found.carried if clash(name)]
        if taken:
            raise UsageError(f"{display_path(path)}: the outputs of another build are in "
                             f"{', '.join(taken)}, where this build writes its own (give "
                             "another --out)")
        ours = _entry(entry, contents)
        listed = {name: digest for each in record["sets"].values()
                  for name, digest in each["outputs"].items()}
        ours["outputs"].update({name: listed[name] for name in self.unchanged})
        sets, keep = _merge(record, self.owner, ours, found.owned)
        keep = sorted({*keep, *self.unchanged})
        new_record = {"format": RECORD_FORMAT, "sets": sets, "kept": found.carried}
        with _Scratch(path) as scratch:
            scratch.fill(new_record, contents, keep=keep, carry=found.carried,
                         source=current, mode=stat.S_IMODE(os.stat(current).st_mode))
            fault_point("swap")
            if _our_link(path) is None and exchange(scratch.path, path):
                # The previous contents are now in the scratch folder, removed on leaving.
                scratch.placed(previous_here=True, carried=found.carried)
                _fsync_folder(path.parent)
            else:
                scratch.link_as(path, previous=current)
                aside = scratch.moved_aside(current, path)
                scratch.placed(previous_at=aside, carried=found.carried)
            fault_point("swapped")


def _clashes(names: set[str]):
    """A test: does a file or folder of a given name stand where one of `names` goes (the
    same name, a folder holding one, a file in the way of one's folder)?"""
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}

    def clash(name: str) -> bool:
        return name in names or name in folders or any(
            str(parent) in names for parent in PurePosixPath(name).parents)

    return clash


def _missing(path: Path, names: list[str]) -> OutputError:
    return OutputError(path, f"{', '.join(names[:3])}: earlier outputs this build keeps are "
                       "missing", "build again with --no-cache")


def _entry(entry: dict, contents: dict) -> dict:
    return {**entry, "outputs": {name: digest for name, (_data, digest) in contents.items()}}


def _merge(record: dict, owner: str, ours: dict, present: set[str]
           ) -> tuple[dict, list[str]]:
    """The new record's sets, and the other owners' files to keep: each of our names
    takes the place of another owner's file of that name (or of a folder of that name),
    and an owner that lost a file is no longer up to date (its build options dropped)."""
    clash = _clashes(set(ours["outputs"]))
    sets, keep = {}, []
    for other, entry in record.get("sets", {}).items():
        if other == owner:
            continue
        outputs = {name: digest for name, digest in entry["outputs"].items()
                   if name in present and not clash(name)}
        if not outputs:
            continue
        if outputs.keys() != entry["outputs"].keys():
            entry = {key: value for key, value in entry.items() if key != "options"}
        sets[other] = {**entry, "outputs": outputs}
        keep += outputs
    sets[owner] = ours
    return sets, sorted(set(keep))


# -- names -------------------------------------------------------------------------------

def _checked_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or any(
            part in ("", ".", "..") for part in name.split("/")) or name == RECORD \
            or _OURS.match(path.parts[0]):
        raise ValueError(f"not a name for an output file: {name!r}")
    return name


def _same_content(a: bytes | Path, b: bytes | Path) -> bool:
    if isinstance(a, bytes) and isinstance(b, bytes):
        return a == b
    return a == b or (Path(a).read_bytes() if not isinstance(a, bytes) else a) == \
        (Path(b).read_bytes() if not isinstance(b, bytes) else b)


def _target(out_dir: Path) -> Path:
    """The folder written: absolute; a link the user made (build -> /big/disk/build) is
    followed, ours (to a .typeset-*.set folder beside it) is the folder itself."""
    path = Path(os.path.abspath(out_dir))
    for _ in range(40):
        if not path.is_symlink() or _our_link(path) is not None:
            return path
        path = Path(os.path.abspath(path.parent / os.readlink(path)))
    raise UsageError(f"{display_path(out_dir)}: a loop of symbolic links")


def _our_link(path: Path) -> Path | None:
    """The hidden folder `path` links to, when `path` is our link to one."""
    try:
        target = os.readlink(path)
    except OSError:
        return None
    match = _OURS.match(target)
    if match and "/" not in target and match["kind"] == "set" and match["name"] == path.name:
        return path.parent / target
    return None


def _current(path: Path) -> Path | None:
    """The folder holding the current contents: `path`, or the folder our link names."""
    linked = _our_link(path)
    if linked is not None:
        return linked
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{display_path(path)}: a file, not a folder (give --out a folder)")
    return path


# -- the record ----------------------------------------------------------------------------

def read_record(folder: Path) -> dict | None:
    """The folder's record ({"sets": {owner: entry}, "kept": [...]}), empty when it has
    none, None when it cannot be read. The record of the first cache format (owner ->
    entry) is read as sets."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {"sets": {}, "kept": []}
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    sets = data.get("sets") if "format" in data else data
    if not isinstance(sets, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("outputs"), dict)
            for entry in sets.values()):
        return None
    kept = data.get("kept", []) if "format" in data else []
    return {"sets": sets, "kept": [name for name in kept if isinstance(name, str)]}


def _listed(record: dict | None) -> set[str]:
    if not record:
        return set()
    return {name for entry in record["sets"].values() for name in entry["outputs"]}


# -- what is in a folder -------------------------------------------------------------------

@dataclass
class _Found:
    owned: set[str] = field(default_factory=set)  # files the record lists
    carried: list[str] = field(default_factory=list)  # entries kept whole (see _whole)
    foreign: list[str] = field(default_factory=list)


def _whole(path: Path) -> bool:
    """An entry kept or removed whole, as another build's: an output folder of its own
    (with a record), one of our scratch or linked folders, one of our links."""
    if path.is_symlink():
        return _our_link(path) is not None or _OURS.match(path.name) is not None
    if not path.is_dir():
        return False
    return _OURS.match(path.name) is not None or (path / RECORD).is_file()


def _scan(folder: Path, record: dict) -> _Found:
    listed = _listed(record)
    found = _Found()

    def walk(directory: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            name = prefix + entry.name
            path = Path(entry.path)
            if name == RECORD:
                continue
            if _whole(path):
                found.carried.append(name)
            elif entry.is_dir(follow_symlinks=False):
                walk(path, name + "/")
            elif name in listed and entry.is_file(follow_symlinks=False):
                found.owned.add(name)
            else:
                kind = " (a symbolic link)" if entry.is_symlink() else (
                    "" if entry.is_file(follow_symlinks=False) else " (not a file)")
                found.foreign.append(name + kind)

    walk(folder, "")
    return found


def _usable_contents(path: Path, current: Path) -> tuple[dict, _Found]:
    """The record of the output folder `path` (its contents at `current`) and what it
    holds; UsageError when the folder may not be replaced (a mount point, a record that
    cannot be read, files that are not ours)."""
    if current == path and _is_mount_point(path):
        raise UsageError(_mount_point_message(path))
    record = read_record(current)
    if record is None:
        raise UsageError(_unreadable_record_message(path))
    found = _scan(current, record)
    if found.foreign:
        raise UsageError(_foreign_message(path, found.foreign))
    return record, found


def _foreign_message(path: Path, foreign: list[str]) -> str:
    shown = ", ".join(foreign[:_SHOWN_FOREIGN])
    if len(foreign) > _SHOWN_FOREIGN:
        shown += f" and {len(foreign) - _SHOWN_FOREIGN} more"
    return (f"{display_path(path)}: the output folder holds files this program did not "
            f"write ({shown}); the outputs replace the folder's contents as a whole, so it "
            "must hold only earlier outputs (give --out an empty or new folder)")


def _mount_point_message(path: Path) -> str:
    return (f"{display_path(path)}: a mount point; the outputs replace the folder as a "
            "whole, which cannot be done to a mount point (give --out a folder inside it)")


def _unreadable_record_message(path: Path) -> str:
    return (f"{display_path(path)}: its record {RECORD} cannot be read, so which files are "
            "ours is unknown (delete the folder, or give another --out)")


def check_output_folder(out_dir: Path) -> None:
    """Raise `UsageError` when the outputs could not go into `out_dir`: it is a file, a
    mount point, holds files we did not write, or lies where nothing can be written."""
    try:
        _check_output_folder(out_dir)
    except OSError as exc:
        raise UsageError(f"{display_path(out_dir)}: cannot use the output folder "
                         f"({exc.strerror or exc})") from None


def _check_output_folder(out_dir: Path) -> None:
    path = _target(out_dir)
    current = _current(path)
    if current is None:
        existing = path.parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise UsageError(f"{display_path(out_dir)}: cannot make the output folder there "
                             f"({display_path(existing)} is a file)")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UsageError(f"{display_path(out_dir)}: cannot make the output folder there "
                             f"({display_path(existing)}: {_access_reason(existing)})")
        return
    _usable_contents(path, current)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise UsageError(f"{display_path(path)}: cannot replace the output folder "
                         f"({display_path(path.parent)}: {_access_reason(path.parent)})")


def _access_reason(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "a read-only file system"
    except OSError:
        pass
    return "permission denied"


def _is_mount_point(path: Path) -> bool:
    try:
        return os.stat(path).st_dev != os.stat(path.parent).st_dev
    except OSError:
        return False


# -- scratch folders -------------------------------------------------------------------

class _Scratch:
    """A scratch folder beside `target`, locked while we fill it; whatever it holds when
    we let go of it (our partial contents, or the previous ones after an exchange) is
    removed by its record."""

    def __init__(self, target: Path):
        self.target = target
        self.path: Path | None = None
        self.fd: int | None = None
        self.id = ""
        self.live = False  # the contents became the output folder's (by rename or link)
        self.previous: Path | None = None  # where the replaced contents are, once replaced
        self.carried: set[str] = set()  # in them: entries linked into the new contents

    def __enter__(self) -> _Scratch:
        for _ in range(100):
            self.id = secrets.token_hex(8)
            path = self.target.parent / f".typeset-{self.target.name}.{self.id}.tmp"
            os.mkdir(path, 0o700)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue  # removed as a leftover before we could lock it: take another
            if _try_lock(fd, exclusive=True) and _same_inode(fd, path):
                self.path, self.fd = path, fd
                return self
            os.close(fd)
        raise OSError(errno.EAGAIN, "cannot make a scratch folder", str(self.target.parent))

    def __exit__(self, *exc_info) -> None:
        try:
            if self.previous is not None:
                remove_ours(self.previous, also=self.carried)
            elif self.path is not None and not self.live:
                remove_ours(self.path)
        finally:
            if self.fd is not None:
                os.close(self.fd)  # unlocks

    def fill(self, record: dict, contents: dict, keep, carry, source: Path | None,
             mode: int) -> None:
        _write_file(self.path / RECORD, json.dumps(record, indent=1, sort_keys=True)
                    .encode("utf-8"))
        fault_point("write:record")
        folders = {self.path}
        for index, (name, (data, _digest)) in enumerate(contents.items(), 1):
            destination = self.path / name
            folders |= _make_parents(destination, self.path)
            _write_file(destination, data)
            fault_point(f"write:{index}")
        for name in keep:
            folders |= _make_parents(self.path / name, self.path)
            _link_or_copy(source / name, self.path / name)
        for name in carry:
            folders |= _make_parents(self.path / name, self.path)
            _link_tree(source / name, self.path / name)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            _fsync_folder(folder)
        os.chmod(self.path, mode)

    def placed(self, previous_here: bool = False, previous_at: Path | None = None,
               carried: list[str] = ()) -> None:
        """The contents are in place; the previous ones, to be removed on leaving, are in
        this scratch folder (after an exchange) or at `previous_at`."""
        self.live = True
        self.previous = self.path if previous_here else previous_at
        self.carried = set(carried)

    def moved_aside(self, current: Path, target: Path) -> Path:
        """Where the previous contents are after `link_as`: the previous hidden folder,
        or the plain folder moved aside."""
        if current != target:
            return current
        return target.with_name(f".typeset-{target.name}.{self.id}.tmp")

    def link_as(self, target: Path, previous: Path | None) -> None:
        """Where folders cannot be exchanged: make `target` our link to these contents
        (renamed .set), replacing the link there, or moving a plain folder aside first."""
        linked = self.path.with_name(f".typeset-{target.name}.{self.id}.set")
        os.rename(self.path, linked)
        self.path, self.live = linked, True
        if previous is None:  # a new output folder: refused if another build made it first
            try:
                os.symlink(linked.name, target)
            except FileExistsError:
                self.live = False
                raise _Moved from None
            _fsync_folder(target.parent)
            return
        link = target.with_name(f".typeset-{target.name}.{self.id}.link")
        os.symlink(linked.name, link)
        if previous == target:  # a plain folder, once: moved aside, then the link put there
            os.rename(target, self.moved_aside(previous, target))
        try:
            os.rename(link, target)  # over our previous link: one step
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(link)
            raise
        _fsync_folder(target.parent)


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_parents(path: Path, root: Path) -> set[Path]:
    made = set()
    for parent in reversed(path.parents):
        if parent.is_relative_to(root) and parent != root and not parent.is_dir():
            os.mkdir(parent)
            made.add(parent)
    return made


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:  # a file system without hard links, or a link count at its limit
        shutil.copy2(source, destination, follow_symlinks=False)


def _link_tree(source: Path, destination: Path) -> None:
    """`source` (a folder or a link) again at `destination`, by hard links; in each folder
    the record first, so that a leftover always says what it holds."""
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
        return
    os.mkdir(destination)
    with os.scandir(source) as scan:
        entries = sorted(scan, key=lambda e: (e.name != RECORD, e.name))
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _link_tree(Path(entry.path), destination / entry.name)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry.path), destination / entry.name)
        else:
            _link_or_copy(Path(entry.path), destination / entry.name)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot sync a folder: nothing to do then
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


# -- removing ----------------------------------------------------------------------------

def remove_ours(folder: Path, also: set[str] = frozenset()) -> None:
    """Delete what we wrote in `folder` (one of ours: a scratch folder, previous
    contents): the files its record lists, other builds' folders inside it (by their own
    records), our links, the names in `also` (files we know live on elsewhere), then the
    folders left empty. Anything else stays, and so does the folder around it."""
    try:
        record = read_record(folder)
    except OSError:
        return
    listed = _listed(record) | {RECORD, RECORD + ".part"}
    kept = set(record.get("kept", [])) if record else set()
    _remove_walk(folder, "", listed, kept | set(also))
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _remove_walk(folder: Path, prefix: str, listed: set[str], whole: set[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name != RECORD)
    except OSError:
        return
    for entry in entries:
        name = prefix + entry.name
        path = Path(entry.path)
        with contextlib.suppress(FileNotFoundError):
            if name in whole:
                _remove_everything(path)
            elif entry.is_dir(follow_symlinks=False):
                if _whole(path):
                    remove_ours(path)
                else:
                    _remove_walk(path, name + "/", listed, whole)
                    with contextlib.suppress(OSError):
                        os.rmdir(path)
            elif entry.is_symlink():
                if _our_link(path) is not None or _OURS.match(entry.name):
                    os.unlink(path)
            elif name in listed:
                os.unlink(path)
    # The record last: until then a leftover still says what it holds.


def _remove_everything(path: Path) -> None:
    """A tree of hard links to files that live on in the new contents."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def clean_leftovers(parent: Path, name: str) -> None:
    """Remove what killed builds into `parent/name` left beside it: scratch folders no
    process holds, hidden folders no link names, links never put in place."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    live = _our_link(parent / name)
    for entry in entries:
        match = _OURS.match(entry.name)
        if not match or match["name"] != name:
            continue
        path = Path(entry.path)
        if match["kind"] == "link":
            sibling = parent / f".typeset-{name}.{match['id']}.set"
            if not _held(sibling):
                with contextlib.suppress(OSError):
                    os.unlink(path)
        elif path != live and entry.is_dir(follow_symlinks=False) and not _held(path):
            remove_ours(path)


def _held(folder: Path) -> bool:
    """Is `folder` locked by a live process (a scratch folder in use)?"""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        return not _try_lock(fd, exclusive=True)
    finally:
        os.close(fd)  # releases the lock we may have taken


# -- exchanging two folders ------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange_forbidden() -> bool:
    # For the tests of the fallback on a file system that has the exchange.
    return bool(os.environ.get("TYPESET_TEST_NO_EXCHANGE"))


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where this system or file system cannot."""
    function = _renameat2()
    if function is None or _exchange_forbidden():
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


# -- locks -------------------------------------------------------------------------------

class _Moved(Exception):
    """A folder we waited for was replaced meanwhile: start again."""


def _try_lock(fd: int, exclusive: bool) -> bool:
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _lock(fd: int, exclusive: bool, deadline: float, folder: Path) -> None:
    delay = 0.005
    while not _try_lock(fd, exclusive):
        if time.monotonic() > deadline:
            raise OutputError(folder, f"another build has been writing there for more than "
                              f"{LOCK_WAIT_SECONDS:g} s", "wait for it to end, or give "
                              "another --out")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _same_inode(fd: int, path: Path) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (info.st_dev, info.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def _ancestors_shared(folder: Path, deadline: float) -> Iterator[None]:
    """`folder` (made if missing) and every folder above it, locked shared, outermost
    first: none of them can be replaced while we write below."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{display_path(folder)}: cannot make the output folder there "
                         f"({exc.strerror or exc})") from None
    fds = []
    try:
        for path in [*reversed(folder.parents), folder]:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            except PermissionError:  # a folder we may pass through but not list
                continue  # (no output folder of ours: we could not have scanned it)
            fds.append(fd)
            _lock(fd, False, deadline, path)
            if not _same_inode(fd, path):
                raise _Moved
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)


@contextlib.contextmanager
def _exclusive(current: Path, target: Path, deadline: float) -> Iterator[None]:
    fd = os.open(current, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _lock(fd, True, deadline, target)
        if not _same_inode(fd, target):
            raise _Moved
        yield
    finally:
        os.close(fd)


# -- errors ------------------------------------------------------------------------------

_HINTS = {
    errno.ENOSPC: "the disk is full: free some space, or give another --out",
    errno.EDQUOT: "the disk quota is used up: free some space, or give another --out",
    errno.EROFS: "the file system is read-only: give another --out",
    errno.EACCES: "no permission to write there: give another --out",
    errno.EPERM: "no permission to write there: give another --out",
    errno.EFBIG: "a file is larger than this system allows: see ulimit -f",
    errno.EIO: "the disk reported an error: check it, or give another --out",
}


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(path, f"the outputs could not be written ({reason}); the previous "
                       "outputs there are unchanged",
                       _HINTS.get(exc.errno, "give another --out"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
