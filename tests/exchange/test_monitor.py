"""The operator sees, per member, the queue, its oldest message, dead letters, last contact and error,
on a page (administrators only) and in the metrics; a dead letter is replayed from the page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from motcua import db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.exchange.models import InboxMessage, Member, OutboxMessage, utc_now
from motcua.exchange.outbox import enqueue


def _csrf(c: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert match
    return match.group(1)


def test_queues_dead_letters_and_contacts_are_shown_and_measured(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    db.upgrade(empty_database_url)
    factory = db.session_factory(db.make_engine(empty_database_url))
    now = utc_now()
    with db.transaction(factory) as s:
        create_user(s, "operator", "admin", password="người-vận-hành-dài")
        s.add(Member(identifier="national", role="national", base_url="http://national.test", public_jwk={}))
        s.add(
            Member(
                identifier="province-01",
                role="province",
                province_code="01",
                base_url="http://p01.test",
                public_jwk={},
                last_contact_at=now - timedelta(minutes=1),
            )
        )
        for i in range(3):
            enqueue(
                s,
                "national",
                "reportStatus",
                "POST",
                f"/exchange/v1/dossiers/D{i}/status",
                {"i": i},
                now - timedelta(minutes=10),
                f"D{i}",
            )
        enqueue(s, "province-01", "deliverDossier", "POST", "/exchange/v1/dossiers", {}, now, "QG-1")
        s.flush()
        dead = s.scalars(select(OutboxMessage).where(OutboxMessage.dossier_code == "D2")).one()
        dead.state, dead.last_error, dead.attempts = "dead", "HTTP 400: the body does not follow the contract", 1
        delivered = s.scalars(select(OutboxMessage).where(OutboxMessage.dossier_code == "QG-1")).one()
        delivered.state, delivered.delivered_at = "delivered", now
        s.add(
            InboxMessage(
                sender="province-01",
                message_id="m1",
                operation="reportStatus",
                body_sha256="0" * 64,
                status=200,
                answer={},
                received_at=now,
            )
        )
        s.execute(Member.__table__.update().where(Member.identifier == "national").values(last_error="HTTP 503"))

    app = create_app(empty_database_url)
    anonymous = TestClient(app)
    assert anonymous.get("/admin/exchange", follow_redirects=False).status_code == 303
    c = TestClient(app)
    c.post("/signin", data={"username": "operator", "password": "người-vận-hành-dài", "csrf": _csrf(c, "/signin")})
    page = c.get("/admin/exchange", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    national_row = re.search(r'<tr data-member="national" data-state="(\w+)">(.*?)</tr>', page.text, re.S)
    assert national_row and national_row.group(1) == "failing"
    assert '<td class="queue">2</td>' in national_row.group(2) and '<td class="dead">1</td>' in national_row.group(2)
    assert "HTTP 503" in national_row.group(2)
    province_row = re.search(r'<tr data-member="province-01" data-state="(\w+)">', page.text)
    assert province_row and province_row.group(1) == "ok"
    assert "the body does not follow the contract" in page.text

    metrics = c.get("/metrics").text
    assert 'motcua_exchange_queue_depth{member="national"} 2.0' in metrics
    assert 'motcua_exchange_dead_messages{member="national"} 1.0' in metrics
    assert 'motcua_exchange_delivered_last_hour{member="province-01"} 1.0' in metrics
    assert 'motcua_exchange_received_last_hour{member="province-01"} 1.0' in metrics
    oldest = re.search(r'motcua_exchange_oldest_pending_seconds\{member="national"\} ([0-9.e+]+)', metrics)
    assert oldest and 590 < float(oldest.group(1)) < 900
    assert 'motcua_exchange_member_failing{member="national"} 1.0' in metrics
    assert 'motcua_exchange_last_contact_timestamp_seconds{member="province-01"}' in metrics

    r = c.post(
        "/admin/exchange/replay",
        data={"csrf": _csrf(c, "/admin/exchange"), "message_id": dead.message_id},
        follow_redirects=False,
    )
    assert r.status_code == 303 and dead.message_id in r.headers["location"]
    with factory() as s:
        assert (
            s.scalars(select(OutboxMessage.state).where(OutboxMessage.message_id == dead.message_id)).one() == "pending"
        )
    assert 'motcua_exchange_queue_depth{member="national"} 3.0' in c.get("/metrics").text


def test_an_operator_mends_a_dead_letter_on_the_page(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    db.upgrade(empty_database_url)
    factory = db.session_factory(db.make_engine(empty_database_url))
    with db.transaction(factory) as s:
        create_user(s, "operator", "admin", password="người-vận-hành-dài")
        enqueue(s, "national", "reportStatus", "POST", "/x", {"sequence": "one"}, utc_now(), "D")
        s.flush()
        dead = s.scalars(select(OutboxMessage)).one()
        dead.state, dead.last_error = "dead", "HTTP 400: /sequence: 'one' is not of type 'integer'"
    c = TestClient(create_app(empty_database_url))
    c.post("/signin", data={"username": "operator", "password": "người-vận-hành-dài", "csrf": _csrf(c, "/signin")})
    page = c.get("/admin/exchange")
    assert "{&#34;sequence&#34;:&#34;one&#34;}" in page.text  # the body, to inspect

    token = _csrf(c, "/admin/exchange")
    r = c.post(
        "/admin/exchange/replay",
        data={"csrf": token, "message_id": dead.message_id, "body": "{sequence: 1"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422 and "The mended body is not JSON" in r.text
    with factory() as s:
        assert s.get(OutboxMessage, dead.id).state == "dead"  # nothing changed
    r = c.post(
        "/admin/exchange/replay",
        data={"csrf": token, "message_id": dead.message_id, "body": '{"sequence": 1}'},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with factory() as s:
        mended = s.get(OutboxMessage, dead.id)
        assert mended is not None and (mended.state, mended.body) == ("pending", '{"sequence": 1}')
