"""Pandoc writes the Markdown: one run for the body, the appendices, the abstracts and the
statements, each top-level block between two marker paragraphs so that the line every
block lands on is known (the report points at lines)."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass

from typeset.errors import StageTimeout
from typeset.read.pandoc import pandoc_path

WRITER = "markdown-smart-simple_tables-multiline_tables"
MARK = "\ue000{}\ue001"
MARK_LINE = re.compile("^\ue000(\\d+)\ue001$")
PANDOC_TIMEOUT = 120
API_VERSION = [1, 23, 1]


@dataclass
class Written:
    text: str  # Markdown, ending in a newline (or empty)
    blocks: list[tuple[int, int]]  # per block: first and last line, 1-based in `text`


def write(sections: list[list], api_version: list[int]) -> list[Written]:
    """Each section's blocks as Markdown."""
    blocks: list = []
    order: list[tuple[int, int]] = []  # (section, block) per marker number
    for s, section in enumerate(sections):
        for b, block in enumerate(section):
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": MARK.format(len(order))}]})
            order.append((s, b))
            blocks.append(block)
    blocks.append({"t": "Para", "c": [{"t": "Str", "c": MARK.format(len(order))}]})
    document = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    try:
        result = subprocess.run(
            [pandoc_path(), "--from", "json", "--to", WRITER, "--wrap=none",
             "--reference-location=block", "--markdown-headings=atx"],
            input=json.dumps(document), capture_output=True, text=True,
            timeout=PANDOC_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise StageTimeout(f"writing the Markdown took more than {PANDOC_TIMEOUT} s") from None
    if result.returncode != 0:
        raise RuntimeError(f"pandoc could not write Markdown: {result.stderr.strip()}")
    lines = result.stdout.splitlines()
    # pieces[n]: the lines after marker n, up to the next marker
    pieces: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if MARK_LINE.match(line):
            if current is not None:
                pieces.append(current)
            current = []
        elif current is not None:
            current.append(line)
    out = [Written("", []) for _ in sections]
    texts: list[list[str]] = [[] for _ in sections]
    for (s, _), piece in zip(order, pieces, strict=False):
        while piece and not piece[0].strip():
            piece = piece[1:]
        while piece and not piece[-1].strip():
            piece = piece[:-1]
        if texts[s]:
            texts[s].append("")
        start = len(texts[s]) + 1
        texts[s] += piece
        out[s].blocks.append((start, max(start, len(texts[s]))))
    for s, text in enumerate(texts):
        out[s].text = "\n".join(text) + ("\n" if text else "")
    return out
