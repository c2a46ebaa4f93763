"""Importers: an author's file in, a manuscript folder out (article.md, references.bib,
figures/) with a report of every decision the importer was not sure of.

Word (.docx), read top to bottom by `word.import_docx`:

1. `package` opens the .docx and refuses what is not one (a .doc, an encrypted file, a
   damaged zip, an empty document) with a clear message;
2. Pandoc's docx reader gives the AST (text, footnotes, tables, pictures, equations as TeX);
3. `layout` splits it into the front page, the body, the statements and the reference list;
4. `frontmatter` reads titles, byline, affiliations, abstracts, keywords, dates and
   statements into the YAML an editor would write (`yamlwriter`);
5. `references` parses the reference list (APA 6/7, English and Turkish forms) into
   records that `bibtex` writes; `citations` finds the author-date citations in the body
   and links those whose reference is certain;
6. `body` turns numbered headings, caption lines, pictures, equations and "Tablo 1"-style
   references into the manuscript's forms, and Pandoc writes the Markdown;
7. `report` lists what the editor has to look at, each at its line.
"""
