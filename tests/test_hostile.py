"""Hostile and unlucky files, through the real command line and the real preview server:
files swapped or deleted while a build or the preview runs, pictures that lie about
their size, SVGs that carry scripts or entities, nesting deep enough to exhaust a
parser, bibliographies one reader accepts and the other does not."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from typeset.preview.server import Running

from .conftest import ROOT
from .helpers_manuscript import BODY, write_manuscript
from .test_preview import request, wait_until


def png(size: tuple[int, int], colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", size, colour).save(stream, format="PNG")
    return stream.getvalue()


def start_build(folder: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    import os

    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", *args],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def wait_for(path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


# -- each file read once ---------------------------------------------------------------

def test_figures_changed_during_a_build_change_nothing_in_its_outputs(tmp_path):
    """Once the manuscript is read, its figures are bytes in memory: the PDF embeds them,
    the outputs copy them. A figure swapped for a link to a file outside the folder, or
    deleted, while the build runs changes nothing."""
    folder = tmp_path / "m"
    write_manuscript(folder, body=BODY + "\n![A map](figures/map.png){#fig:map}\n\n"
                     "![A chart](figures/chart.png){#fig:chart}\n")
    (folder / "figures").mkdir()
    originals = {"map.png": png((4, 3)), "chart.png": png((5, 2), (30, 160, 30))}
    for name, data in originals.items():
        (folder / "figures" / name).write_bytes(data)
    (tmp_path / "outside.png").write_bytes(png((7, 5), (0, 0, 0)))
    pause = tmp_path / "pause"
    build = start_build(tmp_path, "m", "--out", "out",
                        env={"TYPESET_TEST_FAULTS": "read=pause",
                             "TYPESET_TEST_PAUSE": str(pause)})
    wait_for(pause.with_suffix(".paused"))
    (folder / "figures" / "map.png").unlink()
    (folder / "figures" / "map.png").symlink_to(tmp_path / "outside.png")
    (folder / "figures" / "chart.png").unlink()
    pause.with_suffix(".go").touch()
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    out = tmp_path / "out"
    for name, data in originals.items():
        assert (out / "figures" / name).read_bytes() == data
    sizes = sorted(image.image.size for page in PdfReader(out / "article.pdf").pages
                   for image in page.images)
    assert sizes == [(4, 3), (5, 2)]
    page = (out / "article.html").read_text(encoding="utf-8")
    assert 'src="figures/map.png"' in page and 'src="figures/chart.png"' in page
    # The record keeps the hashes of the bytes used: the next build sees the change and
    # refuses the link, at its line.
    again = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "m", "--out",
                            "out", "--to", "jats"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 1
    assert ("m/article.md:37:10: the image 'figures/map.png' is a link to a file outside "
            "the manuscript's folder") in again.stderr
    assert "m/article.md:39:12: the image 'figures/chart.png' does not exist" in again.stderr


def test_the_preview_never_serves_a_file_outside_the_folder(tmp_path):
    """A figure replaced by a link to a file elsewhere, between two rebuilds: the server
    opens the file with the build's confinement and refuses it."""
    folder = tmp_path / "m"
    manuscript = write_manuscript(folder, body=BODY + "\n![A map](figures/map.png)\n")
    (folder / "figures").mkdir()
    (folder / "figures" / "map.png").write_bytes(png((4, 3)))
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    with Running(manuscript, report=lambda _message: None) as running:
        assert request(running.url, "/figures/map.png")[0] == 200
        # Hold the rebuild the change would start: the page being served still names the
        # figure, as it does for as long as a slow rebuild takes.
        with running.preview._building:
            (folder / "figures" / "map.png").unlink()
            (folder / "figures" / "map.png").symlink_to(secret)
            answers = [request(running.url, "/figures/map.png") for _ in range(20)]
        assert {status for status, _, _ in answers} == {404}
        assert not any(b"root:" in body for _, _, body in answers)
        wait_until(lambda: not running.preview.snapshot.ok, "no rebuild after the change")
        assert request(running.url, "/figures/map.png")[0] == 404
