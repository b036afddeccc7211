"""The calendar in force: shipped notices plus operators' changes from the database, cached per
province until a change bumps the ``calendar`` revision."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock
from motcua.calendar.models import CalendarDay, CalendarProvince, Revision
from motcua.calendar.working import DayRule, WorkingCalendar, day_kind, shipped_notices, shipped_settings

CHECK_SECONDS = 2.0
T = TypeVar("T")


def revision(session: Session, name: str) -> int:
    row = session.get(Revision, name)
    return row.revision if row else 0


def bump(session: Session, name: str) -> None:
    row = session.get(Revision, name)
    if row is None:
        session.add(Revision(name=name, revision=1))
    else:
        row.revision += 1
    session.flush()


def build_calendar(session: Session, province_code: str = "") -> WorkingCalendar:
    rules = list(shipped_notices())
    for row in session.scalars(select(CalendarDay)):
        rules.append(
            DayRule(
                row.day,
                day_kind(row.kind),
                row.reason,
                row.reference,
                row.confirmed,
                row.province_code,
            )
        )
    saturday = set(shipped_settings().saturday_reception_provinces)
    for p in session.scalars(select(CalendarProvince)):
        (saturday.add if p.saturday_reception else saturday.discard)(p.province_code)
    settings = replace(shipped_settings(), saturday_reception_provinces=tuple(sorted(saturday)))
    return WorkingCalendar(rules, settings, province_code)


def set_day(
    session: Session,
    day: date,
    kind: str,
    reason: str,
    province_code: str = "",
    reference: str = "",
    confirmed: bool = True,
) -> None:
    """Record a notice's day off or make-up working day (replacing one for the same day and place)."""
    if kind not in ("day_off", "working_day"):
        raise ValueError(f"kind must be day_off or working_day, not {kind!r}")
    row = session.scalars(
        select(CalendarDay).where(CalendarDay.day == day, CalendarDay.province_code == province_code)
    ).one_or_none()
    if row is None:
        row = CalendarDay(day=day, province_code=province_code)
        session.add(row)
    row.kind, row.reason, row.reference, row.confirmed = kind, reason, reference, confirmed
    bump(session, "calendar")


def set_saturday_reception(session: Session, province_code: str, receives: bool) -> None:
    row = session.get(CalendarProvince, province_code)
    if row is None:
        session.add(CalendarProvince(province_code=province_code, saturday_reception=receives))
    else:
        row.saturday_reception = receives
    bump(session, "calendar")


class CalendarCache:
    """Calendars per province, rebuilt when the ``calendar`` revision changes (checked every 2 s).

    The check runs in the caller's session when one is given, and never blocks: while one thread
    refreshes, the others keep the calendar they have (a request holding a connection must never
    wait for another connection)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._calendars: dict[str, WorkingCalendar] = {}
        self._revision = -1
        self._checked = 0.0
        self._refreshing = threading.Lock()

    def get(self, province_code: str = "", session: Session | None = None) -> WorkingCalendar:
        now = time.monotonic()
        if now - self._checked >= CHECK_SECONDS and self._refreshing.acquire(blocking=False):
            try:
                self._checked = now
                current = self._with_session(session, revision, "calendar")
                if current != self._revision:
                    self._calendars, self._revision = {}, current
            finally:
                self._refreshing.release()
        cal = self._calendars.get(province_code)
        if cal is None:
            cal = self._calendars[province_code] = self._with_session(session, build_calendar, province_code)
        return cal

    def for_session(self, session: Session) -> Callable[[str], WorkingCalendar]:
        return lambda province_code: self.get(province_code, session)

    def _with_session(self, session: Session | None, fn: Callable[[Session, str], T], arg: str) -> T:
        if session is not None:
            return fn(session, arg)
        with self.factory() as own:
            return fn(own, arg)


NOTICE_COLUMNS = ("day", "kind", "reason", "province", "reference")


def import_notices(session: Session, text: str) -> tuple[int, list[str]]:
    """A year's notices from CSV (``day, kind, reason, province, reference``; province empty for the
    whole country): every line checked first, errors named by line and column, nothing recorded if one
    is wrong. Returns (days recorded, errors)."""
    from motcua.csvrows import read_csv
    from motcua.units import get_registry

    source = read_csv(text, NOTICE_COLUMNS, NOTICE_COLUMNS[:3])
    if source.missing:
        return 0, [f"line 1: missing column(s) {', '.join(source.missing)}; expected {', '.join(NOTICE_COLUMNS)}"]
    provinces = {u.code for u in get_registry().in_force(clock.today(), "province")}
    rows, errors = [], []
    for number, row in source.rows:
        try:
            day = date.fromisoformat(row["day"])
        except ValueError:
            errors.append(f"line {number}, day: {row['day']!r} is not a date YYYY-MM-DD")
            continue
        if row["kind"] not in ("day_off", "working_day"):
            errors.append(f"line {number}, kind: {row['kind']!r} is not day_off or working_day")
        if not row["reason"]:
            errors.append(f"line {number}, reason: empty")
        if row["province"] and row["province"] not in provinces:
            errors.append(f"line {number}, province: no province with code {row['province']!r}")
        rows.append((day, row))
    if errors:
        return 0, errors
    for day, row in rows:
        set_day(session, day, row["kind"], row["reason"], row["province"], row["reference"])
    return len(rows), []
