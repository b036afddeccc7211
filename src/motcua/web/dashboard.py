"""The public dashboard: the national ranking of the index and a map of the 34 provinces coloured by
any indicator, drawn on the server as SVG (no tiles, no script: it works offline and on a cheap phone).
Numbers come from ``indicators.index`` (the fact tables)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from motcua.i18n import N_
from motcua.indicators.index import index
from motcua.units import get_registry
from motcua.web.rendering import render

router = APIRouter(include_in_schema=False)
MEASURES = {
    "percent": N_("Index (per cent of the measurable points)"),
    "on_time_rate": N_("On-time rate"),
    "online_rate": N_("Online submission rate"),
    "satisfaction_rate": N_("Satisfaction"),
    "online_payment_rate": N_("Online payment rate"),
}
COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")  # low → high; colour-blind safe


@cache
def province_map() -> dict[str, Any]:
    text = resources.files("motcua.indicators").joinpath("data/provinces_map.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def colour(value: float | None) -> str:
    if value is None:
        return "#e0e0e0"
    return COLOURS[min(int(value * len(COLOURS)), len(COLOURS) - 1)]


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, measure: str = "percent", start: str = "", end: str = "") -> HTMLResponse:
    today = date.today()
    try:
        first = date.fromisoformat(start) if start else date(today.year, 1, 1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        first, last = date(today.year, 1, 1), today
    measure = measure if measure in MEASURES else "percent"
    with request.app.state.session_factory() as s:
        scores = index(s, first, last)
    names = {u.code: u.name for u in get_registry().in_force(today, "province")}
    values: dict[str, float | None] = {}
    for sc in scores:
        values[sc.unit] = sc.percent / 100 if measure == "percent" else sc.rates.get(measure)
    geo = province_map()
    provinces = [
        {
            "code": code,
            "name": names.get(code, code),
            "d": d,
            "value": values.get(code),
            "fill": colour(values.get(code)),
        }
        for code, d in geo["paths"].items()
    ]
    return render(
        request,
        "dashboard.html",
        scores=scores,
        names=names,
        measure=measure,
        measures=MEASURES,
        start=first.isoformat(),
        end=last.isoformat(),
        provinces=provinces,
        view_box=geo["viewBox"],
        archipelagos=[{**a, "fill": colour(values.get(a["province"]))} for a in geo["archipelagos"]],
        colours=COLOURS,
    )
