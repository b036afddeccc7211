"""Database fixtures: every database test runs on SQLite, and on PostgreSQL too when
MOTCUA_TEST_POSTGRES names a server (CI sets it; a newcomer without PostgreSQL runs SQLite only)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

# Every test process keeps its generated keys and files in a folder of its own, and allows by name
# what production refuses (the tests that check the refusals clear these).
os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-tests-"))
for _allowed in ("SANDBOX_PAYMENTS", "DEVELOPMENT_CA", "GENERATED_SECRET", "PUBLIC_METRICS", "LOCAL_PUBLIC_URL"):
    os.environ.setdefault(f"MOTCUA_ALLOW_{_allowed}", "1")
# Every log line of the run (this process and the servers it starts) lands here, and is scanned for
# the test data's personal data when the run ends (pytest_sessionfinish).
os.environ.setdefault("MOTCUA_LOG_FILE", os.path.join(os.environ["MOTCUA_DATA_DIR"], "suite.log"))
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # A worker of pytest-xdist keeps its keys, files and log in a folder of its own under the run's,
    # where the controlling process scans every log when the run ends.
    _own = os.path.join(os.environ["MOTCUA_DATA_DIR"], _worker)
    if not os.environ["MOTCUA_DATA_DIR"].endswith(_worker):
        os.makedirs(_own, exist_ok=True)
        os.environ["MOTCUA_DATA_DIR"] = _own
        os.environ["MOTCUA_LOG_FILE"] = os.path.join(_own, "suite.log")

from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from motcua import db  # noqa: E402
from motcua.catalog import agencies, service  # noqa: E402
from motcua.catalog.routing import CatalogSnapshot  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.browser_fixtures"]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("MOTCUA_TEST_POSTGRES") else [])
TODAY = date(2026, 11, 24)


def _database(backend: str, sqlite_file: Path, prefix: str) -> Iterator[str]:
    """The URL of a new database of ``backend``, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    server = os.environ["MOTCUA_TEST_POSTGRES"]
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _database(request.param, tmp_path_factory.mktemp("db") / "motcua.sqlite3", "motcua_test")


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, empty, for a test that commits (bulk loads, several processes)."""
    yield from _database(request.param, tmp_path / "own.sqlite3", "motcua_own")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database holding the demo catalog and the generated agencies and centres."""
    db.upgrade(database_url)
    eng = db.make_engine(database_url)
    with db.transaction(db.session_factory(eng)) as s:
        service.load_demo(s)
        agencies.generate(s, TODAY)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back after the test (commits become savepoints)."""
    connection = engine.connect()
    outer = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture(scope="session")
def snapshot(engine: Engine) -> CatalogSnapshot:
    """The routing snapshot of the demo catalog (loading it takes most of a second: once per backend)."""
    with db.session_factory(engine)() as s:
        return CatalogSnapshot.load(s)


# The test data's ID numbers, phones and e-mails: none may appear in any log of the run.
PERSONAL_IN_TESTS = (
    "079123456789",
    "001012345678",
    "001098765432",
    "0901234567",
    "84901234567",
    "an.nguyen@example.vn",
)


def pytest_configure(config: pytest.Config) -> None:
    from motcua.logs import configure_logging
    from motcua.settings import get_settings

    configure_logging(get_settings())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import logging

    for handler in logging.getLogger().handlers:
        handler.flush()
    path = Path(os.environ["MOTCUA_LOG_FILE"])
    logs = [path] if path.exists() else []
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controlling process: its workers' logs too
        logs += sorted(path.parent.glob("gw*/suite.log"))
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        found = sorted({p for p in PERSONAL_IN_TESTS if p in text})
        if found:
            print(f"\npersonal data found in the logs of the run ({log}): {', '.join(found)}")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
