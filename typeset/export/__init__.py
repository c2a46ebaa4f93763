"""The publishing exports of an issue: the Crossref deposit and the DOAJ upload.

The issue build calls, once its articles have their final pages:

    from typeset.export import render_crossref, render_doaj, validate_crossref, validate_doaj

    crossref = render_crossref(issue, articles)  # ExportResult(xml, warnings, notes)
    if crossref.xml is not None:
        validate_crossref(crossref.xml)          # raises DepositInvalid (a bug of ours)
    doaj = render_doaj(issue, articles)
    if doaj.xml is not None:
        validate_doaj(doaj.xml)

Crossref's schema takes about 5 s to compile, once per process. A build that will write a
deposit (`not crossref.profile_gaps(issue)` and an article has a DOI) may call
`compile_crossref_in_background()` before laying out its PDFs (lxml compiles without holding
the GIL), and validation then finds it ready.

`articles` are `IssueArticle`s in print order. `xml` is None when the output cannot be
made. What the build should say comes as `typeset.errors.Problem` records with a code each
(`typeset.errors.CODES`): `warnings` about the articles and the issue (an article without a
DOI is left out of the Crossref deposit, `crossref-no-doi`; a value Crossref cannot take,
`crossref-unfit`), which `--strict` makes errors; and `notes` about the setting, never
errors: a field the journal profile lacks, named with the output it stops (`doaj-no-issn`,
`crossref-no-depositor`, ...), or a free-text funding statement that cannot be deposited as
funder data (`crossref-funding`). `render_crossref` takes `timestamp` and `batch_id`
keywords; by default both come from the time of the build, or `SOURCE_DATE_EPOCH`
(`crossref.deposit_stamp`).

Modules: `crossref` (crossref.xml, schema 5.3.1), `doaj` (doaj.xml, doajArticles.xsd),
`validation` (both schemas, from `schemas/`, compiled once per process on first use),
`common` (the result type, warnings and notes).
"""

from typeset.export.common import ExportResult
from typeset.export.crossref import deposit_stamp, render_crossref
from typeset.export.doaj import render_doaj
from typeset.export.validation import (
    DepositInvalid,
    compile_crossref_in_background,
    validate_crossref,
    validate_doaj,
)

__all__ = ["DepositInvalid", "ExportResult", "compile_crossref_in_background",
           "deposit_stamp", "render_crossref", "render_doaj", "validate_crossref",
           "validate_doaj"]
