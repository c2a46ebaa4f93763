"""Reading our outputs the way a user or an indexer would: text of the PDF, HTML, JATS."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import etree, html

A4_HEIGHT = 842
TOP_MARGIN = 85  # 3 cm: the running head lives above
BOTTOM_MARGIN = 71  # 2.5 cm: the page foot lives below


def pdf_text(path: Path, body_only: bool = True) -> str:
    """The PDF's text in reading order (poppler), without running heads and feet."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if body_only:
        args += ["-x", "0", "-y", str(TOP_MARGIN), "-W", "595",
                 "-H", str(A4_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def html_tree(path: Path):
    return html.fromstring(path.read_bytes())


def jats_tree(path: Path):
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    return etree.fromstring(path.read_bytes(), parser)


def text_of(element) -> str:
    return " ".join(element.itertext())


def structure_elements(reader) -> list[dict]:
    """Every element of a tagged PDF's structure tree (pypdf objects), depth first."""
    found = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if kid is not None and hasattr(kid, "get_object") and isinstance(
                    kid.get_object(), dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found
