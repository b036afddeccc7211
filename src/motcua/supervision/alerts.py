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

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.service import actor_of
from motcua.calendar.service import build_calendar
from motcua.calendar.working import WorkingCalendar
from motcua.clock import now as clock_now
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import unit_matches, visible
from motcua.notifications.events import official_messages, procedure_name
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
            select(User.id, User.role, User.unit_code).where(
                User.role.in_(("leader", "supervisor")), User.disabled_at.is_(None)
            )
        ).all()
        self.leaders = [Official(r.id, r.unit_code or "") for r in rows if r.role == "leader"]
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


def open_dossiers(rules: Rules) -> Select[Dossier]:
    return select(Dossier).where(
        Dossier.status.in_(rules.statuses), Dossier.finished_at.is_(None), Dossier.due_on.is_not(None)
    )


def matching(rule: Rule, rules: Rules, day: date, cal: WorkingCalendar) -> Select[Dossier]:
    base = open_dossiers(rules)
    if rule.when == "before_due":
        return base.where(Dossier.due_on > day, Dossier.due_on <= cal.add_working_days(day, rule.working_days))
    if rule.when == "on_due":
        return base.where(Dossier.due_on == day)
    return base.where(Dossier.due_on < day)


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
        count = 0
        for chunk in _chunks(session, matching(rule, rules, day, cal)):
            wanted: list[Wanted] = []
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
                source = f"supervision:{rule.name}:{d.code}:{d.due_on.isoformat()}"
                for user_id in to:
                    wanted += official_messages(connection, source, user_id, rule.template, values, d)
            write(connection, wanted, at)
        report.alerts[rule.name] = count
    report.digests = digests(session, day, rules, cal, staff, at)
    return report


def digests(session: Session, day: date, rules: Rules, cal: WorkingCalendar, staff: Staff, at: datetime) -> int:
    """Each leader's digest of their unit's open work; none for a leader with nothing open."""
    connection = session.connection()
    soon = cal.add_working_days(day, rules.digest.due_soon_working_days)
    base = f"{get_settings().public_url.rstrip('/')}/work"
    written = 0
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([o.id for o in staff.leaders])))}
    for official in staff.leaders:
        user = users.get(official.id)
        if user is None:
            continue
        mine = visible(actor_of(user)).where(
            Dossier.status.in_(rules.statuses), Dossier.finished_at.is_(None), Dossier.due_on.is_not(None)
        )
        counts = {
            "overdue": mine.where(Dossier.due_on < day),
            "due_today": mine.where(Dossier.due_on == day),
            "due_soon": mine.where(Dossier.due_on > day, Dossier.due_on <= soon),
        }
        numbers = {
            k: session.scalar(select(func.count()).select_from(q.with_only_columns(Dossier.id).subquery())) or 0
            for k, q in counts.items()
        }
        if not any(numbers.values()):
            continue
        urgent = session.scalars(
            mine.where(Dossier.due_on <= soon).order_by(Dossier.due_on, Dossier.id).limit(rules.digest.urgent)
        )
        lines = [f"{d.code} ({d.due_on.strftime('%d/%m/%Y') if d.due_on else ''})" for d in urgent]
        view = "overdue" if numbers["overdue"] else "due_soon"  # the queue's view to start from
        values = {"day": day, **numbers, "urgent": lines, "link": f"{base}?view={view}"}
        source = f"digest:{day.isoformat()}"
        write(connection, official_messages(connection, source, official.id, rules.digest.template, values, None), at)
        written += 1
    return written
