"""The conformance battery over real HTTP: motcua's own provincial node passes every check; a
deliberately broken implementation fails with messages that say what to fix."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import Engine, delete
from typer.testing import CliRunner

from motcua import db
from motcua.api.app import create_app
from motcua.cli import app as cli
from motcua.exchange.conformance import Battery
from motcua.exchange.models import Member
from motcua.exchange.node import this_node
from motcua.exchange.signing import new_key, public_jwk
from tests.exchange.nodes import province_node, served


@pytest.fixture
def own_node(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Path]]:
    """motcua as the node of province 79, with the battery's key registered as the national node's."""
    province_node(tmp_path, monkeypatch)
    battery_key = new_key()
    key_file = tmp_path / "battery.jwk"
    key_file.write_text(json.dumps(battery_key.as_dict(private=True)))
    with db.transaction(db.session_factory(engine)) as s:
        s.execute(delete(Member).where(Member.identifier == "national"))
        s.add(Member(identifier="national", role="national", base_url="", public_jwk=public_jwk(battery_key)))
    with served(create_app(database_url)) as url:
        yield url, key_file
    this_node.cache_clear()


def broken_node() -> FastAPI:
    """A provincial system that gets the contract wrong in the ways vendors do: no signature check,
    200 instead of 201, no inbox, half a status, no problem details."""
    app = FastAPI()

    @app.get("/exchange/v1/health")
    def health() -> dict[str, str]:
        return {"member": "province-79", "contract": "1.0.0", "time": datetime.now(UTC).isoformat()}

    @app.post("/exchange/v1/dossiers")
    def deliver(request: Request) -> dict[str, Any]:
        message_id = request.headers.get("Motcua-Message-Id", "")
        return {"messageId": message_id, "duplicate": False, "dossierCode": f"X-{uuid.uuid4().hex[:6]}"}

    @app.get("/exchange/v1/dossiers/{code}")
    def look_up(code: str) -> dict[str, Any]:
        return {"code": code, "status": "submitted"}

    @app.put("/exchange/v1/catalog")
    def catalog() -> dict[str, Any]:
        return {"ok": True}

    return app


def test_motcua_own_provincial_node_passes_the_battery(own_node: tuple[str, Path]) -> None:
    url, key_file = own_node
    from motcua.exchange.signing import load_key

    key = load_key(json.loads(key_file.read_text()))
    with httpx.Client() as client:
        report = Battery(url, key, client, province="79").run()
    assert report.passed, report.text()
    assert len(report.results) == 24

    r = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["exchange", "conformance", url, "--key", str(key_file), "--province", "79"]
    )
    assert r.exit_code == 0, r.output
    assert "24 passed, 0 failed" in r.output


def test_a_broken_implementation_fails_with_what_to_fix(tmp_path: Path) -> None:
    key_file = tmp_path / "battery.jwk"
    key_file.write_text(json.dumps(new_key().as_dict(private=True)))
    with served(broken_node()) as url:
        r = CliRunner(env={"COLUMNS": "200"}).invoke(
            cli, ["exchange", "conformance", url, "--key", str(key_file), "--province", "79"]
        )
    assert r.exit_code == 1
    out = r.output
    assert "PASS   1. health" in out
    assert "FAIL   2. unsigned delivery refused" in out
    assert "verify Motcua-Signature against the sender's registered key" in out
    assert "FAIL   7. invalid delivery refused with its place" in out
    assert "FAIL   8. delivery accepted" in out and "got: HTTP 200 application/json" in out
    assert "FAIL   9. duplicate message has no second effect" in out
    assert "keep an inbox of (sender, message id)" in out
    assert "FAIL  11. no dossier without its files" in out
    assert "FAIL  12. same reference, one dossier" in out
    assert "FAIL  13. invalid feedback refused with its place" in out
    assert "FAIL  14. feedback delivery accepted" in out
    assert "FAIL  16. same national code, one message" in out
    assert "FAIL  17. invalid feedback files refused with their place" in out
    assert "FAIL  18. look-up of the delivered dossier" in out
    assert "FAIL  19. look-up of an unknown dossier" in out
    assert "1 passed, 23 failed" in out


def test_the_battery_refuses_a_key_that_is_not_one(tmp_path: Path) -> None:
    bad = tmp_path / "k.jwk"
    bad.write_text("{}")
    r = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["exchange", "conformance", "http://x.test", "--key", str(bad)])
    assert r.exit_code == 2 and "not a private JWK" in r.output


def test_the_motcua_adapter_checks_a_member_is_who_it_is_registered_as(own_node: tuple[str, Path]) -> None:
    from motcua.exchange.adapters import Recipient, adapter_for
    from motcua.exchange.node import Node

    url, _ = own_node
    adapter, node = adapter_for("motcua"), Node("national", new_key())
    with httpx.Client() as client:
        assert adapter.health(client, node, Recipient("province-79", url, "motcua", {})).ok
        wrong = adapter.health(client, node, Recipient("province-01", url, "motcua", {}))
        assert not wrong.ok and wrong.detail == "answers as 'province-79', registered as province-01"
        down = adapter.health(client, node, Recipient("province-79", "http://127.0.0.1:9", "motcua", {}))
        assert not down.ok and "ConnectError" in down.detail
