"""The command line: `python build.py [build|check|serve] [MANUSCRIPT ...]`.

Exit status: 0 success, 1 a problem in the input (explained on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import logging
import os
import sys
import threading
from pathlib import Path

from typeset.errors import Problem, UsageError, check_passed
from typeset.model.issue import ISSUE_FILE

# (The pipeline is imported only when there is work to do: an up-to-date batch answers
# without it. The table of outputs imports nothing heavy.)
from typeset.render import FORMATS

DEFAULT_MANUSCRIPT = Path("manuscript/article.md")
DEFAULT_OUT = Path("build")
COMMANDS = ("build", "check", "serve", "import")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Typeset journal articles: Markdown + YAML + BibTeX to PDF, JATS, HTML.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the outputs (the default command)")
    build.add_argument("manuscripts", nargs="*", type=Path, metavar="MANUSCRIPT",
                       help="a .md file, a folder with article.md, or a folder of such "
                            "folders (default: manuscript/article.md); or an issue "
                            f"folder (with {ISSUE_FILE}), or a folder of issue folders")
    build.add_argument("--to", default=",".join(FORMATS), metavar="FORMATS",
                       help="comma-separated outputs among pdf, jats, html (default: all)")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                       help="output folder (default: build/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="build N manuscripts (or an issue's articles) at once, in "
                            "worker processes (default: 1)")
    build.add_argument("--no-cache", action="store_true",
                       help="rebuild even when nothing has changed since the last build")
    build.add_argument("--cluster", metavar="ADDRESS",
                       help="build the articles (or an issue's articles) on the Dask "
                            "cluster whose scheduler is at ADDRESS "
                            "(tcp://host:8786); 'local' starts one here with --jobs worker "
                            "processes")
    build.add_argument("--worker-articles", type=int, default=None, metavar="N",
                       help="with --cluster: restart each worker process after N articles "
                            "(default: 200)")
    build.add_argument("--worker-memory", default=None, metavar="SIZE",
                       help="with --cluster: restart a worker process that holds more than "
                            "SIZE after an article (default: 1GiB)")
    check = commands.add_parser("check", help="validate everything, write nothing")
    check.add_argument("manuscripts", nargs="*", type=Path, metavar="MANUSCRIPT")
    check.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="read N of an issue's articles at once (default: 1)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    for command in (build, check):
        command.add_argument("--timeout", type=float, metavar="SECONDS",
                             help="stop a manuscript's build after this long (default: "
                                  "TYPESET_BUILD_TIMEOUT, else 600; 0: no limit)")
        command.add_argument("--memory", type=float, metavar="MB",
                             help="refuse a manuscript whose build would need more memory "
                                  "(default: TYPESET_MEMORY_LIMIT, else 2048 or 80%% of the "
                                  "memory available; 0: no limit)")
    serve = commands.add_parser("serve", help="preview the reading page in a browser, "
                                              "rebuilt on every save")
    serve.add_argument("manuscript", nargs="?", type=Path, metavar="MANUSCRIPT",
                       help="a .md file or a folder with article.md "
                            "(default: manuscript/article.md)")
    serve.add_argument("--port", type=int, default=8000,
                       help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--pdf", action="store_true",
                       help="also lay out the PDF in the background, served beside the page")
    _add_import(commands)
    return parser


def _add_import(commands) -> None:
    word = commands.add_parser("import", help="turn an author's Word file (.docx) into a "
                                              "manuscript folder, with a report of what to check")
    word.add_argument("docx", type=Path, metavar="FILE.docx", help="the author's Word file")
    word.add_argument("--out", type=Path, metavar="FOLDER",
                      help="where to write article.md, references.bib, figures/ and IMPORT.md "
                           "(default: beside the .docx, named after it)")
    word.add_argument("--journal", default="pesa", help="the journal profile (default: pesa)")
    word.add_argument("--force", action="store_true",
                      help="replace an existing article.md in the folder")


def _import(args: argparse.Namespace) -> int:
    from typeset.errors import ManuscriptError, TypesetError
    from typeset.importers.word import import_docx

    try:
        imported = import_docx(args.docx, args.out, args.journal, args.force)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except TypesetError as exc:
        print(str(exc) if isinstance(exc, ManuscriptError) else f"error: {exc}",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a case the importer's heuristics did not foresee: a bug,
        # told without a traceback, and nothing written (outputs are moved in at the end)
        print(f"{args.docx}: error: the import stopped on a case it does not handle "
              f"({type(exc).__name__}: {exc}); please report it with the file",
              file=sys.stderr)
        return 1
    for line in imported.report.lines(str(imported.folder)):
        print(line)
    print(f"{args.docx} -> {imported.folder}/: " + "; ".join(imported.report.summary[2:]),
          file=sys.stderr)
    return 0


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


def issue_argument(arguments: list[Path]) -> tuple[str, Path] | None:
    """("issue", folder) or ("archive", folder) when the command names an issue folder or
    a folder of issue folders; None for manuscripts."""
    kinds = []
    for argument in arguments:
        if not argument.is_dir():
            kinds.append(None)
        elif (argument / ISSUE_FILE).is_file():
            kinds.append("issue")
        elif not (argument / "article.md").is_file() and any(
                (child / ISSUE_FILE).is_file() for child in argument.iterdir()
                if child.is_dir()):
            kinds.append("archive")
        else:
            kinds.append(None)
    if not any(kinds):
        return None
    if len(arguments) > 1:
        raise UsageError("an issue (or a folder of issues) is built on its own: give "
                         "one folder")
    if kinds[0] == "archive" and any((child / "article.md").is_file()
                                     for child in arguments[0].iterdir()):
        raise UsageError(f"{arguments[0]}: holds both issue folders and article folders")
    return kinds[0], arguments[0]


def output_folder(manuscript: Path, out: Path, several: bool) -> Path:
    return out / manuscript.resolve().parent.name if several else out


def run() -> None:
    """The command line (build.py, the `typeset` script): `main`, then the process ends.

    Once the outputs are written and the messages flushed, the interpreter's own teardown
    has nothing left to do but free some 350 modules one by one: 0.1 to 0.2 s, a twentieth
    of a cold build, which the process skips. It exits the ordinary way, with every exit
    handler run, while anything else still runs in it or under it (a thread, a child
    process, a Dask client).
    """
    collect_garbage_less_often()
    status = main()
    processes = sys.modules.get("multiprocessing")
    if threading.active_count() == 1 and "distributed" not in sys.modules and not (
            processes and processes.active_children()):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


# Python's cyclic garbage collector looks at the youngest objects every 700 allocations
# by default. A build makes millions of objects and few garbage cycles; looked at every
# 10,000 allocations instead, a cold build of the sample spends 0.02 s collecting in
# WeasyPrint's process instead of 0.05 s (the PDF's layout and writing), and the 195-page
# article is built 4 % faster for 9 MB more at its peak (docs/performance.md).
COLLECT_YOUNGEST_EVERY = 10_000


def collect_garbage_less_often() -> None:
    """For the command line's process, and the processes it forks."""
    import gc

    gc.set_threshold(COLLECT_YOUNGEST_EVERY, *gc.get_threshold()[1:])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and (mistyped := _mistyped_command(argv[0])):
        print(f"build.py: error: unknown command '{argv[0]}'; did you mean '{mistyped}'?",
              file=sys.stderr)
        return 2
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "build")
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and 2
    # TYPESET_DEBUG=1 shows the traceback of an internal error (reported as one line).
    logging.basicConfig(level=logging.DEBUG if os.environ.get("TYPESET_DEBUG")
                        else logging.ERROR, format="%(message)s")
    # WeasyPrint's own messages reach the user through the build, located and worded as
    # warnings (pdf.py collects them), never raw.
    logging.getLogger("weasyprint").propagate = False
    if args.command == "serve":
        return _serve(args)
    if args.command == "import":
        return _import(args)
    try:
        formats = _formats(getattr(args, "to", ",".join(FORMATS)))
        if getattr(args, "jobs", 1) < 1:
            raise UsageError("--jobs: give a number from 1")
        for option in ("timeout", "memory"):
            if (getattr(args, option, None) or 0) < 0:
                raise UsageError(f"--{option}: give a number from 0 (0: no limit)")
        issue = issue_argument(args.manuscripts)
        if issue and set(formats) != set(FORMATS):
            raise UsageError("--to: an issue is built whole (its PDF joins the articles' "
                             "PDFs, its page links every output)")
        manuscripts = [] if issue else find_manuscripts(args.manuscripts)
        cluster = _cluster_options(args) if args.command == "build" else None
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    try:
        if issue:
            from typeset.issue.command import run_issue_command

            return run_issue_command(args.command, *issue, args, cluster)
        if args.command == "check":
            return _check(manuscripts, args.strict, _limits(args))
        return _build(manuscripts, formats, args, cluster)
    except KeyboardInterrupt:
        print(("\n" if sys.stderr.isatty() else "") + "build.py: interrupted; every "
              "output folder holds its previous outputs or the new ones, complete",
              file=sys.stderr)
        return 130


