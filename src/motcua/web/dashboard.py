"""The public dashboard: the national ranking of the index and a map of the 34 provinces coloured by
any indicator, drawn on the server as SVG (no tiles, no script: it works offline and on a cheap phone).
Numbers come from ``indicators.index`` (the fact tables)."""

from __future__ import annotations

from datetime import date
from threading import Lock
from typing import Any

from cachetools import TTLCache, cached
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.routing import procedure_name
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import visible
from motcua.feedback.labels import ABOUT_NAMES
from motcua.i18n import N_, LocaleFormats
from motcua.indicators.charts import trend_svg
from motcua.indicators.feedback_stats import agency_names, section
from motcua.indicators.index import Score, config, index
from motcua.indicators.lineage import origin
from motcua.indicators.maps import province_map_svg, strip_prolog
from motcua.indicators.trends import MonthPoint, last_months, monthly, trend_data
from motcua.units import get_registry
from motcua.web.account import current_actor
from motcua.web.rendering import language_of, message, render
from motcua.web.routes import STATUS_NAMES

router = APIRouter(include_in_schema=False)
# The index's groups and indicators in words (the groups are data: indicators/data/index766.toml).
GROUP_NAMES = {
    "transparency": N_("Transparency"),
    "progress": N_("Progress"),
    "digitisation": N_("Digitisation"),
    "satisfaction": N_("Satisfaction"),
    "online_service": N_("Online service"),
    "online_payment": N_("Online payment"),
}
INDICATOR_NAMES = {
    "catalog_published_rate": N_("Procedures published with all their components"),
    "status_reported_rate": N_("Status changes reported to the national portal in time"),
    "results_published_rate": N_("Results published"),
    "on_time_rate": N_("On-time rate"),
    "digitisation_rate": N_("Dossiers with digitised components and an electronic result"),
    "reuse_rate": N_("Dossiers reusing documents already held"),
    "satisfaction_rate": N_("Satisfaction"),
    "online_rate": N_("Online submission rate"),
    "online_payment_rate": N_("Online payment rate"),
}
# Why an indicator is not measured, by where its data would come from.
NOT_MEASURED = {
    "none": N_("not measured: motcua has no source for it yet"),
    "exchange": N_("not measured: no status was reported to a national portal in the period"),
    "catalog": N_("not measured: no procedure in force"),
    "facts": N_("not measured: no dossier of this kind in the period"),
}
MEASURES = {
    "percent": N_("Index (per cent of the measurable points)"),
    "on_time_rate": N_("On-time rate"),
    "online_rate": N_("Online submission rate"),
    "satisfaction_rate": N_("Satisfaction"),
    "online_payment_rate": N_("Online payment rate"),
    "digitisation_rate": N_("Digitisation of dossiers"),
}


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
    today = clock.today()
    first, last = period(start, end, today)
    measure = measure if measure in MEASURES else "percent"
    with request.app.state.session_factory() as s:
        scores = index(s, first, last)
        feedback = _feedback(s, first, last, None, today)
    names = {u.code: u.name for u in get_registry().in_force(today, "province")}
    values: dict[str, float | None] = {}
    for sc in scores:
        values[sc.unit] = sc.percent / 100 if measure == "percent" else sc.rates.get(measure)
    no_data = message(request, N_("no data"))

    formats = LocaleFormats(language_of(request))

    def label(value: float | None) -> str:
        return formats.percent(value) if value is not None else no_data

    map_svg = province_map_svg(
        values,
        names,
        message(
            request, N_("Map of the 34 provinces coloured by: {measure}"), measure=message(request, MEASURES[measure])
        ),
        label,
        no_data=no_data,
        link=lambda code: f"/dashboard/{code}?start={first.isoformat()}&end={last.isoformat()}",
    )
    return render(
        request,
        "dashboard.html",
        scores=scores,
        names=names,
        measure=measure,
        measures=MEASURES,
        start=first.isoformat(),
        end=last.isoformat(),
        map_svg=Markup(map_svg),
        trend_svg=Markup(_trend(request, None, message(request, N_("All provinces")))),
        province=None,
        **feedback,
    )


def _feedback(session: Session, first: date, last: date, province: str | None, today: date) -> dict[str, Any]:
    """What the feedback section of a dashboard shows (``_feedback_section.html``)."""
    found = section(session, first, last, province, today)
    return {
        "feedback": found,
        "agency_names": agency_names(session, [a.key for a in found.slowest]),
        "about_names": ABOUT_NAMES,
    }


# The months before today do not change as dossiers move (facts are kept by the day of the event);
# only a rebuild rewrites them, so they are kept ten minutes. A province's rank among the 34 on its
# page is kept a minute: its own figures, below, are read live.
SETTLED_SECONDS, RANK_SECONDS = 600, 60


def _database_of(request: Request) -> str:
    return str(request.app.state.session_factory.kw["bind"].url)


@cached(
    TTLCache(maxsize=1024, ttl=SETTLED_SECONDS),
    key=lambda request, first, last, province, commune: (_database_of(request), first, last, province, commune),
    lock=Lock(),
)
def _months(request: Request, first: date, last: date, province: str | None, commune: str | None) -> list[MonthPoint]:
    with request.app.state.session_factory() as s:
        return monthly(s, first, last, province, commune)


@cached(
    TTLCache(maxsize=64, ttl=RANK_SECONDS),
    key=lambda request, session, first, last: (_database_of(request), first, last, clock.today()),
    lock=Lock(),
)
def _ranking(request: Request, session: Session, first: date, last: date) -> list[Score]:
    return index(session, first, last)


def _trend(request: Request, province: str | None, place: str, commune: str | None = None) -> str:
    """The last twelve months' trend chart of a place (drawn once a day for the same data)."""
    first, last = last_months(clock.today())
    points = _months(request, first, last, province, commune)
    labels = (
        message(request, N_("Received")),
        message(request, N_("of which online")),
        message(request, N_("On-time rate (decided in the month)")),
        message(request, N_("Online submission rate")),
    )
    title = message(request, N_("{place}: the last twelve months"), place=place)
    return strip_prolog(trend_svg(trend_data(points, title, labels, language_of(request))))


@router.get("/dashboard/{province}", response_class=HTMLResponse)
def drill_down(request: Request, province: str, commune: str = "", start: str = "", end: str = "") -> HTMLResponse:
    """Province → its communes → a commune's procedures; the late dossiers themselves only for the
    officials of that place (and administrators)."""
    today = clock.today()
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
        ranking = _ranking(request, s, first, last)
        feedback = _feedback(s, first, last, province, today) if not commune else {}
    summary = next((sc for sc in ranking if sc.unit == province), None)
    snapshot = request.app.state.snapshots.get()
    labels = {c: communes.get(c, c) for c in communes}
    if commune:
        labels = {code: procedure_name(snapshot, code, language_of(request)) for code in (sc.unit for sc in scores)}
    return render(
        request,
        "drill_down.html",
        province=province,
        province_name=names[province],
        commune=commune,
        commune_name=communes.get(commune, ""),
        made_from=origin(commune) if commune else [],
        scores=scores,
        labels=labels,
        late=late,
        start=first.isoformat(),
        end=last.isoformat(),
        status_names=STATUS_NAMES,
        summary=summary,
        groups=config(),
        group_names=GROUP_NAMES,
        indicator_names=INDICATOR_NAMES,
        not_measured=NOT_MEASURED,
        trend_svg=Markup(_trend(request, province, communes.get(commune, "") or names[province], commune or None)),
        **feedback,
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
