"""``motcua exchange`` commands: a key pair, a member registered, dead letters listed and replayed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from motcua import db
from motcua.cli import app
from motcua.exchange.models import Member, OutboxMessage, utc_now
from motcua.exchange.outbox import enqueue


def test_keys_members_and_dead_letters(engine: Engine, database_url: str, tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    key = tmp_path / "national.jwk"
    made = runner.invoke(app, ["exchange", "keygen", "--out", str(key)])
    assert made.exit_code == 0 and json.loads(made.output)["kty"] == "OKP" and "d" not in json.loads(made.output)
    assert "d" in json.loads(key.read_text())  # the private half stays in the file
    assert runner.invoke(app, ["exchange", "keygen", "--out", str(key)]).exit_code == 2  # never overwritten
    public = tmp_path / "national.pub"
    public.write_text(made.output)
    member = f"province-{'77' if engine.dialect.name == 'sqlite' else '78'}"
    args = ["exchange", "add-member", member, "--public-key", str(public), "--base-url", "http://p.test", "--url"]
    assert runner.invoke(app, [*args, database_url]).exit_code == 0
    bad = runner.invoke(
        app, ["exchange", "add-member", "province-7", "--public-key", made.output, "--url", database_url]
    )
    assert bad.exit_code == 2 and "province-<2-digit code>" in bad.output
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        assert s.scalars(select(Member).where(Member.identifier == member)).one().base_url == "http://p.test"
        message_id = enqueue(s, member, "reportStatus", "POST", "/exchange/v1/x", {"a": 1}, utc_now(), "x")
        s.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one().state = "dead"
    listed = runner.invoke(app, ["exchange", "dead", "--url", database_url])
    assert listed.exit_code == 0 and message_id in listed.output
    mended = tmp_path / "body.json"
    mended.write_text('{"a": 2}')
    replayed = runner.invoke(app, ["exchange", "replay", message_id, "--body", str(mended), "--url", database_url])
    assert replayed.exit_code == 0, replayed.output
    assert runner.invoke(app, ["exchange", "replay", message_id, "--url", database_url]).exit_code == 2  # not dead
    with db.transaction(factory) as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one()
        assert (row.state, row.body) == ("pending", '{"a": 2}')
        s.delete(row)
    standalone = runner.invoke(app, ["worker", "--once", "--url", database_url])  # seals only, relays nothing
    assert standalone.exit_code == 0, standalone.output
