"""`import_docx`: an author's Word file to a manuscript folder, read top to bottom."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from typeset import i18n
from typeset.errors import StageTimeout, UsageError
from typeset.importers import bibtex, markdown
from typeset.importers import body as body_module
from typeset.importers.citations import Entry, Found, Linker
from typeset.importers.frontmatter import Front, read_front
from typeset.importers.inlines import block_text, marked
from typeset.importers.language import detect
from typeset.importers.layout import Layout, heading_of, split
from typeset.importers.package import UnreadableDocument, open_docx
from typeset.importers.references import Reference, parse_reference
from typeset.importers.report import Report
from typeset.importers.yamlwriter import front_matter_text
from typeset.read.journal import find_journal
from typeset.read.pandoc import pandoc_path

PANDOC_TIMEOUT = 120
OUTPUTS = ("article.md", "references.bib", "IMPORT.md")


@dataclass
class Imported:
    folder: Path
    report: Report
    references: list[tuple[str, Reference]]
    citations: list[Found]
    front: Front


def default_folder(docx: Path) -> Path:
    return docx.parent / docx.stem


def import_docx(docx: Path, out: Path | None = None, journal_id: str = "pesa",
                force: bool = False) -> Imported:
    journal = find_journal(journal_id)
    if journal is None:
        raise UsageError(f"--journal: no journal profile '{journal_id}' (expected "
                         f"styles/{journal_id}/journal.yaml)")
    folder = out if out is not None else default_folder(docx)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if (folder / "article.md").exists() and not force:
        raise UsageError(f"{folder / 'article.md'} exists: give --force to replace it, or "
                         "--out for another folder")
    package = open_docx(docx)
    if not package.has_text:
        raise UnreadableDocument(docx, "the document is empty (no text)")
    report = Report()
    with tempfile.TemporaryDirectory(prefix="typeset-import-") as scratch:
        media = Path(scratch)
        ast = _pandoc(docx, media)
        result = _convert(ast, docx, journal, package.text_width_emu, media, report)
        _write(folder, result, force)
    return Imported(folder, report, result["references"], result["citations"],
                    result["front"])


def _pandoc(docx: Path, media: Path) -> dict:
    try:
        run = subprocess.run([pandoc_path(), "--from", "docx", "--to", "json",
                              f"--extract-media={media}", str(docx.resolve())],
                             capture_output=True, text=True, timeout=PANDOC_TIMEOUT,
                             cwd=media, check=False)
    except subprocess.TimeoutExpired:
        raise StageTimeout(f"{docx}: reading the Word file took more than {PANDOC_TIMEOUT} s "
                           "and was stopped") from None
    if run.returncode != 0:
        detail = (run.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise UnreadableDocument(docx, f"Pandoc cannot read this Word file: {detail}",
                                 "ask the author to open it in Word and save it again")
    return json.loads(run.stdout)


def _convert(ast: dict, docx: Path, journal, text_width: int | None, media: Path,
             report: Report) -> dict:
    layout = split(ast)
    body_text = " ".join(block_text(b) for b in layout.body if heading_of(b) is None)
    acronyms = frozenset(w for w in re.findall(r"\b[A-ZÇĞİÖŞÜ]{2,8}\b", body_text))
    lang = detect(body_text) or journal.languages[0]
    if not detect(body_text):
        report.add("front matter", "check", f"the language of the body is not clear from its "
                                            f"words: lang set to {lang}", ("yaml", ("lang",)))
    languages = tuple(dict.fromkeys((lang, *journal.languages)))
    front = read_front(layout, languages, acronyms, report)
    front_article_type = front.article_type

    references = _references(layout, lang, report)
    reader = body_module.BodyReader(lang, acronyms, report, media, text_width)
    body = reader.read(layout.body, layout.appendix)

    entries = [Entry(key, ref) for key, ref in references]
    linker = Linker(entries)
    linker.link_blocks(body.blocks + body.appendix)
    for blocks in [*front.abstracts.values(),
                   *(b for by_lang in front.statements.values() for b in by_lang.values())]:
        linker.link_blocks(blocks)
    _report_citations(linker, references, report)
    reader.cross_references(body.blocks + body.appendix)

    sections = [body.blocks, body.appendix]
    named: list[tuple[str, str]] = []
    for lang_code, blocks in front.abstracts.items():
        sections.append(blocks)
        named.append(("abstract", lang_code))
    for kind, by_lang in front.statements.items():
        for lang_code, blocks in by_lang.items():
            sections.append(blocks)
            named.append((kind, lang_code))
    written = markdown.write(sections, ast.get("pandoc-api-version", markdown.API_VERSION))

    fields = _fields(front, front_article_type, journal.id, lang, languages, bool(references),
                     {name: written[2 + n].text for n, name in enumerate(named)})
    yaml_text, yaml_lines = front_matter_text(fields)
    body_md = written[0].text
    if written[1].text:
        body_md += "\n" + written[1].text
    article = yaml_text + "\n" + body_md
    offset = yaml_text.count("\n") + 1  # the blank line after the front matter
    block_lines = {}
    for index, block in enumerate(body.blocks):
        start, end = written[0].blocks[index]
        block_lines[id(block)] = (start + offset, end + offset)
    appendix_offset = offset + written[0].text.count("\n") + 1
    for index, block in enumerate(body.appendix):
        start, end = written[1].blocks[index]
        block_lines[id(block)] = (start + appendix_offset, end + appendix_offset)
    # a block of an abstract or statement: the line of its field
    for n, (kind, lang_code) in enumerate(named):
        line = yaml_lines.get((kind, lang_code))
        for block in sections[2 + n]:
            block_lines[id(block)] = (line, line)

    proper = _proper_nouns(body_text)
    header = (f"References of {docx.name}, imported by `build.py import` on "
              f"{dt.date.today().isoformat()}; see IMPORT.md for what to check.")
    bib_text, bib_lines = bibtex.write_bib(references, proper, header)
    _resolve(report, yaml_lines, block_lines, article.splitlines(), bib_lines)
    report.summary = _summary(docx, front, references, linker.found, report)
    return {"article": article, "bib": bib_text if references else "",
            "report_md": report.markdown(docx.name), "figures": body.figures,
            "references": references, "citations": linker.found, "front": front}


def _references(layout: Layout, lang: str, report: Report) -> list[tuple[str, Reference]]:
    taken: set[str] = set()
    out = []
    for block in layout.references:
        ref = parse_reference(marked(block["c"]))
        key = bibtex.key_for(ref, taken)
        out.append((key, ref))
        for message in ref.notes:
            report.add("references", "check", message, ("bib", key), "references.bib")
        found = re.search(r"/((?:19|20)\d{2}-\d{2}-\d{2})/", ref.url) if ref.url else None
        if ref.date and found and found[1] != ref.date:
            report.add("references", "check", f"the list dates the piece {ref.date}, its web "
                                              f"address {found[1]}: check the date",
                       ("bib", key), "references.bib")
    if not layout.references:
        report.add("references", "check", "no reference list found (no \"Kaynakça\" or "
                                          "\"References\" heading)", ("yaml", ("bibliography",)))
        return out
    families = [ref.first_family for _, ref in out]
    for position in range(1, len(families)):
        if i18n.sort_key(families[position], lang) < i18n.sort_key(families[position - 1],
                                                                      lang):
            key = out[position][0]
            report.add("references", "note", f"the list is not in alphabetical order here "
                                             f"({families[position - 1]} before "
                                             f"{families[position]}); the style sorts it",
                       ("bib", key), "references.bib")
    return out


def _report_citations(linker: Linker, references: list[tuple[str, Reference]],
                      report: Report) -> None:
    by_key = dict(references)
    cited = Counter()
    for found in linker.found:
        snippet = found.families[0] if found.families else ""
        anchor = ("node", found.block, snippet)
        if found.status == "linked":
            cited[found.key] += 1
            _check_locator(found, by_key[found.key], report, anchor)
            continue
        who = " & ".join(found.families) + (" et al." if found.et_al else "")
        typed = found.text if found.text.count(";") == 0 else f"{found.text} [{who}, {found.year}]"
        if found.status == "near-miss":
            report.add("citations", "check", f"{typed}: a near miss of [@{found.key}] "
                                             f"({found.reason}); left as written",
                       anchor)
        elif found.status == "ambiguous" or found.status == "left":
            report.add("citations", "check", f"{typed}: {found.reason}; left as written",
                       anchor)
        else:
            report.add("citations", "check", f"{typed}: {found.reason}; left as written",
                       anchor)
    near = {f.key for f in linker.found if f.status == "near-miss"}
    for key, ref in references:
        if cited[key] == 0:
            extra = " (a near miss in the text may mean it: see above)" if key in near else ""
            report.add("references", "check", f"{ref.first_family or key} "
                                              f"({ref.year or 'no year'}) is never cited"
                                              f"{extra}; cite it or list it under nocite",
                       ("bib", key), "references.bib")


def _check_locator(found: Found, ref: Reference, report: Report, anchor: tuple) -> None:
    if not found.locator or ref.kind not in ("article", "incollection") or "--" not in ref.pages:
        return
    numbers = re.findall(r"\d+", found.locator)
    first, last = (int(p) for p in ref.pages.split("--")[:2]) if all(
        p.isdigit() for p in ref.pages.split("--")[:2]) else (None, None)
    if first is None or not numbers:
        return
    cited = [int(n) for n in numbers]
    if cited == [first, last]:
        report.add("citations", "note", f"{found.text}: the locator {found.locator} is the "
                                        "whole page range of the work; it could be left out",
                   anchor)
    elif any(not first <= n <= last for n in cited):
        report.add("citations", "check", f"{found.text}: the locator {found.locator} lies "
                                         f"outside the work's pages ({first}-{last}); kept "
                                         "as written", anchor)


def _fields(front: Front, article_type: str | None, journal_id: str, lang: str,
            languages: tuple[str, ...], has_references: bool, texts: dict) -> dict:
    fields: dict = {"journal": journal_id}
    if article_type:
        fields["article-type"] = article_type
    fields["lang"] = lang
    if front.titles:
        fields["title"] = {code: front.titles[code] for code in languages
                           if code in front.titles}
    if front.authors:
        authors = []
        for person in front.authors:
            item: dict = {"given-names": person.given, "surname": person.surname}
            if person.position:
                item["position"] = person.position
            if person.affiliations:
                item["affiliations"] = person.affiliations
            if person.email:
                item["email"] = person.email
            if person.orcid:
                item["orcid"] = person.orcid
            if person.corresponding:
                item["corresponding"] = True
            authors.append(item)
        fields["authors"] = authors
    if front.affiliations:
        fields["affiliations"] = []
        for affiliation in front.affiliations:
            item = {"id": affiliation.id, "institution": affiliation.institution}
            if affiliation.departments:
                item["department"] = (affiliation.departments if len(affiliation.departments) > 1
                                      else affiliation.departments[0])
            if affiliation.city:
                item["city"] = affiliation.city
            if affiliation.country:
                item["country"] = affiliation.country
            fields["affiliations"].append(item)
    history = {k: front.history[k] for k in ("received", "revised", "accepted", "published")
               if k in front.history}
    if history:
        fields["history"] = {k: v.isoformat() for k, v in history.items()}
    if front.keywords:
        fields["keywords"] = {code: front.keywords[code] for code in languages
                              if code in front.keywords}
    abstracts = {code: texts[("abstract", code)] for code in languages
                 if ("abstract", code) in texts and texts[("abstract", code)].strip()}
    if abstracts:
        fields["abstract"] = abstracts
    if front.copyright_holder:
        fields["copyright"] = {"holder": front.copyright_holder}
        if front.copyright_year:
            fields["copyright"]["year"] = front.copyright_year
    if has_references:
        fields["bibliography"] = "references.bib"
    for kind in front.statements:
        values = {code: texts[(kind, code)].strip() for code in languages
                  if (kind, code) in texts and texts[(kind, code)].strip()}
        if values:
            fields[kind] = values
    return fields


def _proper_nouns(text: str) -> set[str]:
    """Words the running text capitalises mid-sentence: proper nouns (Syria, Moscow)."""
    found = set()
    for match in re.finditer(r"(?<![.!?:]\s)(?<!^)\b([A-ZÇĞİÖŞÜ][a-zçğıöşü]+)\b", text):
        start = match.start()
        before = text[max(0, start - 2):start]
        if before.strip() and before.strip()[-1] in ".!?:\"“(":
            continue
        found.add(match[1])
    return found


def _resolve(report: Report, yaml_lines: dict, block_lines: dict, lines: list[str],
             bib_lines: dict) -> None:
    for item in report.items:
        kind = item.anchor[0] if item.anchor else ""
        if kind == "yaml":
            path = tuple(item.anchor[1])
            line = None
            for size in range(len(path), 0, -1):
                line = yaml_lines.get(path[:size])
                if line:
                    break
            if line is None and path:
                line = yaml_lines.get(("missing", path[0]))
            item.line = line or 1
        elif kind == "node":
            span = block_lines.get(item.anchor[1])
            if span is None or span[0] is None:
                continue
            start, end = span
            item.line = start
            snippet = item.anchor[2] if len(item.anchor) > 2 else ""
            if snippet:
                for number in range(start, min(end, len(lines)) + 1):
                    if snippet in lines[number - 1]:
                        item.line = number
                        break
        elif kind == "bib":
            item.line = bib_lines.get(item.anchor[1])


def _summary(docx: Path, front: Front, references: list, found: list[Found],
             report: Report) -> list[str]:
    linked = sum(1 for f in found if f.status == "linked")
    severities = [item.severity for item in report.items]  # as IMPORT.md counts them
    return [
        f"source: {docx.name}",
        "front matter: " + ", ".join(_count(n, what) for n, what in (
            (len(front.titles), "title"), (len(front.authors), "author"),
            (len(front.affiliations), "affiliation"), (len(front.abstracts), "abstract"),
            (len(front.keywords), "keyword list"), (len(front.history), "date"),
            (len(front.statements), "statement"))),
        f"references: {len(references)} entries",
        f"citations: {len(found)} found, {linked} linked, {len(found) - linked} left as "
        "written",
        f"missing: {_count(severities.count('missing'), 'field')}; "
        f"to check: {_count(severities.count('check'), 'item')}",
    ]


def _count(number: int, what: str) -> str:
    return f"{number} {what}" + ("" if number == 1 else "s")


def _write(folder: Path, result: dict, force: bool) -> None:
    """Everything into a scratch folder first, then moved in: no half-written output."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=folder.parent))
    try:
        (scratch / "article.md").write_text(result["article"], encoding="utf-8")
        if result["bib"]:
            (scratch / "references.bib").write_text(result["bib"], encoding="utf-8")
        (scratch / "IMPORT.md").write_text(result["report_md"], encoding="utf-8")
        body_module.copy_figures(result["figures"], scratch)
        folder.mkdir(exist_ok=True)
        for item in sorted(scratch.rglob("*")):
            if item.is_file():
                target = folder / item.relative_to(scratch)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
