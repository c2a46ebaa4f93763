"""Time limits: one for the whole build of a manuscript, and one per stage, so that no
input can make a build hang.

The build's budget (`BUILD_SECONDS`, or `TYPESET_BUILD_TIMEOUT`, or the command line's
`--timeout`; 0 for none) bounds everything from reading to writing; each stage's limit
(`LIMITS`, or `TYPESET_STAGE_TIMEOUT` for all) bounds one stage within it. Whichever
comes first stops the build, with a message naming it.

Pandoc runs in its own process and is stopped by `subprocess`'s timeout; the stages that
run in our process (reading the bibliography, WeasyPrint's layout, the JATS validation)
are interrupted between Python bytecodes, not inside a long call of a C library:
- on the main thread, by an alarm signal (SIGALRM), as a command-line build runs;
- on any other thread (the preview's rebuilds, a Dask worker's task threads, where signals
  never arrive), by a watchdog thread that raises the timeout in the late thread with
  CPython's `PyThreadState_SetAsyncExc`, the one way to interrupt another thread.
Either way the block ends with `StageTimeout` and its message.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from typeset.errors import StageTimeout

# Seconds; generous for a 300-page article on a slow machine.
LIMITS = {"read": 120.0, "jats": 120.0, "html": 120.0, "pdf": 600.0}
# The whole build: the largest manuscript accepted (read/source.py) builds in well under
# half of it on the reference machine (docs/performance.md).
BUILD_SECONDS = 600.0
# An exception raised while Python runs a destructor or a weakref callback (the garbage
# collector runs them at any moment) is printed and dropped: an expired limit fires again
# after this long, until its block has ended.
RETRY_SECONDS = 1.0


def limit(stage: str) -> float:
    override = os.environ.get("TYPESET_STAGE_TIMEOUT")
    return float(override) if override else LIMITS[stage]


def build_budget(seconds: float | None = None) -> float:
    """The time allowed for one build: `seconds` when given (the command line's), else
    TYPESET_BUILD_TIMEOUT, else BUILD_SECONDS; 0 means no limit."""
    if seconds is not None:
        return seconds
    override = os.environ.get("TYPESET_BUILD_TIMEOUT")
    return float(override) if override else BUILD_SECONDS


def build_time_limit(seconds: float | None = None):
    """The time limit of a whole build (the message is the manuscript's problem: the
    caller says which manuscript)."""
    budget = build_budget(seconds)
    return seconds_limit(budget, f"the build took more than {budget:g} s and was stopped "
                                 "(the time allowed for one build: --timeout, or "
                                 "TYPESET_BUILD_TIMEOUT)")


def time_limit(stage: str):
    """The time limit of a named stage of a build."""
    seconds = limit(stage)
    return seconds_limit(seconds, f"the {stage} stage took more than {seconds:g} s "
                                  "and was stopped (is the input unusually large or "
                                  "malformed?)")


@contextlib.contextmanager
def seconds_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise `StageTimeout(message)` if the block runs longer than `seconds`.

    Meant for pure-Python stages (YAML, BibTeX, layout): the limit interrupts Python code
    between bytecodes, not a long call inside a C library, so subprocesses keep their own
    timeouts. An alarm already set by an enclosing limit (this one or any other) keeps its
    deadline and its handler: whichever deadline comes first fires.
    """
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _WATCHDOG.limit(seconds, message):
            yield
        return
    now = time.monotonic()
    deadline = now + seconds
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    outer = {"deadline": now + outer_left if outer_left > 0 else None}

    def expired(signum, frame):
        if _deferred:  # try again once the block has ended
            signal.setitimer(signal.ITIMER_REAL, _DEFERRED_POLL)
            return
        if outer["deadline"] is not None and outer["deadline"] <= deadline \
                and callable(outer_handler):
            outer["deadline"] = None
            outer_handler(signum, frame)  # the enclosing limit ran out: it decides
            _arm(deadline)  # it let the work go on: our own limit still stands
            return
        _arm(time.monotonic() + RETRY_SECONDS)  # in case this one is dropped (see RETRY)
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


@contextlib.contextmanager
def limits_deferred() -> Iterator[None]:
    """A block that time limits do not interrupt: for a library call that would turn our
    exception into one of its own. On the main thread the alarm is held back and goes off
    when the block ends; elsewhere the watchdog fires again later (RETRY_SECONDS)."""
    global _deferred
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1


_deferred = 0  # blocks of limits_deferred being run on the main thread
_DEFERRED_POLL = 0.05


def _arm(deadline: float) -> None:
    # setitimer(0) would disarm: an already passed deadline fires almost at once instead.
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))


# -- off the main thread ----------------------------------------------------------------

class _Expired(BaseException):
    """Raised asynchronously in a thread whose limit passed. A BaseException, so that no
    `except Exception` in the stage swallows it; `seconds_limit` turns it into
    StageTimeout."""


@dataclass(order=True)
class _Deadline:
    at: float
    order: int
    thread: int = field(compare=False)
    message: str = field(compare=False)
    fired: bool = field(default=False, compare=False)
    done: bool = field(default=False, compare=False)


def _raise_in(thread: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None)


class _Watchdog:
    """One daemon thread that fires the earliest pending deadline of any thread."""

    def __init__(self):
        self._lock = threading.Condition()
        self._pending: list[_Deadline] = []
        self._counter = itertools.count()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def limit(self, seconds: float, message: str) -> Iterator[None]:
        deadline = _Deadline(time.monotonic() + seconds, next(self._counter),
                             threading.get_ident(), message)
        with self._lock:
            heapq.heappush(self._pending, deadline)
            self._start()
            self._lock.notify()
        caught = False
        try:
            yield
        except _Expired:
            caught = True
            if deadline.fired:
                raise StageTimeout(message) from None
            raise  # an enclosing limit's: it decides
        finally:
            with self._lock:
                deadline.done = True
                if deadline.fired and not caught:
                    # Fired as the block was ending: take back the exception not yet
                    # delivered, so it cannot go off in whatever runs next.
                    _raise_in(deadline.thread, None)
        if deadline.fired:
            raise StageTimeout(message)  # the stage did finish, but past its limit

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="typeset-time-limits",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._pending and self._pending[0].done:
                    heapq.heappop(self._pending)
                if not self._pending:
                    self._lock.wait()
                    continue
                first = self._pending[0]
                left = first.at - time.monotonic()
                if left > 0:
                    self._lock.wait(left)
                    continue
                first.fired = True
                _raise_in(first.thread, _Expired)
                first.at = time.monotonic() + RETRY_SECONDS  # again, until it is done
                heapq.heapreplace(self._pending, first)


_WATCHDOG = _Watchdog()
