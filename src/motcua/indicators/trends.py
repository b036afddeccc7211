"""Monthly series from the fact tables (the trend charts). They stop at yesterday: past days' facts
never change, so a chart drawn once serves the whole day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from motcua.indicators.charts import TrendData
from motcua.indicators.index import Counts
from motcua.indicators.lineage import commune_codes
from motcua.indicators.models import DAY_COUNTERS, DAY_TABLES


@dataclass(frozen=True)
class MonthPoint:
    month: date  # its first day
    counts: Counts

    @property
    def on_time_rate(self) -> float | None:
        """Decided early or on time over decided, in the month (open dossiers are not history)."""
        return self.counts.rates()["on_time_rate"]

    @property
    def online_rate(self) -> float | None:
        return self.counts.rates()["online_rate"]


def last_months(today: date, months: int = 12) -> tuple[date, date]:
    """The first day of the month ``months - 1`` months before today's, and yesterday."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), today - timedelta(days=1)


def monthly(
    session: Session, first: date, last: date, province: str | None = None, commune: str | None = None
) -> list[MonthPoint]:
    """Counters per month over [first, last], nationally or for one province or commune."""
    grain = "commune" if commune else "province"
    table = cast(Table, DAY_TABLES[grain].__table__).c
    query = (
        select(table.day, *(func.sum(table[c]) for c in DAY_COUNTERS))
        .where(table.day.between(first, last))
        .group_by(table.day)
    )
    if province:
        query = query.where(table.province_code == province)
    if commune:  # with the units it was made from since 1 July 2025
        query = query.where(table.commune_code.in_(commune_codes(commune)))
    months: dict[date, Counts] = {}
    month = first.replace(day=1)
    while month <= last:
        months[month] = Counts()
        month = (month + timedelta(days=32)).replace(day=1)
    for day, *values in session.execute(query):
        bucket = months.setdefault(day.replace(day=1), Counts())
        for counter, value in zip(DAY_COUNTERS, values, strict=True):
            setattr(bucket, counter, getattr(bucket, counter) + int(value or 0))
    return [MonthPoint(m, c) for m, c in sorted(months.items())]


def trend_data(
    points: list[MonthPoint], title: str, labels: tuple[str, str, str, str], language: str = "vi"
) -> TrendData:
    return TrendData(
        title=title,
        months=tuple(f"{p.month.month:02d}/{p.month.year}" for p in points),
        received=tuple(p.counts.received for p in points),
        online=tuple(p.counts.online for p in points),
        on_time_rate=tuple(p.on_time_rate for p in points),
        online_rate=tuple(p.online_rate for p in points),
        labels=labels,
        language=language,
    )
