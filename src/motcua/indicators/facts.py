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
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Date, Table, case, func, literal, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from motcua import clock
from motcua.db import Base
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import Projection, project
from motcua.dossiers.states import FINAL, STEPS, counting
from motcua.dossiers.timeliness import classify
from motcua.indicators.models import (
    DAY_COUNTERS,
    DAY_TABLES,
    GRAINS,
    OPEN_TABLES,
    PLACE_KEYS,
    FactCommuneMonth,
    FactDossierDay,
    FactOpenDossiers,
)

Place = tuple[str, str, str, str, str, str]
DayDelta = tuple[date, Place, str, int]  # (day, place, counter, +n)
OpenDelta = tuple[date, Place, int]  # (due date, place, +n)
DAYS = cast(Table, FactDossierDay.__table__)
OPEN = cast(Table, FactOpenDossiers.__table__)
MONTHS = cast(Table, FactCommuneMonth.__table__)
FINEST_FIRST = sorted(GRAINS, key=lambda grain: -len(GRAINS[grain]))  # place, commune, province
DAY_TABLE_NAMES = {grain: str(t.__tablename__) for grain, t in DAY_TABLES.items()}
OPEN_TABLE_NAMES = {grain: str(t.__tablename__) for grain, t in OPEN_TABLES.items()}


def place_of(d: Dossier) -> Place:
    return (
        d.province_code,
        d.subject_commune_code,
        d.centre_identifier,
        d.deciding_agency_code or "",
        d.procedure_code,
        d.channel,
    )


def _moved(place: Place, fields: dict[str, Any]) -> Place:
    """``place`` with the fields a ``transferred`` event records on one side (``from`` or ``to``)."""
    return (
        place[0],
        fields.get("subject_commune_code") or place[1],
        fields.get("centre_identifier") or place[2],
        fields.get("deciding_agency_code") or "",
        place[4],
        place[5],
    )


def moved_from(place: Place, payload: dict[str, Any]) -> Place:
    """The place a ``transferred`` event moved a dossier from (``place`` is where it is after)."""
    return _moved(place, payload.get("from") or {})


def places_through(d: Dossier) -> list[Place]:
    """The dossier's place at each of its events: where it was created, then where each
    ``transferred`` event put it (history is counted where it happened)."""
    events = list(d.events)
    current = place_of(d)
    moves = [e for e in events if e.transition == "transferred"]
    place = moved_from(current, moves[0].payload) if moves else current
    out = []
    for e in events:
        if e.transition == "transferred":
            place = _moved(place, (e.payload or {}).get("to") or {})
        out.append(place)
    return out


def place_at(d: Dossier, at: datetime) -> Place:
    """The dossier's place at the instant ``at`` (the last event at or before it says)."""
    at = clock.aware(at)
    place = None
    for e, where in zip(d.events, places_through(d), strict=True):
        if clock.aware(e.at) > at:
            break
        place = where
    return place or place_of(d)


def _open_due(p: Projection) -> date | None:
    """The due date under which a dossier counts as open, or None when it does not."""
    if p.due_on is None or p.finished_at is not None or p.status in FINAL or p.status == "":
        return None
    return p.due_on


def changes(
    place: Place, name: str, at: datetime, before: Projection, after: Projection, payload: dict[str, Any]
) -> tuple[list[DayDelta], list[OpenDelta]]:
    days: list[DayDelta] = []
    if name == "transferred":  # the history stays where it happened; an open dossier moves
        due, before_place = _open_due(after), moved_from(place, payload)
        if due is None or before_place == place:
            return days, []
        return days, [(due, before_place, -1), (due, place, 1)]
    counts = STEPS[name].counts
    if counts == "received":
        days.append((clock.local_date(at), place, "received", 1))
        if place[5] == "online":
            days.append((clock.local_date(at), place, "online", 1))
        if payload.get("reused"):
            days.append((clock.local_date(at), place, "reused", 1))
    elif counts == "decided":
        when = classify(
            after.status, after.outcome, after.due_on, after.finished_at, after.supplement_count, clock.local_date(at)
        )
        if when in ("early", "on_time", "late"):
            days.append((clock.local_date(at), place, when, 1))
            if payload.get("digitised"):
                days.append((clock.local_date(at), place, "digitised", 1))
    elif counts == "fee_due":
        days.append((clock.local_date(at), place, "fee_due", 1))
    elif counts == "paid" and payload.get("online"):
        days.append((clock.local_date(at), place, "paid_online", 1))
    opens: list[OpenDelta] = []
    old, new = _open_due(before), _open_due(after)
    if old != new:
        if old is not None:
            opens.append((old, place, -1))
        if new is not None:
            opens.append((new, place, 1))
    return days, opens


