-- Runs before citeproc: a citation whose keys all carry a cross-reference prefix
-- (@fig:x, @tbl:x, @eq:x, @sec:x) is not a citation. It becomes a Span that the
-- pipeline resolves to "Figure 1", "Section 2.1", ... once everything is numbered.
local PREFIXES = { "fig:", "tbl:", "eq:", "sec:" }

local function is_crossref(id)
  for _, prefix in ipairs(PREFIXES) do
    if id:sub(1, #prefix) == prefix then return true end
  end
  return false
end

function Cite(cite)
  local targets = {}
  for _, citation in ipairs(cite.citations) do
    if not is_crossref(citation.id) then return nil end
    table.insert(targets, citation.id)
  end
  local mode = cite.citations[1].mode
  return pandoc.Span(cite.content, {
    class = "typeset-xref",
    ["data-targets"] = table.concat(targets, " "),
    ["data-mode"] = mode,
  })
end
