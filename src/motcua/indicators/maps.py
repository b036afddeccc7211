"""The map of the 34 provinces as one SVG document, coloured by any indicator: drawn on the server
from the paths ``scripts/build_map.py`` derives from ``../shared`` (no tiles, no script), so that the
dashboard, the HTML report and the PDF show the same map, offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape, quoteattr

COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")  # low → high; colour-blind safe
NO_DATA = "#e0e0e0"


@cache
def province_map() -> dict[str, Any]:
    text = resources.files("motcua.indicators").joinpath("data/provinces_map.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def colour(value: float | None, low: float = 0.0, high: float = 1.0) -> str:
    """The colour of a value between ``low`` and ``high`` (six classes), grey without data."""
    if value is None:
        return NO_DATA
    share = (value - low) / (high - low) if high > low else 1.0
    return COLOURS[min(max(int(share * len(COLOURS)), 0), len(COLOURS) - 1)]


def scale(values: dict[str, float | None]) -> tuple[float, float]:
    """The range the colours stretch over: the lowest and highest value shown (rates of the index
    often all lie between 80 and 100 %, and a fixed 0–100 % scale would paint them alike)."""
    known = [v for v in values.values() if v is not None]
    return (min(known), max(known)) if known else (0.0, 1.0)


def province_map_svg(
    values: dict[str, float | None],
    names: dict[str, str],
    title: str,
    label: Callable[[float | None], str],
    *,
    link: Callable[[str], str] | None = None,
    highlight: str | None = None,
    interactive: bool = True,
    font_family: str = "sans-serif",
    no_data: str = "no data",
) -> str:
    """``values``: a rate in [0, 1] per province code. ``link`` makes each province a link; a
    ``highlight``ed province gets a thick outline. ``interactive`` adds a tooltip per province (left
    out for the PDF, which has no pointer; ``font_family`` names a font the PDF has embedded)."""
    geo = province_map()
    low, high = scale(values)
    parts = [
        # With links the map is a group of links (a role="img" may not hold interactive elements).
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{geo["viewBox"]}" role="{"group" if link else "img"}" '
        f"aria-label={quoteattr(title)}>",
    ]
    if interactive:
        parts.append(f"<title>{escape(title)}</title>")
    for code, d in geo["paths"].items():
        value = values.get(code)
        width = "1.6" if code == highlight else "0.4"
        tip = f"<title>{escape(names.get(code, code))}: {escape(label(value))}</title>" if interactive else ""
        shape = (
            f'<path d="{d}" fill="{colour(value, low, high)}" stroke="#333" stroke-width="{width}" '
            f'data-province="{code}">{tip}</path>'
        )
        if link:
            name = f"{names.get(code, code)}: {label(value)}"
            shape = f"<a href={quoteattr(link(code))} aria-label={quoteattr(name)}>{shape}</a>"
        parts.append(shape)
    for a in geo["archipelagos"]:
        fill = colour(values.get(a["province"]), low, high)
        parts.append(
            f'<circle cx="{a["x"]}" cy="{a["y"]}" r="3" fill="{fill}" stroke="#333" stroke-width="0.6"/>'
            f'<text x="{a["x"] - 4}" y="{a["y"] - 6}" font-size="9" font-family="{font_family}" '
            f'text-anchor="end">{escape(a["name"])}</text>'
        )
    parts.append(_legend(label(low), label(high), no_data, font_family))
    parts.append("</svg>")
    return "".join(parts)


def _legend(low: str, high: str, no_data: str, font_family: str) -> str:
    """Six swatches from the lowest to the highest value, and the grey of no data (top right, at sea)."""
    x0, y0, size = 250.0, 18.0, 14.0
    text = f'font-size="9" font-family="{font_family}"'
    parts = [
        f'<rect x="{x0 + i * size}" y="{y0}" width="{size}" height="10" fill="{c}" stroke="#333" stroke-width="0.3"/>'
        for i, c in enumerate(COLOURS)
    ]
    parts.append(f'<text x="{x0}" y="{y0 + 21}" {text}>{escape(low)}</text>')
    parts.append(f'<text x="{x0 + 6 * size}" y="{y0 + 21}" {text} text-anchor="end">{escape(high)}</text>')
    parts.append(
        f'<rect x="{x0}" y="{y0 + 28}" width="{size}" height="10" fill="{NO_DATA}" stroke="#333" stroke-width="0.3"/>'
    )
    parts.append(f'<text x="{x0 + size + 4}" y="{y0 + 37}" {text}>{escape(no_data)}</text>')
    return "".join(parts)


def strip_prolog(svg: str) -> str:
    """An SVG document made fit to put inside a page (no XML declaration or doctype)."""
    return svg[svg.index("<svg") :]
