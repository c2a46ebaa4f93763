"""A time limit per stage, so that no input can make a build hang.

Pandoc runs in its own process and is stopped by `subprocess`'s timeout; the stages that
run in our process (reading the bibliography, WeasyPrint's layout, the JATS validation)
are interrupted by an alarm signal between Python bytecodes, not inside a long call of a
C library. Signals reach only the main thread: in the preview server's worker threads the
limit is not enforced (the editor watches the page and can stop the server).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator

from typeset.errors import StageTimeout

# Seconds; generous for a 300-page article on a slow machine.
LIMITS = {"read": 120.0, "jats": 120.0, "pdf": 600.0}


def limit(stage: str) -> float:
    override = os.environ.get("TYPESET_STAGE_TIMEOUT")
    return float(override) if override else LIMITS[stage]


def time_limit(stage: str, what: str):
    """The time limit of a named stage of the build of `what`."""
    seconds = limit(stage)
    return seconds_limit(seconds, f"{what}: the {stage} stage took more than {seconds:g} s "
                                  "and was stopped (is the input unusually large or "
                                  "malformed?)")


@contextlib.contextmanager
def seconds_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise `StageTimeout(message)` if the block runs longer than `seconds`.

    Meant for pure-Python stages (YAML, BibTeX, layout): the alarm interrupts Python code
    between bytecodes, not a long call inside a C library, so subprocesses keep their own
    timeouts. An alarm already set by an enclosing limit (this one or any other) keeps its
    deadline and its handler: whichever deadline comes first fires. Outside the main thread
    (a server's worker) signals are unavailable and the block runs unbounded.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return
    now = time.monotonic()
    deadline = now + seconds
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    outer = {"deadline": now + outer_left if outer_left > 0 else None}

    def expired(signum, frame):
        if outer["deadline"] is not None and outer["deadline"] <= deadline \
                and callable(outer_handler):
            outer["deadline"] = None
            outer_handler(signum, frame)  # the enclosing limit ran out: it decides
            _arm(deadline)  # it let the work go on: our own limit still stands
            return
        raise StageTimeout(message)

    signal.signal(signal.SIGALRM, expired)
    _arm(min(deadline, outer["deadline"] or deadline))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer["deadline"] is not None:
            _arm(outer["deadline"])


def _arm(deadline: float) -> None:
    # setitimer(0) would disarm: an already passed deadline fires almost at once instead.
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
