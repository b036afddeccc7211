"""Gap-free daily numbering shared by the case types: a counter row per (key…, day) incremented in
the transaction that creates the case. The row lock serialises concurrent creations of one key and
day, and a rolled-back creation gives its number back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


class DailyCounter:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on ``table`` (columns ``keys``, ``day`` and
    ``last``), built once per dialect."""

    def __init__(self, table: Table, keys: tuple[str, ...], limit: int) -> None:
        self.table, self.keys, self.limit = table, keys, limit
        self._statements: dict[str, Any] = {}

    def _statement(self, dialect: str) -> Any:
        found = self._statements.get(dialect)
        if found is None:
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            values: dict[str, Any] = {k: bindparam(k) for k in self.keys}
            found = self._statements[dialect] = (
                insert(self.table)
                .values(**values, day=bindparam("day"), last=1)
                .on_conflict_do_update(index_elements=[*self.keys, "day"], set_={"last": self.table.c.last + 1})
                .returning(self.table.c.last)
            )
        return found

    def next(self, session: Session, day: date, **keys: str) -> int:
        """The next number of ``keys`` on ``day``; OverflowError past the code's digits."""
        stmt = self._statement(session.get_bind().dialect.name)
        # On the session's connection, as Core: an ORM-enabled statement costs more than its round trip.
        number = int(session.connection().execute(stmt, {**keys, "day": day}).scalar_one())
        if number > self.limit:
            raise OverflowError(f"{keys or 'the node'} has numbered {self.limit:,} cases on {day}")
        return number
