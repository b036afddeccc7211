"""Signing in: CSRF on the form, wrong passwords, the rate limit, no open redirect."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from motcua.web import account
from motcua.web.account import safe_next


def _csrf(c: TestClient) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)
    assert match
    return match.group(1)


def test_sign_in_needs_the_form_token_and_the_right_password(client: TestClient) -> None:
    name = client.headers["X-Test-User"]
    form = {"username": name, "password": "đúng-mật-khẩu", "next": "/my/dossiers"}
    assert client.post("/signin", data=form, follow_redirects=False).status_code == 403  # no token
    token = _csrf(client)
    wrong = client.post("/signin", data={**form, "password": "sai", "csrf": token})
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    ok = client.post("/signin", data={**form, "csrf": token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/my/dossiers"
    assert client.get("/my/dossiers").status_code == 200
    cookie = ok.headers["set-cookie"].lower()
    assert cookie.startswith("motcua_session=") and "httponly" in cookie and "samesite=lax" in cookie


def test_repeated_wrong_passwords_back_off_without_locking_out_the_real_user(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _csrf(client)
    username = client.headers["X-Test-User"]
    form = {"username": username, "password": "sai", "csrf": token}
    codes = [client.post("/signin", data=form).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]  # the guesser waits (2 s, then 4, 8…)
    refused = client.post("/signin", data=form)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # The real user at another address signs in with the right password meanwhile.
    elsewhere = {"username": username, "password": "đúng-mật-khẩu", "csrf": token}
    monkeypatch.setattr(account, "client_address", lambda _request: "203.0.113.9")
    assert client.post("/signin", data=elsewhere, follow_redirects=False).status_code == 303


def test_only_local_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/my/dossiers") == "/my/dossiers"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", None, ""):
        assert safe_next(bad) == "/"
