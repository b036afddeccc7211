"""``/api/v1/supervision``: a province's overdue and lapsing work (supervisors, leaders, admins)
and the audit trail of dossier steps by unit, official and period (inspectors, supervisors,
admins), as JSON or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock
from motcua.accounts.service import Actor
from motcua.api.deps import open_session
from motcua.api.dossiers import ActorDep
from motcua.api.errors import DOCUMENTED, ApiError
from motcua.i18n import N_
from motcua.supervision.audit import PAGE, QueryError, TrailQuery, as_csv, rows
from motcua.supervision.overview import overview

router = APIRouter(prefix="/api/v1/supervision", tags=["supervision"], responses=DOCUMENTED)
OVERVIEW_ROLES = ("supervisor", "leader", "admin")
TRAIL_ROLES = ("inspector", "supervisor", "admin")


def audit_csv(factory: sessionmaker[Session], actor: Actor, q: TrailQuery) -> StreamingResponse:
    """The trail as a CSV download, streamed from its own session (the API's and the page's)."""

    def stream() -> Iterator[str]:
        with factory() as s:
            yield from as_csv(rows(s, actor, q))

    name = f"audit-{q.start.isoformat()}-{q.end.isoformat()}.csv"
    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _allowed(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise ApiError(403, "wrong_role", N_("A {role} cannot read this."), role=actor.role)


@router.get("/overview", summary="Overdue and lapsing open work per commune and agency, and the late dossiers")
def supervision_overview(request: Request, actor: ActorDep) -> dict[str, Any]:
    _allowed(actor, OVERVIEW_ROLES)
    today = clock.today()
    with open_session(request) as s:
        o = overview(s, actor, today, request.app.state.calendars.get("", s))
        return {
            "day": o.day,
            "lapsing_until": o.lapsing_until,
            "communes": [vars(x) for x in o.communes],
            "agencies": [vars(x) for x in o.agencies],
            "late": [
                {"code": d.code, "due_on": d.due_on, "status": d.status, "agency": d.deciding_agency_code}
                for d in o.late
            ],
            "feedback_until": o.feedback_until,
            "feedback": [
                {"code": m.code, "due_on": m.due_on, "status": m.status, "agency": m.agency_code} for m in o.feedback
            ],
        }


@router.get("/audit", summary="Who did what, when, on which dossier, through which channel", response_model=None)
def audit_trail(
    request: Request,
    actor: ActorDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    unit: Annotated[str, Query(max_length=60)] = "",
    official: Annotated[str, Query(max_length=120)] = "",
    dossier: Annotated[str, Query(max_length=60)] = "",
    after: Annotated[int, Query(ge=0, description="the `next` of the previous page")] = 0,
    format: Literal["json", "csv"] = "json",
) -> Any:
    _allowed(actor, TRAIL_ROLES)
    q = TrailQuery(start, end, unit.strip(), official.strip(), dossier.strip(), after)
    if problems := q.problems():
        raise ApiError(422, "bad_period", N_("The period is not valid: {problem}."), problem="; ".join(problems))
    if format == "csv":
        return audit_csv(request.app.state.session_factory, actor, q)
    with open_session(request) as s:
        try:
            found = list(rows(s, actor, q, limit=PAGE + 1))
        except QueryError as exc:
            raise ApiError(422, "bad_period", N_("The period is not valid: {problem}."), problem=str(exc)) from None
    page = [{k: v for k, v in vars(r).items() if k != "id"} for r in found[:PAGE]]
    return {"items": page, "more": len(found) > PAGE, "next": found[PAGE - 1].id if len(found) > PAGE else None}
