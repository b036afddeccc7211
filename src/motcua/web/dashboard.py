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
from sqlalchemy.orm import Session

from motcua.dossiers.models import Dossier
from motcua.dossiers.service import visible
from motcua.i18n import N_
from motcua.indicators.index import Score, index
from motcua.units import get_registry
from motcua.web.account import current_actor
from motcua.web.rendering import render
from motcua.web.routes import STATUS_NAMES

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


def period(start: str, end: str, today: date) -> tuple[date, date]:
    """The period asked for; from 1 January to today when absent or not dates."""
    try:
        return (
            date.fromisoformat(start) if start else date(today.year, 1, 1),
            date.fromisoformat(end) if end else today,
        )
    except ValueError:
        return date(today.year, 1, 1), today


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, measure: str = "percent", start: str = "", end: str = "") -> HTMLResponse:
    today = date.today()
    first, last = period(start, end, today)
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


@router.get("/dashboard/{province}", response_class=HTMLResponse)
def drill_down(request: Request, province: str, commune: str = "", start: str = "", end: str = "") -> HTMLResponse:
    """Province → its communes → a commune's procedures; the late dossiers themselves only for the
    officials of that place (and administrators)."""
    today = date.today()
    first, last = period(start, end, today)
    registry = get_registry()
    names = {u.code: u.name for u in registry.in_force(today, "province")}
    if province not in names:
        return render(request, "not_found.html", status_code=404)
    communes = {u.code: u.name for u in registry.in_force(today, "commune") if u.province_code == province}
    late: list[Dossier] = []
    with request.app.state.session_factory() as s:
        if commune and commune in communes:
            scores = _procedures_of_commune(s, province, commune, first, last)
            actor = current_actor(request)
            if actor is not None and actor.role != "citizen":
                late = list(
                    s.scalars(
                        visible(actor)
                        .where(Dossier.subject_commune_code == commune, Dossier.due_on < today)
                        .where(Dossier.finished_at.is_(None) | (Dossier.finished_at > Dossier.due_on))
                        .order_by(Dossier.due_on)
                        .limit(200)
                    )
                )
        else:
            commune = ""
            scores = index(s, first, last, "commune", province)
    snapshot = request.app.state.snapshots.get()
    labels = {c: communes.get(c, c) for c in communes}
    if commune:
        labels = {code: _procedure_name(snapshot, code) for code in (sc.unit for sc in scores)}
    return render(
        request,
        "drill_down.html",
        province=province,
        province_name=names[province],
        commune=commune,
        commune_name=communes.get(commune, ""),
        scores=scores,
        labels=labels,
        late=late,
        start=first.isoformat(),
        end=last.isoformat(),
        status_names=STATUS_NAMES,
    )


def _procedures_of_commune(session: Session, province: str, commune: str, first: date, last: date) -> list[Score]:
    """The index per procedure restricted to one commune, the most late first."""
    ranked = sorted(
        index(session, first, last, "procedure", province, commune=commune),
        key=lambda s: (-(s.counts.late + s.counts.open - s.counts.open_not_due), s.unit),
    )
    for rank, s in enumerate(ranked, start=1):
        s.rank = rank
    return ranked


def _procedure_name(snapshot: Any, code: str) -> str:
    p = snapshot.procedures.get(code)
    return p.versions[-1].name_vi if p and p.versions else code
