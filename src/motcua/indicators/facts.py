"""What each dossier event adds to the fact tables, written in the event's transaction, and the
rebuild from the event logs, which goes through the same rule (``changes``) and must give the same
tables.

A day's counters: ``received`` and ``online`` on the first event; ``early`` / ``on_time`` / ``late``
when the deciding agency decides (approve or refuse), classified as the national index does;
``fee_due`` when a payment is requested, ``paid_online`` on an online payment; ``rated`` /
``dissatisfied`` when the applicant rates. Open dossiers are counted by due date from acceptance until
the decision, moving when the due date moves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import Projection, project
from motcua.dossiers.states import FINAL
from motcua.dossiers.timeliness import classify
from motcua.indicators.models import DAY_COUNTERS, PLACE_KEYS, FactDossierDay, FactOpenDossiers

Place = tuple[str, str, str, str, str, str]
DayDelta = tuple[date, Place, str, int]  # (day, place, counter, +n)
OpenDelta = tuple[date, Place, int]  # (due date, place, +n)
DAYS = cast(Table, FactDossierDay.__table__)
OPEN = cast(Table, FactOpenDossiers.__table__)


def place_of(d: Dossier) -> Place:
    return (
        d.province_code,
        d.subject_commune_code,
        d.centre_identifier,
        d.deciding_agency_code or "",
        d.procedure_code,
        d.channel,
    )


def _open_due(p: Projection) -> date | None:
    """The due date under which a dossier counts as open, or None when it does not."""
    if p.due_on is None or p.finished_at is not None or p.status in FINAL or p.status == "":
        return None
    return p.due_on


def changes(
    place: Place, name: str, at: datetime, before: Projection, after: Projection, payload: dict[str, Any]
) -> tuple[list[DayDelta], list[OpenDelta]]:
    days: list[DayDelta] = []
    if name in ("submit", "receive"):
        days.append((at.date(), place, "received", 1))
        if place[5] == "online":
            days.append((at.date(), place, "online", 1))
    elif name in ("approve", "refuse"):
        when = classify(after.status, after.outcome, after.due_on, after.finished_at, after.supplement_count, at.date())
        if when in ("early", "on_time", "late"):
            days.append((at.date(), place, when, 1))
    elif name == "request_payment":
        days.append((at.date(), place, "fee_due", 1))
    elif name == "pay" and payload.get("online"):
        days.append((at.date(), place, "paid_online", 1))
    opens: list[OpenDelta] = []
    old, new = _open_due(before), _open_due(after)
    if old != new:
        if old is not None:
            opens.append((old, place, -1))
        if new is not None:
            opens.append((new, place, 1))
    return days, opens


def rating_changes(place: Place, at: datetime, value: str) -> list[DayDelta]:
    out: list[DayDelta] = [(at.date(), place, "rated", 1)]
    if value == "dissatisfied":
        out.append((at.date(), place, "dissatisfied", 1))
    return out


@cache
def _upsert_day(dialect: str, counters: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE`` adding the given counters, built once per dialect and counter
    set (every value is a parameter, so the compiled statement is cached like the others on this path)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(DAYS)
    return stmt.on_conflict_do_update(
        index_elements=["day", *PLACE_KEYS], set_={c: DAYS.c[c] + stmt.excluded[c] for c in counters}
    )


@cache
def _upsert_open(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(OPEN)
    return stmt.on_conflict_do_update(
        index_elements=["due_on", *PLACE_KEYS], set_={"open": OPEN.c.open + stmt.excluded.open}
    )


def write(session: Session, days: Iterable[DayDelta], opens: Iterable[OpenDelta]) -> None:
    """Add the deltas (one upsert per touched row, in the caller's transaction)."""
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    grouped: dict[tuple[date, Place], Counter[str]] = {}
    for day, place, counter, n in days:  # one statement per touched row (submission: received + online)
        grouped.setdefault((day, place), Counter())[counter] += n
    for (day, place), counts in grouped.items():
        row = {"day": day, **dict(zip(PLACE_KEYS, place, strict=True)), **dict.fromkeys(DAY_COUNTERS, 0), **counts}
        connection.execute(_upsert_day(dialect, tuple(sorted(counts))), row)
    for due, place, n in opens:
        row = {"due_on": due, **dict(zip(PLACE_KEYS, place, strict=True)), "open": n}
        connection.execute(_upsert_open(dialect), row)


def rebuild(session: Session, batch: int = 2000) -> tuple[int, int]:
    """Recompute both tables from every dossier's event log (and the ratings). Returns the row counts."""
    from motcua.feedback.models import Rating

    day_totals: Counter[tuple[date, Place, str]] = Counter()
    open_totals: Counter[tuple[date, Place]] = Counter()
    calendars: dict[str, Any] = {}
    last = 0
    while True:
        dossiers = session.scalars(
            select(Dossier)
            .where(Dossier.id > last)
            .order_by(Dossier.id)
            .limit(batch)
            .options(selectinload(Dossier.events))
        ).all()
        if not dossiers:
            break
        for d in dossiers:
            place, shadow = place_of(d), Projection(d.time_limit, d.time_limit_kind)
            cal = calendars.setdefault(d.province_code, _calendar(session, d.province_code))
            for e in d.events:
                before = Projection(**vars(shadow))
                project(shadow, e.transition, e.at, e.to_status, e.payload, cal)
                days, opens = changes(place, e.transition, e.at, before, shadow, e.payload)
                for day, p, counter, n in days:
                    day_totals[(day, p, counter)] += n
                for due, p, n in opens:
                    open_totals[(due, p)] += n
        last = dossiers[-1].id
        session.expunge_all()
    for rating, d in session.execute(select(Rating, Dossier).join(Dossier, Dossier.id == Rating.dossier_id)):
        for day, p, counter, n in rating_changes(place_of(d), rating.at, rating.value):
            day_totals[(day, p, counter)] += n
    session.execute(delete(FactDossierDay))
    session.execute(delete(FactOpenDossiers))
    rows: dict[tuple[date, Place], dict[str, Any]] = {}
    for (day, p, counter), n in day_totals.items():
        row = rows.setdefault(
            (day, p), {"day": day, **dict(zip(PLACE_KEYS, p, strict=True)), **dict.fromkeys(DAY_COUNTERS, 0)}
        )
        row[counter] += n
    if rows:
        session.execute(DAYS.insert(), list(rows.values()))
    open_rows = [
        {"due_on": due, **dict(zip(PLACE_KEYS, p, strict=True)), "open": n} for (due, p), n in open_totals.items() if n
    ]
    if open_rows:
        session.execute(OPEN.insert(), open_rows)
    return len(rows), len(open_rows)


def _calendar(session: Session, province: str) -> Any:
    from motcua.calendar.service import build_calendar

    return build_calendar(session, province)
