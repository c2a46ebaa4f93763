"""The write step keeps its promises through the real command line: an output folder holds
the complete previous outputs or the complete new ones, whatever happens to the build
(killed at each step, interrupted, two builds at once, a full or read-only disk), and
nothing in it that the build did not write is ever deleted."""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from typeset.run.write import RECORD

from .conftest import ROOT, run_cli
from .helpers_manuscript import BODY, write_manuscript

FIGURE_BODY = BODY + "\n![A map](figures/map.png){#fig:map}\n"


def png(colour: tuple[int, int, int]) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(stream, format="PNG")
    return stream.getvalue()


VERSIONS = {"Old": png((200, 30, 30)), "New": png((30, 30, 200))}


def manuscript(folder: Path, version: str) -> Path:
    """The minimal manuscript with a figure; its title and figure say which version."""
    path = write_manuscript(folder, {"A Study of Alliances": f"{version} Alliances"},
                            body=FIGURE_BODY)
    (folder / "figures").mkdir(exist_ok=True)
    (folder / "figures" / "map.png").write_bytes(VERSIONS[version])
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_of(out: Path) -> str:
    """Which build's outputs `out` holds, checked to be complete and unmixed: every file
    its record lists, with the bytes it lists, nothing else, and page and figure of one
    version."""
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    listed = {name: digest for entry in record["sets"].values()
              for name, digest in entry["outputs"].items()}
    nested = [path.parent for path in out.glob(f"*/{RECORD}")]  # other builds' folders
    on_disk = {path.relative_to(out).as_posix() for path in out.rglob("*")
               if not path.is_dir() and path.name != RECORD
               and not any(path.is_relative_to(folder) for folder in nested)}
    assert on_disk == set(listed)
    assert all(sha256(out / name) == digest for name, digest in listed.items())
    page = (out / "article.html").read_text(encoding="utf-8")
    (version,) = [v for v in VERSIONS if f"{v} Alliances" in page]
    assert (out / "figures" / "map.png").read_bytes() == VERSIONS[version]
    return version


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(".typeset-") and p.name != RECORD)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr


@pytest.fixture(scope="module")
def old_build(tmp_path_factory) -> Path:
    """An output folder holding the old version's page (built once, copied per test)."""
    base = tmp_path_factory.mktemp("old")
    manuscript(base / "m", "Old")
    result = run_cli("build", "m", "--to", "html", "--out", "out", cwd=base)
    assert result.returncode == 0, result.stderr
    return base / "out"


@pytest.fixture
def folder(tmp_path, old_build) -> Path:
    """tmp_path with `out/` (the old outputs) and `m/` (the new version's manuscript)."""
    shutil.copytree(old_build, tmp_path / "out", symlinks=True)
    manuscript(tmp_path / "m", "New")
    return tmp_path


def build(folder: Path, *extra: str, env: dict | None = None, out: str = "out",
          manuscript_folder: str = "m") -> subprocess.CompletedProcess:
    return run_cli("build", manuscript_folder, "--to", "html", "--out", out, "--no-cache",
                   *extra, cwd=folder, env=env)


# -- killed, interrupted ---------------------------------------------------------------

@pytest.mark.parametrize("point", ["write:record", "write:2", "swap", "swapped"])
def test_a_build_killed_at_any_step_leaves_the_old_or_the_new_outputs(folder, point):
    result = build(folder, env={"TYPESET_TEST_FAULTS": f"{point}=kill"})
    assert result.returncode == -9
    assert version_of(folder / "out") == ("New" if point == "swapped" else "Old")


def test_the_next_build_removes_what_killed_builds_left(folder):
    seen = []
    for point in ("write:2", "swapped"):  # a half-filled scratch folder, the old outputs
        build(folder, env={"TYPESET_TEST_FAULTS": f"{point}=kill"})
        seen.append(leftovers(folder))
    assert len(seen[0]) == len(seen[1]) == 1 and seen[0] != seen[1]
    result = build(folder)
    assert result.returncode == 0, result.stderr
    assert leftovers(folder) == []
    assert version_of(folder / "out") == "New"


def test_the_fallback_without_folder_exchange_flips_a_link(folder):
    """Where the file system cannot exchange two folders, the output folder becomes a
    link to the current outputs, and keeps the same promises."""
    env = {"TYPESET_TEST_NO_EXCHANGE": "1"}
    killed = build(folder, env={**env, "TYPESET_TEST_FAULTS": "swap=kill"})
    assert killed.returncode == -9
    assert not (folder / "out").is_symlink() and version_of(folder / "out") == "Old"
    result = build(folder, env=env)
    assert result.returncode == 0, result.stderr
    assert (folder / "out").is_symlink() and version_of(folder / "out") == "New"
    manuscript(folder / "m", "Old")
    killed = build(folder, env={**env, "TYPESET_TEST_FAULTS": "swapped=kill"})
    assert killed.returncode == -9 and version_of(folder / "out") == "Old"
    manuscript(folder / "m", "New")
    result = build(folder, env=env)
    assert result.returncode == 0, result.stderr
    assert version_of(folder / "out") == "New"
    # Only the folder the link names is left beside it.
    assert leftovers(folder) == [os.readlink(folder / "out")]


def test_ctrl_c_during_the_write_exits_130_and_keeps_the_old_outputs(folder):
    result = build(folder, env={"TYPESET_TEST_FAULTS": "write:2=interrupt"})
    assert result.returncode == 130
    no_traceback(result)
    assert result.stderr.strip() == ("build.py: interrupted; every output folder holds its "
                                     "previous outputs or the new ones, complete")
    assert version_of(folder / "out") == "Old"
    assert leftovers(folder) == []


