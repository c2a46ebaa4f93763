"""The memory a build will need, estimated from its input before any work.

A manuscript whose build would need more memory than allowed is refused at once, with a
message saying how much and what to do, rather than killed by the system halfway (or
taking the machine's memory from everything else). The estimate is linear in what drives
the peak: the manuscript's size (Pandoc's tree, the page's boxes, the PDF's layout) and
its number of footnotes (each a float WeasyPrint places, page by page). Its coefficients
are fitted, with a margin, to the peaks `bench/benchmark.py --scaling` measures
(docs/performance.md).

The limit is `TYPESET_MEMORY_LIMIT` (megabytes; 0 for none) or the command line's
`--memory`, else 2 GB or four fifths of the memory available when the build starts,
whichever is less. It is per build: a batch with `--jobs N` may use N times as much.
"""

from __future__ import annotations

import os
import re

from typeset.errors import ManuscriptError, Problem
from typeset.read.source import Source

# Fitted to docs/performance.md's scaling table with a margin: every build measured there
# stayed 12 % or more under its estimate.
BASE_MB = 250.0  # the interpreter, WeasyPrint, fonts, the JATS validator
MB_PER_MB_OF_TEXT = 320.0
MB_PER_NOTE = 0.08
DEFAULT_LIMIT_MB = 2048.0

_NOTE = re.compile(r"\[\^[^\]\s]+\]:|\^\[")  # a note's definition, or an inline note


def needed_mb(source: Source) -> float:
    """The peak a full build of `source` is expected to reach, in megabytes."""
    megabytes = len(source.text.encode("utf-8")) / (1024 * 1024)
    notes = len(_NOTE.findall(source.body))
    return BASE_MB + MB_PER_MB_OF_TEXT * megabytes + MB_PER_NOTE * notes


def limit_mb(configured: float | None = None) -> float:
    """The memory allowed for one build, in megabytes; 0 means no limit."""
    if configured is not None:
        return configured
    override = os.environ.get("TYPESET_MEMORY_LIMIT")
    if override:
        return float(override)
    available = _available_mb()
    return min(DEFAULT_LIMIT_MB, 0.8 * available) if available else DEFAULT_LIMIT_MB


def check_memory(source: Source, configured: float | None = None) -> None:
    """Refuse `source` when its build would need more than the limit."""
    allowed = limit_mb(configured)
    needed = needed_mb(source)
    if allowed and needed > allowed:
        raise ManuscriptError([Problem(
            source.name, None, None,
            f"building this manuscript would need about {needed:,.0f} MB of memory, more "
            f"than the {allowed:,.0f} MB allowed",
            hint="split it into several articles, or allow more: --memory MB, or "
                 "TYPESET_MEMORY_LIMIT")])


def _available_mb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
