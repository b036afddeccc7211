"""Database access: SQLAlchemy 2 engine and sessions, SQLite by default, PostgreSQL in production.

The URL comes from ``MOTCUA_DATABASE_URL`` (e.g. ``postgresql+psycopg://motcua@db/motcua``);
without it, an SQLite file ``motcua.sqlite3`` in the data folder (``MOTCUA_DATA_DIR``, by default the
user's data directory). The schema is managed by Alembic migrations (``motcua db upgrade``), never by
``create_all`` in production.

Instants are stored in UTC (``UTCDateTime``); SQL parameters never appear in logs or error messages
(``hide_parameters``: they hold personal data); a request waits a bounded time for a connection and a
statement runs a bounded time on PostgreSQL (``MOTCUA_DB_POOL_TIMEOUT``, ``MOTCUA_DB_STATEMENT_TIMEOUT_MS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from motcua.clock import aware
from motcua.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC (``timestamptz`` on PostgreSQL, UTC text on SQLite) and read back
    with its zone. A naive value is Vietnam wall-clock time (``clock.aware``)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = aware(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def database_url() -> str:
    return get_settings().database()


def through_pgbouncer(url: str) -> bool:
    """``MOTCUA_DB_PGBOUNCER`` names the pooler in front of the primary (``MOTCUA_DATABASE_URL``); a
    replica is reached directly and keeps its prepared statements and startup options."""
    return get_settings().db_pgbouncer and url == database_url()


def make_engine(url: str | None = None, *, bounded: bool = False, **kwargs: Any) -> Engine:
    """An engine on ``url`` (default: the configured database). ``bounded``: the server's engine, whose
    statements and idle transactions are cut short on PostgreSQL (batch commands are not)."""
    settings = get_settings()
    url = url or database_url()
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", settings.db_pool_size)
        kwargs.setdefault("max_overflow", settings.db_max_overflow)
        kwargs.setdefault("pool_timeout", settings.db_pool_timeout)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # The server's writers wait for SQLite's lock as long as a statement may run, then answer 503.
        wait = settings.db_statement_timeout_ms / 1000 if bounded and settings.db_statement_timeout_ms else 30
        engine = create_engine(url, connect_args={"timeout": wait}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # A pre-ping costs a round trip per checkout; connections are recycled instead (opt in with
    # MOTCUA_DB_PRE_PING=1 where the network drops idle connections).
    kwargs.setdefault("pool_recycle", 1800)
    connect_args = dict(kwargs.pop("connect_args", {}))
    if through_pgbouncer(url):
        # A transaction-mode pooler hands each transaction any server connection: a prepared statement
        # or a startup option of one connection would not be there (the timeouts live on the role).
        connect_args.setdefault("prepare_threshold", None)
        return create_engine(url, pool_pre_ping=settings.db_pre_ping, connect_args=connect_args, **kwargs)
    options = ["-c TimeZone=UTC"]
    if bounded and settings.db_statement_timeout_ms:
        # A slow query is cancelled instead of holding its connection; so is a session left idle in
        # a transaction.
        options.append(f"-c statement_timeout={settings.db_statement_timeout_ms}")
        options.append(f"-c idle_in_transaction_session_timeout={max(settings.db_statement_timeout_ms * 2, 10_000)}")
    connect_args.setdefault("options", " ".join(options))
    return create_engine(url, pool_pre_ping=settings.db_pre_ping, connect_args=connect_args, **kwargs)


@cache
def default_engine() -> Engine:
    return make_engine()


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine or default_engine(), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed if the block ends normally, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def lock_for_write(session: Session) -> None:
    """On SQLite, take the database's write lock before reading what will be changed (``BEGIN
    IMMEDIATE``): a deferred transaction reads without a lock, and a concurrent writer could make
    that read stale before this one writes. PostgreSQL locks the rows instead (``FOR UPDATE``)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with the shipped Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "motcua:migrations")
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    command.upgrade(config, revision)
