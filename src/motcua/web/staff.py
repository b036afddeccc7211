"""The staff page of a province's Department of Home Affairs (and of administrators): each unit's
work per official against the province's median, vacancies, and the transfers proposed from units
with staff to spare to units short of it, accepted or declined one by one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from motcua import clock, db
from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.i18n import N_
from motcua.staff.balance import ROLES, balance
from motcua.staff.models import Transfer
from motcua.staff.transfers import TransferRefused, decide
from motcua.units.registry import get_registry
from motcua.web.account import current_actor
from motcua.web.rendering import render
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
ROLE_NAMES = {
    "processing_officer": N_("Processing officers"),
    "reception_officer": N_("Reception officers"),
    "leader": N_("Leaders"),
}
STATUS_NAMES = {"shortage": N_("Short of staff"), "excess": N_("Staff to spare"), "balanced": N_("Balanced")}
HOME_AFFAIRS = "home_affairs"


def home_affairs_of(actor: Actor) -> str | None:
    """The province whose Department of Home Affairs the official works for."""
    unit = actor.unit_code or ""
    return unit.split(".")[0] if unit.endswith(f".{HOME_AFFAIRS}") else None


def _allowed(request: Request, province: str, deciding: bool = False) -> Actor | Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse(f"/signin?next=/staff/{province}", status_code=303)
    if actor.role == "admin":
        return actor
    if home_affairs_of(actor) == province and (not deciding or actor.role == "leader"):
        return actor
    return render(request, "not_found.html", status_code=404)


@router.get("/staff", response_model=None)
def staff_home(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin?next=/staff", status_code=303)
    own = home_affairs_of(actor)
    if own:
        return RedirectResponse(f"/staff/{own}", status_code=303)
    if actor.role != "admin":
        return render(request, "not_found.html", status_code=404)
    provinces = sorted(get_registry().in_force(clock.today(), "province"), key=lambda u: u.name)
    return render(request, "staff.html", provinces=provinces, b=None)


@router.get("/staff/{province}", response_class=HTMLResponse, response_model=None)
def staff_page(
    request: Request,
    province: str,
    role: Annotated[str, Query(max_length=24)] = "processing_officer",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    actor = _allowed(request, province)
    if isinstance(actor, Response):
        return actor
    return _page(request, actor, province, role, done=done)


def _page(
    request: Request, actor: Actor, province: str, role: str, *, done: str = "", error: str = "", status: int = 200
) -> Response:
    names = {u.code: u.name for u in get_registry().in_force(clock.today(), "province")}
    if province not in names or role not in ROLES:
        return render(request, "not_found.html", status_code=404)
    with request.app.state.session_factory() as s:
        b = balance(s, province, role, clock.today())
        decided = s.execute(
            select(Transfer, User.username)
            .join(User, User.id == Transfer.user_id)
            .where(Transfer.province_code == province)
            .order_by(Transfer.decided_at.desc())
            .limit(50)
        ).all()
    return render(
        request,
        "staff.html",
        status,
        b=b,
        province=province,
        province_name=names[province],
        staff_role=role,
        roles=ROLES,
        role_names=ROLE_NAMES,
        status_names=STATUS_NAMES,
        decided=decided,
        can_decide=actor.role in ("admin", "leader"),
        done=done,
        error=error,
        provinces=[],
    )


@router.post("/staff/{province}/transfers", response_model=None)
def staff_decide(
    request: Request,
    province: str,
    csrf: Annotated[str, Form()],
    role: Annotated[str, Form(max_length=24)],
    user_id: Annotated[int, Form()],
    to_unit: Annotated[str, Form(max_length=60)],
    decision: Annotated[str, Form(max_length=10)],
    confirmed: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    check_csrf(request, csrf)
    actor = _allowed(request, province, deciding=True)
    if isinstance(actor, Response):
        return actor
    if role not in ROLES or decision not in ("accept", "decline"):
        return render(request, "not_found.html", status_code=404)
    back = f"/staff/{province}?role={role}"
    if decision == "accept" and confirmed != "yes":
        return _page(request, actor, province, role, error=N_("Tick the box to confirm the transfer."), status=422)
    factory = request.app.state.session_factory
    calendars = request.app.state.calendars
    try:
        with db.transaction(factory) as s:
            # The proposal as the figures give it now: a page drawn before another decision is not trusted.
            current = balance(s, province, role, clock.today())
            proposal = next((p for p in current.proposals if p.user_id == user_id and p.to_unit == to_unit), None)
            if proposal is None:
                raise TransferRefused("no longer proposed")
            decide(s, actor, province, proposal, decision == "accept", clock.now(), calendars.for_session(s))
    except TransferRefused:
        error = N_("This transfer is no longer proposed: the figures changed. Here they are now.")
        return _page(request, actor, province, role, error=error, status=409)
    return RedirectResponse(f"{back}&done={decision}ed", status_code=303)
