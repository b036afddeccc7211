"""A slow or blocked database must not wedge the server: a request waits a bounded time for a
connection and a statement runs a bounded time, then it is answered 503 with Retry-After; the
server answers at once when the database is free again."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.api.app import create_app
from tests.api_fixtures import body


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_DB_POOL_SIZE", "2")
    monkeypatch.setenv("MOTCUA_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("MOTCUA_DB_POOL_TIMEOUT", "0.5")
    monkeypatch.setenv("MOTCUA_DB_STATEMENT_TIMEOUT_MS", "1000")
    monkeypatch.setenv("MOTCUA_SUBMISSIONS_PER_ACCOUNT", "100000")


def test_a_blocked_database_is_answered_503_within_bounds_then_served(
    small: None, engine: Engine, database_url: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    with db.transaction(db.session_factory(engine)) as s:
        from sqlalchemy import select

        from motcua.catalog.models import ServiceCentre

        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        citizen = issue_token(s, create_user(s, f"{tag}-wedge", "citizen", personal_id="079123456789"))
    app = create_app(database_url)
    api = {"centre": centre}
    headers = {"Authorization": f"Bearer {citizen}"}
    with TestClient(app) as client:
        assert client.post("/api/v1/dossiers", json=body(api), headers=headers).status_code == 201
        blocker = engine.connect()
        blocking = blocker.begin()
        if engine.dialect.name == "postgresql":  # every read and write of the dossiers waits
            blocker.execute(text("LOCK TABLE dossiers IN ACCESS EXCLUSIVE MODE"))
        else:  # SQLite: the write lock held
            blocker.exec_driver_sql("DELETE FROM dossier_sequences WHERE 1 = 0")
        answers: list[tuple[int, float, str | None]] = []

        def submit() -> None:
            started = time.monotonic()
            r = client.post("/api/v1/dossiers", json=body(api), headers=headers)
            answers.append((r.status_code, time.monotonic() - started, r.headers.get("retry-after")))

        threads = [threading.Thread(target=submit) for _ in range(12)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        finally:
            blocking.rollback()
            blocker.close()
        assert len(answers) == 12
        assert all(status == 503 and retry == "1" for status, _, retry in answers), answers
        assert max(seconds for _, seconds, _ in answers) < 5.0, answers
        started = time.monotonic()
        assert client.post("/api/v1/dossiers", json=body(api), headers=headers).status_code == 201
        assert time.monotonic() - started < 2.0


def test_readiness_follows_the_database(api: dict, tmp_path: object) -> None:  # type: ignore[type-arg]
    c = api["client"]
    assert c.get("/api/v1/ready").json() == {"status": "ready", "database": "ok"}
    gone = TestClient(create_app("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    assert gone.get("/api/v1/health").status_code == 200  # alive…
    r = gone.get("/api/v1/ready")  # …but not ready
    assert r.status_code == 503 and r.headers["retry-after"] == "5"


def test_more_signed_in_readers_than_connections_are_all_served(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, database_url: str
) -> None:
    """Twice as many handler threads as connections, and many readers at once: each handler gives its
    connection back in its own thread. (A ``yield`` session dependency closed the session in a second
    thread from the same pool, so finished handlers held connections while every thread waited for one:
    503s here, and a wedge with longer pool waits.)"""
    monkeypatch.setenv("MOTCUA_DB_POOL_SIZE", "2")
    monkeypatch.setenv("MOTCUA_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("MOTCUA_DB_POOL_TIMEOUT", "3")
    monkeypatch.setenv("MOTCUA_THREADS", "4")
    tag = uuid.uuid4().hex[:8]
    with db.transaction(db.session_factory(engine)) as s:
        citizen = issue_token(s, create_user(s, f"{tag}-readers", "citizen", personal_id="079123456788"))
    headers = {"Authorization": f"Bearer {citizen}"}
    paths = ["/api/v1/dossiers", "/api/v1/catalog/centres?province=79", "/api/v1/catalog/procedures/none"]
    with TestClient(create_app(database_url)) as client:
        assert client.get(paths[0], headers=headers).status_code == 200
        answers: list[tuple[int, float]] = []

        def read(path: str) -> None:
            for _ in range(5):
                started = time.monotonic()
                r = client.get(path, headers=headers)
                answers.append((r.status_code, time.monotonic() - started))

        threads = [threading.Thread(target=read, args=(paths[i % 3],)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert len(answers) == 120
    assert sorted({status for status, _ in answers}) == [200, 404], answers
    assert max(seconds for _, seconds in answers) < 3.0
