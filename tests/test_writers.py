"""The HTML and JATS writers on small pieces of Pandoc's AST: each construct, escaping,
and the numbering state a writer keeps (notes, formulas)."""

from __future__ import annotations

import json
import subprocess
from functools import cache

import pytest
from lxml import etree

from typeset.read.pandoc import pandoc_path
from typeset.render.html.writer import HtmlWriter
from typeset.render.jats.writer import JatsWriter

TR_QUOTES = ("“", "”", "‘", "’")
LABELS = {"figure": "Şekil", "table": "Tablo", "appendix": "Ek", "equation": "Denklem",
          "section": "Bölüm"}


def s(text):
    return {"t": "Str", "c": text}


SPACE = {"t": "Space"}


@cache
def _ast(markdown: str) -> str:
    return subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], input=markdown,
                          capture_output=True, text=True, check=True).stdout


def blocks(markdown: str) -> list:
    """Pandoc's blocks for a Markdown snippet (a fresh copy each time)."""
    return json.loads(_ast(markdown))["blocks"]


def html(node_or_nodes, **options) -> str:
    writer = HtmlWriter(quotes=TR_QUOTES, labels=LABELS, **options)
    nodes = node_or_nodes if isinstance(node_or_nodes, list) else [node_or_nodes]
    if nodes and nodes[0]["t"] in ("Para", "Plain", "Div", "Table", "Figure", "Header",
                                   "BulletList", "OrderedList", "BlockQuote", "CodeBlock"):
        return str(writer.blocks(nodes))
    return str(writer.inlines(nodes))


def jats(node_or_nodes) -> tuple[str, JatsWriter]:
    writer = JatsWriter(TR_QUOTES, LABELS)
    nodes = node_or_nodes if isinstance(node_or_nodes, list) else [node_or_nodes]
    if nodes and nodes[0]["t"] in ("Para", "Plain", "Div", "Table", "Figure", "Header",
                                   "BulletList", "OrderedList", "BlockQuote", "CodeBlock"):
        return str(writer.blocks(nodes)), writer
    return str(writer.inlines(nodes)), writer


def well_formed(xml: str) -> etree._Element:
    return etree.fromstring(f'<r xmlns:xlink="http://www.w3.org/1999/xlink" '
                            f'xmlns:mml="http://www.w3.org/1998/Math/MathML">{xml}</r>'
                            .encode())


@pytest.mark.parametrize(("node", "html_out", "jats_out"), [
    ({"t": "Emph", "c": [s("a")]}, "<em>a</em>", "<italic>a</italic>"),
    ({"t": "Strong", "c": [s("a")]}, "<strong>a</strong>", "<bold>a</bold>"),
    ({"t": "Superscript", "c": [s("2")]}, "<sup>2</sup>", "<sup>2</sup>"),
    ({"t": "Subscript", "c": [s("2")]}, "<sub>2</sub>", "<sub>2</sub>"),
    ({"t": "Strikeout", "c": [s("a")]}, "<s>a</s>", "<strike>a</strike>"),
    ({"t": "SmallCaps", "c": [s("a")]}, '<span class="smallcaps">a</span>', "<sc>a</sc>"),
    ({"t": "Code", "c": [["", [], []], "x < y"]}, "<code>x &lt; y</code>",
     "<monospace>x &lt; y</monospace>"),
    ({"t": "Quoted", "c": [{"t": "DoubleQuote"}, [s("söz")]]}, "“söz”", "“söz”"),
    ({"t": "Quoted", "c": [{"t": "SingleQuote"}, [s("söz")]]}, "‘söz’", "‘söz’"),
    ({"t": "LineBreak"}, "<br>\n", "<break/>"),
])
def test_inline_markup(node, html_out, jats_out):
    assert html(node) == html_out
    assert jats(node)[0] == jats_out


def test_text_is_escaped_everywhere():
    nasty = [s('<script>alert("x")</script> & \u0001'), SPACE,
             {"t": "Link", "c": [["", [], []], [s("a&b")], ['https://e.org/?a=1&b="2"', ""]]}]
    out = html(nasty)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'href="https://e.org/?a=1&amp;b=&quot;2&quot;"' in out
    xml, _ = jats(nasty)
    tree = well_formed(xml)  # the control character is dropped: XML 1.0 cannot carry it
    link = tree.find("ext-link")
    assert link.get("{http://www.w3.org/1999/xlink}href") == 'https://e.org/?a=1&b="2"'


@pytest.mark.parametrize(("url", "jats_out"), [
    ("#ref-doe2020", '<xref ref-type="bibr" rid="ref-doe2020">x</xref>'),
    ("#fig:map", '<xref ref-type="fig" rid="fig-map">x</xref>'),
    ("#sec:method", '<xref ref-type="sec" rid="sec-method">x</xref>'),
    ("mailto:a@example.org", "<email>a@example.org</email>"),
    ("https://example.org", '<ext-link ext-link-type="uri" '
                            'xlink:href="https://example.org">x</ext-link>'),
])
def test_links_become_the_jats_element_of_what_they_point_at(url, jats_out):
    assert jats({"t": "Link", "c": [["", [], []], [s("x")], [url, ""]]})[0] == jats_out


