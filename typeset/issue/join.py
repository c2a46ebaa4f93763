"""The issue PDF: the cover and contents, then every article's own PDF, joined page for
page (pikepdf), so that each article keeps the page numbers it prints.

The articles are laid out in separate worker processes, so they are joined as PDFs, not
as WeasyPrint documents. Joining tagged PDFs takes more than appending pages; what each
part carries is merged into one document:

- the structure trees: each article's `Document` element becomes an `Art` (article)
  element, with the article's language, under the issue's `Document`; the parent tree's
  keys (which tie each page's marked content and each link to its structure element) are
  renumbered so that no two parts share one;
- the named destinations that internal links point at (`#ref-smith2020`, `#fn1`), which
  every article names alike: each article's are prefixed with its folder (`aksoy/fn1`);
- the outline: cover and contents, then a bookmark per section and per article, with the
  article's own headings under it;
- page labels equal to the printed numbers: roman for the cover and contents, then the
  articles' own numbers (a blank verso before an article that starts on a right-hand
  page, `article-start: right` in the journal profile, is counted);
- the contents' links, which point at the articles (`front.py`), now go to their first
  pages in the issue.

The cover and contents PDF is the base of the joined file, so the issue PDF keeps its
document information and XMP metadata (title, language, PDF/UA identification).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from typeset.model.issue import Issue, IssueArticle


def join_issue(issue: Issue, articles: Sequence[IssueArticle], front_pdf: bytes,
               article_pdfs: Sequence[bytes]) -> bytes:
    import pikepdf

    from typeset.issue.front import article_of_link

    joined = pikepdf.open(io.BytesIO(front_pdf))
    structure = joined.Root.StructTreeRoot
    document = structure.K[0]
    numbers = list(structure.ParentTree.Nums)
    next_key = _next_key(numbers)
    destinations = _named_destinations(joined)
    front_pages = len(joined.pages)
    sources = []
    starts = []  # each article's first page index in the issue PDF
    previous_last_page = None
    for item, data in zip(articles, article_pdfs, strict=True):
        source = pikepdf.open(io.BytesIO(data))
        sources.append(source)
        if previous_last_page is not None:
            # a blank verso, when the article starts on a right-hand page: counted, so
            # that the page labels stay the printed numbers, and printed blank
            for _ in range(item.first_page - previous_last_page - 1):
                joined.add_blank_page(page_size=tuple(
                    float(v) for v in source.pages[0].mediabox[2:]))
        previous_last_page = item.last_page
        prefix = f"{item.folder}/"
        offset = next_key
        for page in source.pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
                _prefix_destination(annotation, prefix)
        source_structure = source.Root.StructTreeRoot
        source_numbers = list(source_structure.ParentTree.Nums)
        next_key = offset + _next_key(source_numbers)
        starts.append(len(joined.pages))
        with warnings.catch_warnings():
            # pikepdf reminds that extend() leaves named destinations behind: they are
            # carried over below, under their prefixed names.
            warnings.simplefilter("ignore")
            joined.pages.extend(source.pages)
        # Copied after the pages, so that their page references land on the copies.
        article_element = _copy(joined, source_structure.K[0])
        article_element.S = pikepdf.Name.Art
        article_element.P = document
        if "/Lang" in source.Root:
            article_element.Lang = source.Root.Lang
        article_element.T = pikepdf.String(item.article.metadata.title[item.article.lang])
        document.K.append(article_element)
        for index in range(0, len(source_numbers), 2):
            numbers += [int(source_numbers[index]) + offset,
                        _copy(joined, source_numbers[index + 1])]
        for name, destination in _named_destinations(source):
            destinations.append((prefix + str(name), _copy(joined, destination)))

    structure.ParentTree = joined.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(
        numbers)))
    structure.ParentTreeNextKey = next_key
    if destinations:
        destinations.sort(key=lambda pair: pair[0].encode("utf-8"))
        names = joined.Root.get("/Names") or pikepdf.Dictionary()
        names.Dests = joined.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(
            [value for name, destination in destinations
             for value in (pikepdf.String(name), destination)])))
        joined.Root.Names = names
    _link_contents(joined, articles, starts, front_pages, article_of_link)
    _outline(joined, issue, articles, sources, starts)
    labels = [0, pikepdf.Dictionary(S=pikepdf.Name.r)]
    if articles:
        labels += [front_pages, pikepdf.Dictionary(S=pikepdf.Name.D,
                                                   St=articles[0].first_page)]
    joined.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels))
    output = io.BytesIO()
    joined.save(output, deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


def _copy(joined, value):
    """`value` from another PDF, in `joined`: indirect objects through pikepdf's copier
    (which maps each object once, so page references land on the copied pages), direct
    arrays and dictionaries item by item."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return joined.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(joined, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(joined, item) for key, item in value.items()})
    return value


