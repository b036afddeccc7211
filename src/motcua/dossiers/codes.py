"""Dossier codes as the law formats them: ``<receiving unit id>-YYMMDD-XXXX``, gap-free per unit
and day. The daily counter row is incremented in the transaction that creates the dossier: the row
lock serialises concurrent receptions, and a rolled-back reception gives its number back."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua.dossiers.models import DossierSequence


def next_number(session: Session, centre_identifier: str, day: date) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(DossierSequence)
        .values(centre_identifier=centre_identifier, day=day, last=1)
        .on_conflict_do_update(index_elements=["centre_identifier", "day"], set_={"last": DossierSequence.last + 1})
        .returning(DossierSequence.last)
    )
    number = session.execute(stmt).scalar_one()
    if number > 9999:
        raise OverflowError(f"{centre_identifier} has received 9,999 dossiers on {day}: the code has four digits")
    return int(number)


def dossier_code(centre_identifier: str, day: date, number: int) -> str:
    return f"{centre_identifier}-{day:%y%m%d}-{number:04d}"
