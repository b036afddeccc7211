"""What an attacker (or a test cleaning up) holding the database owner's rights can do: switch off
the append-only triggers for one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

APPEND_ONLY = ("dossier_events", "audit_events", "seals")


@contextmanager
def owner_rights(session: Session) -> Iterator[None]:
    """Inside: UPDATE and DELETE of the append-only tables pass (PostgreSQL: triggers off for the
    transaction, as a superuser can; SQLite: the triggers dropped, then made again)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            session.execute(text("SET LOCAL session_replication_role = origin"))
        return
    tables = ", ".join(f"'{t}'" for t in APPEND_ONLY)
    triggers = "SELECT {} FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (" + tables + ")"
    kept = session.execute(text(triggers.format("sql"))).scalars().all()
    names = session.execute(text(triggers.format("name"))).scalars().all()
    for name in names:
        session.execute(text(f"DROP TRIGGER {name}"))
    try:
        yield
    finally:
        for sql in kept:
            session.execute(text(sql))