def _next_key(numbers) -> int:
    keys = [int(numbers[index]) for index in range(0, len(numbers), 2)]
    return max(keys) + 1 if keys else 0


def _named_destinations(pdf) -> list:
    names = pdf.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is None:
        return []
    import pikepdf

    found = []
    for name, destination in pikepdf.NameTree(dests).items():
        found.append((name, destination))
    return found


def _prefix_destination(annotation, prefix: str) -> None:
    import pikepdf

    destination = annotation.get("/Dest")
    if isinstance(destination, pikepdf.String):
        annotation.Dest = pikepdf.String(prefix + str(destination))
    action = annotation.get("/A")
    if action is not None and action.get("/S") == "/GoTo" and isinstance(
            action.get("/D"), pikepdf.String):
        action.D = pikepdf.String(prefix + str(action.D))


def _link_contents(joined, articles: Sequence[IssueArticle], starts: list[int],
                   front_pages: int, article_of_link) -> None:
    """The contents' links, which name their article, go to its first page."""
    import pikepdf

    for page in list(joined.pages)[:front_pages]:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            index = article_of_link(str(action.URI)) if action is not None and \
                action.get("/S") == "/URI" else None
            if index is None:
                continue
            target = joined.pages[starts[index]].obj
            annotation.A = pikepdf.Dictionary(
                Type=pikepdf.Name.Action, S=pikepdf.Name.GoTo,
                D=pikepdf.Array([target, pikepdf.Name.Fit]))
            annotation.Contents = pikepdf.String(_link_description(articles[index]))


def _link_description(item: IssueArticle) -> str:
    title = item.article.metadata.title[item.article.lang]
    return f"{title}, {item.first_page}"


def _outline(joined, issue: Issue, articles: Sequence[IssueArticle], sources,
             starts: list[int]) -> None:
    """Cover and contents (the front's own bookmarks), then one bookmark per section,
    with one per article under it and the article's headings under that."""
    import pikepdf

    with joined.open_outline() as outline:
        sections: dict[int, pikepdf.OutlineItem] = {}
        languages = issue.journal.languages
        for item, source, start in zip(articles, sources, starts, strict=True):
            if item.section not in sections:
                # in the journal's languages, as the contents print it
                title = issue.sections[item.section].title
                label = " / ".join(dict.fromkeys(
                    [text for code in languages if (text := title.get(code))]
                    or [text for _code, text in title.items()]))
                sections[item.section] = pikepdf.OutlineItem(label, start)
                outline.root.append(sections[item.section])
            entry = pikepdf.OutlineItem(item.article.metadata.title[item.article.lang], start)
            sections[item.section].children.append(entry)
            page_numbers = {page.objgen: index for index, page in enumerate(source.pages)}
            with source.open_outline() as own:
                entry.children.extend(_copied(own.root, joined, page_numbers, start))


def _copied(items, joined, page_numbers: dict, start: int) -> list:
    """An article's bookmarks, pointing at its pages in the issue PDF."""
    import pikepdf

    copies = []
    for item in items:
        destination = item.destination
        target = None
        if isinstance(destination, pikepdf.Array) and len(destination) >= 2:
            page = page_numbers.get(destination[0].objgen)
            if page is not None:
                target = pikepdf.Array([joined.pages[start + page].obj,
                                        *list(destination)[1:]])
        copy = pikepdf.OutlineItem(item.title, target if target is not None else start)
        copy.children.extend(_copied(item.children, joined, page_numbers, start))
        copies.append(copy)
    return copies
