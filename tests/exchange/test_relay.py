"""Outbox → relay → inbox between a provincial node and the national node (in one process here; the
three-process test crosses a real network): every status change arrives once and in order; a
duplicate has no second effect; a gap is retried; a refused message waits, dead, for an operator;
a network error is retried later."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Select, delete, func, select

from motcua import db
from motcua.api.app import create_app
from motcua.exchange.models import DossierMirror, InboxMessage, Member, OutboxMessage, utc_now
from motcua.exchange.node import Node, this_node
from motcua.exchange.relay import relay_once, replay
from motcua.exchange.signing import new_key, public_jwk
from tests.dossiers.helpers import T0, World
from tests.exchange.nodes import drain

NATIONAL_URL = "http://national.test"


@pytest.fixture
def province_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    key = new_key()
    key_file = tmp_path / "province-79.jwk"
    key_file.write_text(json.dumps(key.as_dict(private=True)))
    monkeypatch.setenv("MOTCUA_EXCHANGE_MEMBER", "province-79")
    monkeypatch.setenv("MOTCUA_EXCHANGE_KEY", str(key_file))
    this_node.cache_clear()
    node = this_node()
    assert node is not None and node.province_code == "79"
    yield node
    monkeypatch.delenv("MOTCUA_EXCHANGE_MEMBER")
    this_node.cache_clear()


def _messages_of(code: str) -> Select[tuple[OutboxMessage]]:
    return select(OutboxMessage).where(OutboxMessage.dossier_code == code).order_by(OutboxMessage.id)


def test_status_changes_flow_once_and_in_order(engine: Engine, empty_database_url: str, province_node: Node) -> None:
    national_key = new_key()
    db.upgrade(empty_database_url)
    national_engine = db.make_engine(empty_database_url)
    national_factory = db.session_factory(national_engine)
    with db.transaction(national_factory) as s:
        s.add(
            Member(
                identifier="province-79", role="province", province_code="79", public_jwk=public_jwk(province_node.key)
            )
        )
    app = create_app(empty_database_url)
    app.state.exchange_node = Node("national", national_key)
    client = TestClient(app, base_url=NATIONAL_URL)
    factory = db.session_factory(engine)
    tag = f"relay-{uuid.uuid4().hex[:8]}"  # the test runs once per pair of backends
    with db.transaction(factory) as s:
        # What earlier tests on this shared database left unsent (a retry waiting out its back-off)
        # would fall due during this one and be counted in its rounds.
        s.execute(delete(OutboxMessage).where(OutboxMessage.state != "delivered"))
        s.execute(delete(Member).where(Member.identifier == "national"))
        s.add(
            Member(identifier="national", role="national", base_url=NATIONAL_URL, public_jwk=public_jwk(national_key))
        )
        code = World(s, tag).in_state("returned").code  # submit, accept, transfer, approve, return: 5 events
    with factory() as s:
        queued = s.scalars(
            select(OutboxMessage).where(OutboxMessage.dossier_code == code).order_by(OutboxMessage.id)
        ).all()
    assert [json.loads(m.body)["sequence"] for m in queued] == [1, 2, 3, 4, 5]

    # One message of the dossier per round, in order; and its result announced to the national index.
    assert drain(factory, client, province_node) == 6
    with national_factory() as s:
        mirror = s.get(DossierMirror, code)
        assert mirror is not None and (mirror.status, mirror.status_code, mirror.last_sequence) == ("returned", 10, 5)
        received = s.scalar(select(func.count()).select_from(InboxMessage))
    looked_up = client.get(f"/exchange/v1/dossiers/{code}")
    assert looked_up.status_code == 401  # unsigned

    # A message sent twice (the acknowledgement was lost): the second has no effect.
    with db.transaction(factory) as s:
        again = s.scalars(
            select(OutboxMessage).where(OutboxMessage.dossier_code == code).order_by(OutboxMessage.id)
        ).first()
        assert again is not None
        again.state, again.next_attempt_at = "pending", utc_now()
    assert drain(factory, client, province_node) == 1
    with national_factory() as s:
        assert s.scalar(select(func.count()).select_from(InboxMessage)) == received
        assert s.get(DossierMirror, code).last_sequence == 5

    # The national registry holds a wrong key for the province: refused (401), set aside as dead;
    # once the registry is mended, the operator replays it and it arrives.
    with db.transaction(national_factory) as s:
        s.scalars(select(Member)).one().public_jwk = public_jwk(new_key())
    with db.transaction(factory) as s:
        second = World(s, tag + "-2").in_state("accepted").code
    report = relay_once(factory, client, province_node)
    assert report.dead == 1 and report.delivered == 0
    with db.transaction(factory) as s:
        dead = s.scalars(
            select(OutboxMessage).where(OutboxMessage.dossier_code == second).order_by(OutboxMessage.id)
        ).all()
        assert [m.state for m in dead] == ["dead", "pending"] and "401" in dead[0].last_error
    assert relay_once(factory, client, province_node).sent == 0  # the second waits behind the dead first
    with db.transaction(national_factory) as s:
        s.scalars(select(Member)).one().public_jwk = public_jwk(province_node.key)
    with db.transaction(factory) as s:
        replay(s, dead[0].message_id)
    assert drain(factory, client, province_node) == 2

    # The network is down: the message stays pending and is tried again later, not at once.
    with db.transaction(factory) as s:
        third = World(s, tag + "-3").submit().code

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    broken = httpx.Client(transport=httpx.MockTransport(down))
    tried = utc_now()
    report = relay_once(factory, broken, province_node)
    assert report.retried == 1
    with factory() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.dossier_code == third)).one()
        assert waiting.state == "pending" and waiting.attempts == 1 and waiting.next_attempt_at > tried
        assert "ConnectError" in waiting.last_error
    assert relay_once(factory, client, province_node).sent == 0  # not due yet
    assert relay_once(factory, client, province_node, now=utc_now() + timedelta(minutes=5)).delivered == 1
    national_engine.dispose()


def test_every_status_change_follows_the_contract_and_carries_what_the_portal_follows(
    engine: Engine, province_node: Node
) -> None:
    from motcua.exchange.inbox import contract_errors

    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        world = World(s, f"fields-{uuid.uuid4().hex[:8]}")
        d = world.in_state("supplement_requested")
        a_week_later = T0 + timedelta(days=7)  # the citizen brings it; the time limit starts again
        world.act(d, "supplement", world.citizen, at=a_week_later, documents=["Bản sao CCCD"])
        code, fee = d.code, next(f["amount_vnd"] for f in d.fees if f["channel"] == d.channel)
    with factory() as s:
        bodies = [json.loads(m.body) for m in s.scalars(_messages_of(code))]
    assert [b["status"] for b in bodies] == [
        "submitted",
        "accepted",
        "processing",
        "supplement_requested",
        "processing",
    ]
    for body in bodies:
        assert contract_errors("StatusChange", body) == [], body
        assert body["processingUnit"] == d.deciding_agency_code
        assert body["fees"] == ([{"amountVnd": fee, "paidOnline": False, "paidAt": None}] if fee else [])
        assert "079123456789" not in json.dumps(body)  # no personal data in a status change
    assert bodies[3]["missingDocuments"] == ["Bản sao CCCD"] and bodies[3]["note"] == "Thiếu giấy tờ"
    assert bodies[4]["supplementCount"] == 1
    assert bodies[4]["previousDueOn"] == bodies[3]["dueOn"] < bodies[4]["dueOn"]
    assert "previousDueOn" not in bodies[3]
    with db.transaction(factory) as s:  # never sent: the shared database's outbox is left empty for the next
        s.execute(delete(OutboxMessage).where(OutboxMessage.dossier_code == code))
