"""The import report: every decision the importer was not sure of, each at its line.

Items are collected while reading, anchored to what they concern (a front-matter field, a
block of the body, a BibTeX entry); their line numbers are known only once the files are
written, so `Report.resolve` turns anchors into lines at the end. The report is printed as
`path:line: message` lines (what editors' tools jump to) and written as IMPORT.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What the editor must do about an item, in the order the report lists them.
SEVERITIES = {
    "missing": "Missing: not in the Word file; `check` asks for it",
    "check": "To check: the importer was not sure",
    "note": "Done, for the record",
}
SECTIONS = ("front matter", "body", "citations", "references")


@dataclass
class Item:
    section: str  # one of SECTIONS
    severity: str  # one of SEVERITIES
    message: str
    anchor: tuple = ()  # ("yaml", path) | ("block", index, snippet) | ("bib", key)
    file: str = "article.md"
    line: int | None = None


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def add(self, section: str, severity: str, message: str, anchor: tuple = (),
            file: str = "article.md") -> Item:
        item = Item(section, severity, message, anchor, file)
        self.items.append(item)
        return item

    def ordered(self) -> list[Item]:
        order = list(SEVERITIES)
        return sorted(self.items, key=lambda i: (order.index(i.severity),
                                                 i.file != "article.md", i.file,
                                                 i.line or 0))

    def lines(self, folder: str) -> list[str]:
        """The report as `path:line: severity: message` lines."""
        out = []
        for item in self.ordered():
            where = f"{folder}/{item.file}" + (f":{item.line}" if item.line else "")
            out.append(f"{where}: {item.severity}: {item.message}")
        return out

    def markdown(self, source_name: str) -> str:
        out = [f"# Import report: {source_name}", ""]
        out += [f"- {line}" for line in self.summary]
        out.append("")
        if not self.items:
            out += ["Nothing to check.", ""]
        for severity, title in SEVERITIES.items():
            items = [i for i in self.ordered() if i.severity == severity]
            if not items:
                continue
            out += [f"## {title} ({len(items)})", ""]
            for item in items:
                where = item.file + (f":{item.line}" if item.line else "")
                out.append(f"- `{where}` ({item.section}): {item.message}")
            out.append("")
        return "\n".join(out)
