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


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> str:
    """MathML (default namespace) for `tex`; MathError when it is not valid LaTeX math."""
    import latex2mathml.converter
    from latex2mathml.exceptions import NoAvailableTokensError

    try:
        result = latex2mathml.converter.convert(tex.strip(),
                                                display="block" if display else "inline")
    except NoAvailableTokensError:
        raise MathError("the formula ends too early (a brace or argument is missing)") \
            from None
    except Exception as exc:  # latex2mathml raises many kinds for bad input
        raise MathError(f"invalid LaTeX math ({type(exc).__name__}: {exc})") from None
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

    svg = ziamath.Latex(tex.strip(), size=size_pt * PT_TO_PX,
                        inline=not display).svg()
    root = etree.fromstring(svg.encode())
    width = float(root.get("width")) / PT_TO_PX
    height = float(root.get("height")) / PT_TO_PX
    _x, top, _w, box_height = (float(v) for v in root.get("viewBox").split())
    depth = (top + box_height) * height / box_height  # the baseline is at y = 0
    encoded = base64.b64encode(svg.encode()).decode()
    return f"data:image/svg+xml;base64,{encoded}", width, height, depth
