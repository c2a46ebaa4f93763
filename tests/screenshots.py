"""Regenerate docs/screenshots/: the sample's reading page at phone and desktop widths.

    .venv/bin/python -m tests.screenshots [--out docs/screenshots]

Builds the sample's HTML into a scratch folder and photographs it in headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright; Playwright's own browsers are never
downloaded). The top of the page is shown, where the front matter is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "manuscript" / "article.md"
OUT = ROOT / "docs" / "screenshots"

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, quiet: no sandbox (CI runs as root), no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]

# (file name, viewport, device scale factor, is it a phone)
SHOTS = (
    ("article-phone.png", {"width": 390, "height": 844}, 2, True),
    ("article-desktop.png", {"width": 1280, "height": 900}, 1, False),
)


def launch_chromium(playwright):
    """The browser the tests and the screenshots use (shared by tests/test_browser.py)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def build_sample(out_dir: Path) -> Path:
    from typeset.run.builder import Builder

    Builder(validate_jats=False).build(SAMPLE, out_dir, ["html"])
    return out_dir / "article.html"


def take(page_path: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, viewport, scale, phone in SHOTS:
                context = browser.new_context(viewport=viewport, device_scale_factor=scale,
                                              is_mobile=phone, has_touch=phone)
                page = context.new_page()
                page.goto(page_path.as_uri())
                page.evaluate("document.fonts.ready")
                page.screenshot(path=str(out / name))
                context.close()
                written.append(out / name)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="typeset-shots-") as scratch:
        for path in take(build_sample(Path(scratch)), args.out):
            print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
