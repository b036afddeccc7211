"""Dossier codes as the law formats them: ``<receiving unit id>-YYMMDD-XXXX``, gap-free per unit
and day. The daily counter row is incremented in the transaction that creates the dossier: the row
lock serialises concurrent receptions, and a rolled-back reception gives its number back."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from motcua.cases.sequences import DailyCounter
from motcua.dossiers.models import DossierSequence

COUNTER = DailyCounter(cast(Table, DossierSequence.__table__), ("centre_identifier",), limit=9999)


def next_number(session: Session, centre_identifier: str, day: date) -> int:
    try:
        return COUNTER.next(session, day, centre_identifier=centre_identifier)
    except OverflowError:
        raise OverflowError(
            f"{centre_identifier} has received 9,999 dossiers on {day}: the code has four digits"
        ) from None


def dossier_code(centre_identifier: str, day: date, number: int) -> str:
    return f"{centre_identifier}-{day:%y%m%d}-{number:04d}"


def as_typed(code: str) -> str:
    """A dossier code as someone typed or read it out (lower case, spaces, a line break): the code."""
    return "".join(code.split()).upper()[:60]
