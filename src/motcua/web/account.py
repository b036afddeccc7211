"""Signing in and out with a local account (argon2 password hash), and who is signed in."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, check_password
from motcua.i18n import N_
from motcua.web.rendering import render
from motcua.web.security import RateLimit, check_csrf, client_address

router = APIRouter(include_in_schema=False)
# Failed or not, sign-ins per 5 minutes: per account (password guessing), and per client address, higher
# because a centre's officials may share one address behind NAT.
SIGN_IN_LIMIT = RateLimit(limit=int(os.environ.get("MOTCUA_SIGNIN_PER_ACCOUNT", 10)), window=300)
SIGN_IN_ADDRESS_LIMIT = RateLimit(limit=int(os.environ.get("MOTCUA_SIGNIN_PER_ADDRESS", 60)), window=300)


def current_actor(request: Request) -> Actor | None:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    with request.app.state.session_factory() as s:
        user = s.get(User, user_id)
        return actor_of(user) if user is not None else None


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> HTMLResponse:
    from motcua.web.oidc import settings

    config = settings()
    return render(
        request, "signin.html", next=safe_next(next), username="", error=None, oidc=config.name if config else None
    )


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    username: Annotated[str, Form(max_length=120)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf)
    username = username.strip()
    if not (SIGN_IN_ADDRESS_LIMIT.allow(client_address(request)) and SIGN_IN_LIMIT.allow(username)):
        return render(
            request,
            "signin.html",
            status_code=429,
            next=safe_next(next),
            username=username,
            error=N_("Too many attempts. Wait a few minutes and try again."),
        )
    with request.app.state.session_factory() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        ok = user is not None and check_password(user, password)
        user_id = user.id if user is not None else None
        role = user.role if user is not None else ""
    if not ok:
        return render(
            request,
            "signin.html",
            status_code=401,
            next=safe_next(next),
            username=username,
            error=N_("The username or the password is wrong."),
        )
    csrf_value = request.session.get("csrf")
    request.session.clear()  # a new session on sign-in (no fixation)
    request.session.update({"uid": user_id, "csrf": csrf_value, "role": role})
    target = safe_next(next)
    if target == "/" and role != "citizen":
        target = "/admin/officials" if role == "admin" else "/work"
    return RedirectResponse(target, status_code=303)


@router.post("/signout", response_model=None)
def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
