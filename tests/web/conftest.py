"""A test client of the whole application with one citizen account that has a password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from motcua import db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.web import account
from motcua.web.security import SignInGuard


@pytest.fixture
def client(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    monkeypatch.setattr(account, "SIGN_IN_GUARD", SignInGuard(free=3))
    with db.transaction(db.session_factory(engine)) as s:
        user = create_user(s, f"signin-{database_url[:8]}", "citizen", password="đúng-mật-khẩu")
        name = user.username
    c = TestClient(create_app(database_url))
    c.headers["X-Test-User"] = name
    yield c
    with db.transaction(db.session_factory(engine)) as s:
        s.delete(s.get(type(user), user.id))
