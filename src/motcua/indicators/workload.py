"""Staff workload: dossiers per official in each commune of a province over a period, and which communes
are over- or under-staffed against the province's median, so that reallocating staff can be argued
with numbers. Dossiers come from the fact tables; officials are the accounts working for the
commune's centre or its agencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.catalog.models import ServiceCentre
from motcua.indicators.models import FactCommuneDay

OVER, UNDER = 1.5, 0.5  # × the province's median dossiers per official (configurable by argument)
Staffing = Literal["over_loaded", "under_loaded", "balanced", "no_staff"]


@dataclass(frozen=True)
class CommuneLoad:
    commune_code: str
    dossiers: int
    officials: int
    per_official: float | None
    staffing: Staffing


def workload(
    session: Session, province: str, start: date, end: date, over: float = OVER, under: float = UNDER
) -> list[CommuneLoad]:
    received: dict[str, int] = {
        commune: int(n or 0)
        for commune, n in session.execute(
            select(FactCommuneDay.commune_code, func.sum(FactCommuneDay.received))
            .where(FactCommuneDay.province_code == province, FactCommuneDay.day.between(start, end))
            .group_by(FactCommuneDay.commune_code)
        )
    }
    centre_commune: dict[str, str | None] = {
        identifier: commune
        for identifier, commune in session.execute(
            select(ServiceCentre.identifier, ServiceCentre.commune_code).where(
                ServiceCentre.province_code == province, ServiceCentre.commune_code.is_not(None)
            )
        )
    }
    communes = set(received) | {c for c in centre_commune.values() if c}
    staff: dict[str, int] = dict.fromkeys(communes, 0)
    officials = session.execute(
        select(User.unit_code).where(User.role.in_(("reception_officer", "processing_officer", "leader")))
    ).scalars()
    for unit in officials:
        commune = centre_commune.get(unit or "") or (unit or "").split(".")[0]
        if commune in staff:
            staff[commune] += 1
    ratios = {c: received.get(c, 0) / staff[c] for c in communes if staff[c]}
    middle = median(ratios.values()) if ratios else 0.0
    loads = []
    for c in sorted(communes):
        ratio = ratios.get(c)
        if ratio is None:
            kind: Staffing = "no_staff"
        elif middle and ratio > over * middle:
            kind = "over_loaded"
        elif middle and ratio < under * middle:
            kind = "under_loaded"
        else:
            kind = "balanced"
        loads.append(CommuneLoad(c, int(received.get(c, 0)), staff[c], ratio, kind))
    return loads
