"""How our patches of WeasyPrint (and pydyf) change a function: its own source, one
passage replaced, compiled again where it lives.

The library's source stays the library's; the patch is the passage and its replacement.
A library whose source no longer holds the passage exactly once stops the build at
start-up instead of being patched wrongly.
"""

from __future__ import annotations

import inspect
import textwrap


def recompiled(function, old: str, new: str, namespace: dict, patch_file: str):
    """`function` (or a decorated function: the decorator is compiled with it) compiled
    again from its source with `old` replaced by `new`, into `namespace` (its module's, so
    that its callers, and itself, find it there); returns what the definition binds. It
    keeps its own line numbers in the library's file, so tracebacks point there."""
    source = textwrap.dedent(inspect.getsource(function))
    if source.count(old) != 1:
        first_line = old.strip().splitlines()[0]
        raise RuntimeError(f"{function.__module__}.{function.__qualname__} no longer reads "
                           f"as expected (looking for: {first_line}); check the patch in "
                           f"{patch_file}")
    padding = "\n" * (function.__code__.co_firstlineno - 1)
    exec(compile(padding + source.replace(old, new), inspect.getfile(function), "exec"),
         namespace)
    return namespace[function.__name__]
