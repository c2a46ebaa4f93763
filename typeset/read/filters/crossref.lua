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
  -- Attributes as a list of pairs: a Lua table with string keys has no fixed order (Lua
  -- seeds its string hashes at random), and the HTML must be the same on every build.
  return pandoc.Span(cite.content, pandoc.Attr("", { "typeset-xref" }, {
    { "data-targets", table.concat(targets, " ") },
    { "data-mode", mode },
  }))
end
