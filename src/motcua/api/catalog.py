"""``/api/v1/catalog``: procedures, their versions and decrees, centres, routing, the report.

Read-only over HTTP for now: catalog writes are operator commands (``motcua catalog …``) until
accounts and roles exist.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from motcua import clock
from motcua.api.deps import session, snapshots
from motcua.api.errors import DOCUMENTED, ApiError
from motcua.catalog.models import Procedure, ServiceCentre
from motcua.catalog.report import decentralisation_report
from motcua.catalog.routing import RoutingRefused, SnapshotCache, route
from motcua.catalog.service import to_record, version_in_force
from motcua.i18n import N_
from motcua.units.text import key

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=DOCUMENTED)
SessionDep = Annotated[Session, Depends(session)]
SnapshotDep = Annotated[SnapshotCache, Depends(snapshots)]
REFUSAL_STATUS = {"unknown_procedure": 404, "unknown_centre": 404, "unknown_subject": 404}


@router.get("/procedures", summary="Procedures in force at a date, optionally filtered")
def procedures(
    db: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    level: Literal["central", "province", "district", "commune", "other"] | None = None,
    field: str | None = None,
    at: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    when = at or clock.today()
    wanted = key(q) if q else None
    out = []
    rows = db.scalars(select(Procedure).options(selectinload(Procedure.versions)).order_by(Procedure.code))
    for p in rows:
        v = version_in_force(p, when)
        if v is None or (level and v.level != level) or (field and p.field != field):
            continue
        if wanted and wanted not in key(v.name_vi) and wanted not in key(p.code):
            continue
        out.append(
            {
                "code": p.code,
                "name_vi": v.name_vi,
                "name_en": v.name_en,
                "name_fr": v.name_fr,
                "field": p.field,
                "level": v.level,
                "version": v.number,
                "status": v.status,
                "time_limit": v.time_limit,
                "time_limit_kind": v.time_limit_kind,
                "online": v.online,
            }
        )
        if len(out) >= limit:
            break
    return out


@router.get("/procedures/{code}", summary="A procedure with all its versions and changes")
def procedure(code: str, db: SessionDep) -> dict[str, Any]:
    p = db.scalars(
        select(Procedure)
        .where(Procedure.code == code)
        .options(selectinload(Procedure.versions), selectinload(Procedure.changes))
    ).one_or_none()
    if p is None:
        raise ApiError(404, "unknown_procedure", N_("No procedure with code {procedure}."), procedure=code)
    return to_record(p).model_dump(mode="json")


@router.get("/procedures/{code}/route", summary="Who decides, where, how long, what fee")
def route_procedure(
    code: str,
    subject: Annotated[str, Query(pattern=r"^\d{5}$", description="Commune code")],
    centre: str,
    cache: SnapshotDep,
    at: date | None = None,
) -> dict[str, Any]:
    try:
        return route(cache.get(), code, subject, centre, at or clock.today()).to_dict()
    except RoutingRefused as exc:
        raise ApiError(REFUSAL_STATUS.get(exc.code, 422), exc.code, exc.template, **exc.details) from None


@router.get("/centres", summary="Service centres of a province")
def centres(province: Annotated[str, Query(pattern=r"^\d{2}$")], db: SessionDep) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(ServiceCentre).where(ServiceCentre.province_code == province).order_by(ServiceCentre.identifier)
    )
    return [
        {
            "identifier": c.identifier,
            "name": c.name_vi,
            "level": c.level,
            "commune_code": c.commune_code,
            "address": c.address,
            "opening_hours": c.opening_hours,
        }
        for c in rows
    ]


@router.get("/report", summary="Decentralisation report as of a date")
def report(db: SessionDep, at: date | None = None) -> dict[str, Any]:
    return decentralisation_report(db, at or clock.today()).to_dict()
