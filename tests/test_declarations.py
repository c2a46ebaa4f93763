"""WeasyPrint's C declarations parsed once per installed WeasyPrint (render/pdf/declarations.py):
the first start parses and stores them, the next ones build the same FFI from the store
without pycparser, and the PDF is the same byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from typeset.render.pdf import declarations

from .conftest import ROOT

START = r"""
import json, sys
from pathlib import Path
from typeset.render.pdf import declarations, layout
declarations.store = lambda: Path(sys.argv[1])
layout._load_weasyprint()
import weasyprint
from weasyprint.text.ffi import ffi, pango
html = '<p lang="en" style="text-align: justify; hyphens: auto">' + "Declarations " * 60
pdf = weasyprint.HTML(string=html).write_pdf(sys.argv[2])
print(json.dumps([type(ffi).__name__, "pycparser" in sys.modules,
                  pango.pango_version() > 0]))
"""


def start(store: Path, pdf: Path) -> list:
    result = subprocess.run([sys.executable, "-c", START, str(store), str(pdf)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_declarations_stored_at_the_first_start_and_read_after(tmp_path):
    store = tmp_path / "share" / "typeset"
    assert start(store, tmp_path / "parsed.pdf") == ["ParsingFFI", True, True]
    stored = list(store.iterdir())
    assert len(stored) == 1 and stored[0].suffix == ".marshal"

    assert start(store, tmp_path / "stored.pdf") == ["PrecompiledFFI", False, True]
    assert (tmp_path / "stored.pdf").read_bytes() == (tmp_path / "parsed.pdf").read_bytes()
    assert list(store.iterdir()) == stored


def test_a_damaged_store_is_parsed_again_and_replaced(tmp_path):
    store = tmp_path / "store"
    start(store, tmp_path / "first.pdf")
    [stored] = store.iterdir()
    stored.write_bytes(b"not marshal data")
    assert start(store, tmp_path / "second.pdf")[0] == "ParsingFFI"
    assert start(store, tmp_path / "third.pdf")[0] == "PrecompiledFFI"
    assert [path.name for path in store.iterdir()] == [stored.name]


def test_a_store_that_cannot_be_written_leaves_the_usual_parsing(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    store = not_a_folder / "typeset"
    assert start(store, tmp_path / "a.pdf")[0] == "ParsingFFI"
    assert start(store, tmp_path / "b.pdf")[0] == "ParsingFFI"
    assert not store.exists()


def test_the_stored_declarations_are_keyed_by_weasyprints_file(tmp_path):
    declarations_file = Path(__import__("weasyprint.text.ffi").text.ffi.__file__)
    copy = tmp_path / "ffi.py"
    copy.write_bytes(declarations_file.read_bytes())
    assert declarations.stored_path(copy) == declarations.stored_path(declarations_file)
    copy.write_bytes(declarations_file.read_bytes() + b"\n# another WeasyPrint\n")
    assert declarations.stored_path(copy) != declarations.stored_path(declarations_file)


def test_a_precompiled_ffi_refuses_other_declarations():
    ffi = declarations._precompiled(declarations._hash("int f(void);"))(
        "_test_ffi", _version=0x2601, _types=b"")
    ffi.cdef("int f(void);")
    with pytest.raises(RuntimeError, match="stored declarations differ"):
        ffi.cdef("int g(void);")


def test_declarations_that_cannot_be_emitted_leave_the_parsed_ffi(tmp_path, monkeypatch):
    """Storing is a saving, never a condition: should cffi emit another form, WeasyPrint
    goes on with the FFI it parsed, and nothing is stored."""
    import cffi

    def no_constructor(emitted):
        raise ValueError("cffi emitted no FFI constructor")

    monkeypatch.setattr(declarations, "_constructor_arguments", no_constructor)
    path = tmp_path / "store" / "declarations.marshal"
    ffi = declarations._parsing_then_storing(cffi.FFI)(path)
    ffi.cdef("int abs(int);")
    assert ffi.dlopen(None).abs(-3) == 3
    assert not path.parent.exists()
