"""The front matter written as an editor writes it by hand: the sample's field order, flow
lists for short lists, titles quoted, abstracts as literal blocks; and the line of every
field, so that the report can point at it (and at where a missing field goes)."""

from __future__ import annotations

import json
import re

import yaml

# Top-level fields in the order of the sample manuscript.
ORDER = ("journal", "article-type", "lang", "title", "short-title", "authors", "affiliations",
         "history", "keywords", "abstract", "copyright", "bibliography", "funding",
         "conflict-of-interest", "ethics", "acknowledgements", "data-availability")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}:#&*!|>'\"%@`]|^[-?\s]|\s$")


def scalar(value, quote: bool = False) -> str:
    """A YAML scalar: plain where YAML reads it back as the same text, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not quote and text and _reads_back(text) and not re.search(r": |\s#|^[\[{&*!|>'\"%@`-]",
                                                                  text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def flow_list(items: list[str]) -> str | None:
    """[a, b, c] when every item is safe inside brackets and the line stays short."""
    if any(_FLOW_UNSAFE.search(i) or not _reads_back(i) for i in items):
        return None
    text = "[" + ", ".join(items) + "]"
    return text if len(text) <= 90 else None


class Writer:
    """Builds the YAML text line by line, remembering the line of each path."""

    def __init__(self, first_line: int = 2):
        self.lines: list[str] = []
        self.first_line = first_line  # the line after the opening ---
        self.where: dict[tuple, int] = {}

    def line_number(self) -> int:
        return self.first_line + len(self.lines)

    def put(self, path: tuple, text: str) -> None:
        self.where.setdefault(path, self.line_number())
        self.lines.append(text)

    def key(self, path: tuple, indent: int, name: str, value: str | None = None,
            list_item: bool = False) -> None:
        lead = " " * indent + ("- " if list_item else "")
        self.put(path, f"{lead}{name}:" + (f" {value}" if value is not None else ""))

    def lang_map(self, path: tuple, indent: int, values: dict[str, str], quote: bool = True
                 ) -> None:
        self.key(path, indent, path[-1])
        for lang, text in values.items():
            self.key((*path, lang), indent + 2, lang, scalar(text, quote))

    def literal(self, path: tuple, indent: int, name: str, text: str) -> None:
        """A literal block: `name: |` then the text, indented (Markdown paragraphs)."""
        self.key(path, indent, name, "|")
        for line in text.strip("\n").split("\n"):
            self.lines.append(" " * (indent + 2) + line if line.strip() else "")

    def list_or_flow(self, path: tuple, indent: int, name: str, items: list[str]) -> None:
        flow = flow_list(items)
        if flow is not None:
            self.key(path, indent, name, flow)
            return
        self.key(path, indent, name)
        for index, item in enumerate(items):
            self.put((*path, index), " " * (indent + 2) + "- " + scalar(item))


def front_matter_text(fields: dict) -> tuple[str, dict[tuple, int]]:
    """`fields`: the front matter as plain data (see word.py); returns the `---` block and
    the line of each path; a missing top-level field's path maps to the line where it goes."""
    writer = Writer()
    for name in ORDER:
        if name not in fields:
            writer.where[("missing", name)] = writer.line_number()
            continue
        value = fields[name]
        path = (name,)
        if name in ("title", "short-title"):
            writer.lang_map(path, 0, value)
        elif name == "authors":
            writer.key(path, 0, name)
            for index, author in enumerate(value):
                first = True
                for key, item in author.items():
                    item_path = (name, index, key)
                    if first:
                        writer.where[(name, index)] = writer.line_number()
                    lead = 2
                    text = _inline_value(key, item)
                    writer.put(item_path, " " * lead + ("- " if first else "  ")
                               + f"{key}: {text}")
                    first = False
        elif name == "affiliations":
            writer.key(path, 0, name)
            for index, affiliation in enumerate(value):
                writer.where[(name, index)] = writer.line_number()
                for position, (key, item) in enumerate(affiliation.items()):
                    writer.put((name, index, key), "  " + ("- " if position == 0 else "  ")
                               + f"{key}: {_inline_value(key, item)}")
        elif name in ("history", "copyright"):
            writer.key(path, 0, name)
            for key, item in value.items():
                # dates stay bare: YAML reads 2022-12-28 as a date, as the format wants
                writer.key((name, key), 2, key, item if name == "history" else scalar(item))
        elif name == "keywords":
            writer.key(path, 0, name)
            for lang, words in value.items():
                writer.list_or_flow((name, lang), 2, lang, words)
        elif name in ("abstract", "funding", "conflict-of-interest", "ethics",
                      "acknowledgements", "data-availability"):
            writer.key(path, 0, name)
            for lang, text in value.items():
                if "\n" in text.strip() or len(text) > 80 or name == "abstract":
                    writer.literal((name, lang), 2, lang, text)
                else:
                    writer.key((name, lang), 2, lang, scalar(text, quote=True))
        else:
            writer.key(path, 0, name, scalar(value))
    text = "---\n" + "\n".join(writer.lines) + "\n---\n"
    return text, writer.where


def _inline_value(key: str, value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {scalar(v, quote=True)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        flow = flow_list([str(v) for v in value])
        if flow is not None:
            return flow
        return "[" + ", ".join(scalar(str(v), quote=True) for v in value) + "]"
    return scalar(value)
