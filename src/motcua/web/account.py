"""Signing in and out with a local account (argon2 password hash), and who is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, check_password, close_session, open_session, session_user
from motcua.audit.trail import record
from motcua.i18n import N_
from motcua.settings import get_settings
from motcua.web.rendering import render
from motcua.web.security import RateLimit, SignInGuard, check_csrf, client_address

router = APIRouter(include_in_schema=False)
# Failed sign-ins back off per account and address (the right password from elsewhere still works);
# attempts per client address are limited, high because a centre's officials may share one address.
SIGN_IN_GUARD = SignInGuard(free=lambda: get_settings().signin_per_account)
SIGN_IN_ADDRESS_LIMIT = RateLimit(lambda: get_settings().signin_per_address, window=300, name="signin-address")
SIGN_IN_LIMIT = RateLimit(lambda: get_settings().signin_per_account, window=300, name="activation")


def current_actor(request: Request) -> Actor | None:
    """Who is signed in: a session whose id is still live (signing out, expiry or a disabled account
    end it, wherever the cookie was copied)."""
    user_id, sid = request.session.get("uid"), request.session.get("sid")
    if not isinstance(user_id, int) or not isinstance(sid, str):
        return None
    with request.app.state.session_factory() as s:
        user = session_user(s, user_id, sid)
        return actor_of(user, "web") if user is not None else None


# What a visitor chose before signing in and expects to find after (not who they are).
KEPT_ACROSS_SIGN_IN = ("province",)


def start_session(request: Request, user: User, session: Session) -> None:
    """A new session on sign-in (no fixation), recorded server-side."""
    csrf_value = request.session.get("csrf")
    kept = {k: request.session[k] for k in KEPT_ACROSS_SIGN_IN if k in request.session}
    request.session.clear()
    sid = open_session(session, user, get_settings().session_max_age)
    # Which menus to show: the role, and whether the official works for a Department of Home Affairs.
    home_affairs = (user.unit_code or "").endswith(".home_affairs")
    request.session.update(
        {"uid": user.id, "sid": sid, "csrf": csrf_value, "role": user.role, "home_affairs": home_affairs, **kept}
    )


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
    address = client_address(request)
    wait = SIGN_IN_GUARD.wait(username, address)
    if wait or not SIGN_IN_ADDRESS_LIMIT.allow(address):
        refused = render(
            request,
            "signin.html",
            status_code=429,
            next=safe_next(next),
            username=username,
            error=N_("Too many attempts. Wait a few minutes and try again."),
        )
        refused.headers["Retry-After"] = str(wait or 60)
        return refused
    with db.transaction(request.app.state.session_factory) as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        ok = user is not None and user.disabled_at is None and check_password(user, password)
        if user is not None:
            record(
                s,
                "sign_in" if ok else "sign_in_failed",
                actor_id=user.id,
                actor_role=user.role,
                channel="web",
                subject=f"user:{user.id}",
            )
        if ok and user is not None:
            start_session(request, user, s)
            role = user.role
    if not ok:
        SIGN_IN_GUARD.failed(username, address)
        return render(
            request,
            "signin.html",
            status_code=401,
            next=safe_next(next),
            username=username,
            error=N_("The username or the password is wrong."),
        )
    SIGN_IN_GUARD.succeeded(username, address)
    target = safe_next(next)
    if target == "/" and role != "citizen":
        target = "/admin/officials" if role == "admin" else "/work"
    return RedirectResponse(target, status_code=303)


@router.post("/signout", response_model=None)
def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    sid = request.session.get("sid")
    if isinstance(sid, str):
        with db.transaction(request.app.state.session_factory) as s:
            close_session(s, sid)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
