"""A database of its own for each reorganisation test (a resolution changes the map of the process:
the registry in use before the test is put back after it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.catalog import agencies, service
from motcua.units import registry
from tests.conftest import TODAY


@pytest.fixture
def own_engine(empty_database_url: str) -> Iterator[Engine]:
    before = registry.get_registry()
    db.upgrade(empty_database_url)
    engine = db.make_engine(empty_database_url)
    with db.transaction(db.session_factory(engine)) as s:
        service.load_demo(s)
        agencies.generate(s, TODAY)
    try:
        yield engine
    finally:
        engine.dispose()
        registry.install(before)


@pytest.fixture
def own_factory(own_engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(own_engine)
