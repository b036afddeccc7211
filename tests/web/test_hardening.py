"""Web hardening: security headers everywhere, ``no-store`` on personal pages, a copied session cookie
dead after sign-out, a disabled account signed out at once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import disable_user


def _sign_in(c: TestClient, username: str, password: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)
    assert token
    r = c.post("/signin", data={"username": username, "password": password, "csrf": token.group(1)})
    assert r.status_code == 200, r.text


def test_headers_on_every_answer(client: TestClient) -> None:
    for path in ("/", "/signin", "/api/v1/catalog/procedures", "/no-such-page"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "same-origin"
    assert client.get("/signin").headers["cache-control"] == "no-store"


def test_a_copied_cookie_dies_at_sign_out(client: TestClient) -> None:
    _sign_in(client, client.headers["X-Test-User"], "đúng-mật-khẩu")
    mine = client.get("/my/dossiers")
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    copied = dict(client.cookies)
    thief = TestClient(client.app, cookies=copied)
    assert thief.get("/my/dossiers", follow_redirects=False).status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', mine.text)
    assert token
    client.post("/signout", data={"csrf": token.group(1)})
    assert thief.get("/my/dossiers", follow_redirects=False).status_code in (303, 401)


def test_disabling_an_account_ends_its_sessions(client: TestClient, engine: Engine) -> None:
    username = client.headers["X-Test-User"]
    _sign_in(client, username, "đúng-mật-khẩu")
    assert client.get("/my/dossiers", follow_redirects=False).status_code == 200
    with db.transaction(db.session_factory(engine)) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        disable_user(s, user)
    assert client.get("/my/dossiers", follow_redirects=False).status_code in (303, 401)
