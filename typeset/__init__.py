"""Journal-article typesetting: Markdown + YAML + BibTeX to PDF, JATS XML and HTML."""

__version__ = "0.1.0"
