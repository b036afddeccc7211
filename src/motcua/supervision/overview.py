"""What a province's supervising office reads: overdue and lapsing open work per commune and per
agency, the late dossiers with their histories, and the feedback about to lapse or overdue. Scoped
by the actor (``visible``): a supervisor sees their province only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from motcua.accounts.service import Actor
from motcua.calendar.working import WorkingCalendar
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import visible
from motcua.feedback.messages import deadlines as feedback_deadlines
from motcua.feedback.messages import visible as feedback_visible
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.states import OPEN
from motcua.supervision.rules import Rules, shipped

LATE_SHOWN = 50


@dataclass(frozen=True)
class Line:
    key: str  # a commune code, or an agency code
    overdue: int
    lapsing: int
    open: int


@dataclass(frozen=True)
class Overview:
    day: date
    lapsing_until: date
    communes: list[Line]
    agencies: list[Line]
    late: list[Dossier]  # the most overdue first, with their events loaded
    feedback: list[FeedbackMessage]  # open feedback overdue or lapsing within the escalation days
    feedback_until: date


def overview(session: Session, actor: Actor, day: date, cal: WorkingCalendar, rules: Rules | None = None) -> Overview:
    rules = rules or shipped()
    until = cal.add_working_days(day, rules.digest.due_soon_working_days)
    open_work = visible(actor).where(
        Dossier.status.in_(rules.statuses), Dossier.finished_at.is_(None), Dossier.due_on.is_not(None)
    )
    sub = open_work.subquery()
    overdue = func.sum(case((sub.c.due_on < day, 1), else_=0))
    lapsing = func.sum(case(((sub.c.due_on >= day) & (sub.c.due_on <= until), 1), else_=0))

    def lines(column: str) -> list[Line]:
        key = func.coalesce(sub.c[column], "")
        rows = session.execute(
            select(key, overdue, lapsing, func.count()).group_by(key).order_by(overdue.desc(), lapsing.desc(), key)
        ).all()
        return [Line(r[0], int(r[1] or 0), int(r[2] or 0), int(r[3])) for r in rows]

    late = list(
        session.scalars(
            open_work.where(Dossier.due_on < day)
            .options(selectinload(Dossier.events))
            .order_by(Dossier.due_on, Dossier.id)
            .limit(LATE_SHOWN)
        )
    )
    feedback_until = cal.add_working_days(day, feedback_deadlines().escalate_before)
    feedback = list(
        session.scalars(
            feedback_visible(actor)
            .where(FeedbackMessage.status.in_(sorted(OPEN)), FeedbackMessage.due_on <= feedback_until)
            .order_by(FeedbackMessage.due_on, FeedbackMessage.id)
            .limit(LATE_SHOWN)
        )
    )
    return Overview(
        day, until, lines("deciding_commune_code"), lines("deciding_agency_code"), late, feedback, feedback_until
    )
