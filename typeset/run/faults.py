"""Fault injection for the tests: what happens when a build is killed, interrupted or held
at a given point.

The tests run the real command line in a subprocess with `TYPESET_TEST_FAULTS` set to
`point=action` pairs separated by commas; the code calls `fault_point(point)` at the
places worth testing (the write step's files and swap, the end of reading, WeasyPrint's
process as it starts a layout). Unset, as
in any real run, `fault_point` is one dictionary lookup and does nothing.

Actions:
- `kill`: SIGKILL to this process (a power cut as far as the output folder can tell);
- `interrupt`: SIGINT to this process (Ctrl-C);
- `pause`: create `$TYPESET_TEST_PAUSE.paused`, then wait (30 s at most) until
  `$TYPESET_TEST_PAUSE.go` exists: the test changes files while the build is held.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

VARIABLE = "TYPESET_TEST_FAULTS"
PAUSE_VARIABLE = "TYPESET_TEST_PAUSE"


def fault_point(point: str) -> None:
    spec = os.environ.get(VARIABLE)
    if not spec:
        return
    for pair in spec.split(","):
        name, _, action = pair.partition("=")
        if name.strip() == point:
            _act(action.strip())


def _act(action: str) -> None:
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "interrupt":
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # the handler runs at the next bytecode; never get past this point
    elif action == "pause":
        base = os.environ[PAUSE_VARIABLE]
        Path(base + ".paused").touch()
        go = Path(base + ".go")
        deadline = time.monotonic() + 30
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
