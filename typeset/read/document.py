"""From Pandoc's AST to the article's `Document`: checked, numbered and cross-referenced.

Here the body is checked for what Pandoc accepts but we refuse (raw HTML or LaTeX, unknown
citation keys, unknown cross-reference labels), headings are numbered the way the style
wants (1., 1.1., ...), and the abstracts, statements, reference list and the article's own
"Cite as" entry are taken out of the AST.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from pathlib import Path

from typeset import i18n, mathtex
from typeset.errors import ManuscriptError, Problem, shown, warning
from typeset.model.article import (
    STATEMENT_KINDS,
    Article,
    Document,
    Journal,
    LangMap,
    Metadata,
    Reference,
    Section,
    fill_page_numbers,
)
from typeset.model.ast import attr_of, stringify, table_cell_blocks, walk
from typeset.model.reference import ReferenceRecord
from typeset.read.citation_forms import typed_citations
from typeset.read.pandoc import DIV_PREFIX, SELF_KEY
from typeset.read.resources import check_images, check_links
from typeset.read.source import Source, display_path, position_of

XREF_CLASS = "typeset-xref"
XREF_PREFIXES = ("fig:", "tbl:", "eq:", "sec:")
HTML_COMMENT = re.compile(r"^\s*<!--.*-->\s*$", re.S)


def build_document(ast: dict, source: Source, metadata: Metadata, journal: Journal,
                   records: dict[str, ReferenceRecord],
                   warnings: list[Problem] | None = None) -> Document:
    """`records`: the bibliography's entries by key (empty without a bibliography);
    `warnings` receives what is worth an editor's look but does not stop the build."""
    problems: list[Problem] = []
    warnings = warnings if warnings is not None else []
    blocks = ast["blocks"]  # fresh from Pandoc's JSON: ours to change in place
    body, meta_divs, references, cite_as = _split(blocks, records)
    if i18n.base(metadata.lang) == "tr":
        references.sort(key=lambda ref: i18n.turkish_sort_key(stringify(ref.inlines)))
    else:
        references = [untitled_turkish_in(ref) for ref in references]
    body = label_equations(drop_comments(body))
    # Every element, listed once (in document order) for all the checks below: walking
    # the tree once per check cost a fifth of a preview rebuild.
    body_nodes = list(walk(body))
    meta_nodes = {ident: list(walk(div)) for ident, div in meta_divs.items()}
    everything = body_nodes + [node for nodes in meta_nodes.values() for node in nodes]

    check_raw(body_nodes, source, problems)
    for ident, nodes in meta_nodes.items():
        kind, _, lang = ident.removeprefix(DIV_PREFIX).rpartition("-")
        check_raw(nodes, source, problems, field=f"{kind}.{lang}")
    drop_inline_comments(everything)
    images = check_images(everything, source, problems)
    check_links(everything, source, problems)
    check_citations(everything, source, set(records), problems)
    check_math(everything, source, problems)
    check_footnote_calls(everything, source, problems)
    warn_typed_citations(everything, source, warnings)
    warn_uncited_entries(everything, source, metadata, records, warnings)
    sections = number_headings(body)
    labels = number_floats(body_nodes, source, problems, warnings)
    labels.update(section_labels(sections, source, problems))
    resolve_cross_references(everything, labels, source, metadata, journal, problems)
    if i18n.base(metadata.lang) == "tr":
        harmonize_suffixes([body, *meta_divs.values()])
    if problems:
        raise ManuscriptError(problems)

    def per_lang(kind: str) -> LangMap:
        prefix = f"{DIV_PREFIX}{kind}-"
        return LangMap(tuple((ident[len(prefix):], tuple(div))
                             for ident, div in meta_divs.items() if ident.startswith(prefix)))

    statements = tuple((kind, per_lang(kind)) for kind in STATEMENT_KINDS
                       if per_lang(kind))
    main, appendices = split_appendices(body)
    return Document(blocks=tuple(main), abstracts=per_lang("abstract"), statements=statements,
                    references=tuple(references), sections=tuple(sections), cite_as=cite_as,
                    appendices=tuple(appendices), files=tuple(images), file_data=images)


