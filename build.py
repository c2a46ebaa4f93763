#!/usr/bin/env python3
"""Build the sample article, or any manuscript: see `python build.py --help`."""

import sys

from typeset.cli import main

if __name__ == "__main__":
    sys.exit(main())
