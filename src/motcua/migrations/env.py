"""Alembic environment: the URL comes from the caller (``motcua.db.upgrade``) or MOTCUA_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import motcua.models  # noqa: F401  (register every table)
from motcua.db import Base, database_url, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()

if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
