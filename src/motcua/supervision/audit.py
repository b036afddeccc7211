"""The inspector's query over the audit trail of dossiers: who did what, when, on which dossier and
from which channel, by unit, official, dossier and period, within the inspector's province; as rows for a page
or as CSV. An official's account name is shown, never the applicant's personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.service import visible

COLUMNS = ("at", "official", "role", "unit", "via", "dossier", "step", "from_status", "to_status")
MAX_DAYS = 366
PAGE = 200


class QueryError(ValueError):
    pass


@dataclass(frozen=True)
class TrailQuery:
    start: date
    end: date  # inclusive
    unit: str = ""  # an agency or centre code (the acting official's unit)
    official: str = ""  # an account name
    dossier: str = ""  # one dossier's code
    after: int = 0  # the cursor: the last step of the previous page (its event id)

    def problems(self) -> list[str]:
        found = []
        if self.end < self.start:
            found.append("end: before start")
        elif (self.end - self.start).days >= MAX_DAYS:
            found.append(f"end: a period is at most {MAX_DAYS} days")
        return found


@dataclass(frozen=True)
class TrailRow:
    id: int  # the step's event id: the cursor of the next page
    at: datetime
    official: str
    role: str
    unit: str
    via: str
    dossier: str
    step: str
    from_status: str
    to_status: str


def statement(actor: Actor, q: TrailQuery) -> Select[Any]:
    if problems := q.problems():
        raise QueryError("; ".join(problems))
    start = clock.aware(datetime.combine(q.start, datetime.min.time(), clock.VIETNAM))
    end = clock.aware(datetime.combine(q.end + timedelta(days=1), datetime.min.time(), clock.VIETNAM))
    scope = visible(actor).with_only_columns(Dossier.id, Dossier.code).subquery()
    query = (
        select(DossierEvent, scope.c.code, User.username)
        .join(scope, scope.c.id == DossierEvent.dossier_id)
        .outerjoin(User, User.id == DossierEvent.actor_id)
        .where(DossierEvent.at >= start, DossierEvent.at < end)
    )
    if q.unit:
        query = query.where(DossierEvent.actor_unit == q.unit)
    if q.official:
        query = query.where(User.username == q.official)
    if q.dossier:
        query = query.where(scope.c.code == q.dossier)
    if q.after:
        # Pages follow (at, id); the cursor's own time is read back so that a page never skips a step.
        last = select(DossierEvent.at).where(DossierEvent.id == q.after).scalar_subquery()
        query = query.where(tuple_(DossierEvent.at, DossierEvent.id) > tuple_(last, q.after))
    return query.order_by(DossierEvent.at, DossierEvent.id)


def rows(session: Session, actor: Actor, q: TrailQuery, limit: int | None = None) -> Iterator[TrailRow]:
    query = statement(actor, q)
    if limit is not None:
        query = query.limit(limit)
    for event, code, username in session.execute(query.execution_options(yield_per=1000)):
        yield TrailRow(
            event.id,
            clock.local(event.at),
            username or "",
            event.actor_role,
            event.actor_unit or "",
            event.via or "",
            code,
            event.transition,
            event.from_status or "",
            event.to_status,
        )


def as_csv(found: Iterator[TrailRow]) -> Iterator[str]:
    """The rows as CSV text, a chunk per row (streamed), with a byte-order mark for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for r in found:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            (
                r.at.isoformat(timespec="seconds"),
                r.official,
                r.role,
                r.unit,
                r.via,
                r.dossier,
                r.step,
                r.from_status,
                r.to_status,
            )
        )
        yield buffer.getvalue()
