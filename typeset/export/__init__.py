"""The publishing exports of an issue: the Crossref deposit and the DOAJ upload.

The issue build calls, once its articles have their final pages:

    from typeset.export import render_crossref, render_doaj, validate_crossref, validate_doaj

    crossref = render_crossref(issue, articles)  # ExportResult(xml: bytes | None, warnings)
    if crossref.xml is not None:
        validate_crossref(crossref.xml)          # raises DepositInvalid (a bug of ours)
    doaj = render_doaj(issue, articles)
    if doaj.xml is not None:
        validate_doaj(doaj.xml)

Crossref's schema takes about 5 s to compile, once per process. A build that will write a
deposit (`not crossref.profile_gaps(issue)` and an article has a DOI) may call
`compile_crossref_in_background()` before laying out its PDFs (lxml compiles without holding
the GIL), and validation then finds it ready.

`articles` are `IssueArticle`s in print order. `xml` is None when the journal profile lacks
a field the output needs; `warnings` (`typeset.errors.Problem`, severity "warning") then
name the field and the output, and also tell of articles left out of the Crossref deposit
(no DOI) and of what it cannot carry (a free-text funding statement). Under `--strict` the
build treats them as errors. `render_crossref` takes `timestamp` and `batch_id` keywords;
by default both come from the time of the build, or `SOURCE_DATE_EPOCH`
(`crossref.deposit_stamp`).

Modules: `crossref` (crossref.xml, schema 5.3.1), `doaj` (doaj.xml, doajArticles.xsd),
`validation` (both schemas, from `schemas/`, compiled once per process on first use),
`common` (the result type and the warnings).
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
