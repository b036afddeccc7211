"""What the two-level operation report holds, gathered once for the HTML and the PDF: the units before
and after 1 July 2025, the centres, the dossiers by channel and level, the rates of the index, the
procedures decentralised, the most-late procedures and units, and the staff workload. Dossier
figures come from the fact tables; units from the registry; procedures and centres from the catalog.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.report import DecentralisationReport, decentralisation_report
from motcua.catalog.routing import CatalogSnapshot
from motcua.indicators.feedback_stats import FeedbackSection, agency_names, section
from motcua.indicators.index import Counts, Score, index
from motcua.indicators.models import DAY_TABLES
from motcua.indicators.transparency import catalog_published_rate
from motcua.indicators.trends import MonthPoint, monthly
from motcua.indicators.workload import CommuneLoad, workload
from motcua.units import get_registry
from motcua.units.models import REORGANISATION_DATE

BEFORE = date(2025, 6, 30)
TOP = 10


@dataclass(frozen=True)
class UnitsBeforeAfter:
    provinces: tuple[int, int]
    districts: tuple[int, int]
    communes: tuple[int, int]
    new_communes_by_type: dict[str, int]  # commune, ward, special_zone
    departments_after: int
    old_provinces: tuple[str, ...]  # the provinces merged into this one (a province's report)


@dataclass(frozen=True)
class LateLine:
    code: str
    name: str
    late: int
    overdue: int  # open past the due date today
    decided: int


@dataclass
class TwoLevelReport:
    scope: str  # "national" or a province code
    scope_name: str
    start: date
    end: date
    made_at: datetime
    units: UnitsBeforeAfter
    centres: dict[str, int]  # province | commune | point
    totals: Counts
    rates: dict[str, float | None]
    by_channel: dict[str, int]
    by_level_and_channel: dict[str, dict[str, int]]
    decentralisation: DecentralisationReport
    trend: list[MonthPoint]
    ranking: list[Score]  # provinces (national) or communes (a province)
    rank: int | None  # a province's rank among the 34
    late_procedures: list[LateLine]
    late_units: list[LateLine]
    workload: dict[str, Counter[str]]  # place → staffing → communes
    over_loaded: list[CommuneLoad] = field(default_factory=list)
    under_loaded: list[CommuneLoad] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # province and commune codes → names
    feedback: FeedbackSection | None = None
    agency_names: dict[str, str] = field(default_factory=dict)  # the slowest agencies' names
    staff: dict[str, StaffLine] = field(default_factory=dict)  # province → posts, shortage, transfers


@dataclass
class StaffLine:
    """A province's processing officers: posts, holders, vacancies, units short of staff or with staff
    to spare, transfers proposed now and accepted in the period (``motcua.staff``)."""

    posts: int = 0
    holders: int = 0
    vacancies: int = 0
    shortage: int = 0
    excess: int = 0
    proposed: int = 0
    accepted: int = 0


def gather(session: Session, province: str | None, start: date, end: date, today: date) -> TwoLevelReport:
    registry = get_registry()
    provinces = {u.code: u.name for u in registry.in_force(max(today, REORGANISATION_DATE), "province")}
    if province is not None and province not in provinces:
        raise ValueError(f"{province} is not the code of one of the 34 provinces")
    communes = {
        u.code: u.name
        for u in registry.in_force(max(today, REORGANISATION_DATE), "commune")
        if province is None or u.province_code == province
    }
    snapshot = CatalogSnapshot.load(session)
    ranking_all = index(session, start, end, today=today)
    mine: Score | None = None
    if province is None:
        totals = _sum(s.counts for s in ranking_all)
        ranking, rank = ranking_all, None
    else:
        mine = next((s for s in ranking_all if s.unit == province), None)
        totals = mine.counts if mine else Counts()
        ranking, rank = index(session, start, end, "commune", province, today=today), mine.rank if mine else None
    procedures = index(session, start, end, "procedure", province, today=today)
    units = ranking if province else index(session, start, end, "commune", today=today)
    names = {**provinces, **communes}
    if province is None:  # the most-late communes of the whole country need their names too
        names.update({u.code: u.name for u in registry.in_force(max(today, REORGANISATION_DATE), "commune")})
    # Staff workload once per province (the report's table and, for a province, its extremes).
    loads = {code: workload(session, code, start, end) for code in ([province] if province else sorted(provinces))}
    province_loads = loads[province] if province else []
    return TwoLevelReport(
        scope=province or "national",
        scope_name=provinces[province] if province else "Việt Nam",
        start=start,
        end=end,
        made_at=clock.now(),
        units=_units(session, province),
        centres=_centres(session, province),
        totals=totals,
        rates=_rates(session, totals, mine, end),
        by_channel=_by_channel(session, province, start, end),
        by_level_and_channel=_by_level(session, snapshot, province, start, end),
        decentralisation=decentralisation_report(session, end),
        trend=monthly(session, start, end, province),
        ranking=ranking,
        rank=rank,
        late_procedures=_late(procedures, lambda code: _procedure_name(snapshot, code)),
        late_units=_late(units, lambda code: names.get(code, code)),
        workload={code: Counter(load.staffing for load in ls) for code, ls in loads.items()},
        over_loaded=_extremes(province_loads, "over_loaded"),
        under_loaded=_extremes(province_loads, "under_loaded"),
        names=names,
        feedback=(feedback := section(session, start, end, province, today)),
        agency_names=agency_names(session, [a.key for a in feedback.slowest]),
        staff={code: _staff(session, code, start, end, today) for code in loads},
    )


def _staff(session: Session, province: str, start: date, end: date, today: date) -> StaffLine:
    from motcua.indicators.facts import local_date_sql
    from motcua.staff.balance import balance
    from motcua.staff.models import Transfer

    b = balance(session, province, "processing_officer", today)
    accepted = session.scalar(
        select(func.count())
        .select_from(Transfer)
        .where(
            Transfer.province_code == province,
            Transfer.status == "accepted",
            local_date_sql(session)(Transfer.decided_at).between(start, end),
        )
    )
    return StaffLine(
        posts=sum(u.established for u in b.units),
        holders=sum(u.holders for u in b.units),
        vacancies=sum(u.vacancies for u in b.units),
        shortage=b.count("shortage"),
        excess=b.count("excess"),
        proposed=len(b.proposals),
        accepted=int(accepted or 0),
    )


def _sum(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        for key, value in vars(c).items():
            setattr(total, key, getattr(total, key) + value)
    return total


def _units(session: Session, province: str | None) -> UnitsBeforeAfter:
    registry = get_registry()
    old_provinces = registry.in_force(BEFORE, "province")
    if province is not None:
        merged = {u.code for u in registry.old_provinces_of(province)}
        old_provinces = [u for u in old_provinces if u.code in merged]
    old_codes = {u.code for u in old_provinces}
    districts = [u for u in registry.in_force(BEFORE, "district") if u.province_code in old_codes]
    old_communes = [u for u in registry.in_force(BEFORE, "commune") if u.province_code in old_codes]
    new = [u for u in registry.in_force(REORGANISATION_DATE, "commune") if province in (None, u.province_code)]
    departments = select(func.count()).select_from(Agency).where(Agency.kind == "provincial_department")
    if province is not None:
        departments = departments.where(Agency.province_code == province)
    return UnitsBeforeAfter(
        provinces=(len(old_provinces), 1 if province else len(registry.in_force(REORGANISATION_DATE, "province"))),
        districts=(len(districts), 0),
        communes=(len(old_communes), len(new)),
        new_communes_by_type=dict(Counter(u.versions[-1].unit_type for u in new)),
        departments_after=int(session.scalar(departments) or 0),
        old_provinces=tuple(u.name for u in old_provinces) if province else (),
    )


def _centres(session: Session, province: str | None) -> dict[str, int]:
    query = select(ServiceCentre.level, func.count()).group_by(ServiceCentre.level)
    if province is not None:
        query = query.where(ServiceCentre.province_code == province)
    return {level: int(n) for level, n in session.execute(query)}


def _by_channel(session: Session, province: str | None, start: date, end: date) -> dict[str, int]:
    days = cast(Table, DAY_TABLES["place"].__table__).c
    query = select(days.channel, func.sum(days.received)).where(days.day.between(start, end)).group_by(days.channel)
    if province is not None:
        query = query.where(days.province_code == province)
    return {channel: int(n or 0) for channel, n in session.execute(query)}


def _by_level(
    session: Session, snapshot: CatalogSnapshot, province: str | None, start: date, end: date
) -> dict[str, dict[str, int]]:
    """Dossiers received by the level of the procedure's deciding agency and channel."""
    days = cast(Table, DAY_TABLES["place"].__table__).c
    query = (
        select(days.procedure_code, days.channel, func.sum(days.received))
        .where(days.day.between(start, end))
        .group_by(days.procedure_code, days.channel)
    )
    if province is not None:
        query = query.where(days.province_code == province)
    out: dict[str, dict[str, int]] = {}
    for code, channel, n in session.execute(query):
        p = snapshot.procedures.get(code)
        level = p.versions[-1].level if p and p.versions else "unknown"
        row = out.setdefault(level, {})
        row[channel] = row.get(channel, 0) + int(n or 0)
    return out