def test_notes_are_numbered_in_order_and_collected():
    para = blocks("One[^a] two[^b].\n\n[^a]: First *note*.\n\n[^b]: Second.\n")
    writer = HtmlWriter(quotes=TR_QUOTES, labels=LABELS)
    out = str(writer.blocks(para))
    assert out.count('role="doc-noteref"') == 2
    assert 'href="#fn1"' in out and 'href="#fn2"' in out
    assert writer.notes == ["<p>First <em>note</em>.</p>\n", "<p>Second.</p>\n"]
    printed = HtmlWriter(quotes=TR_QUOTES, labels=LABELS, print_notes=True)
    out = str(printed.blocks(blocks("One[^a] two.\n\n[^a]: First.\n")))
    assert '<fn-note class="footnote" id="fn1">First.</fn-note>' in out
    xml, writer = jats(blocks("One[^a] two[^b].\n\n[^a]: First.\n\n[^b]: Second.\n"))
    assert '<xref ref-type="fn" rid="fn1">1</xref>' in xml
    group = well_formed(str(writer.fn_group())).find("fn-group")
    assert [fn.get("id") for fn in group] == ["fn1", "fn2"]


def test_numbered_headings_and_appendix_labels():
    heading = blocks("# Yöntem {#sec:yontem}\n")[0]
    heading["c"][1][2].append(["number", "2"])
    assert html(heading) == ('<h2 id="sec:yontem" class="level1">'
                             '<span class="secnum">2.</span> Yöntem</h2>\n')
    appendix = blocks("# Veriler {.appendix}\n")[0]
    appendix["c"][1][2] += [["number", "1"], ["appendix", "yes"]]
    assert '<span class="secnum">Ek 1.</span>' in html(appendix)
    writer = JatsWriter(TR_QUOTES, LABELS)
    tree = well_formed(str(writer.body([appendix, *blocks("Text.\n")], top="app")))
    app = tree.find("app")
    assert app.findtext("label") == "Ek 1" and app.findtext("title") == "Veriler"
    assert app.findtext("p") == "Text."


def test_tables_keep_alignment_spans_and_caption_label():
    table = blocks("| a | b |\n|--:|:-:|\n| 1 | 2 |\n\n: Veri {#tbl:veri}\n")[0]
    table["c"][0][2].append(["number", "3"])
    out = html(table)
    assert '<caption><span class="float-label">Tablo 3.</span> Veri</caption>' in out
    assert '<th style="text-align: right">a</th>' in out
    assert '<td style="text-align: center">2</td>' in out
    xml, _ = jats(table)
    wrap = well_formed(xml).find("table-wrap")
    assert wrap.get("id") == "tbl-veri" and wrap.findtext("label") == "Tablo 3"
    assert [c.get("align") for c in wrap.iter("th")] == ["right", "center"]
    assert wrap.find("caption/p").text == "Veri"


def test_figures_carry_label_caption_and_alt_text():
    figure = blocks("![Harita](figures/map.png){#fig:map width=50%}\n")[0]
    figure["c"][0][2].append(["number", "1"])
    out = html(figure)
    assert '<span class="float-label">Şekil 1.</span> Harita</figcaption>' in out
    assert 'alt="Harita"' in out and 'style="width: 50%;"' in out
    xml, writer = jats(figure)
    fig = well_formed(xml).find("fig")
    assert fig.findtext("label") == "Şekil 1"
    assert fig.find("graphic").get("{http://www.w3.org/1999/xlink}href") == "figures/map.png"
    assert fig.findtext("graphic/alt-text") == "Harita"
    assert writer.images == ["figures/map.png"]


def test_math_as_mathml_in_html_and_jats_svg_in_print_with_unique_ids():
    para = blocks("Let $a^2$ and $b_1$.\n")
    assert "<math" in html(para) and "<msup>" in html(para)
    printed = html(para, print_notes=True)
    assert 'class="inline math" src="data:image/svg+xml;base64,' in printed
    assert 'alt="a^2"' in printed
    xml, _ = jats(para)
    tree = well_formed(xml)
    ids = [e.get("id") for e in tree.iter("{http://www.w3.org/1998/Math/MathML}math",
                                          "tex-math")]
    assert ids == ["mml-1", "tex-1", "mml-2", "tex-2"]


def test_lists_quotes_and_code_blocks():
    out = html(blocks("3. a\n4. b\n"))
    assert out.startswith('<ol start="3">')
    xml, _ = jats(blocks("- a\n- b\n\n> quoted\n\n    code <x>\n"))
    tree = well_formed(xml)
    assert [i.findtext("p") for i in tree.find("list")] == ["a", "b"]
    assert tree.find("list").get("list-type") == "bullet"
    assert tree.findtext("disp-quote/p") == "quoted"
    assert tree.findtext("preformat") == "code <x>"
