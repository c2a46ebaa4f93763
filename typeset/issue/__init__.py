"""The journal issue: an issue folder (`issue.yaml` + one folder per article) built into
the articles with their final page numbers, the cover and contents, the issue PDF, the
issue's pages on the site and the deposits for the indexers.

The stages, in the order `build.build_issue` runs them: `read` (issue.yaml and what the
issue asks of its articles), `paginate` (each article laid out, numbered from where the
one before ends), `front` (cover and contents), `join` (issue.pdf), `site` (index.html,
sitemap.xml, the archive page), `exports` (Crossref, DOAJ), `record` (the build cache).
"""
