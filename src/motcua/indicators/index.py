"""The Decision 766 index per province (ranking), commune or procedure, over a period, from the fact
tables only. Groups, thresholds and points are data (``data/index766.toml``); the formulas are the
named rates below, each a ratio of fact counters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.datafiles import read_toml
from motcua.indicators import transparency
from motcua.indicators.lineage import commune_codes, folded
from motcua.indicators.models import DAY_COUNTERS, DAY_TABLES, OPEN_TABLES, FactCommuneMonth

Level = Literal["province", "commune", "procedure"]
KEY_COLUMN = {"province": "province_code", "commune": "commune_code", "procedure": "procedure_code"}


@dataclass(frozen=True)
class Indicator:
    key: str
    threshold: float
    max_points: float
    source: str = "facts"  # facts | catalog | exchange | none (no data source: not measured)
    within_hours: float | None = None  # exchange: the deadline of a status report


@dataclass(frozen=True)
class Group:
    key: str
    max_points: float
    indicators: tuple[Indicator, ...]


@cache
def config(path: str | None = None) -> tuple[Group, ...]:
    source = path or os.environ.get("MOTCUA_INDEX_CONFIG")
    raw = read_toml(source, "motcua.indicators", "data/index766.toml")
    return tuple(
        Group(
            g["key"],
            float(g["max_points"]),
            tuple(
                Indicator(
                    i["key"],
                    float(i["threshold"]),
                    float(i["max_points"]),
                    i.get("source", "facts"),
                    float(i["within_hours"]) if "within_hours" in i else None,
                )
                for i in g.get("indicator", [])
            ),
        )
        for g in raw["group"]
    )


@dataclass
class Counts:
    received: int = 0
    online: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    digitised: int = 0  # decided with digital components and an electronic result
    fee_due: int = 0  # dossiers asked to pay a fee (the payment indicator's base)
    paid_online: int = 0
    rated: int = 0
    dissatisfied: int = 0
    complained: int = 0  # dossiers with a complaint or a dislike (counted once)
    reused: int = 0  # received reusing documents of the applicant's store
    open: int = 0
    open_not_due: int = 0

    def rates(self) -> dict[str, float | None]:
        decided = self.early + self.on_time + self.late

        def ratio(a: int, b: int) -> float | None:
            return a / b if b else None

        satisfaction = None
        if decided and self.received:
            satisfaction = max(0.0, 1 - (self.late / decided + self.complained / self.received))
        return {
            "on_time_rate": ratio(self.early + self.on_time + self.open_not_due, decided + self.open),
            "satisfaction_rate": satisfaction,
            "online_rate": ratio(self.online, self.received),
            "online_payment_rate": ratio(self.paid_online, self.fee_due),
            "digitisation_rate": ratio(self.digitised, decided),
            "reuse_rate": ratio(self.reused, self.received),
        }


@dataclass
class Score:
    unit: str
    counts: Counts
    rates: dict[str, float | None]
    groups: dict[str, float | None]  # None: not measured
    total: float
    reachable: float
    rank: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        """Points over the points motcua can measure (the groups without data are left out)."""
        return 100 * self.total / self.reachable if self.reachable else 0.0


def points(rate: float | None, indicator: Indicator) -> float | None:
    if rate is None:
        return None
    if rate >= indicator.threshold:
        return indicator.max_points
    return rate * indicator.max_points / indicator.threshold


def score(unit: str, counts: Counts, groups: tuple[Group, ...], extra: dict[str, float | None] | None = None) -> Score:
    """A unit's points: the rates from its facts, and ``extra`` rates from other sources (the
    transparency group's); a rate that is None is not measured."""
    rates = {**counts.rates(), **(extra or {})}
    by_group: dict[str, float | None] = {}
    total = reachable = 0.0
    for g in groups:
        parts = [(points(rates.get(i.key), i), i.max_points) for i in g.indicators]
        measured = [(p, m) for p, m in parts if p is not None]
        if not measured:
            by_group[g.key] = None
            continue
        got = sum(p for p, _ in measured)
        by_group[g.key] = got
        total += got
        reachable += sum(m for _, m in measured)
    return Score(unit, counts, rates, by_group, round(total, 2), reachable)