def _cluster_options(args: argparse.Namespace):
    """The --cluster options, checked; None without --cluster."""
    if args.cluster is None:
        if args.worker_articles is not None or args.worker_memory is not None:
            raise UsageError("--worker-articles and --worker-memory go with --cluster")
        return None
    try:
        from dask.utils import parse_bytes

        from typeset.run.cluster import ClusterOptions
    except ImportError:
        raise UsageError("--cluster needs Dask, an optional dependency: pip install -e "
                         "'.[cluster]'") from None
    address = args.cluster.strip()
    if address != "local" and "://" not in address:
        address = "tcp://" + address  # host:port, as `dask worker` takes it
    options = ClusterOptions(address)
    if args.worker_articles is not None:
        if args.worker_articles < 1:
            raise UsageError("--worker-articles: give a number from 1")
        options = dataclasses.replace(options, max_articles=args.worker_articles)
    if args.worker_memory is not None:
        try:
            size = parse_bytes(args.worker_memory)
        except ValueError:
            size = 0
        if size <= 0:
            raise UsageError(f"--worker-memory: '{args.worker_memory}' is no size (give "
                             "one like 800MB or 2GiB)")
        options = dataclasses.replace(options, max_memory=size)
    return options


def _build(manuscripts: list[Path], formats: list[str], args: argparse.Namespace,
           cluster=None) -> int:
    from typeset.render.pdf.process import pdf_process_if, worth_a_process

    # One article: its PDF is laid out on the second core, in a process forked now, before
    # the pipeline is imported, so that WeasyPrint's import starts at once (left unused,
    # and stopped, when the article is up to date).
    with pdf_process_if(len(manuscripts) == 1 and "pdf" in formats and cluster is None
                        and worth_a_process(manuscripts[0])) as pdf_process:
        return _build_with(manuscripts, formats, args, cluster, pdf_process)