def untitled_turkish_in(reference: Reference) -> Reference:
    """Citeproc capitalises the style's own words with the cited work's language rules: in
    an English article, the term "In" before a Turkish book (`langid = {turkish}`) came out
    "İn". The word "İn" alone is that mistake (a Turkish title's words stay as written)."""
    inlines = reference.inlines
    if not any(node.get("t") == "Str" and node.get("c") == "İn" for node in inlines):
        return reference
    fixed = tuple({"t": "Str", "c": "In"} if node.get("t") == "Str" and node.get("c") == "İn"
                  else node for node in inlines)
    return dataclasses.replace(reference, inlines=fixed)


def _split(blocks: list, records: dict[str, ReferenceRecord]
           ) -> tuple[list, dict[str, list], list[Reference], tuple]:
    body, meta_divs, references, cite_as = [], {}, [], ()
    for block in blocks:
        ident = attr_of(block)[0] if block["t"] == "Div" else ""
        if ident.startswith(DIV_PREFIX):
            meta_divs[ident] = block["c"][1]
        elif ident == "refs":
            for entry in block["c"][1]:
                entry_id = attr_of(entry)[0]
                key = entry_id.removeprefix("ref-")
                inlines = tuple(i for b in entry["c"][1] for i in b["c"])
                if key == SELF_KEY:
                    cite_as = inlines
                else:
                    references.append(Reference(key, entry_id, inlines, records.get(key)))
        else:
            body.append(block)
    return body, meta_divs, references, cite_as


def _locate(source: Source, needle: str) -> tuple[int | None, int | None]:
    return source.find(needle)


def _locate_table(source: Source, first_cell: str) -> tuple[int | None, int | None]:
    """The line of a table row holding its first cell's text (a pipe or grid table's row
    starts with | ), else where that text first stands in the body."""
    words = first_cell.split()[:3]
    for number, line in enumerate(source.text.splitlines()[source.body_first_line - 1:],
                                  source.body_first_line):
        if line.lstrip().startswith("|") and all(word in line for word in words):
            return number, line.index("|") + 1
    return _locate(source, " ".join(words))


def _locate_key(source: Source, key: str) -> tuple[int | None, int | None]:
    """Where `@key` is written as a whole key, not as the start of a longer one: a typo
    "@tbl:katilimci" is found on its own line, not inside "@tbl:katilimcilar" above it.
    (Pandoc's keys may hold : . # $ % & - + ? < > ~ / before a letter or digit.)"""
    pattern = re.compile(rf"@{re.escape(key)}(?![\w]|[:.#$%&\-+?<>~/]\w)")
    for start in (source.body_first_line, 1):
        offset = _line_offset(source.text, start)
        match = pattern.search(source.text, offset)
        if match:
            return position_of(source.text, match.start())
    return _locate(source, "@" + key)


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


# The checks below take `nodes`: every element, as `walk` lists them.

def check_raw(nodes: list, source: Source, problems: list[Problem], field: str = "") -> None:
    """Raw HTML or LaTeX in the body, or in the Markdown of a front-matter `field`."""
    for node in nodes:
        if node["t"] not in ("RawBlock", "RawInline"):
            continue
        fmt, text = node["c"]
        if fmt == "html" and HTML_COMMENT.match(text):
            continue
        first_line = text.strip().splitlines()[0] if text.strip() else text
        line, column = _locate(source, first_line)
        tag = re.match(r"</?[A-Za-z][\w-]*", first_line)
        if line is None and tag:
            # Pandoc rewrites raw HTML blocks (quotes, spacing): look for the tag itself.
            line, column = _locate(source, tag.group(0))
        kind = "LaTeX" if fmt in ("tex", "latex") else fmt.upper()
        where = "" if field else " in the body"
        problems.append(Problem(
            source.name, line, column,
            f"raw {kind} is not allowed{where}: {shown(text.strip(), 40)}", field,
            hint="write it in Markdown; raw markup would reach only some outputs"))


def drop_comments(blocks: list) -> list:
    """HTML comments are notes to the editor: they print nowhere (blocks here, inline
    ones in `drop_inline_comments`)."""
    return [block for block in blocks
            if not (block["t"] == "RawBlock" and HTML_COMMENT.match(block["c"][1]))]


def drop_inline_comments(nodes: list) -> None:
    for node in nodes:
        if node["t"] in ("Para", "Plain") and isinstance(node["c"], list):
            node["c"] = [i for i in node["c"] if not (
                i["t"] == "RawInline" and HTML_COMMENT.match(i["c"][1]))]