# -- several builds at once ----------------------------------------------------------------

def test_builds_into_one_folder_at_once_are_serialised(folder):
    """Two articles into one folder and a batch into its subfolders, all at once: each
    build succeeds, the folder holds one article's outputs whole and the batch's
    subfolders whole."""
    manuscript(folder / "other", "Old")
    for name in ("a", "b"):
        manuscript(folder / "issue" / name, "New")
    commands = [("m",), ("other",), ("issue", "--jobs", "2")]
    processes = [subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "build", *command, "--to", "html",
         "--out", "out", "--no-cache"], cwd=folder, stderr=subprocess.PIPE, text=True)
        for command in commands]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    out = folder / "out"
    assert version_of(out) in VERSIONS
    assert version_of(out / "a") == version_of(out / "b") == "New"
    assert leftovers(folder) == leftovers(out) == []


# -- what is not ours -----------------------------------------------------------------------

def listing(folder: Path) -> dict[str, bytes | str]:
    return {p.relative_to(folder).as_posix(): (os.readlink(p) if p.is_symlink() else
                                                p.read_bytes() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


def test_the_manuscript_folder_as_output_folder_is_refused_and_nothing_deleted(folder):
    (folder / "m" / "figures" / "make_map.py").write_text("print('map')\n", encoding="utf-8")
    before = listing(folder / "m")
    result = build(folder, out="m")
    assert result.returncode == 2
    no_traceback(result)
    assert result.stderr.startswith("build.py: error: m: the output folder holds files this "
                                    "program did not write (article.md, figures/make_map.py,")
    assert "give --out an empty or new folder" in result.stderr
    assert listing(folder / "m") == before


@pytest.mark.parametrize("make", [
    pytest.param(lambda out: (out / "figures" / "notes.txt").write_text("mine\n"),
                 id="notes-in-figures"),
    pytest.param(lambda out: ((out / "article.pdf").mkdir(),
                              (out / "article.pdf" / "draft.txt").write_text("mine\n")),
                 id="folder-named-like-an-output"),
    pytest.param(lambda out: (shutil.rmtree(out / "article_files"),
                              (out / "article_files").symlink_to(out.parent / "m")),
                 id="article_files-a-link"),
])
def test_an_output_folder_holding_other_files_is_refused_untouched(folder, make):
    out = folder / "out"
    make(out)
    before = listing(out)
    result = build(folder)
    assert result.returncode == 2
    no_traceback(result)
    assert "the output folder holds files this program did not write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert listing(out) == before


# -- a full disk, a read-only disk -----------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 600 KB tmpfs (the page's fonts take 3.4 MB), when this machine lets us mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): see the RLIMIT_FSIZE test")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_clear_line_and_the_old_outputs_stay(folder, small_disk):
    out = small_disk / "out"
    first = run_cli("build", "m", "--to", "jats", "--out", str(out), cwd=folder)
    assert first.returncode == 0, first.stderr
    before = listing(out)
    result = build(folder, out=str(out))
    assert result.returncode == 1
    no_traceback(result)
    errors = [line for line in result.stderr.splitlines() if ": note: " not in line]
    assert errors == ["disk/out: the outputs could not be written (No space left on device); "
                      "the previous outputs there are unchanged (the disk is full: free some "
                      "space, or give another --out)"]
    assert listing(out) == before
    assert leftovers(small_disk) == []
    # Read-only: refused before the build, as the command line's mistake.
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = build(folder, out=str(out))
    assert result.returncode == 2
    assert result.stderr == ("build.py: error: disk/out: cannot replace the output folder "
                             "(disk: a read-only file system)\n")


def test_a_write_refused_by_the_system_is_one_clear_line(folder):
    """Wherever a tmpfs cannot be mounted too: a file-size limit (RLIMIT_FSIZE) makes the
    write of the first font fail (EFBIG), as a full disk would."""
    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    before = listing(folder / "out")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "m", "--to", "html", "--out",
         "out", "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120,
        preexec_fn=limit_file_size)
    assert result.returncode == 1
    no_traceback(result)
    assert result.stderr.splitlines() == [
        "out: the outputs could not be written (File too large); the previous outputs there "
        "are unchanged (a file is larger than this system allows: see ulimit -f)"]
    assert listing(folder / "out") == before
    assert leftovers(folder) == []


def test_an_output_folder_that_cannot_be_made_is_a_usage_error_for_one_or_many(tmp_path):
    """Checked before any work, for a single article and for a batch alike: exit 2."""
    manuscript(tmp_path / "m", "New")
    for name in ("a", "b"):
        manuscript(tmp_path / "issue" / name, "New")
    (tmp_path / "notes.txt").write_text("a file\n", encoding="utf-8")
    single = run_cli("build", "m", "--out", "notes.txt/out", cwd=tmp_path)
    batch = run_cli("build", "issue", "--out", "notes.txt/out", cwd=tmp_path)
    assert (single.returncode, batch.returncode) == (2, 2)
    assert single.stderr == ("build.py: error: notes.txt/out: cannot make the output folder "
                             "there (notes.txt is a file)\n")
    assert batch.stderr == ("build.py: error: notes.txt/out/a: cannot make the output "
                            "folder there (notes.txt is a file)\n")