def _late(scores: list[Score], naming: Callable[[str], str]) -> list[LateLine]:
    lines = [
        LateLine(
            s.unit,
            naming(s.unit),
            s.counts.late,
            s.counts.open - s.counts.open_not_due,
            s.counts.early + s.counts.on_time + s.counts.late,
        )
        for s in scores
        if s.counts.late or s.counts.open > s.counts.open_not_due
    ]
    return sorted(lines, key=lambda x: (-(x.late + x.overdue), x.code))[:TOP]


def _extremes(loads: list[CommuneLoad], kind: str) -> list[CommuneLoad]:
    """The communes of one staffing kind, the most extreme first."""
    chosen = [c for c in loads if c.staffing == kind]
    return sorted(chosen, key=lambda c: -(c.per_official or 0) if kind == "over_loaded" else c.per_official or 0)[:TOP]


def _rates(session: Session, totals: Counts, mine: Score | None, end: date) -> dict[str, float | None]:
    """The index's rates for the report: a province's as ranked (transparency included); the
    country's from its summed facts and the catalog (status reports are measured per province)."""
    if mine is not None:
        return dict(mine.rates)
    return {
        **totals.rates(),
        "catalog_published_rate": catalog_published_rate(session, end),
        "status_reported_rate": None,
        "results_published_rate": None,
    }


def _procedure_name(snapshot: CatalogSnapshot, code: str) -> str:
    p = snapshot.procedures.get(code)
    return p.versions[-1].name_vi if p and p.versions else code
