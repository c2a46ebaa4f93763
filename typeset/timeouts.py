"""A time limit per stage, so that no input can make a build hang.

Pandoc runs in its own process and is stopped by `subprocess`'s timeout; the stages that
run in our process (WeasyPrint's layout, the JATS validation) are interrupted by an alarm
signal. Signals reach only the main thread: in the preview server's worker threads the
limit is not enforced (the editor watches the page and can stop the server).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import StageTimeout

# Seconds; generous for a 300-page article on a slow machine.
LIMITS = {"read": 120.0, "jats": 120.0, "pdf": 600.0}


def limit(stage: str) -> float:
    override = os.environ.get("TYPESET_STAGE_TIMEOUT")
    return float(override) if override else LIMITS[stage]


@contextmanager
def time_limit(stage: str, what: str) -> Iterator[None]:
    seconds = limit(stage)
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield
        return

    def expired(_signum, _frame):
        raise StageTimeout(f"{what}: the {stage} stage took more than {seconds:g} s and was "
                           "stopped (is the input unusually large or malformed?)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
