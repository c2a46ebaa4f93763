"""The outputs: each renders the article model into one format.

`OUTPUTS` is the one list of formats, in the order they are rendered. Each names the
function that renders it by module path, imported only when that format is built: `check`
and a build that fails on its input never import WeasyPrint (a second) or lxml's DTD
machinery.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typeset.errors import Problem

if TYPE_CHECKING:
    from typeset.model.article import Article


@dataclass(frozen=True)
class Output:
    name: str  # as the command line names it (--to pdf,jats,html)
    suffix: str  # of the file written beside the manuscript's stem
    renderer: str  # "module:function", called as function(article, job) -> Rendered
    stage: str  # the time limit it runs under (run/timeouts.py)

    def render(self, article: Article, job: RenderJob) -> Rendered:
        module, _, function = self.renderer.partition(":")
        render: Callable[[Article, RenderJob], Rendered] = getattr(
            importlib.import_module(module), function)
        return render(article, job)


OUTPUTS = (
    # The PDF first: its layout gives the last page, which the others print.
    Output("pdf", ".pdf", "typeset.render.pdf.layout:render_output", "pdf"),
    Output("jats", ".xml", "typeset.render.jats.article:render_output", "jats"),
    Output("html", ".html", "typeset.render.html.page:render_output", "html"),
)
FORMATS = tuple(output.name for output in OUTPUTS)


def select(formats: Iterable[str]) -> list[Output]:
    """The outputs named in `formats`, in rendering order."""
    wanted = set(formats)
    return [output for output in OUTPUTS if output.name in wanted]


@dataclass
class RenderJob:
    """What a renderer may use besides the article: the formats built together (the page
    links the PDF only when there is one), the laid-out PDF, the builder's services."""

    formats: frozenset[str]
    stem: str  # outputs are <stem>.pdf, <stem>.xml, <stem>.html
    layout: Any = None  # a typeset.render.pdf.layout.PdfLayout, when laid out
    jats_validator: Callable[[], Any] | None = None  # None: the JATS is not validated

    def file_name(self, fmt: str) -> str:
        return self.stem + next(o.suffix for o in OUTPUTS if o.name == fmt)


@dataclass
class Rendered:
    data: bytes
    warnings: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    # Files the output refers to, written beside it: path relative to the output folder ->
    # their bytes (the figures, as read with the manuscript) or the file to copy (the
    # reading page's stylesheet and fonts).
    files: dict[str, bytes | Path] = field(default_factory=dict)
