"""The adapter registry: each member's back end sends in its own way; the legacy national-portal sync
gets the legacy field names and a bearer token; what an adapter cannot send, or a member whose options
are wrong, is set aside with a reason an operator understands."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from motcua import db
from motcua.cli import app as cli
from motcua.exchange.adapters import AdapterError, Recipient, adapter_for, adapters
from motcua.exchange.adapters.legacy_portal import legacy_progress, mapping
from motcua.exchange.models import Member, OutboxMessage, utc_now
from motcua.exchange.node import Node
from motcua.exchange.outbox import enqueue
from motcua.exchange.relay import relay_once
from motcua.exchange.signing import new_key, public_jwk

CHANGE = {
    "dossierCode": "000.00.31.H79-260601-0001",
    "procedureCode": "1.001612",
    "sequence": 3,
    "statusCode": 4,
    "status": "processing",
    "at": "2026-06-02T10:15:00+07:00",
    "receivedOn": "2026-06-01",
    "dueOn": "2026-06-04",
    "finishedAt": None,
    "returnedAt": None,
    "outcome": None,
    "note": "",
}


def test_the_registry_holds_one_adapter_per_back_end() -> None:
    assert set(adapters()) >= {"motcua", "legacy-portal"}
    with pytest.raises(AdapterError, match="no adapter 'soap'; known: legacy-portal, motcua"):
        adapter_for("soap")


def test_the_legacy_names_and_date_format_come_from_data() -> None:
    legacy = legacy_progress(CHANGE, mapping())
    assert legacy["MaHoSo"] == CHANGE["dossierCode"] and legacy["TrangThaiHoSo"] == 4
    assert legacy["NgayTiepNhan"] == "20260601000000" and legacy["NgayCapNhat"] == "20260602101500"
    assert legacy["NgayTra"] == ""


def test_the_relay_speaks_to_a_legacy_portal_and_sets_aside_what_it_cannot_say(empty_database_url: str) -> None:
    db.upgrade(empty_database_url)
    factory = db.session_factory(db.make_engine(empty_database_url))
    node = Node("province-79", new_key())
    seen: list[httpx.Request] = []

    def legacy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"error_code": "0"})

    with db.transaction(factory) as s:
        s.add(
            Member(
                identifier="national",
                role="national",
                base_url="http://dvc.test",
                adapter="legacy-portal",
                options={"token": "t0k3n"},
                public_jwk=public_jwk(new_key()),
            )
        )
        enqueue(s, "national", "reportStatus", "POST", "/exchange/v1/dossiers/X/status", CHANGE, utc_now(), "X")
        enqueue(s, "national", "synchroniseCatalog", "PUT", "/exchange/v1/catalog", {}, utc_now())
    report = relay_once(factory, httpx.Client(transport=httpx.MockTransport(legacy)), node)
    assert (report.delivered, report.dead) == (1, 1)
    (sent,) = seen
    assert sent.url == "http://dvc.test/api/dossiers/progress" and sent.headers["Authorization"] == "Bearer t0k3n"
    assert orjson.loads(sent.content)["MaHoSo"] == CHANGE["dossierCode"]
    with factory() as s:
        dead = s.scalars(select(OutboxMessage).where(OutboxMessage.state == "dead")).one()
        assert dead.last_error == "adapter legacy-portal cannot send synchroniseCatalog"

    with db.transaction(factory) as s:  # options broken by hand in the database: named, not a crash
        s.scalars(select(Member)).one().options = {"tokn": "x"}
        enqueue(s, "national", "reportStatus", "POST", "/exchange/v1/dossiers/Y/status", CHANGE, utc_now(), "Y")
    assert relay_once(factory, httpx.Client(transport=httpx.MockTransport(legacy)), node).dead == 1
    with factory() as s:
        last = s.scalars(select(OutboxMessage).where(OutboxMessage.dossier_code == "Y")).one()
        assert "options of adapter legacy-portal" in last.last_error and "token: Field required" in last.last_error


def test_add_member_checks_the_adapter_and_its_options(empty_database_url: str, tmp_path: Path) -> None:
    db.upgrade(empty_database_url)
    key = json.dumps(public_jwk(new_key()))
    runner = CliRunner(env={"COLUMNS": "200"})
    base = ["exchange", "add-member", "national", "--public-key", key, "--url", empty_database_url]
    r = runner.invoke(cli, [*base, "--adapter", "legacy-portal", "--option", "timeout_seconds=5"])
    assert r.exit_code == 2 and "token: Field required" in r.output
    r = runner.invoke(cli, [*base, "--adapter", "legacy-portal", "--option", "token"])
    assert r.exit_code == 2 and "expected name=value" in r.output
    r = runner.invoke(
        cli, [*base, "--adapter", "legacy-portal", "--option", "token=abc", "--base-url", "http://d.test"]
    )
    assert r.exit_code == 0, r.output
    with db.session_factory(db.make_engine(empty_database_url))() as s:
        member = s.scalars(select(Member)).one()
        assert member.adapter == "legacy-portal" and member.options["token"] == "abc"
    r = runner.invoke(cli, ["exchange", "members", "--url", empty_database_url])
    assert r.exit_code == 0 and "national" in r.output and "legacy-portal" in r.output


def test_the_legacy_health_check_uses_the_token_and_its_path() -> None:
    seen: list[httpx.Request] = []

    def portal(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200 if request.headers.get("Authorization") == "Bearer t0k3n" else 401)

    adapter, node = adapter_for("legacy-portal"), Node("province-79", new_key())
    client = httpx.Client(transport=httpx.MockTransport(portal))
    good = Recipient("national", "http://dvc.test", "legacy-portal", {"token": "t0k3n", "health_path": "/ping"})
    assert adapter.health(client, node, good).ok and seen[-1].url == "http://dvc.test/ping"
    refused = adapter.health(client, node, Recipient("national", "http://dvc.test", "legacy-portal", {"token": "x"}))
    assert not refused.ok and refused.detail == "HTTP 401"
    broken = adapter.health(client, node, Recipient("national", "http://dvc.test", "legacy-portal", {}))
    assert not broken.ok and "token: Field required" in broken.detail


def test_a_refusal_quoting_personal_data_stays_out_of_the_log(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db.upgrade(empty_database_url)
    factory = db.session_factory(db.make_engine(empty_database_url))

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"errors": [{"location": "/applicant/idNumber", "message": "'0791234' …"}]})

    with db.transaction(factory) as s:
        s.add(Member(identifier="national", role="national", base_url="http://n.test", public_jwk={}))
        enqueue(s, "national", "reportStatus", "POST", "/exchange/v1/dossiers/Z/status", CHANGE, utc_now(), "Z")
    with caplog.at_level("WARNING", logger="motcua.exchange"):
        relay_once(factory, httpx.Client(transport=httpx.MockTransport(refuse)), Node("province-79", new_key()))
    assert "set aside: HTTP 400" in caplog.text and "0791234" not in caplog.text
    with factory() as s:  # the operator still sees the whole answer
        assert "0791234" in s.scalars(select(OutboxMessage.last_error)).one()