GRAIN_OF_LEVEL = {"province": "province", "commune": "commune", "procedure": "place"}


def index(
    session: Session,
    start: date,
    end: date,
    level: Level = "province",
    province: str | None = None,
    today: date | None = None,
    commune: str | None = None,
) -> list[Score]:
    """Scores of every unit of ``level`` (within ``province`` and ``commune`` if given) for [start,
    end], ranked. Read from the coarsest grain that holds the level's key."""
    grain = GRAIN_OF_LEVEL[level]
    opens = cast(Table, OPEN_TABLES[grain].__table__).c
    column = KEY_COLUMN[level]
    # A commune made by a resolution since 1 July 2025 reads the history of the units it was made from.
    communes = commune_codes(commune) if commune else ()
    filters = {"province_code": province}
    counts: dict[str, Counts] = {}
    for table, time_column, spans in _sources(grain, start, end):
        where = or_(*(table.c[time_column].between(a, b) for a, b in spans))
        query = select(table.c[column], *(func.sum(table.c[c]) for c in DAY_COUNTERS)).where(where)
        for key, value in filters.items():
            if value:
                query = query.where(table.c[key] == value)
        if communes:
            query = query.where(table.c.commune_code.in_(communes))
        for unit, *values in session.execute(query.group_by(table.c[column])):
            c = counts.setdefault(unit, Counts())
            for counter, value in zip(DAY_COUNTERS, values, strict=True):
                setattr(c, counter, getattr(c, counter) + int(value or 0))
    open_total = func.sum(opens.open)
    cutoff = today or clock.today()
    open_query = select(opens[column], open_total, open_total.filter(opens.due_on >= cutoff)).group_by(opens[column])
    for key, value in filters.items():
        if value:
            open_query = open_query.where(opens[key] == value)
    if communes:
        open_query = open_query.where(opens.commune_code.in_(communes))
    for key, total_open, not_due in session.execute(open_query):
        c = counts.setdefault(key, Counts())
        c.open, c.open_not_due = c.open + int(total_open or 0), c.open_not_due + int(not_due or 0)
    if level == "commune":
        counts = folded(counts, end, _add)
    groups = config()
    others = [i for g in groups for i in g.indicators if i.source != "facts"]
    scope = {"province_code": province, "commune_code": commune}
    common, per_unit = transparency.rates(session, others, start, end, level, scope) if others else ({}, {})

    def extra(unit: str) -> dict[str, float | None]:
        return {**common, **{key: rates.get(unit) for key, rates in per_unit.items()}}

    scores = sorted((score(k, c, groups, extra(k)) for k, c in counts.items()), key=lambda s: (-s.percent, s.unit))
    for rank, s in enumerate(scores, start=1):
        s.rank = rank
    return scores


def _add(into: Counts, other: Counts) -> None:
    for name in (*DAY_COUNTERS, "open", "open_not_due"):
        setattr(into, name, getattr(into, name) + getattr(other, name))


def _sources(grain: str, start: date, end: date) -> list[tuple[Table, str, list[tuple[date, date]]]]:
    """Where to read [start, end] at ``grain``: per commune, the whole months from the monthly rows and
    the days of the partial months from the daily rows; otherwise the daily rows."""
    days = cast(Table, DAY_TABLES[grain].__table__)
    if grain != "commune":
        return [(days, "day", [(start, end)])]
    first_full = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = end + timedelta(days=1)
    last_full = after.replace(day=1) - timedelta(days=1)  # the last day of the last whole month
    if first_full > last_full:
        return [(days, "day", [(start, end)])]
    edges = [
        (a, b) for a, b in ((start, first_full - timedelta(days=1)), (last_full + timedelta(days=1), end)) if a <= b
    ]
    months = cast(Table, FactCommuneMonth.__table__)
    sources = [(months, "month", [(first_full, last_full.replace(day=1))])]
    return sources + ([(days, "day", edges)] if edges else [])
