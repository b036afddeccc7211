"""Shortage and excess of staff: for one role in one province, each unit's work over a period per
official holding the role there, against the province's median, and transfers proposed from units with
staff to spare to units short of it (same province, same role).

A unit is a commune (processing officers and leaders: the dossiers its agencies decided and the
feedback they received) or a centre (reception officers: the dossiers it received). Work comes from
the fact tables; officials are the enabled accounts at the unit; posts from ``staff_posts``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from statistics import median
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.catalog.models import ServiceCentre
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import VERTICAL_SUFFIXES
from motcua.dossiers.states import FINAL
from motcua.indicators.models import FactDossierDay, FactFeedbackDay
from motcua.staff.models import Post, Transfer
from motcua.units.registry import get_registry

Status = Literal["shortage", "excess", "balanced"]
ROLES = ("processing_officer", "reception_officer", "leader")


@dataclass(frozen=True)
class Thresholds:
    over: float  # × the median: short of staff above it
    under: float  # × the median: staff to spare below it
    period_days: int  # the period the work is counted over, ending yesterday
    max_proposals: int


@cache
def thresholds() -> Thresholds:
    raw = tomllib.loads(resources.files("motcua.staff").joinpath("data/balance.toml").read_text("utf-8"))
    return Thresholds(float(raw["over"]), float(raw["under"]), int(raw["period_days"]), int(raw["max_proposals"]))


@dataclass
class Official:
    user_id: int
    username: str
    full_name: str
    post: str  # the unit code of their account (agency or centre)
    open_assigned: int = 0


@dataclass
class UnitLoad:
    unit: str  # commune code or centre identifier
    name: str
    established: int
    officials: list[Official]
    work: int
    per_official: float | None = None
    status: Status = "balanced"

    @property
    def holders(self) -> int:
        return len(self.officials)

    @property
    def vacancies(self) -> int:
        return max(self.established - self.holders, 0)


@dataclass
class Proposal:
    user_id: int
    username: str
    full_name: str
    role: str
    from_unit: str
    from_name: str
    to_unit: str
    to_name: str
    from_post: str
    figures: dict[str, float | int | None] = field(default_factory=dict)


@dataclass
class Balance:
    province: str
    role: str
    start: date
    end: date
    median: float | None
    units: list[UnitLoad]
    proposals: list[Proposal]

    def count(self, status: Status) -> int:
        return sum(1 for u in self.units if u.status == status)


def period(today: date, days: int | None = None) -> tuple[date, date]:
    days = days or thresholds().period_days
    return today - timedelta(days=days), today - timedelta(days=1)


def unit_of(role: str, post: str | None) -> str | None:
    """The unit an official's post belongs to for ``role``: their centre, or their commune."""
    if not post:
        return None
    if role == "reception_officer":
        return post
    if post.endswith(VERTICAL_SUFFIXES):
        return None
    prefix = post.split(".")[0]
    return prefix if len(prefix) == 5 and prefix.isdigit() else None


def balance(session: Session, province: str, role: str, today: date) -> Balance:
    """The loads of ``role`` in ``province`` over the period ending yesterday, and the proposals."""
    if role not in ROLES:
        raise ValueError(f"role: one of {', '.join(ROLES)}")
    limits = thresholds()
    start, end = period(today)
    units = _units(session, province, role, today)
    _officials(session, province, role, units)
    _work(session, province, role, units, start, end)
    _posts(session, province, role, units)
    middle = _classify(units, limits)
    declined = {
        (t.user_id, t.to_unit)
        for t in session.scalars(
            select(Transfer).where(
                Transfer.province_code == province, Transfer.role == role, Transfer.status == "declined"
            )
        )
    }
    proposals = _propose(list(units.values()), role, middle, limits, declined)
    ordered = sorted(units.values(), key=lambda u: (-(u.per_official or 0.0) if u.holders else -1e18, u.unit))
    return Balance(province, role, start, end, middle, ordered, proposals)


def _units(session: Session, province: str, role: str, today: date) -> dict[str, UnitLoad]:
    if role == "reception_officer":
        centres = session.execute(
            select(
                ServiceCentre.identifier, ServiceCentre.name_vi, ServiceCentre.valid_from, ServiceCentre.valid_to
            ).where(ServiceCentre.province_code == province, ServiceCentre.level.in_(("commune", "point", "province")))
        )
        return {
            identifier: UnitLoad(identifier, name, 0, [], 0)
            for identifier, name, since, until in centres
            if (since is None or since <= today) and (until is None or today < until)
        }
    registry = get_registry()
    return {
        u.code: UnitLoad(u.code, (u.version_at(today) or u.current).name, 0, [], 0)
        for u in registry.in_force(today, "commune")
        if u.province_code == province
    }


