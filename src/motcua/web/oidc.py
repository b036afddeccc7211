"""Sign-in through an OpenID Connect provider (the national e-identity in production), with Authlib.

Configured by environment: ``MOTCUA_OIDC_ISSUER`` (the provider's issuer URL; its
``/.well-known/openid-configuration`` is read), ``MOTCUA_OIDC_CLIENT_ID``, ``MOTCUA_OIDC_CLIENT_SECRET``,
``MOTCUA_OIDC_NAME`` (the button's label) and ``MOTCUA_OIDC_ID_CLAIM`` (the claim holding the citizen's
ID number, default ``personal_id``). Without an issuer the button is not shown. A person signing in
for the first time gets a citizen account bound to the provider's subject (``oidc:<sub>``); their ID
number links the dossiers received for them at a counter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from motcua import db
from motcua.accounts.models import User
from motcua.api.errors import ApiError
from motcua.audit.trail import record
from motcua.i18n import N_
from motcua.settings import get_settings
from motcua.web.account import safe_next, start_session
from motcua.web.rendering import render

router = APIRouter(include_in_schema=False)
CITIZEN_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    name: str
    id_claim: str


def settings() -> OidcSettings | None:
    s = get_settings()
    issuer = s.oidc_issuer.rstrip("/")
    if not issuer:
        return None
    secret = s.oidc_client_secret.get_secret_value() if s.oidc_client_secret else ""
    return OidcSettings(issuer, s.oidc_client_id, secret, s.oidc_name, s.oidc_id_claim)


@cache
def _client(config: OidcSettings) -> Any:
    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email"},
    )
    return oauth.provider


@router.get("/signin/oidc", response_model=None)
async def start(request: Request, next: str = "/") -> Response:
    config = settings()
    if config is None:
        return render(request, "not_found.html", status_code=404)
    request.session["oidc_next"] = safe_next(next)
    redirect_uri = str(request.url_for("oidc_callback"))
    response: Response = await _client(config).authorize_redirect(request, redirect_uri)
    return response


@router.get("/signin/oidc/callback", name="oidc_callback", response_model=None)
async def callback(request: Request) -> Response:
    config = settings()
    if config is None:
        return render(request, "not_found.html", status_code=404)
    try:
        token = await _client(config).authorize_access_token(request)
    except OAuthError:
        error = N_("The identity provider did not confirm who you are. Try again.")
        return render(request, "signin.html", status_code=401, next="/", username="", error=error)
    claims = token.get("userinfo") or {}
    from starlette.concurrency import run_in_threadpool

    target = request.session.pop("oidc_next", "/")
    await run_in_threadpool(_citizen_for, request, config, claims)
    return RedirectResponse(safe_next(target), status_code=303)


def _citizen_for(request: Request, config: OidcSettings, claims: dict[str, Any]) -> None:
    """The citizen account of this subject, created on the first sign-in, name and ID kept current;
    signed in."""
    username = f"oidc:{claims['sub']}"[:120]
    personal_id = str(claims.get(config.id_claim) or "")
    name = str(claims.get("name") or "")
    with db.transaction(request.app.state.session_factory) as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, role="citizen", full_name=name)
            s.add(user)
        if name:
            user.full_name = name
        if CITIZEN_ID.match(personal_id):
            user.personal_id = personal_id
        s.flush()
        if user.disabled_at is not None:
            raise ApiError(403, "account_disabled", N_("This account is disabled."))
        record(s, "sign_in", actor_id=user.id, actor_role="citizen", channel="web", subject=f"user:{user.id}")
        start_session(request, user, s)