def _build_with(manuscripts: list[Path], formats: list[str], args: argparse.Namespace,
                cluster, pdf_process) -> int:
    from typeset.run.batch import build_many
    from typeset.run.write import check_output_folder

    interactive = sys.stderr.isatty()
    several = len(manuscripts) > 1
    plan = [(m, output_folder(m, args.out, several)) for m in manuscripts]
    try:  # before any work: a folder we may not write into is a mistake on the command line
        for out_dir in dict.fromkeys(out_dir for _, out_dir in plan):
            check_output_folder(out_dir)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    try:
        outcomes = build_many(plan, formats, jobs=args.jobs, strict=args.strict,
                              use_cache=not args.no_cache, progress=interactive,
                              limits=_limits(args), cluster=cluster,
                              pdf_process=pdf_process)
    except UsageError as exc:  # the cluster cannot be used: nothing was sent
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        _report(outcome.warnings)
        if not outcome.ok:
            _report(outcome.problems)
        elif interactive or not several:
            # Where the files went, and whether anything was done: an editor building one
            # article wants to know; a batch in a log ends with its count instead.
            done = ("up to date, nothing rebuilt" if outcome.cached else
                    f"built in {outcome.seconds:.1f} s")
            print(f"{outcome.manuscript} -> {outcome.out_dir}/: {done}", file=sys.stderr)
    _report_notes([note for outcome in outcomes for note in outcome.notes])
    failed = sum(not outcome.ok for outcome in outcomes)
    if several:  # a batch ends with its count, on a terminal or in a log
        unchanged = sum(outcome.cached for outcome in outcomes)
        print(f"{len(outcomes) - failed - unchanged} built, {failed} failed, {unchanged} "
              "unchanged", file=sys.stderr)
    return 1 if failed else 0


def _limits(args: argparse.Namespace):
    from typeset.run.batch import Limits

    return Limits(seconds=args.timeout, megabytes=args.memory)


def _check(manuscripts: list[Path], strict: bool, limits) -> int:
    from typeset.run.batch import problems_of
    from typeset.run.builder import Builder

    builder = Builder(strict=strict, time_budget=limits.seconds,
                      memory_limit=limits.megabytes)
    failed = 0
    notes: list[Problem] = []
    for manuscript in manuscripts:
        try:
            result = builder.check(manuscript)
        except Exception as exc:  # reported as located problems, or as a bug of ours
            failed += 1
            _report(problems_of(exc, manuscript))
            continue
        _report(result.warnings)
        notes += result.notes
        print(f"{manuscript}: {check_passed(len(result.warnings))}", file=sys.stderr)
    _report_notes(notes)
    return 1 if failed else 0


def _serve(args: argparse.Namespace) -> int:
    try:
        manuscripts = find_manuscripts([args.manuscript] if args.manuscript else [])
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    if len(manuscripts) != 1:
        print("build.py: error: serve previews one manuscript: give its .md file",
              file=sys.stderr)
        return 2
    from typeset.preview.server import serve

    return serve(manuscripts[0], host=args.host, port=args.port, pdf=args.pdf)


def _formats(value: str) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"--to: unknown output {', '.join(unknown) or '(none)'}; choose "
                         f"among {', '.join(FORMATS)}")
    return formats


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _report_notes(notes: list[Problem]) -> None:
    """Facts of the setting (the journal profile), said once however many articles."""
    _report(list(dict.fromkeys(notes)))


def _mistyped_command(word: str) -> str | None:
    """The command `word` was probably meant to be, when it is no command, file or folder."""
    if word in COMMANDS or word.startswith("-") or Path(word).exists() or \
            word.lower().endswith(".md") or "/" in word or "\\" in word:
        return None
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None
