"""The Jinja2 environment: one per process, with autoescaping everywhere."""

from __future__ import annotations

from functools import cache

import jinja2

from typeset import paths as resources


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.TEMPLATES)),
        autoescape=True,  # every value from the front matter is escaped, in every output
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
