"""Lag-tolerant reads: on the replica when it answers, on the primary when it fails or finds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.replica import Reads


def _db(path: Path, value: str | None) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)"))
        if value is not None:
            c.execute(text("INSERT INTO t VALUES ('a', :v)"), {"v": value})
    return sessionmaker(engine)


def _read(s: Session) -> str | None:
    return s.execute(text("SELECT v FROM t WHERE k = 'a'")).scalar()


def test_reads_go_to_the_replica_and_fall_back_to_the_primary(tmp_path: Path) -> None:
    primary = _db(tmp_path / "primary.db", "fresh")
    reads = Reads(primary, _db(tmp_path / "replica.db", "lagging"))
    assert reads.run(_read) == "lagging"  # the replica answers

    behind = Reads(primary, _db(tmp_path / "behind.db", None))
    assert behind.run(_read) == "fresh"  # not replayed yet: asked again of the primary
    assert behind.run(_read, retry_empty=False) is None
    assert behind.state.usable()  # a miss is not a failure

    dead = Reads(primary, sessionmaker(create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db")))
    assert dead.run(_read) == "fresh"  # the replica fails: the primary answers at once
    assert not dead.state.usable()  # and the replica is left alone for a while
    assert dead.run(_read) == "fresh"


def test_without_a_replica_every_read_is_on_the_primary(tmp_path: Path) -> None:
    reads = Reads(_db(tmp_path / "primary.db", "only"), None)
    assert not reads.state.configured and reads.run(_read) == "only"


def test_awaited_reads_follow_the_same_rules(tmp_path: Path) -> None:
    import asyncio

    reads = Reads(_db(tmp_path / "primary.db", "fresh"), _db(tmp_path / "replica.db", None))

    async def primary() -> str:
        return "fresh"

    async def lagging() -> str | None:
        return None

    async def down() -> str | None:
        raise ConnectionError("replica gone")

    assert asyncio.run(reads.run_async(lagging, primary, (ConnectionError,))) == "fresh"
    assert reads.state.usable()
    assert asyncio.run(reads.run_async(down, primary, (ConnectionError,))) == "fresh"
    assert not reads.state.usable()


class _Captured(Exception):
    pass


def _connect_params(engine: Engine) -> dict[str, Any]:
    """What the engine would hand the driver, caught before any connection is made."""
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def capture(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        seen.update(params)
        raise _Captured

    with pytest.raises(_Captured):
        engine.connect()
    engine.dispose()
    return seen


def test_pgbouncer_mode_applies_to_the_primary_only(monkeypatch: pytest.MonkeyPatch) -> None:
    primary = "postgresql+psycopg://motcua@pgbouncer.invalid:6432/motcua"
    replica = "postgresql+psycopg://motcua@replica.invalid:5432/motcua"
    monkeypatch.setenv("MOTCUA_DATABASE_URL", primary)
    monkeypatch.setenv("MOTCUA_DB_PGBOUNCER", "1")
    through = _connect_params(db.make_engine(primary, bounded=True))
    direct = _connect_params(db.make_engine(replica, bounded=True))
    assert through["prepare_threshold"] is None and "options" not in through
    assert "prepare_threshold" not in direct and "statement_timeout" in direct["options"]
