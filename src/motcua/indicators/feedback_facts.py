"""What each feedback step adds to ``fact_feedback_days``, written in the step's transaction, and the
rebuild from the event logs, which counts by the same rule (``changes``) and must give the same table.

Every event records who had the message when the step was taken (``held_by``, ``held_in``) and a
closing step whether its stage closed after its deadline (``late``), so the facts need nothing but the
log. A message about a dossier also marks the dossier as complained about (Decision 766's
satisfaction), once, in the dossier facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, cast, get_args

from sqlalchemy import Table, case, exists, func, literal, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua import clock
from motcua.dossiers.models import Dossier
from motcua.feedback.models import FeedbackEvent, FeedbackMessage, Rating
from motcua.feedback.states import TRANSITIONS, Stage
from motcua.feedback.subscribers import FeedbackChange
from motcua.indicators import facts
from motcua.indicators.models import FEEDBACK_COUNTERS, FEEDBACK_KEYS, FactFeedbackDay

Key = tuple[str, str, str, str]  # province, commune ("" when none), agency, about
Delta = tuple[date, Key, str, int]
TABLE = cast(Table, FactFeedbackDay.__table__)
CLASSIFYING = {"accept": "accepted", "decline": "declined", "merge": "merged"}


def ending(stage: str) -> tuple[str, ...]:
    """The steps that end the deadline stage ``stage`` (the transition table says)."""
    return tuple(name for name, t in TRANSITIONS.items() if t.closes == stage)


def changes(step: str, at: datetime, payload: dict[str, Any], commune: str | None, about: str) -> list[Delta]:
    day = clock.local_date(at)
    key: Key = (str(payload["held_in"]), commune or "", str(payload["held_by"]), about)
    out: list[Delta] = []

    def add(counter: str, where: Key = key) -> None:
        out.append((day, where, counter, 1))

    if step == "file":
        add("received")
    elif step == "forward":
        add("forwarded")
        add("transferred_in", (str(payload["province"]), commune or "", str(payload["agency"]), about))
    elif step in CLASSIFYING:
        add(CLASSIFYING[step])
    elif step == "publish":
        add("published")
    elif step == "request_reopen":
        add("reopen_requested")
    elif step == "accept_reopen":
        add("reopened")
    elif step == "rate":
        add("rated")
        if payload.get("value") == "dissatisfied":
            add("dissatisfied")
    closes = TRANSITIONS[step].closes if step in TRANSITIONS else None
    if closes is not None and "late" in payload:  # merging a message already accepted ends no stage
        add(f"{closes}_late" if payload["late"] else f"{closes}_on_time")
    return out


def on_feedback_change(change: FeedbackChange) -> None:
    """The feedback's subscriber (``feedback.subscribers``): count the step, and a first complaint
    about a dossier in the dossier facts."""
    m = change.message
    write(change.session, changes(change.step, change.at, change.payload, m.commune_code, m.about))
    if change.step == "file" and m.dossier_code:
        _first_complaint(change.session, m, change.at)


def _first_complaint(session: Session, m: FeedbackMessage, at: datetime) -> None:
    d = session.scalar(select(Dossier).where(Dossier.code == m.dossier_code))
    if d is None:
        return
    earlier = select(FeedbackMessage.id).where(FeedbackMessage.dossier_code == d.code, FeedbackMessage.id != m.id)
    disliked = select(Rating.id).where(Rating.dossier_id == d.id, Rating.value == "dissatisfied")
    if not session.scalar(select(exists(earlier) | exists(disliked))):
        facts.write(session, [(clock.local_date(at), facts.place_of(d), "complained", 1)], [])


@cache
def _upsert(dialect: str, counters: tuple[str, ...]) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(TABLE)
    return stmt.on_conflict_do_update(
        index_elements=["day", *FEEDBACK_KEYS], set_={c: TABLE.c[c] + stmt.excluded[c] for c in counters}
    )


def write(session: Session, deltas: Iterable[Delta]) -> None:
    """Add the deltas, one upsert per touched row, in key order (two steps never wait on each other
    in a cycle)."""
    grouped: dict[tuple[date, Key], Counter[str]] = {}
    for day, key, counter, n in deltas:
        grouped.setdefault((day, key), Counter())[counter] += n
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    for (day, key), counts in sorted(grouped.items()):
        row = {"day": day, **dict(zip(FEEDBACK_KEYS, key, strict=True)), **dict.fromkeys(FEEDBACK_COUNTERS, 0)}
        row.update(counts)
        connection.execute(_upsert(dialect, tuple(sorted(counts))), row)


def rebuild(session: Session) -> int:
    """Recompute the table from the event logs in one ``INSERT … SELECT`` (the rule of ``changes``
    in SQL); returns its row count. ``replay`` goes through ``changes`` itself; the tests hold the two
    to the same table."""
    _clear(session)
    events, messages = cast(Table, FeedbackEvent.__table__), cast(Table, FeedbackMessage.__table__)
    local_day = facts.local_date_sql(session)
    step, payload = events.c.transition, events.c.payload
    late, has_late = payload["late"].as_boolean(), payload["late"].as_string().is_not(None)

    def when(condition: Any) -> Any:
        return case((condition, 1), else_=0)

    def stage(steps: tuple[str, ...], on_time: bool) -> Any:
        return when(step.in_(steps) & has_late & (late if not on_time else ~late))

    counted = {
        "received": when(step == "file"),
        "forwarded": when(step == "forward"),
        **{counter: when(step == name) for name, counter in CLASSIFYING.items()},
        **{f"{name}_on_time": stage(ending(name), True) for name in get_args(Stage)},
        **{f"{name}_late": stage(ending(name), False) for name in get_args(Stage)},
        "published": when(step == "publish"),
        "reopen_requested": when(step == "request_reopen"),
        "reopened": when(step == "accept_reopen"),
        "rated": when(step == "rate"),
        "dissatisfied": when((step == "rate") & (payload["value"].as_string() == "dissatisfied")),
    }
    commune = func.coalesce(messages.c.commune_code, "")
    joined = events.join(messages, messages.c.id == events.c.message_id)

    def row(province: Any, agency: Any, values: dict[str, Any]) -> Any:
        columns = [(values[c] if c in values else literal(0)).label(c) for c in FEEDBACK_COUNTERS]
        keys = [province.label("province_code"), commune.label("commune_code"), agency.label("agency_code")]
        return select(local_day(events.c.at).label("day"), *keys, messages.c.about.label("about"), *columns)

    held = row(payload["held_in"].as_string(), payload["held_by"].as_string(), counted).select_from(joined)
    arrived = (
        row(payload["province"].as_string(), payload["agency"].as_string(), {"transferred_in": literal(1)})
        .select_from(joined)
        .where(step == "forward")
    )
    both = union_all(held, arrived).subquery()
    keys = [both.c.day, *(both.c[k] for k in FEEDBACK_KEYS)]
    total = sum((both.c[c] for c in FEEDBACK_COUNTERS[1:]), both.c[FEEDBACK_COUNTERS[0]])
    session.execute(
        TABLE.insert().from_select(
            ["day", *FEEDBACK_KEYS, *FEEDBACK_COUNTERS],
            select(*keys, *(func.sum(both.c[c]) for c in FEEDBACK_COUNTERS))
            .group_by(*keys)
            .having(func.sum(total) > 0)
            .order_by(*(both.c[k] for k in FEEDBACK_KEYS), both.c.day),
        )
    )
    return session.scalar(select(func.count()).select_from(TABLE)) or 0


def replay(session: Session) -> int:
    """Recompute the table by passing every event through ``changes`` (slow; it checks ``rebuild``)."""
    totals: Counter[tuple[date, Key, str]] = Counter()
    columns = (FeedbackEvent.transition, FeedbackEvent.at, FeedbackEvent.payload)
    query = select(*columns, FeedbackMessage.commune_code, FeedbackMessage.about).join(
        FeedbackMessage, FeedbackMessage.id == FeedbackEvent.message_id
    )
    for step, at, payload, commune, about in session.execute(query):
        for day, key, counter, n in changes(step, at, payload, commune, about):
            totals[(day, key, counter)] += n
    _clear(session)
    write(session, ((day, key, counter, n) for (day, key, counter), n in totals.items()))
    return session.scalar(select(func.count()).select_from(TABLE)) or 0


def _clear(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"TRUNCATE {TABLE.name}"))
    else:
        session.execute(TABLE.delete())
