"""Database access: SQLAlchemy 2 engine and sessions, SQLite by default, PostgreSQL in production.

The URL comes from ``MOTCUA_DATABASE_URL`` (e.g. ``postgresql+psycopg://motcua@db/motcua``);
without it, an SQLite file ``var/motcua.sqlite3`` under the current directory. The schema is
managed by Alembic migrations (``motcua db upgrade``), never by ``create_all`` in production.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def database_url() -> str:
    url = os.environ.get("MOTCUA_DATABASE_URL")
    if url:
        return url
    path = Path.cwd() / "var" / "motcua.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = url or database_url()
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", int(os.environ.get("MOTCUA_DB_POOL_SIZE", 20)))
        kwargs.setdefault("max_overflow", int(os.environ.get("MOTCUA_DB_MAX_OVERFLOW", 10)))
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

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
    return create_engine(url, pool_pre_ping=os.environ.get("MOTCUA_DB_PRE_PING") == "1", **kwargs)


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