def on_dossier_change(change: Any) -> None:
    """The dossiers' subscriber (``dossiers.subscribers``): count the step in the fact tables."""
    d = change.dossier
    write(
        change.session,
        *changes(place_of(d), change.transition, change.at, change.before, change.after, change.payload),
    )


def on_dossier_change_batch(changes: Any) -> None:
    """Many steps written together (a reorganisation's sweep): their deltas added up, written once."""
    if not changes:
        return
    days: list[DayDelta] = []
    opens: list[OpenDelta] = []
    for change in changes:
        d, o = _changes_of(change)
        days += d
        opens += o
    write(changes[0].session, days, opens)


def _changes_of(change: Any) -> tuple[list[DayDelta], list[OpenDelta]]:
    return changes(place_of(change.dossier), change.transition, change.at, change.before, change.after, change.payload)


def rating_changes(place: Place, at: datetime, value: str) -> list[DayDelta]:
    out: list[DayDelta] = [(clock.local_date(at), place, "rated", 1)]
    if value == "dissatisfied":
        out.append((clock.local_date(at), place, "dissatisfied", 1))
    return out


@cache
def _upsert(dialect: str, table_name: str, keys: tuple[str, ...], counters: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` adding the given counters, built once per dialect, table
    and counter set (every value is a parameter, so the compiled statement is cached like the others on
    this path)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Base.metadata.tables[table_name]
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + stmt.excluded[c] for c in counters}
    )


def write(session: Session, days: Iterable[DayDelta], opens: Iterable[OpenDelta]) -> None:
    """Add the deltas to every grain (one upsert per touched row, in the caller's transaction). Rows
    are written in one order — finest grain first, the province's rows last, each grain in key order —
    so two transactions never wait on each other in a cycle, and the rows every submission of a
    province touches are locked for the shortest time (from their upsert to the commit)."""
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    grouped: dict[tuple[date, Place], Counter[str]] = {}
    for day, place, counter, n in days:  # one statement per touched row (submission: received + online)
        grouped.setdefault((day, place), Counter())[counter] += n
    moved: Counter[tuple[date, Place]] = Counter()
    for due, place, n in opens:
        moved[(due, place)] += n
    for grain in FINEST_FIRST:
        keys = GRAINS[grain]
        width = len(keys)
        # Rows of one statement go together (one round trip for many: a reorganisation's batch moves
        # thousands of open dossiers), in key order.
        day_rows: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for (day, place), counts in sorted(grouped.items()):
            row = {"day": day, **dict(zip(keys, place[:width], strict=True)), **dict.fromkeys(DAY_COUNTERS, 0)}
            row.update(counts)
            day_rows.setdefault(tuple(sorted(counts)), []).append(row)
        for counters, rows in day_rows.items():
            connection.execute(_upsert(dialect, DAY_TABLE_NAMES[grain], ("day", *keys), counters), rows)
        opens_rows: dict[tuple[date, tuple[str, ...]], int] = {}
        for (due, place), n in moved.items():
            opens_rows[(due, place[:width])] = opens_rows.get((due, place[:width]), 0) + n
        rows = [
            {"due_on": due, **dict(zip(keys, key_values, strict=True)), "open": n}
            for (due, key_values), n in sorted(opens_rows.items())
            if n
        ]
        if rows:
            connection.execute(_upsert(dialect, OPEN_TABLE_NAMES[grain], ("due_on", *keys), ("open",)), rows)
        if grain == "commune":  # a commune's month, between the commune's days and the province's
            _write_months(connection, dialect, grouped)


def _write_months(connection: Any, dialect: str, grouped: dict[tuple[date, Place], Counter[str]]) -> None:
    months: dict[tuple[date, str, str], Counter[str]] = {}
    for (day, place), counts in grouped.items():
        months.setdefault((day.replace(day=1), place[0], place[1]), Counter()).update(counts)
    for (month, province, commune), counts in sorted(months.items()):
        row = {"month": month, "province_code": province, "commune_code": commune}
        row.update(dict.fromkeys(DAY_COUNTERS, 0), **counts)
        month_keys = ("month", *GRAINS["commune"])
        connection.execute(_upsert(dialect, MONTHS.name, month_keys, tuple(sorted(counts))), row)


def rebuild(session: Session) -> tuple[int, int]:
    """Recompute every grain from the event logs in a few ``INSERT … SELECT`` statements (minutes for
    ten million dossiers, where a replay in Python takes hours). What each event counts is the rule of
    ``changes``, written in SQL: arrivals, decisions and payments from the events; the timeliness of a
    decision from the dossier's due date and supplements, which no later event changes; open dossiers
    from the projection (the sum of ``changes``' moves is the dossier's current due date).
    ``replay`` goes through ``changes`` itself; the tests hold the two to the same tables."""
    from motcua.feedback.models import Rating

    _clear(session)
    local_day = local_date_sql(session)
    dossiers, events, ratings = (cast(Table, m.__table__) for m in (Dossier, DossierEvent, Rating))
    place = [
        dossiers.c.province_code.label("province_code"),
        dossiers.c.subject_commune_code.label("commune_code"),
        dossiers.c.centre_identifier.label("centre_identifier"),
        func.coalesce(dossiers.c.deciding_agency_code, "").label("agency_code"),
        dossiers.c.procedure_code.label("procedure_code"),
        dossiers.c.channel.label("channel"),
    ]
    # A dossier a reorganisation moved counts what happened before the move where it was then: the
    # place a ``transferred`` event after the instant moved it from (few dossiers: looked up only for them).
    moved = select(events.c.dossier_id).where(events.c.transition == "transferred").distinct().subquery("moved")
    moves = events.alias("moves")

    def place_at(at: Any) -> list[Any]:
        def was(name: str, now: Any, label: str) -> Any:
            then = (
                select(moves.c.payload[("from", name)].as_string())
                .where(moves.c.dossier_id == dossiers.c.id, moves.c.transition == "transferred", moves.c.at > at)
                .order_by(moves.c.seq)
                .limit(1)
                .scalar_subquery()
            )
            return case((moved.c.dossier_id.is_not(None), func.coalesce(then, now)), else_=now).label(label)

        return [
            place[0],
            was("subject_commune_code", dossiers.c.subject_commune_code, "commune_code"),
            was("centre_identifier", dossiers.c.centre_identifier, "centre_identifier"),
            was("deciding_agency_code", func.coalesce(dossiers.c.deciding_agency_code, ""), "agency_code"),
            place[4],
            place[5],
        ]

    def when(condition: Any) -> Any:
        return case((condition, 1), else_=0)

    def counted(day: Any, at: Any, **counters: Any) -> Any:
        """One row per fact: the day, the place at ``at``, then every counter in ``DAY_COUNTERS`` order
        (a union matches columns by position)."""
        values = [(counters[c] if c in counters else literal(0)).label(c) for c in DAY_COUNTERS]
        return select(day.label("day"), *place_at(at), *values)

    with_moves = dossiers.outerjoin(moved, moved.c.dossier_id == dossiers.c.id)
    # Arrivals and decisions from the dossiers alone (no join with tens of millions of events): the
    # first event's time is ``submitted_at``; a decision's is ``finished_at`` of a dossier with an outcome.
    arrivals = counted(
        local_day(dossiers.c.submitted_at),
        dossiers.c.submitted_at,
        received=literal(1),
        online=when(dossiers.c.channel == "online"),
    ).select_from(with_moves)
    decided_on = local_day(dossiers.c.finished_at)
    counts_late = dossiers.c.supplement_count > 1
    decisions = (
        counted(
            decided_on,
            dossiers.c.finished_at,
            early=when(~counts_late & (decided_on < dossiers.c.due_on)),
            on_time=when(~counts_late & (decided_on == dossiers.c.due_on)),
            late=when(counts_late | (decided_on > dossiers.c.due_on)),
        )
        .select_from(with_moves)
        .where(dossiers.c.outcome.is_not(None), dossiers.c.finished_at.is_not(None), dossiers.c.due_on.is_not(None))
    )
    # What only the log holds: payment requests, online payments, decisions on digital dossiers.
    fee_due, paid = events.c.transition.in_(counting("fee_due")), events.c.transition.in_(counting("paid"))
    payment = fee_due | paid
    digitised = events.c.transition.in_(counting("decided")) & events.c.payload["digitised"].as_boolean()
    reused = events.c.transition.in_(counting("received")) & events.c.payload["reused"].as_boolean()
    from_events = (
        counted(
            local_day(events.c.at),
            events.c.at,
            digitised=when(digitised & dossiers.c.due_on.is_not(None)),
            fee_due=when(fee_due),
            paid_online=when(paid & events.c.payload["online"].as_boolean()),
            reused=when(reused),
        )
        .select_from(events.join(with_moves, dossiers.c.id == events.c.dossier_id))
        .where(payment | digitised | reused)
    )
    from_ratings = counted(
        local_day(ratings.c.at), ratings.c.at, rated=literal(1), dissatisfied=when(ratings.c.value == "dissatisfied")
    ).select_from(ratings.join(with_moves, dossiers.c.id == ratings.c.dossier_id))
    first = _first_complaints(ratings)
    from_complaints = counted(local_day(first.c.at), first.c.at, complained=literal(1)).select_from(
        first.join(with_moves, dossiers.c.id == first.c.dossier_id)
    )
    both = union_all(arrivals, decisions, from_events, from_ratings, from_complaints).subquery()
    keys = [both.c[k] for k in PLACE_KEYS]
    session.execute(
        DAYS.insert().from_select(
            ["day", *PLACE_KEYS, *DAY_COUNTERS],
            select(both.c.day, *keys, *(func.sum(both.c[c]) for c in DAY_COUNTERS))
            .group_by(both.c.day, *keys)
            .having(func.sum(sum((both.c[c] for c in DAY_COUNTERS[1:]), both.c[DAY_COUNTERS[0]])) > 0),
        )
    )
    is_open = (
        dossiers.c.due_on.is_not(None)
        & dossiers.c.finished_at.is_(None)
        & dossiers.c.status.not_in(sorted(FINAL))
        & (dossiers.c.status != "")
    )
    place_columns = [c.element for c in place]
    session.execute(
        OPEN.insert().from_select(
            ["due_on", *PLACE_KEYS, "open"],
            select(dossiers.c.due_on, *place, func.count()).where(is_open).group_by(dossiers.c.due_on, *place_columns),
        )
    )
    return _roll_up(session)


def _first_complaints(ratings: Table) -> Any:
    """(dossier id, instant) of each dossier's first complaint or dislike: its first feedback message
    or its dissatisfied rating, whichever came first."""
    from motcua.feedback.models import FeedbackMessage

    dossiers, messages = cast(Table, Dossier.__table__), cast(Table, FeedbackMessage.__table__)
    complaints = select(dossiers.c.id.label("dossier_id"), messages.c.filed_at.label("at")).join(
        messages, messages.c.dossier_code == dossiers.c.code
    )
    dislikes = select(ratings.c.dossier_id, ratings.c.at).where(ratings.c.value == "dissatisfied")
    both = union_all(complaints, dislikes).subquery()
    return select(both.c.dossier_id, func.min(both.c.at).label("at")).group_by(both.c.dossier_id).subquery()


def replay(session: Session, batch: int = 2000) -> tuple[int, int]:
    """Recompute every grain by replaying each dossier's events through ``changes`` (and the ratings
    through ``rating_changes``), the rule the live path applies. Slow; it checks ``rebuild``."""
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
            shadow = Projection(d.time_limit, d.time_limit_kind)
            if d.province_code not in calendars:  # built once per province
                calendars[d.province_code] = _calendar(session, d.province_code)
            cal = calendars[d.province_code]
            for e, place in zip(d.events, places_through(d), strict=True):
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
        for day, p, counter, n in rating_changes(place_at(d, rating.at), rating.at, rating.value):
            day_totals[(day, p, counter)] += n
    first = _first_complaints(cast(Table, Rating.__table__))
    for at, d in session.execute(select(first.c.at, Dossier).join(Dossier, Dossier.id == first.c.dossier_id)):
        at = at if at.tzinfo else at.replace(tzinfo=UTC)  # stored in UTC
        day_totals[(clock.local_date(at), place_at(d, at), "complained")] += 1
    _clear(session)
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
    return _roll_up(session)


def _fact_tables() -> list[Table]:
    return [cast(Table, m.__table__) for m in (*DAY_TABLES.values(), *OPEN_TABLES.values())] + [MONTHS]


def _clear(session: Session) -> None:
    tables = _fact_tables()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("TRUNCATE " + ", ".join(t.name for t in tables)))
    else:
        for table in tables:
            session.execute(table.delete())


def local_date_sql(session: Session) -> Any:
    """SQL for an instant's legal date in Vietnam (instants are stored in UTC)."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda column: func.date(func.timezone("Asia/Ho_Chi_Minh", column))
    return lambda column: func.date(column, "+7 hours")  # Vietnam has kept UTC+7, without summer time


def month_of(session: Session, day: Any) -> Any:
    """The first day of ``day``'s month, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def _roll_up(session: Session) -> tuple[int, int]:
    """Fill the coarse grains from the place grain; returns the place grain's row counts."""
    for grain, keys in GRAINS.items():
        if grain == "place":
            continue
        for source, target, key, measures in (
            (DAYS, DAY_TABLES[grain], "day", DAY_COUNTERS),
            (OPEN, OPEN_TABLES[grain], "due_on", ("open",)),
        ):
            table = cast(Table, target.__table__)
            columns = [source.c[key], *(source.c[k] for k in keys)]
            grouped = select(*columns, *(func.sum(source.c[m]) for m in measures)).group_by(*columns)
            # Stored in key order: the rows of a province (or commune) lie together on disk.
            ordered = grouped.order_by(*(source.c[k] for k in keys), source.c[key])
            session.execute(table.insert().from_select([key, *keys, *measures], ordered))
    communes = cast(Table, DAY_TABLES["commune"].__table__)
    month = month_of(session, communes.c.day)
    commune_keys = [communes.c[k] for k in GRAINS["commune"]]
    by_month = (
        select(month, *commune_keys, *(func.sum(communes.c[c]) for c in DAY_COUNTERS))
        .group_by(month, *commune_keys)
        .order_by(*commune_keys, month)
    )
    session.execute(MONTHS.insert().from_select(["month", *GRAINS["commune"], *DAY_COUNTERS], by_month))
    if session.get_bind().dialect.name == "postgresql":  # fresh statistics, or the planner misjudges the grains
        session.execute(text("ANALYZE " + ", ".join(t.name for t in _fact_tables())))
    days = session.scalar(select(func.count()).select_from(DAYS)) or 0
    opens = session.scalar(select(func.count()).select_from(OPEN)) or 0
    return days, opens


def _calendar(session: Session, province: str) -> Any:
    from motcua.calendar.service import build_calendar

    return build_calendar(session, province)
