"""The command line: `python build.py [build|check] [MANUSCRIPT ...]`.

Exit status: 0 success, 1 a problem in the input (explained on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import ManuscriptError, TypesetError, UsageError
from .pipeline import FORMATS, Builder

DEFAULT_MANUSCRIPT = Path("manuscript/article.md")
DEFAULT_OUT = Path("build")
COMMANDS = ("build", "check")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Typeset journal articles: Markdown + YAML + BibTeX to PDF, JATS, HTML.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the outputs (the default command)")
    build.add_argument("manuscripts", nargs="*", type=Path, metavar="MANUSCRIPT",
                       help="a .md file, a folder with article.md, or a folder of such "
                            "folders (default: manuscript/article.md)")
    build.add_argument("--to", default=",".join(FORMATS), metavar="FORMATS",
                       help="comma-separated outputs among pdf, jats, html (default: all)")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                       help="output folder (default: build/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check = commands.add_parser("check", help="validate everything, write nothing")
    check.add_argument("manuscripts", nargs="*", type=Path, metavar="MANUSCRIPT")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return parser


def find_manuscripts(arguments: list[Path]) -> list[Path]:
    if not arguments:
        arguments = [DEFAULT_MANUSCRIPT]
    found: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            if (argument / "article.md").is_file():
                found.append(argument / "article.md")
                continue
            batch = sorted(p / "article.md" for p in argument.iterdir()
                           if (p / "article.md").is_file())
            if not batch:
                raise UsageError(f"{argument}: no article.md in this folder or its subfolders")
            found += batch
        elif argument.suffix.lower() == ".md" or argument.is_file():
            found.append(argument)  # a missing file is reported by the build, with its path
        else:
            raise UsageError(f"{argument}: not a Markdown file or a folder")
    return found


def output_folder(manuscript: Path, out: Path, several: bool) -> Path:
    return out / manuscript.resolve().parent.name if several else out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and 2
    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    interactive = sys.stderr.isatty()
    try:
        formats = _formats(getattr(args, "to", ",".join(FORMATS)))
        manuscripts = find_manuscripts(args.manuscripts)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2

    builder = Builder(strict=args.strict)
    several = len(manuscripts) > 1
    failed = 0
    for index, manuscript in enumerate(manuscripts, 1):
        started = time.perf_counter()
        if interactive:
            print(f"[{index}/{len(manuscripts)}] {manuscript} ...", file=sys.stderr)
        try:
            if args.command == "check":
                article = builder.read(manuscript)
                from . import jats
                warnings = list(article.warnings)
                warnings += builder.check_jats(article, jats.render_jats(article))
                if args.strict and warnings:
                    raise ManuscriptError([])  # reported below with the warnings
                _print_warnings(manuscript, warnings)
                print(f"{manuscript}: no problems found", file=sys.stderr)
            else:
                result = builder.build(manuscript,
                                       output_folder(manuscript, args.out, several), formats)
                _print_warnings(manuscript, result.warnings)
                if interactive:
                    names = ", ".join(str(p) for p in result.outputs if p.suffix)
                    print(f"  wrote {names} in {time.perf_counter() - started:.1f} s",
                          file=sys.stderr)
        except ManuscriptError as exc:
            failed += 1
            if exc.problems:
                print(str(exc), file=sys.stderr)
            else:
                _print_warnings(manuscript, warnings)
        except TypesetError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    return 1 if failed else 0


def _formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"--to: unknown output {', '.join(unknown) or '(none)'}; choose "
                         f"among {', '.join(FORMATS)}")
    return formats


def _print_warnings(manuscript: Path, warnings: list[str]) -> None:
    for warning in warnings:
        print(f"{manuscript}: warning: {warning}", file=sys.stderr)
