"""`build.py build|check ISSUE_FOLDER` and `build.py build FOLDER_OF_ISSUES`: what the
command line says while an issue is built, and its exit status (0 built or up to date, 1
a problem in the input, 2 a usage error)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from typeset.errors import ManuscriptError, TypesetError, UsageError, check_passed


def run_issue_command(command: str, kind: str, folder: Path, args: argparse.Namespace,
                      cluster=None) -> int:
    """`cluster` (run.cluster.ClusterOptions): lay the articles out on that cluster."""
    from typeset.issue.build import build_archive, build_issue, check_issue
    from typeset.run.write import check_output_folder

    interactive = sys.stderr.isatty()
    try:
        if command == "check":
            if kind == "archive":
                raise UsageError("check takes one issue folder")
            warnings, notes = check_issue(folder, jobs=args.jobs, strict=args.strict)
            _print_warnings([*warnings, *notes])
            print(f"{folder}: {check_passed(len(warnings))}", file=sys.stderr)
            return 0
        check_output_folder(args.out)  # before any work, as for articles (run/write.py)
        options = {"jobs": args.jobs, "strict": args.strict, "use_cache": not args.no_cache,
                   "progress": interactive}
        with _cluster_session(cluster, args.jobs) as session:
            if kind == "issue":
                _report(build_issue(folder, args.out, cluster=session, **options))
            else:
                archive = build_archive(folder, args.out, cluster=session,
                                        on_issue=_report, **options)
                _print_warnings(archive.notes)
                print(f"{folder} -> {args.out}/: archive of {len(archive.issues)} issues",
                      file=sys.stderr)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except ManuscriptError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except TypesetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _cluster_session(options, jobs: int):
    """A session of the cluster (`--cluster`), or nothing."""
    if options is None:
        return contextlib.nullcontext()
    from typeset.run.cluster import session

    return session(options, jobs)


def _report(result) -> None:
    """Where the issue went, on a terminal or not (a script's log needs the line too)."""
    _print_warnings([*result.warnings, *result.notes])
    if result.cached:
        done = "up to date"
    else:
        laid_out = ", ".join(result.laid_out) or "none"
        done = f"built in {result.seconds:.1f} s (articles laid out: {laid_out})"
    print(f"{result.folder} -> {result.out_dir}/: {done}", file=sys.stderr)


def _print_warnings(warnings) -> None:
    for warning in warnings:
        print(str(warning), file=sys.stderr)
