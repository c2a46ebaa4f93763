"""WeasyPrint's C declarations, parsed once per installed WeasyPrint instead of at every start.

WeasyPrint declares the Pango, HarfBuzz, fontconfig and GObject functions it calls in
cffi's in-line ABI mode (`weasyprint/text/ffi.py`: `ffi = cffi.FFI(); ffi.cdef(...)`), so
every import has pycparser parse those 460 lines of C: some 0.07 s, a fifth of a cold
process's WeasyPrint import. cffi's out-of-line ABI mode exists for this: the parsed
declarations are emitted once as the arguments of `_cffi_backend.FFI(...)`, and an FFI
built from them has the same types, constants and functions, opened by the same
`dlopen` (cffi's own documentation recommends it for import time).

`parsed_once()` is held while WeasyPrint is imported. When `weasyprint.text.ffi` asks
for its `cffi.FFI()`, it gets:

- an FFI built from the declarations stored for that very file (keyed by the SHA-256 of
  `ffi.py`'s bytes, so another WeasyPrint never meets them), about 3 ms; or, the first
  time,
- cffi's own FFI, which parses the declarations as usual and then stores them (in the
  Python environment's `share/typeset/`, written whole or not at all; where that is not
  writable nothing is stored and every start parses, as WeasyPrint alone does).

Any other `cffi.FFI()` made meanwhile is cffi's own. The store is the pipeline's own
installed data, derived from the installed WeasyPrint and cffi; it holds no manuscript's
data. Its format is `marshal`'s (its key includes the Python and cffi versions), trusted
as the environment's own bytecode is: whoever can write there can change the code.
"""

from __future__ import annotations

import ast
import hashlib
import io
import logging
import marshal
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

LOGGER = logging.getLogger(__name__)

WEASYPRINT_DECLARATIONS = "weasyprint.text.ffi"  # the module that calls cffi.FFI()
MODULE_NAME = "_typeset_weasyprint_ffi"  # the FFI's name in cffi's messages


def store() -> Path:
    return Path(sys.prefix) / "share" / "typeset"


@contextmanager
def parsed_once():
    """While held, `cffi.FFI()` called by WeasyPrint's declarations module gives an FFI
    whose declarations are read from the store (or stored after parsing)."""
    import cffi

    in_line = cffi.FFI

    def ffi_for_caller(*args, **kwargs):
        caller = sys._getframe(1).f_globals
        if args or kwargs or caller.get("__name__") != WEASYPRINT_DECLARATIONS:
            return in_line(*args, **kwargs)
        return _ffi_for(Path(caller["__file__"]), in_line)

    cffi.FFI = ffi_for_caller
    try:
        yield
    finally:
        cffi.FFI = in_line


def stored_path(declarations_file: Path) -> Path:
    import cffi

    key = hashlib.sha256(declarations_file.read_bytes())
    key.update(f"{sys.version_info[:2]} cffi {cffi.__version__}".encode())
    return store() / f"weasyprint-ffi-{key.hexdigest()[:24]}.marshal"


def _ffi_for(declarations_file: Path, in_line: type):
    path = stored_path(declarations_file)
    try:
        source_hash, args, kwargs = marshal.loads(path.read_bytes())
        return _precompiled(source_hash)(*args, **kwargs)
    except FileNotFoundError:
        pass
    except Exception as error:  # unreadable or damaged: parsed and stored again
        LOGGER.debug("WeasyPrint's C declarations not read from %s: %s", path, error)
    return _parsing_then_storing(in_line)(path)


def _precompiled(source_hash: str) -> type:
    import _cffi_backend

    class PrecompiledFFI(_cffi_backend.FFI):
        """cffi's out-of-line FFI; `cdef` only checks that it is given the very
        declarations it was built from."""

        def cdef(self, csource: str, **options) -> None:
            if options or _hash(csource) != source_hash:
                raise RuntimeError(f"{MODULE_NAME}: stored declarations differ from "
                                   "WeasyPrint's; remove the store and start again")

    return PrecompiledFFI


def _parsing_then_storing(in_line: type) -> type:
    class ParsingFFI(in_line):
        """cffi's own FFI, which stores the declarations it parsed."""

        def __init__(self, path: Path):
            super().__init__()
            self._typeset_store = path

        def cdef(self, csource: str, **options) -> None:
            super().cdef(csource, **options)
            if not options:
                _store(self, csource, self._typeset_store)

    return ParsingFFI


def _store(ffi, csource: str, path: Path) -> None:
    """Write the arguments of the out-of-line FFI's constructor, as cffi emits them."""
    from cffi.recompiler import make_py_source

    try:
        emitted = io.StringIO()
        make_py_source(ffi, MODULE_NAME, emitted)
        args, kwargs = _constructor_arguments(emitted.getvalue())
    except Exception as error:  # another cffi: WeasyPrint goes on with the parsed FFI
        LOGGER.debug("WeasyPrint's C declarations not stored: %s", error)
        return
    written = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp",
                                         delete=False) as data:
            written = Path(data.name)
            data.write(marshal.dumps((_hash(csource), args, kwargs)))
        written.chmod(0o644)  # like the environment's other installed files
        os.replace(written, path)
    except OSError as error:  # a read-only environment: parse every time
        if written:
            written.unlink(missing_ok=True)
        LOGGER.debug("WeasyPrint's C declarations not stored in %s: %s", path, error)


def _constructor_arguments(emitted: str) -> tuple[tuple, dict]:
    """The literal arguments of `ffi = _cffi_backend.FFI(...)` in cffi's emitted module."""
    for node in ast.walk(ast.parse(emitted)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "FFI":
            return (tuple(ast.literal_eval(arg) for arg in node.args),
                    {keyword.arg: ast.literal_eval(keyword.value)
                     for keyword in node.keywords})
    raise ValueError("cffi emitted no FFI constructor")


def _hash(csource: str) -> str:
    return hashlib.sha256(csource.encode()).hexdigest()
