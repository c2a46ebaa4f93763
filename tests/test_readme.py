"""The README's examples still work: its command lines are accepted by the command line's
parser, its front matter and its issue.yaml are valid as they stand."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from typeset.cli import make_parser
from typeset.issue.read import read_issue
from typeset.read.frontmatter import parse_front_matter
from typeset.read.journal import find_journal

from .conftest import ROOT
from .helpers_manuscript import source_of, tiny_png, write_manuscript

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """The fenced blocks of the README opened with ```language."""
    found, current = [], None
    for line in README.splitlines():
        if current is None and line.startswith("```"):
            current = [] if line[3:].strip() == language else None
            if current is None:
                current = False  # a block of another language: skipped to its end
        elif current is not None and line.startswith("```"):
            if current is not False:
                found.append("\n".join(current) + "\n")
            current = None
        elif current is not None and current is not False:
            current.append(line)
    return found


def command_lines() -> list[str]:
    lines = []
    for block in blocks("") + blocks("sh"):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("python build.py "):
                lines.append(line)
    return lines


def concrete(line: str) -> list[str]:
    """A synopsis line made a command: [OPTIONAL ...] parts taken, placeholders filled."""
    line = re.sub(r"\[(--[\w-]+)(?: [A-Z]+)?\]", lambda m: m.group(0)[1:-1], line)
    line = re.sub(r"\[([A-Z_]+) \.\.\.\]", r"\1", line).replace("[", "").replace("]", "")
    line = line.replace("pdf,jats,html", "pdf").replace(" ...", "")
    words = shlex.split(line)[2:]  # after "python build.py"
    values = {"SECONDS": "60", "MB": "100", "N": "2", "SIZE": "1GiB", "DIR": "out",
              "ADDRESS": "tcp://127.0.0.1:8786", "8000": "8000", "FILE.docx": "a.docx"}
    return [values.get(word, word) for word in words]


@pytest.mark.parametrize("line", command_lines())
def test_every_command_line_of_the_readme_is_accepted(line):
    argv = concrete(line)
    if argv and argv[0] not in ("build", "check", "serve", "import"):
        argv.insert(0, "build")
    args = make_parser().parse_args(argv)  # exits (a failure) on an unknown option
    assert args.command == argv[0]


def test_the_readme_front_matter_is_valid(tmp_path):
    (front,) = [b for b in blocks("yaml") if b.startswith("---")]
    write_manuscript(tmp_path, text=front + "\n# Body\n\nText.\n")
    (tmp_path / "references.bib").write_text("", encoding="utf-8")
    metadata, journal = parse_front_matter(source_of(front + "\nText.\n",
                                                     tmp_path / "article.md"), find_journal)
    assert journal.id == "pesa" and metadata.title["tr"] == "Ortak Çıkarlara Dayalı Bir İttifak"


def test_the_readme_issue_yaml_is_valid(tmp_path):
    (issue_yaml,) = [b for b in blocks("yaml") if b.startswith("journal:")]
    (tmp_path / "issue.yaml").write_text(issue_yaml, encoding="utf-8")
    for folder in ("al-basre", "aksoy", "yilmaz"):
        write_manuscript(tmp_path / folder)
    (tmp_path / "cover.png").write_bytes(tiny_png())
    reading = read_issue(tmp_path)
    assert reading.problems == () or list(reading.problems) == [], reading.problems
    assert reading.issue is not None and reading.issue.volume == "9"
    assert [list(s.articles) for s in reading.issue.sections] == [["al-basre", "aksoy"],
                                                                   ["yilmaz"]]
    assert Path(tmp_path / "issue.yaml").exists()
