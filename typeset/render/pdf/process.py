"""WeasyPrint in a process of its own, beside the build's: one cold build on two cores.

A cold command-line build of one article spends its first second importing WeasyPrint
and its longest stretch laying the PDF out and writing it; the reading before and the
JATS and reading page after are Python of the build's own. In one process they take
turns: the import, in a thread, competes with the reading for the interpreter, and the
JATS waits for the PDF. On a machine with two cores `PdfProcess` forks, as the build
starts, a process that

1. imports WeasyPrint, then, told the journal and the languages once the front matter is
   read, parses the journal's print.css with its fonts and lays a few lines out in each
   language (Pango's fonts and the hyphenation dictionaries loaded), all while the parent
   reads the article and runs Pandoc;
2. lays the print page out (`PrintSource`), says how many pages it made, and writes the
   PDF while the parent renders and validates the JATS and the reading page.

The parent writes every output, as in any build. Only the command line's build of one
article uses it: a batch or an issue already keeps each core busy with an article of its
own, and the preview keeps WeasyPrint loaded between builds. What the process made is
what a `PdfLayout` in the parent would have made, byte for byte (tests/test_layout.py).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typeset.errors import ManuscriptError, StageTimeout, TypesetError
from typeset.run.faults import fault_point

# A few words in each language the warm-up lays out, in the styles the print page uses
# most (roman, italic, bold): what WeasyPrint loads on first use is loaded then.
_WARM_UP_TEXT = {
    "tr": "Türkiye'de göç politikalarının değişimi ve uluslararası karşılaştırmalar",
    "en": "International migration policies and their comparative consequences",
}


# A long article is laid out in the build's own process: two processes would hold it
# twice at once (its pages laid out in one while its JATS is validated in the other: 700
# MB for a 195-page article, against 540 MB in one process, which frees the pages first),
# for a gain its layout dwarfs. About forty pages of Markdown (the sample: 43 KB, 11).
MAX_MANUSCRIPT_BYTES = 160_000


def worth_a_process(manuscript: Path) -> bool:
    """Whether the build of `manuscript` should lay its PDF out beside (a second core,
    and an article short enough)."""
    try:
        short = manuscript.stat().st_size <= MAX_MANUSCRIPT_BYTES
    except OSError:  # the build will say what is wrong with it
        short = False
    return short and two_cores()


def two_cores() -> bool:
    """Whether a second core is there to run the PDF beside the build."""
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # not Linux
        return (os.cpu_count() or 1) >= 2


@contextmanager
def pdf_process_if(wanted: bool) -> Iterator[PdfProcess | None]:
    """A PdfProcess while the block runs, when it is `wanted`; else None."""
    if not wanted:
        yield None
        return
    with PdfProcess() as process:
        yield process


class PdfProcess:
    """The forked process and the pipe to it. Use as a context manager: leaving it stops
    the process, whatever state the build is in."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,),
                                        name="typeset-pdf", daemon=True)
        self._process.start()
        child.close()

    def __enter__(self) -> PdfProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()

    def prepare(self, style: Path, languages: tuple[str, ...]) -> None:
        """Warm up for an article of this journal (style folder) in these languages."""
        with contextlib.suppress(OSError):  # gone: lay_out will say why
            self._connection.send(("prepare", style, tuple(languages)))

    def lay_out(self, source) -> RemoteLayout:
        """Lay `source` (a layout.PrintSource) out in the process; returns once its pages
        are counted, while the process goes on writing the PDF."""
        try:
            self._connection.send(("print", source))
        except OSError:  # it ended: its last word, or how it ended, is the build's error
            self._receive()
        kind, *values = self._receive()
        assert kind == "laid", kind
        return RemoteLayout(self, source.first_page, *values)

    def _receive(self) -> tuple:
        try:
            message = self._connection.recv()
        except (EOFError, OSError):  # it died: killed, out of memory
            self._process.join(1)
            code = self._process.exitcode
            how = f"killed by signal {-code}" if code and code < 0 else f"exit code {code}"
            raise TypesetError(f"WeasyPrint's process ended before the PDF was made ({how}; "
                               "was the machine out of memory?)") from None
        if message[0] == "failed":
            raise message[1]
        return message


class RemoteLayout:
    """The parent's side of an article laid out in a `PdfProcess`: what the build reads
    of a `PdfLayout` (its page count; `write`, for the first page it was laid out for)."""

    def __init__(self, process: PdfProcess, first_page: int | None, page_count: int,
                 pages_laid_out: int):
        self._process, self._first_page = process, first_page
        self.page_count, self.pages_laid_out = page_count, pages_laid_out
        self._written: tuple[bytes, list[str]] | None = None

    def write(self, first_page: int | None = None) -> tuple[bytes, list[str]]:
        if first_page not in (None, self._first_page):
            raise ValueError("a layout made in the PDF process is written for the first "
                             "page of its front matter only")
        if self._written is None:
            _kind, pdf, messages = self._process._receive()
            self._written = (pdf, messages)
        return self._written


# -- the process's side -------------------------------------------------------------------

def _serve(connection) -> None:
    # Ctrl-C is the parent's to handle: it stops this process when it leaves the build.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from typeset.render.pdf import layout

        layout._weasyprint()
        failure = None
    except Exception as exc:  # said in answer to the print page, as the layout's failure
        failure = exc
    stylesheet = None
    while True:
        try:
            kind, *values = connection.recv()
        except EOFError:  # the parent is gone
            return
        if kind == "prepare":
            stylesheet = None if failure else _warm_up(*values)
            continue
        try:
            if failure:
                raise failure
            fault_point("pdf-process")
            source = values[0]
            prepared = stylesheet[1] if stylesheet and stylesheet[0] == source.style \
                else None
            pdf = layout.PdfLayout(source, stylesheet=prepared)
            connection.send(("laid", pdf.page_count, pdf.pages_laid_out))
            connection.send(("written", *pdf.write()))
        except BaseException as exc:  # all of it goes back to the parent
            connection.send(("failed", _portable(exc)))
        return  # one article per process


def _warm_up(style: Path, languages: tuple[str, ...]):
    """The style sheet parsed (returned, with its style folder, when nothing in it was
    refused) and a few lines laid out in each language. A failure here is left for the
    real layout to meet and report."""
    from typeset.render.pdf import layout
    from typeset.render.pdf.fetch import STYLE_URL, SafeFetcher

    try:
        weasyprint, font_config = layout._weasyprint()
        fetcher = SafeFetcher([style], None, {STYLE_URL: style})
        stylesheet = layout.house_stylesheet(style, fetcher)
        paragraphs = "".join(
            f'<p lang="{lang}">{text} <i>{text}</i> <b>{text}</b></p>'
            for lang in languages if (text := _WARM_UP_TEXT.get(lang.split("-")[0])))
        weasyprint.HTML(string=f"<html><body>{paragraphs}</body></html>").render(
            stylesheets=[stylesheet], font_config=font_config)
    except Exception:  # left for the layout to meet and report
        return None
    return None if fetcher.refused else (style, stylesheet)


def _portable(exc: BaseException) -> BaseException:
    """`exc` as it can cross to the parent: ours pickle; anything else is a bug of ours,
    sent as a RuntimeError that names it."""
    if isinstance(exc, ManuscriptError | StageTimeout):
        try:
            pickle.dumps(exc)
            return exc
        except Exception:  # sent as a RuntimeError, below
            pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")
