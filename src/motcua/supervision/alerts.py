"""The day's supervision: each rule's alerts about open dossiers, and each leader's digest, written
as notifications (inbox and e-mail). Run on working days only; each alert has a source naming the
rule, the dossier and its due date, so a second run on the same day (or a catch-up after a missed
one) writes nothing twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.calendar.service import build_calendar
from motcua.calendar.working import WorkingCalendar
from motcua.clock import now as clock_now
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import unit_matches
from motcua.dossiers.service import visible
from motcua.feedback.models import FeedbackMessage as Message
from motcua.feedback.states import OPEN
from motcua.notifications.events import official_messages, procedure_name
from motcua.notifications.models import Notification
from motcua.notifications.outbox import Wanted, write
from motcua.settings import get_settings
from motcua.supervision.rules import Rule, Rules, shipped

CHUNK = 1000


@dataclass
class DayReport:
    day: date
    working_day: bool = True
    alerts: dict[str, int] = field(default_factory=dict)  # rule → dossiers alerted about
    digests: int = 0


@dataclass(frozen=True)
class Official:
    id: int
    unit_code: str


class Staff:
    """Leaders and supervisors, read once per run."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(User.id, User.role, User.unit_code, User.email).where(
                User.role.in_(("leader", "supervisor")), User.disabled_at.is_(None)
            )
        ).all()
        self.leaders = [Official(r.id, r.unit_code or "") for r in rows if r.role == "leader"]
        self.emails: dict[int, str | None] = {r.id: r.email for r in rows}  # assignees are added per chunk
        self.supervisors: dict[str, list[int]] = defaultdict(list)
        for r in rows:
            if r.role == "supervisor" and r.unit_code:
                self.supervisors[r.unit_code].append(r.id)
        self._of_agency: dict[str, list[int]] = {}

    def leaders_of(self, agency: str) -> list[int]:
        found = self._of_agency.get(agency)
        if found is None:
            found = self._of_agency[agency] = [o.id for o in self.leaders if unit_matches(o.unit_code, agency)]
        return found

    def read_emails(self, session: Session, ids: set[int]) -> None:
        missing = ids - self.emails.keys()
        if missing:
            found = session.execute(select(User.id, User.email).where(User.id.in_(missing)))
            self.emails.update((user_id, email) for user_id, email in found)


def open_dossiers(rules: Rules) -> Select[Dossier]:
    return select(Dossier).where(
        Dossier.status.in_(rules.statuses), Dossier.finished_at.is_(None), Dossier.due_on.is_not(None)
    )


def source_of(rule: Rule, code: str, due_on: date) -> str:
    return f"supervision:{rule.name}:{code}:{due_on.isoformat()}"


def due_window(
    due_on: QueryableAttribute[date | None], rule: Rule, day: date, cal: WorkingCalendar
) -> ColumnElement[bool]:
    """The rule's condition on a due date column (a dossier's, a feedback message's) on ``day``."""
    if rule.when == "before_due":
        return and_(due_on > day, due_on <= cal.add_working_days(day, rule.working_days))
    if rule.when == "on_due":
        return due_on == day
    return due_on < day


def matching(rule: Rule, rules: Rules, day: date, cal: WorkingCalendar, dialect: str = "sqlite") -> Select[Dossier]:
    """The open dossiers the rule is about on ``day`` that it has not alerted about yet for their
    current due date (an overdue dossier is found once, not re-read every day it stays late)."""
    base = open_dossiers(rules).where(due_window(Dossier.due_on, rule, day, cal))
    # The due date as source_of writes it: SQLite keeps dates as ISO text; PostgreSQL is told the form.
    due = func.to_char(Dossier.due_on, "YYYY-MM-DD") if dialect == "postgresql" else cast(Dossier.due_on, String)
    source = f"supervision:{rule.name}:" + Dossier.code + ":" + due
    return base.where(~select(Notification.id).where(Notification.source == source).exists())


