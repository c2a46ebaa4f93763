"""What an issue's output folder was built from: `.typeset-issue.json`.

For each article: the SHA-256 of every file its build read (manuscript, bibliography,
images), the outputs it wrote, and where it stood (first page, page count). For the issue:
its own inputs (issue.yaml, cover) and outputs. Everything else an output depends on (our
code, the templates, the tools' versions, the journal's style folder, the issue's facts and
the build options) makes up one options key: when that changes, everything is built again.

An article whose inputs and outputs are unchanged keeps its outputs, unless its first page
moved; an issue none of whose articles changed or moved, with its own inputs and outputs
unchanged, is up to date, and the check reads no article and starts no worker.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from typeset.model.issue import ISSUE_FILE, Issue
from typeset.run.cache import file_hash, folder_hashes, options_key

RECORD_FILE = ".typeset-issue.json"


@dataclass(frozen=True)
class KeptArticle:
    """An article as the last build left it: unchanged since, its outputs in place."""

    first_page: int
    page_count: int


def issue_options(issue: Issue, strict: bool) -> str:
    """Everything besides the articles' and the issue's own files that the outputs depend
    on."""
    style = hashlib.sha256(json.dumps(folder_hashes(issue.journal.folder.resolve()),
                                      sort_keys=True).encode()).hexdigest()
    facts = [issue.journal.id, issue.volume, issue.number, issue.published.isoformat(),
             str(issue.first_page), style]
    return options_key(["pdf", "jats", "html"], strict) + "|" + "|".join(map(str, facts))


def issue_inputs(issue: Issue) -> list[Path]:
    return [issue.folder / ISSUE_FILE, *([issue.cover] if issue.cover else [])]


class IssueRecord:
    """The record of one output folder. Input paths are kept relative to the issue's
    folder where they lie inside it, so that an issue moved or copied together with its
    output folder is still up to date."""

    def __init__(self, out_dir: Path, issue_folder: Path):
        self.out_dir = out_dir
        self.base = issue_folder.resolve()
        self.path = out_dir / RECORD_FILE
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    def _name(self, path: Path) -> str:
        resolved = path.resolve()
        return str(resolved.relative_to(self.base)) if resolved.is_relative_to(self.base) \
            else str(resolved)

    def _hashes(self, paths) -> dict[str, str | None]:
        return {self._name(path): file_hash(path) for path in paths}

    def _same(self, hashes: dict[str, str | None], base: Path) -> bool:
        return all(file_hash(base / path) == value for path, value in hashes.items())

    def kept_article(self, folder: str, manuscript: Path, options: str) -> KeptArticle | None:
        """The article's record, when its inputs and outputs are as the last build left
        them (and the options are the same)."""
        if self.data.get("options") != options:
            return None
        entry = self.data.get("articles", {}).get(folder)
        if not entry or entry.get("manuscript") != self._name(manuscript):
            return None
        if not (self._same(entry["inputs"], self.base)
                and self._same(entry["outputs"], self.out_dir)):
            return None
        return KeptArticle(entry["first_page"], entry["page_count"])

    def issue_unchanged(self, issue: Issue, options: str) -> bool:
        """The issue's own inputs and outputs are as the last build left them."""
        if self.data.get("options") != options:
            return False
        return (self.data.get("issue_inputs") == self._hashes(issue_inputs(issue))
                and self._same(self.data.get("outputs", {}), self.out_dir))

    @property
    def article_folders(self) -> list[str]:
        return list(self.data.get("articles", {}))

    @property
    def output_names(self) -> list[str]:
        """The names the issue's own outputs have at the top of the output folder."""
        return sorted({Path(path).parts[0] for path in self.data.get("outputs", {})})

    def article_outputs(self, folder: str) -> list[str]:
        """The names (in the output folder) of what the last build wrote for an article."""
        return sorted(self.data.get("articles", {}).get(folder, {}).get("outputs", {}))

    def render(self, issue: Issue, options: str, articles: dict[str, dict],
               outputs: dict[str, str]) -> bytes:
        """The record, written with the outputs it describes (run/write.py), as bytes.
        `articles`: folder -> {manuscript, first_page, page_count, inputs (path ->
        SHA-256 of the bytes read), outputs (name -> SHA-256)}, or {kept: True} for an
        article whose record stands; `outputs`: the issue's own, name -> SHA-256."""
        previous = self.data.get("articles", {})
        record = {
            "options": options,
            "issue_inputs": self._hashes(issue_inputs(issue)),
            "outputs": outputs,
            "articles": {
                folder: {
                    "manuscript": self._name(entry["manuscript"]),
                    "first_page": entry["first_page"],
                    "page_count": entry["page_count"],
                    "inputs": {self._name(Path(path)): digest
                               for path, digest in entry["inputs"].items()},
                    "outputs": entry["outputs"],
                } if not entry.get("kept") else previous[folder]
                for folder, entry in articles.items()
            },
        }
        self.data = record
        return json.dumps(record, indent=1, sort_keys=True).encode("utf-8")