def check_citations(nodes: list, source: Source, keys: set[str],
                    problems: list[Problem]) -> None:
    reported = set()
    for node in nodes:
        if node["t"] != "Cite":
            continue
        for citation in node["c"][0]:
            key = citation["citationId"]
            if key.startswith(XREF_PREFIXES):
                line, column = _locate_key(source, key)
                if citation["citationMode"]["t"] == "AuthorInText":
                    # "@eq:b [@doe2020]": Pandoc reads a bracket right after an in-text
                    # citation as that citation's own.
                    message = (f"the cross-reference @{key} is followed by a citation in "
                               "brackets, which Pandoc reads as part of it")
                    hint = "put a word or a comma between them"
                else:
                    message = f"the cross-reference @{key} stands in one bracket with citations"
                    hint = "write cross-references and citations in separate brackets"
                problems.append(Problem(source.name, line, column, message, hint=hint))
            elif key not in keys and key != SELF_KEY and key not in reported:
                reported.add(key)
                line, column = _locate_key(source, key)
                problems.append(Problem(
                    source.name, line, column,
                    f"the citation key '{key}' is not in the bibliography",
                    hint=_close_key_hint(key, keys)))


def _close_key_hint(key: str, keys: set[str]) -> str:
    if not keys:
        return "the front matter names no bibliography: add e.g. 'bibliography: references.bib'"
    close = difflib.get_close_matches(key, sorted(keys), n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def check_math(nodes: list, source: Source, problems: list[Problem]) -> None:
    for node in nodes:
        if node["t"] == "Math":
            error = mathtex.check(node["c"][1])
            if error:
                line, column = _locate(source, node["c"][1].strip().split("\n")[0])
                problems.append(Problem(source.name, line, column, f"math: {error}",
                                        hint="check the LaTeX between the dollar signs"))


def warn_typed_citations(nodes: list, source: Source, warnings: list[Problem]) -> None:
    """Text typed as a citation ("(Rabi & Freidman 2017, p. 12)") prints as it stands,
    links to nothing, and its work may be missing from the references."""
    seen = set()
    for node in nodes:
        if node["t"] not in ("Para", "Plain"):
            continue
        text = stringify([inline for inline in node["c"] if inline["t"] != "Cite"])
        # Pandoc's "smart" reading put a no-break space after "p.": as typed, a space.
        for typed in typed_citations(text.replace("\u00a0", " ")):
            if typed in seen:
                continue
            seen.add(typed)
            line, column = _locate(source, typed)
            warnings.append(warning(
                "typed-citation", source.name, line, column,
                f"{shown(typed)} reads as a citation typed as text: it links to no "
                "reference", hint="write it with the entry's key, e.g. [@key, p. 12]"))


UNCITED_SAID_ONE_BY_ONE = 10  # more uncited entries than this are counted in one warning


def warn_uncited_entries(nodes: list, source: Source, metadata: Metadata,
                         records: dict[str, ReferenceRecord],
                         warnings: list[Problem]) -> None:
    """An entry that nothing cites is left out of the references by the citation style."""
    if not records or "*" in metadata.nocite:
        return
    cited = set(metadata.nocite)
    for node in nodes:
        if node["t"] == "Cite":
            cited.update(citation["citationId"] for citation in node["c"][0])
    bib = display_path(Path(source.path).parent / (metadata.bibliography or ""))
    uncited = [(key, record) for key, record in records.items() if key not in cited]
    if len(uncited) > UNCITED_SAID_ONE_BY_ONE:
        # A shared bibliography, most of it for other articles: one line, not thousands.
        key, record = uncited[0]
        shown_keys = ", ".join(k for k, _ in uncited[:3])
        warnings.append(warning(
            "uncited-entry", bib, record.line, 1 if record.line else None,
            f"{len(uncited)} of its {len(records)} entries are never cited ({shown_keys}, "
            "...): they are left out of the references",
            hint="cite them, list them under 'nocite:' ('@*' for all), or keep the "
                 "article's own entries in a file of its own"))
        return
    for key, record in uncited:
        warnings.append(warning(
            "uncited-entry", bib, record.line, 1 if record.line else None,
            f"the entry '{key}' is never cited: it is left out of the references",
            f"@{record.entry_type}{{{key}}}",
            "cite it, list it under 'nocite:' in the front matter, or delete it"))


# A footnote call Pandoc could not match with a note stays in the text as "[^key]".
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


def check_footnote_calls(nodes: list, source: Source, problems: list[Problem]) -> None:
    reported = set()
    for node in nodes:
        if node["t"] != "Str" or "[^" not in node["c"]:
            continue
        for match in UNDEFINED_NOTE.finditer(node["c"]):
            call = match.group(0)
            if call in reported:
                continue
            reported.add(call)
            line, column = _locate(source, call)
            problems.append(Problem(
                source.name, line, column, f"the footnote {call} has no text",
                hint=f"write its text on a line of its own, '{call}: ...', with the same "
                     "key and not indented"))


EQUATION_LABEL = re.compile(r"^\{#(eq:[^\s}]+)\}$")


def label_equations(blocks: list) -> list:
    """`$$ ... $$ {#eq:x}` (Pandoc leaves the label as text) becomes an equation div."""
    result = []
    for block in blocks:
        content = block.get("c") if block["t"] == "Para" else None
        if content and content[0]["t"] == "Math" and content[0]["c"][0]["t"] == "DisplayMath":
            rest = [node for node in content[1:] if node["t"] not in ("Space", "SoftBreak")]
            match = (len(rest) == 1 and rest[0]["t"] == "Str"
                     and EQUATION_LABEL.match(rest[0]["c"]))
            if match or not rest:
                ident = match.group(1) if match else ""
                result.append({"t": "Div", "c": [[ident, ["equation"], []],
                                                 [{"t": "Para", "c": [content[0]]}]]})
                continue
        result.append(block)
    return result


def number_headings(blocks: list) -> list[Section]:
    """Number the headings in place (attribute `number`) and list them.

    Numbering restarts at the first `{.appendix}` level-1 heading: appendices are
    "Appendix 1", "Appendix 2", their subsections 1.1, ...
    """
    counters = [0] * 7
    in_appendix = False
    sections = []
    for block in blocks:
        if block["t"] != "Header":
            continue
        level = block["c"][0]
        ident, classes, _pairs = attr_of(block)
        if level == 1 and "appendix" in classes and not in_appendix:
            in_appendix = True
            counters = [0] * 7
        number = None
        if "unnumbered" not in classes and "unlisted" not in classes:
            counters[level] += 1
            counters[level + 1:] = [0] * (6 - level)
            number = ".".join(str(counters[i]) for i in range(1, level + 1))
            _set_pair(block, "number", number)
        if in_appendix:
            _set_pair(block, "appendix", "yes")
        sections.append(Section(ident, level, number, tuple(block["c"][2]), in_appendix))
    return sections


def _set_pair(block: dict, key: str, value: str) -> None:
    ident, classes, pairs = attr_of(block)
    pairs[key] = value
    attr = [ident, classes, [[k, v] for k, v in pairs.items()]]
    if block["t"] == "Header":
        block["c"][1] = attr
    else:
        block["c"][0] = attr


# A label: (kind, number) where kind is figure, table, equation, section or appendix.
Label = tuple[str, str]


def number_floats(nodes: list, source: Source, problems: list[Problem],
                  warnings: list[Problem] | None = None) -> dict[str, Label]:
    """Number figures, tables and labelled equations in order; return their labels.
    A table with neither caption nor label is no numbered table ("Table 3." above
    nothing): it is printed as it stands, with a warning."""
    counters = {"figure": 0, "table": 0, "equation": 0}
    labels: dict[str, Label] = {}
    for node in nodes:
        kind = {"Figure": "figure", "Table": "table"}.get(node["t"])
        ident, classes, _ = attr_of(node)
        if node["t"] == "Div" and "equation" in classes and ident:
            kind = "equation"
        if kind is None:
            continue
        if kind == "table" and not ident and not node["c"][1][1]:
            if warnings is not None:
                first_cell = next((text for blocks in table_cell_blocks(node["c"])
                                   if (text := stringify(blocks).strip())), "")
                line, column = _locate_table(source, first_cell)
                warnings.append(warning(
                    "uncaptioned-table", source.name, line, column,
                    "a table without a caption: printed without a number",
                    hint="add a caption line below it: ': Caption {#tbl:label}'"))
            continue
        counters[kind] += 1
        number = str(counters[kind])
        _set_pair(node, "number", number)
        if ident:
            _register(labels, ident, (kind, number), source, problems)
    return labels


def section_labels(sections: list[Section], source: Source, problems: list[Problem]
                   ) -> dict[str, Label]:
    labels: dict[str, Label] = {}
    for section in sections:
        if section.id and (section.id.startswith("sec:") or section.number):
            kind = "appendix" if section.appendix else "section"
            _register(labels, section.id, (kind, section.number or ""), source, problems)
    return labels


def _register(labels: dict[str, Label], ident: str, label: Label, source: Source,
              problems: list[Problem]) -> None:
    if ident in labels:
        first, _ = _locate(source, "#" + ident)
        line, column = source.locate("#" + ident, (first or 0) + 1)
        problems.append(Problem(source.name, line, column,
                                f"the label '{ident}' is used twice"
                                + (f" (first on line {first})" if first else ""),
                                hint="give each heading, figure, table and equation its own"
                                     " label"))
    labels[ident] = label


def split_appendices(blocks: list) -> tuple[list, list]:
    for index, block in enumerate(blocks):
        if block["t"] == "Header" and block["c"][0] == 1 and "appendix" in attr_of(block)[1]:
            return blocks[:index], blocks[index:]
    return blocks, []


def resolve_cross_references(nodes: list, labels: dict[str, Label], source: Source,
                             metadata: Metadata, journal: Journal,
                             problems: list[Problem]) -> None:
    """Turn each `@fig:x`-style span into links: "Figure 1", "Table 2", "(3)", "Section 2.1"."""
    for node in nodes:
        if node["t"] != "Span" or XREF_CLASS not in attr_of(node)[1]:
            continue
        inlines: list = []
        for target in attr_of(node)[2]["data-targets"].split():
            label = labels.get(target)
            if label is None or not label[1]:
                line, column = _locate_key(source, target)
                reason = "points at an unnumbered heading" if label else "has no target"
                close = difflib.get_close_matches(
                    target, [k for k, v in labels.items() if v[1]], n=1, cutoff=0.7)
                hint = ("" if label else f"did you mean @{close[0]}?" if close else
                        f"label a figure, table, equation or heading with {{#{target}}}")
                problems.append(Problem(source.name, line, column,
                                        f"the cross-reference @{target} {reason}", hint=hint))
                continue
            kind, number = label
            text = (f"({number})" if kind == "equation" else
                    f"{journal.label(metadata.lang, kind)}\u00a0{number}")
            if inlines:
                inlines += [{"t": "Str", "c": ","}, {"t": "Space"}]
            inlines.append({"t": "Link", "c": [["", ["xref"], [["data-kind", kind]]],
                                               [{"t": "Str", "c": text}], [f"#{target}", ""]]})
        node["c"][1] = inlines


def harmonize_suffixes(tree) -> None:
    """A Turkish suffix written after a cross-reference ("@sec:bulgular'da") made to agree
    with the number the style printed ("Bölüm 3'te"), however the sections are numbered
    now; a suffix this does not know is left as written."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.append(item.get("c"))
        elif isinstance(item, list):
            for before, after in itertools.pairwise(item):
                if (isinstance(before, dict) and before.get("t") == "Span"
                        and XREF_CLASS in attr_of(before)[1]
                        and isinstance(after, dict) and after.get("t") == "Str"):
                    after["c"] = _agreeing_suffix(before, after["c"])
            stack.extend(item)


def _agreeing_suffix(span: dict, text: str) -> str:
    if not text.startswith(i18n.APOSTROPHES) or len(text) < 2:
        return text
    links = [node for node in walk(span["c"][1]) if node["t"] == "Link"]
    if not links:
        return text
    word = i18n.turkish_number_word(stringify(links[-1]["c"][1]))
    suffix = text[1:]
    letters = len(suffix) - len(suffix.lstrip("abcçdefgğhıijklmnoöprsştuüvyzABCÇDEFGĞHIİJ"
                                              "KLMNOÖPRSŞTUÜVYZ"))
    fitted = i18n.turkish_suffix(word, suffix[:letters]) if word and letters else None
    return text[0] + fitted + suffix[letters:] if fitted else text


def with_pages(article: Article, first_page: int, last_page: int) -> Article:
    """The article once its PDF is laid out: its printed page numbers set, and filled into
    the "Cite as" entry. Every output reads the numbers from here."""
    def fill(node):
        if isinstance(node, dict):
            if node.get("t") == "Str":
                return {"t": "Str", "c": fill_page_numbers(node["c"], first_page, last_page)}
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(item) for item in node]
        return node

    document = dataclasses.replace(article.document,
                                   cite_as=tuple(fill(node) for node in article.document.cite_as))
    return dataclasses.replace(article, document=document, first_page=first_page,
                               last_page=last_page)