def _chunks(session: Session, query: Select[Dossier]) -> Iterator[list[Dossier]]:
    last = 0
    while True:
        rows = list(session.scalars(query.where(Dossier.id > last).order_by(Dossier.id).limit(CHUNK)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def recipients(rule: Rule, d: Dossier, staff: Staff) -> list[int]:
    if rule.to == "assignee":
        return [d.assigned_to] if d.assigned_to else staff.leaders_of(d.deciding_agency_code)
    if rule.to == "unit_leader":
        return staff.leaders_of(d.deciding_agency_code)
    return staff.supervisors.get(d.province_code, [])


def work_link(code: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/work/dossiers/{code}"


def run_day(
    session: Session,
    day: date,
    rules: Rules | None = None,
    cal: WorkingCalendar | None = None,
    at: datetime | None = None,
) -> DayReport:
    """The alerts and digests of ``day`` (a local date), in the caller's transaction."""
    rules = rules or shipped()
    cal = cal or build_calendar(session, "")
    report = DayReport(day)
    if not cal.is_working_day(day):
        report.working_day = False
        return report
    at = at or clock_now()
    connection = session.connection()
    staff = Staff(session)
    for rule in rules.rules:
        if rule.case == "feedback":
            report.alerts[rule.name] = feedback_alerts(session, rule, day, cal, staff, at)
            continue
        count = 0
        for chunk in _chunks(session, matching(rule, rules, day, cal, connection.dialect.name)):
            wanted: list[Wanted] = []
            staff.read_emails(session, {d.assigned_to for d in chunk if d.assigned_to})
            for d in chunk:
                assert d.due_on is not None
                to = recipients(rule, d, staff)
                if not to:
                    continue
                count += 1
                values: dict[str, Any] = {
                    "code": d.code,
                    "procedure": procedure_name(connection, d.procedure_version_id, "vi"),
                    "due": d.due_on,
                    "days": cal.working_days_between(day, d.due_on) if d.due_on > day else 0,
                    "agency": d.deciding_agency_code,
                    "link": work_link(d.code),
                }
                source = source_of(rule, d.code, d.due_on)
                for user_id in to:
                    wanted += official_messages(
                        connection, source, user_id, rule.template, values, d, email=staff.emails.get(user_id)
                    )
            write(connection, wanted, at)
        report.alerts[rule.name] = count
    report.digests = digests(session, day, rules, cal, staff, at)
    return report


STAGE_NAMES = {"classify": "phân loại", "handle": "giải quyết", "publish": "công khai"}


def feedback_alerts(session: Session, rule: Rule, day: date, cal: WorkingCalendar, staff: Staff, at: datetime) -> int:
    """A feedback rule's alerts: the deadline of each open message's current stage, once per stage
    and due date, to the agency's leaders or the province's supervisors."""
    base = select(Message).where(
        Message.status.in_(sorted(OPEN)), Message.due_on.is_not(None), due_window(Message.due_on, rule, day, cal)
    )
    connection = session.connection()
    link = f"{get_settings().public_url.rstrip('/')}/work/feedback/"  # the message's page for officials
    wanted: list[Wanted] = []
    count = 0
    for m in session.scalars(base.order_by(Message.id)):
        assert m.due_on is not None
        to = (
            staff.leaders_of(m.agency_code)
            if rule.to != "province_supervisor"
            else staff.supervisors.get(m.province_code, [])
        )
        if not to:
            continue
        count += 1
        values: dict[str, Any] = {
            "code": m.code,
            "stage": STAGE_NAMES.get(m.stage, m.stage),
            "due": m.due_on,
            "days": cal.working_days_between(day, m.due_on) if m.due_on > day else 0,
            "agency": m.agency_code,
            "link": link + m.code,
        }
        source = f"supervision:{rule.name}:{m.code}:{m.stage}:{m.due_on.isoformat()}"
        for user_id in to:
            wanted += official_messages(
                connection, source, user_id, rule.template, values, None, email=staff.emails.get(user_id)
            )
    write(connection, wanted, at)
    return count


def digests(session: Session, day: date, rules: Rules, cal: WorkingCalendar, staff: Staff, at: datetime) -> int:
    """Each leader's digest of their unit's open work; none for a leader with nothing open. Leaders
    of one unit see the same dossiers: each unit is counted once, in one query."""
    connection = session.connection()
    soon = cal.add_working_days(day, rules.digest.due_soon_working_days)
    base = f"{get_settings().public_url.rstrip('/')}/work"
    source = f"digest:{day.isoformat()}"
    written = 0
    by_unit: dict[str, list[int]] = defaultdict(list)
    for official in staff.leaders:
        by_unit[official.unit_code].append(official.id)
    for unit, leaders in sorted(by_unit.items()):
        mine = visible(Actor(leaders[0], "", "leader", unit)).where(
            Dossier.status.in_(rules.statuses), Dossier.finished_at.is_(None), Dossier.due_on.is_not(None)
        )
        counted = session.execute(
            mine.with_only_columns(
                func.count(case((Dossier.due_on < day, 1))),
                func.count(case((Dossier.due_on == day, 1))),
                func.count(case(((Dossier.due_on > day) & (Dossier.due_on <= soon), 1))),
            )
        ).one()
        numbers = {"overdue": counted[0] or 0, "due_today": counted[1] or 0, "due_soon": counted[2] or 0}
        if not any(numbers.values()):
            continue
        urgent = session.execute(
            mine.with_only_columns(Dossier.code, Dossier.due_on)
            .where(Dossier.due_on <= soon)
            .order_by(Dossier.due_on, Dossier.id)
            .limit(rules.digest.urgent)
        ).all()
        lines = [f"{code} ({due.strftime('%d/%m/%Y') if due else ''})" for code, due in urgent]
        view = "overdue" if numbers["overdue"] else "due_soon"  # the queue's view to start from
        values = {"day": day, **numbers, "urgent": lines, "link": f"{base}?view={view}"}
        wanted: list[Wanted] = []
        for user_id in leaders:
            wanted += official_messages(
                connection, source, user_id, rules.digest.template, values, None, email=staff.emails.get(user_id)
            )
        write(connection, wanted, at)
        written += len(leaders)
    return written
