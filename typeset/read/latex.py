"""BibTeX field values as plain text: one LaTeX-to-text for every output.

BibTeX fields carry LaTeX: braces that protect capitals, accents (`{\\"o}`, `\\c{c}`),
commands (`\\emph{...}`, `\\url{...}`), escaped specials (`\\&`, `\\%`) and dashes. The
reference records (JATS `element-citation`, Highwire tags, Crossref and DOAJ citations) need
the text a reader sees; pylatexenc knows LaTeX's accents and commands. (Pandoc's citeproc
reads the .bib itself for the rendered reference list.)
"""

from __future__ import annotations

import re
from functools import cache

_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
# What LaTeX reads otherwise than as it is written: its special characters, dashes,
# quotes and Spanish marks. A value without any reads as its own text (most of a
# bibliography's names, titles and places), and pylatexenc, slow to start and to run,
# is not called.
_LATEX_MARKUP = re.compile(r"[\\{}$%~&#^_]|--|``|''|[!?]`")


@cache
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    # Math stays as written: a bibliography's "$H_2O$" is better shown than dropped.
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """What `value` reads as: commands applied, braces gone, `--` as a dash."""
    if not _LATEX_MARKUP.search(value):
        return " ".join(value.split())
    # A URL inside the text keeps its characters ("--" is not a dash there).
    pieces = _URL_COMMAND.split(value)
    text = "".join(piece if index % 2 else _converter().latex_to_text(piece)
                   for index, piece in enumerate(pieces))
    return " ".join(text.split())


def latex_to_url(value: str) -> str:
    """A URL or DOI field: only braces and `\\url{}` go; `--` and `_` stay as they are."""
    value = _URL_COMMAND.sub(r"\1", value.strip())
    return value.replace("{", "").replace("}", "").replace("\\_", "_").replace(
        "\\%", "%").replace("\\&", "&").replace("\\#", "#").strip()
