"""Dossier codes as the law formats them: ``<receiving unit id>-YYMMDD-XXXX``, gap-free per unit
and day. The daily counter row is incremented in the transaction that creates the dossier: the row
lock serialises concurrent receptions, and a rolled-back reception gives its number back."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua.dossiers.models import DossierSequence

SEQUENCES = cast(Table, DossierSequence.__table__)


@cache
def _increment(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING`` built once per dialect (compiled once, then cached)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SEQUENCES)
        .values(centre_identifier=bindparam("centre"), day=bindparam("day"), last=1)
        .on_conflict_do_update(index_elements=["centre_identifier", "day"], set_={"last": SEQUENCES.c.last + 1})
        .returning(SEQUENCES.c.last)
    )


def next_number(session: Session, centre_identifier: str, day: date) -> int:
    stmt = _increment(session.get_bind().dialect.name)
    # On the session's connection, as Core: an ORM-enabled statement costs more than its round trip.
    number = session.connection().execute(stmt, {"centre": centre_identifier, "day": day}).scalar_one()
    if number > 9999:
        raise OverflowError(f"{centre_identifier} has received 9,999 dossiers on {day}: the code has four digits")
    return int(number)


def dossier_code(centre_identifier: str, day: date, number: int) -> str:
    return f"{centre_identifier}-{day:%y%m%d}-{number:04d}"
