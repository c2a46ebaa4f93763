#!/usr/bin/env python3
"""Build the sample article, or any manuscript: see `python build.py --help`."""

from typeset.cli import run

if __name__ == "__main__":
    run()
