"""``lookUpDossier``: a dossier's status and dates, without personal data. At the national node, from
its mirror (by national reference or provincial code); at a provincial node, from the dossier itself
(``lastSequence`` is its number of events: the sequence of its last status change reported)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from motcua.dossiers.models import Dossier
from motcua.dossiers.states import exchanged_status
from motcua.exchange.models import Delivery, DossierMirror
from motcua.exchange.outbox import stamp


def mirror_of(session: Session, code: str) -> DossierMirror | None:
    """At the national node: a dossier held by a province, by national reference or provincial code."""
    return session.scalars(
        select(DossierMirror).where(or_(DossierMirror.code == code, DossierMirror.dossier_code == code))
    ).first()


def dossier_status(session: Session, code: str, national: bool, held_by: str | None = None) -> dict[str, Any] | None:
    """``held_by``: at the national node, only a dossier that member holds is found."""
    if national:
        mirror = mirror_of(session, code)
        if mirror is None or (held_by is not None and mirror.member != held_by):
            return None
        return _status(mirror, mirror.dossier_code or mirror.code, mirror.code, mirror.last_sequence)
    delivered = session.get(Delivery, code)
    d = session.scalars(select(Dossier).where(Dossier.code == (delivered.dossier_code if delivered else code))).first()
    if d is None:
        return None
    return _status(d, d.code, delivered.reference if delivered else None, d.event_count)


def _status(held: Dossier | DossierMirror, code: str, reference: str | None, last_sequence: int) -> dict[str, Any]:
    """The contract's ``DossierStatus`` of a dossier or of its mirror (they share these columns)."""
    return {
        "code": code,
        **({"reference": reference} if reference else {}),
        "procedureCode": held.procedure_code,
        "statusCode": held.status_code,
        "status": exchanged_status(held.status),
        "lastSequence": last_sequence,
        "receivedOn": held.received_on.isoformat() if held.received_on else None,
        "dueOn": held.due_on.isoformat() if held.due_on else None,
        "finishedAt": stamp(held.finished_at) if held.finished_at else None,
        "returnedAt": stamp(held.returned_at) if held.returned_at else None,
    }
