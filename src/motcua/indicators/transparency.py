"""The transparency group of the index (Decision 766): what the catalog and the exchange already
know, per unit, beside the fact tables.

- ``catalog_published_rate``: the procedures in force whose version in force is published with all
  its legal components, over the procedures in force (the catalog is national: one figure for every
  unit).
- ``status_reported_rate``: the dossiers' status changes that reached the national node within the
  deadline of the indicator's data (``within_hours``), over the changes reported in the period, by
  the dossier's province or commune. A node that reports to no national node has none: not measured.
- An indicator whose ``source`` is ``none`` has no data source in motcua: it is not measured, and the
  dashboards say so.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.exchange.models import OutboxMessage

SOURCES = ("catalog", "exchange", "none")
EARLIEST, LATEST = date(1970, 1, 1), date(9000, 12, 31)


def catalog_published_rate(session: Session, at: date) -> float | None:
    """Published (every legal component) over in force, on ``at``."""
    in_force = (
        (ProcedureVersion.valid_from.is_(None) | (ProcedureVersion.valid_from <= at))
        & (ProcedureVersion.valid_to.is_(None) | (ProcedureVersion.valid_to > at))
        & (Procedure.abolished_on.is_(None) | (Procedure.abolished_on > at))
    )
    published = case((ProcedureVersion.status == "published", 1), else_=0)
    rows = session.execute(
        select(ProcedureVersion.procedure_id, func.max(published))
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(in_force)
        .group_by(ProcedureVersion.procedure_id)
    ).all()
    if not rows:
        return None
    return sum(1 for _, published in rows if published) / len(rows)


def status_reported_rates(
    session: Session, start: date, end: date, column: str, within_hours: float, filters: dict[str, str | None]
) -> dict[str, float]:
    """Per unit (``column`` of the dossier: province_code or subject_commune_code), the status reports
    of [start, end] (Vietnam's days) delivered within ``within_hours`` of the step, over those made."""
    # Any period the API is asked for: instants kept within what a datetime holds in every zone.
    start, end = max(start, EARLIEST), min(end, LATEST)
    first = clock.aware(datetime.combine(start, time()))
    after = clock.aware(datetime.combine(end + timedelta(days=1), time()))
    key = getattr(Dossier, column)
    late_limit = timedelta(hours=within_hours)
    query = (
        select(key, OutboxMessage.created_at, OutboxMessage.delivered_at)
        .join(Dossier, Dossier.code == OutboxMessage.dossier_code)
        .where(
            OutboxMessage.operation == "reportStatus",
            OutboxMessage.created_at >= first,
            OutboxMessage.created_at < after,
        )
    )
    for name, value in filters.items():
        if value:
            query = query.where(getattr(Dossier, name) == value)
    made: dict[str, int] = {}
    on_time: dict[str, int] = {}
    for unit, created, delivered in session.execute(query):
        made[unit] = made.get(unit, 0) + 1
        if delivered is not None and delivered - created <= late_limit:
            on_time[unit] = on_time.get(unit, 0) + 1
    return {unit: on_time.get(unit, 0) / n for unit, n in made.items()}


def rates(
    session: Session, indicators: list[Any], start: date, end: date, level: str, filters: dict[str, str | None]
) -> tuple[dict[str, float | None], dict[str, dict[str, float]]]:
    """(rates the same for every unit, rates per unit) of the transparency indicators."""
    common: dict[str, float | None] = {}
    per_unit: dict[str, dict[str, float]] = {}
    for indicator in indicators:
        if indicator.source == "catalog":
            common[indicator.key] = catalog_published_rate(session, end)
        elif indicator.source == "exchange" and level in ("province", "commune"):
            column = "subject_commune_code" if level == "commune" else "province_code"
            dossier_filters = {
                "province_code": filters.get("province_code"),
                "subject_commune_code": filters.get("commune_code"),
            }
            per_unit[indicator.key] = status_reported_rates(
                session, start, end, column, indicator.within_hours or 24.0, dossier_filters
            )
        else:  # no source, or no grain to read it at
            common[indicator.key] = None
    return common, per_unit
