"""Officials' pages built on notifications and supervision: the inbox, the province supervisor's
overview of overdue and lapsing work, and the inspector's audit trail (with its CSV export)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from motcua import clock, db
from motcua.accounts.service import Actor
from motcua.api.supervision import audit_csv
from motcua.notifications.reading import inbox, mark_read, unread
from motcua.supervision.audit import PAGE, TrailQuery, rows
from motcua.supervision.overview import overview
from motcua.web.account import current_actor
from motcua.web.rendering import render
from motcua.web.routes import STATUS_NAMES
from motcua.web.security import check_csrf
from motcua.web.work import OFFICIALS, STEP_NAMES

router = APIRouter(include_in_schema=False)
OVERVIEW_ROLES = ("supervisor", "leader", "admin")
TRAIL_ROLES = ("inspector", "supervisor", "admin")


def _official(request: Request, path: str, roles: tuple[str, ...] = OFFICIALS) -> Actor | Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse(f"/signin?next={path}", status_code=303)
    if actor.role not in roles:
        return render(request, "not_found.html", status_code=404)
    return actor


@router.get("/inbox", response_class=HTMLResponse, response_model=None)
def inbox_page(request: Request, page: Annotated[int, Query(ge=1, le=200)] = 1) -> Response:
    actor = _official(request, "/inbox")
    if isinstance(actor, Response):
        return actor
    with request.app.state.session_factory() as s:
        items, count = inbox(s, actor.user_id, page), unread(s, actor.user_id)
    return render(request, "inbox.html", items=items, unread=count, page=page)


@router.post("/inbox/read", response_model=None)
def inbox_read(request: Request, csrf: Annotated[str, Form()], ids: Annotated[list[int], Form()]) -> Response:
    check_csrf(request, csrf)
    actor = _official(request, "/inbox")
    if isinstance(actor, Response):
        return actor
    with db.transaction(request.app.state.session_factory) as s:
        mark_read(s, actor.user_id, ids[:500], clock.now())
    return RedirectResponse("/inbox", status_code=303)


@router.get("/supervision", response_class=HTMLResponse, response_model=None)
def supervision_page(request: Request) -> Response:
    actor = _official(request, "/supervision", OVERVIEW_ROLES)
    if isinstance(actor, Response):
        return actor
    with request.app.state.session_factory() as s:
        o = overview(s, actor, clock.today(), request.app.state.calendars.get("", s))
        late = [(d, list(d.events)) for d in o.late]
    return render(request, "supervision.html", actor=actor, o=o, late=late, status_names=STATUS_NAMES)


def _period(start: str, end: str) -> tuple[TrailQuery | None, list[str]]:
    today = clock.today()
    try:
        first = date.fromisoformat(start) if start else today - timedelta(days=6)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        return None, ["from, to: a date in the form YYYY-MM-DD"]
    q = TrailQuery(first, last)
    return q, q.problems()


@router.get("/supervision/audit", response_class=HTMLResponse, response_model=None)
def audit_page(
    request: Request,
    start: Annotated[str, Query(alias="from", max_length=10)] = "",
    end: Annotated[str, Query(alias="to", max_length=10)] = "",
    unit: Annotated[str, Query(max_length=60)] = "",
    official: Annotated[str, Query(max_length=120)] = "",
    dossier: Annotated[str, Query(max_length=60)] = "",
    after: Annotated[int, Query(ge=0)] = 0,
    format: str = "",
) -> Response:
    actor = _official(request, "/supervision/audit", TRAIL_ROLES)
    if isinstance(actor, Response):
        return actor
    period, problems = _period(start, end)
    q = TrailQuery(period.start, period.end, unit.strip(), official.strip(), dossier.strip()) if period else None
    if q is not None and not problems and format == "csv":
        return audit_csv(request.app.state.session_factory, actor, q)
    if q is not None:
        q = replace(q, after=after)
    found = []
    if q is not None and not problems:
        with request.app.state.session_factory() as s:
            found = list(rows(s, actor, q, limit=PAGE + 1))
    return render(
        request,
        "audit.html",
        q=q,
        problems=problems,
        found=found[:PAGE],
        next_after=found[PAGE - 1].id if len(found) > PAGE else 0,
        status_names=STATUS_NAMES,
        step_names=STEP_NAMES,
    )
