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


def colour(value: float | None) -> str:
    """The colour of a rate in [0, 1] (six classes), grey without data."""
    if value is None:
        return NO_DATA
    return COLOURS[min(max(int(value * len(COLOURS)), 0), len(COLOURS) - 1)]


def province_map_svg(
    values: dict[str, float | None],
    names: dict[str, str],
    title: str,
    label: Callable[[float | None], str],
    *,
    link: Callable[[str], str] | None = None,
    highlight: str | None = None,
    interactive: bool = True,
) -> str:
    """``values``: a rate in [0, 1] per province code. ``link`` makes each province a link; a
    ``highlight``ed province gets a thick outline. ``interactive`` adds a tooltip per province (left
    out for the PDF, which has no pointer)."""
    geo = province_map()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{geo["viewBox"]}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
    ]
    for code, d in geo["paths"].items():
        value = values.get(code)
        width = "1.6" if code == highlight else "0.4"
        tip = f"<title>{escape(names.get(code, code))}: {escape(label(value))}</title>" if interactive else ""
        shape = (
            f'<path d="{d}" fill="{colour(value)}" stroke="#333" stroke-width="{width}" data-province="{code}">'
            f"{tip}</path>"
        )
        parts.append(f"<a href={quoteattr(link(code))}>{shape}</a>" if link else shape)
    for a in geo["archipelagos"]:
        fill = colour(values.get(a["province"]))
        parts.append(
            f'<circle cx="{a["x"]}" cy="{a["y"]}" r="3" fill="{fill}" stroke="#333" stroke-width="0.6"/>'
            f'<text x="{a["x"] - 4}" y="{a["y"] - 6}" font-size="9" font-family="sans-serif" '
            f'text-anchor="end">{escape(a["name"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def strip_prolog(svg: str) -> str:
    """An SVG document made fit to put inside a page (no XML declaration or doctype)."""
    return svg[svg.index("<svg") :]
