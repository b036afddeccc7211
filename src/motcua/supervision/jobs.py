"""The worker's daily supervision run: once per Vietnamese date, from ``MOTCUA_SUPERVISION_HOUR``;
a restart runs the day again harmlessly (every alert and digest is written once)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.supervision.alerts import DayReport, run_day


class SupervisionJob:
    def __init__(self, factory: sessionmaker[Session], hour: int) -> None:
        self.factory, self.hour = factory, hour
        self.done: date | None = None

    def due(self, now: datetime | None = None) -> list[DayReport]:
        """Run the day's supervision if its hour has come and it has not run yet in this process."""
        local = clock.local(now or clock.now())
        if local.hour < self.hour or self.done == local.date():
            return []
        with db.transaction(self.factory) as session:
            report = run_day(session, local.date(), at=clock.aware(local))
        self.done = local.date()
        return [report] if report.working_day else []