def _officials(session: Session, province: str, role: str, units: dict[str, UnitLoad]) -> None:
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_code).where(
            User.role == role, User.disabled_at.is_(None), User.unit_code.is_not(None)
        )
    )
    for user_id, username, full_name, post in rows:
        unit = unit_of(role, post)
        if unit in units:
            units[unit].officials.append(Official(user_id, username, full_name or username, post or ""))
    ids = [o.user_id for u in units.values() for o in u.officials]
    if ids:
        open_counts = dict(
            session.execute(
                select(Dossier.assigned_to, func.count())
                .where(Dossier.assigned_to.in_(ids), Dossier.status.not_in(sorted(FINAL)))
                .group_by(Dossier.assigned_to)
            ).all()
        )
        for u in units.values():
            for o in u.officials:
                o.open_assigned = int(open_counts.get(o.user_id, 0))


def _work(session: Session, province: str, role: str, units: dict[str, UnitLoad], start: date, end: date) -> None:
    days = FactDossierDay
    if role == "reception_officer":
        query = (
            select(days.centre_identifier, func.sum(days.received))
            .where(days.province_code == province, days.day.between(start, end))
            .group_by(days.centre_identifier)
        )
        for centre, n in session.execute(query):
            if centre in units:
                units[centre].work += int(n or 0)
        return
    decided = (
        select(days.agency_code, func.sum(days.early + days.on_time + days.late))
        .where(days.province_code == province, days.day.between(start, end))
        .group_by(days.agency_code)
    )
    feedback = (
        select(FactFeedbackDay.agency_code, func.sum(FactFeedbackDay.received + FactFeedbackDay.transferred_in))
        .where(FactFeedbackDay.province_code == province, FactFeedbackDay.day.between(start, end))
        .group_by(FactFeedbackDay.agency_code)
    )
    for query in (decided, feedback):
        for agency, n in session.execute(query):
            commune = unit_of(role, agency)
            if commune in units:
                units[commune].work += int(n or 0)


def _posts(session: Session, province: str, role: str, units: dict[str, UnitLoad]) -> None:
    for unit_code, established in session.execute(
        select(Post.unit_code, Post.established).where(Post.province_code == province, Post.role == role)
    ):
        unit = unit_of(role, unit_code)
        if unit in units:
            units[unit].established += established


def _classify(units: dict[str, UnitLoad], limits: Thresholds) -> float | None:
    ratios = [u.work / u.holders for u in units.values() if u.holders]
    middle = median(ratios) if ratios else None
    for u in units.values():
        u.per_official = u.work / u.holders if u.holders else None
        u.status = _status(u, middle, limits)
    return middle


def _status(u: UnitLoad, middle: float | None, limits: Thresholds) -> Status:
    if not u.holders:
        return "shortage" if u.work or u.established else "balanced"
    if middle and u.per_official is not None and u.per_official > limits.over * middle:
        return "shortage"
    if u.holders >= 2 and middle is not None and u.per_official is not None and u.per_official < limits.under * middle:
        return "excess"
    return "balanced"


def _propose(
    units: list[UnitLoad], role: str, middle: float | None, limits: Thresholds, declined: set[tuple[int, str]]
) -> list[Proposal]:
    """Greedy: the unit most short of staff takes one official from the unit with most to spare (the one
    with the fewest open dossiers to hand over), until no pair is left; each move is counted at once."""
    proposals: list[Proposal] = []
    holders = {u.unit: list(u.officials) for u in units}
    taken: set[int] = set()

    def load(u: UnitLoad) -> float:
        n = len(holders[u.unit])
        return u.work / n if n else float("inf") if u.work else 0.0

    def short(u: UnitLoad) -> bool:
        n = len(holders[u.unit])
        return (n == 0 and u.work > 0) or (middle is not None and n > 0 and load(u) > limits.over * middle)

    def spare(u: UnitLoad) -> bool:
        n = len(holders[u.unit])
        return (
            n >= 2
            and middle is not None
            and (u.work / (n - 1)) <= (limits.over * middle if middle else 0)
            and (load(u) < limits.under * middle)
        )

    while len(proposals) < limits.max_proposals:
        needy = sorted((u for u in units if short(u)), key=lambda u: -load(u))
        givers = sorted((u for u in units if spare(u)), key=load)
        made = False
        for target in needy:
            for giver in givers:
                candidates = [
                    o
                    for o in holders[giver.unit]
                    if o.user_id not in taken and (o.user_id, target.unit) not in declined
                ]
                if not candidates:
                    continue
                official = min(candidates, key=lambda o: (o.open_assigned, o.username))
                before = {"from_per_official": load(giver), "to_per_official": _finite(load(target))}
                holders[giver.unit].remove(official)
                holders[target.unit].append(official)
                taken.add(official.user_id)
                figures: dict[str, float | int | None] = {
                    **before,
                    "median": middle,
                    "from_after": load(giver),
                    "to_after": load(target),
                    "open_assigned": official.open_assigned,
                }
                proposals.append(
                    Proposal(
                        official.user_id,
                        official.username,
                        official.full_name,
                        role,
                        giver.unit,
                        giver.name,
                        target.unit,
                        target.name,
                        official.post,
                        {k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()},
                    )
                )
                made = True
                break
            if made:
                break
        if not made:
            break
    return proposals


def _finite(value: float) -> float | None:
    return None if value == float("inf") else value
