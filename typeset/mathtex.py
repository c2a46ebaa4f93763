"""LaTeX math for every output: MathML for the HTML page and the JATS, SVG for the PDF
(WeasyPrint draws no MathML), and a check that reports bad LaTeX before any rendering."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from lxml import etree

MATHML = "http://www.w3.org/1998/Math/MathML"
PT_TO_PX = 4 / 3


class MathError(ValueError):
    pass


# Text inside math (\text{...} and its kin) is LaTeX text mode, where "\%" prints "%";
# latex2mathml (and ziamath, which uses it) copies such text verbatim, backslash and all.
_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textit|textbf|textsf|texttt|mbox|mathrm)\s*\{")
_TEXT_ESCAPE = re.compile(r"\\([%&$#_{}])")


def text_mode_unescaped(tex: str) -> str:
    """`tex` with the escaped specials inside its text-mode groups written plainly."""
    out, position = [], 0
    for match in _TEXT_COMMAND.finditer(tex):
        if match.start() < position:
            continue  # inside a group already handled
        end = _group_end(tex, match.end())
        if end is None:
            break
        out += [tex[position:match.end()], _TEXT_ESCAPE.sub(r"\1", tex[match.end():end])]
        position = end
    out.append(tex[position:])
    return "".join(out)


def _group_end(tex: str, start: int) -> int | None:
    """The index of the "}" that closes the group opened just before `start`."""
    depth, index = 1, start
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def brace_problem(tex: str) -> str | None:
    """Unbalanced braces, which latex2mathml silently accepts (and renders wrongly)."""
    depth = 0
    index = 0
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2  # an escaped brace, \{ or \}, is a character
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes a brace that was never opened"
        index += 1
    if depth:
        return (f"{depth} brace{'s' if depth > 1 else ''} '{{' never closed"
                if depth > 1 else "a '{' is never closed")
    return None


# latex2mathml's exceptions, in an editor's words
_CONVERTER_ERRORS = {
    "ExtraLeftOrMissingRightError": "a \\left without its \\right",
    "MissingEndError": "a \\begin{...} without its \\end{...}",
    "DoubleSubscriptsError": "two subscripts in a row (x_a_b): group one in braces",
    "DoubleSuperscriptsError": "two superscripts in a row (x^a^b): group one in braces",
    "MissingSuperScriptOrSubscriptError": "a ^ or _ with nothing after it",
    "NumeratorNotFoundError": "\\frac needs a numerator: \\frac{a}{b}",
    "DenominatorNotFoundError": "\\frac needs a denominator: \\frac{a}{b}",
    "InvalidAlignmentError": "an unknown column alignment in an array or matrix",
    "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum",
}


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> str:
    """MathML (default namespace) for `tex`; MathError when it is not valid LaTeX math."""
    import latex2mathml.converter
    from latex2mathml.exceptions import NoAvailableTokensError

    problem = brace_problem(tex)
    if problem:
        raise MathError(problem)
    try:
        result = latex2mathml.converter.convert(text_mode_unescaped(tex.strip()),
                                                display="block" if display else "inline")
    except NoAvailableTokensError:
        raise MathError("the formula ends too early (a brace or argument is missing)") \
            from None
    except Exception as exc:  # latex2mathml raises many kinds for bad input
        kind = type(exc).__name__
        raise MathError(_CONVERTER_ERRORS.get(kind) or f"invalid LaTeX math ({kind}: {exc})"
                        ) from None
    unknown = re.findall(r">(\\[A-Za-z]+)<", result)
    if unknown:
        raise MathError(f"unknown LaTeX command {unknown[0]}")
    return result


def check(tex: str) -> str | None:
    """The problem with `tex`, or None."""
    try:
        mathml(tex, False)
    except MathError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=4096)
def jats_mathml(tex: str, display: bool) -> str:
    """MathML with the `mml:` prefix the JATS DTD declares."""
    source = etree.fromstring(mathml(tex, display).encode())

    def copy(element):
        tag = etree.QName(element).localname
        new = etree.Element(f"{{{MATHML}}}{tag}", nsmap={"mml": MATHML})
        for key, value in element.attrib.items():
            new.set(key, value)
        new.text = element.text
        new.tail = element.tail
        for child in element:
            new.append(copy(child))
        return new

    return etree.tostring(copy(source), encoding="unicode")


@lru_cache(maxsize=4096)
def svg_data_uri(tex: str, display: bool, size_pt: float
                 ) -> tuple[str, float, float, float]:
    """An SVG of `tex` as a data: URI, with its width, height and depth below the
    baseline, in points."""
    import ziamath

    svg = ziamath.Latex(text_mode_unescaped(tex.strip()), size=size_pt * PT_TO_PX,
                        inline=not display).svg()
    root = etree.fromstring(svg.encode())
    width = float(root.get("width")) / PT_TO_PX
    height = float(root.get("height")) / PT_TO_PX
    _x, top, _w, box_height = (float(v) for v in root.get("viewBox").split())
    depth = (top + box_height) * height / box_height  # the baseline is at y = 0
    encoded = base64.b64encode(svg.encode()).decode()
    return f"data:image/svg+xml;base64,{encoded}", width, height, depth
