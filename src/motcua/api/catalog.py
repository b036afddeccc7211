"""``/api/v1/catalog``: procedures, their versions and decrees, centres, routing, the report.

Read-only over HTTP for now: catalog writes are operator commands (``motcua catalog …``) until
accounts and roles exist.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import orjson
from cachetools import TTLCache
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.concurrency import run_in_threadpool

from motcua import clock
from motcua.api.deps import open_session, public_cache_headers, snapshots
from motcua.api.errors import DOCUMENTED, ApiError
from motcua.catalog.models import Procedure, ServiceCentre
from motcua.catalog.report import decentralisation_report
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, SnapshotCache, route
from motcua.catalog.search import search
from motcua.catalog.service import to_record
from motcua.i18n import N_

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=DOCUMENTED)
SnapshotDep = Annotated[SnapshotCache, Depends(snapshots)]
REFUSAL_STATUS = {"unknown_procedure": 404, "unknown_centre": 404, "unknown_subject": 404}


@router.get("/procedures", summary="Procedures in force at a date, found as people type (accents, typos)")
async def procedures(
    cache: SnapshotDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    level: Literal["central", "province", "district", "commune", "other"] | None = None,
    field: Annotated[str | None, Query(max_length=200)] = None,
    at: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Served from the in-memory catalog snapshot (no database read), the answer kept per revision:
    the same search by thousands of visitors costs one look-up, on the event loop. A search not asked
    yet, or a snapshot due for its revision check, runs in a thread."""
    args = ((q or "").strip(), at or clock.today(), level, field, limit)
    snapshot = cache.fresh()
    body = _answers.get(_answer_key(snapshot, *args)) if snapshot is not None else None
    if body is None:
        body = await run_in_threadpool(lambda: _search(cache.get(), *args))
    return Response(body, media_type="application/json", headers=public_cache_headers())


def _answer_key(snapshot: CatalogSnapshot, *args: Any) -> tuple[Any, ...]:
    return (snapshot.revision, id(snapshot), *args)


_answers: TTLCache[tuple[Any, ...], bytes] = TTLCache(maxsize=4096, ttl=3600)


def _search(snapshot: CatalogSnapshot, q: str, when: date, level: str | None, field: str | None, limit: int) -> bytes:
    key_ = _answer_key(snapshot, q, when, level, field, limit)
    found = _answers.get(key_)
    if found is not None:
        return found
    hits = search(snapshot, q, when, field=field, level=level, limit=limit if q else 1_000_000)
    if not q:
        hits = sorted(hits, key=lambda h: h.code)[:limit]
    body = orjson.dumps(
        [
            {
                "code": h.code,
                "name_vi": h.version.name_vi,
                "name_en": h.version.name_en or None,
                "name_fr": h.version.name_fr or None,
                "field": h.field,
                "level": h.level,
                "version": h.version.number,
                "status": h.version.status,
                "time_limit": h.version.time_limit,
                "time_limit_kind": h.version.time_limit_kind,
                "online": h.version.online or None,
            }
            for h in hits
        ]
    )
    _answers[key_] = body
    return body


@router.get("/procedures/{code}", summary="A procedure with all its versions and changes")
def procedure(code: str, request: Request) -> dict[str, Any]:
    with open_session(request) as db:
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
def centres(request: Request, province: Annotated[str, Query(pattern=r"^\d{2}$")]) -> list[dict[str, Any]]:
    with open_session(request) as db:
        rows = list(
            db.scalars(
                select(ServiceCentre).where(ServiceCentre.province_code == province).order_by(ServiceCentre.identifier)
            )
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
def report(request: Request, at: date | None = None) -> dict[str, Any]:
    with open_session(request) as db:
        return decentralisation_report(db, at or clock.today()).to_dict()
