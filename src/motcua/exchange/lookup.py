"""``lookUpDossier``: a dossier's status and dates, without personal data. At the national node, from
its mirror (by national reference or provincial code); at a provincial node, from the dossier itself
(``lastSequence`` is its number of events: the sequence of its last status change reported)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from motcua.dossiers.models import Dossier
from motcua.exchange.models import Delivery, DossierMirror
from motcua.exchange.outbox import stamp


def dossier_status(session: Session, code: str, national: bool) -> dict[str, Any] | None:
    if national:
        mirror = session.scalars(
            select(DossierMirror).where(or_(DossierMirror.code == code, DossierMirror.dossier_code == code))
        ).first()
        if mirror is None:
            return None
        return {
            "code": mirror.dossier_code or mirror.code,
            "reference": mirror.code,
            "procedureCode": mirror.procedure_code,
            "statusCode": mirror.status_code,
            "status": mirror.status,
            "lastSequence": mirror.last_sequence,
            "receivedOn": mirror.received_on.isoformat() if mirror.received_on else None,
            "dueOn": mirror.due_on.isoformat() if mirror.due_on else None,
            "finishedAt": stamp(mirror.finished_at) if mirror.finished_at else None,
            "returnedAt": stamp(mirror.returned_at) if mirror.returned_at else None,
        }
    delivered = session.get(Delivery, code)
    d = session.scalars(select(Dossier).where(Dossier.code == (delivered.dossier_code if delivered else code))).first()
    if d is None:
        return None
    return {
        "code": d.code,
        **({"reference": delivered.reference} if delivered else {}),
        "procedureCode": d.procedure_code,
        "statusCode": d.status_code,
        "status": d.status,
        "lastSequence": d.event_count,
        "receivedOn": d.received_on.isoformat() if d.received_on else None,
        "dueOn": d.due_on.isoformat() if d.due_on else None,
        "finishedAt": stamp(d.finished_at) if d.finished_at else None,
        "returnedAt": stamp(d.returned_at) if d.returned_at else None,
    }
