"""The transactional outbox: a message to another member is a row written in the transaction of the
change it reports, so that a change is never lost nor told without having happened. The relay
(``exchange.relay``, run by ``motcua worker``) sends the rows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from motcua.dossiers.models import Dossier
from motcua.exchange.models import OutboxMessage
from motcua.exchange.node import NATIONAL, this_node

OUTBOX = cast(Table, OutboxMessage.__table__)
INSERT = insert(OUTBOX)


def enqueue(
    session: Session,
    recipient: str,
    operation: str,
    method: str,
    path: str,
    body: dict[str, Any],
    now: datetime,
    dossier_code: str | None = None,
) -> str:
    """Add a message to send; returns its message id."""
    message_id = str(uuid.uuid4())
    session.connection().execute(
        INSERT,
        {
            "message_id": message_id,
            "recipient": recipient,
            "operation": operation,
            "method": method,
            "path": path,
            "body": orjson.dumps(body).decode(),
            "dossier_code": dossier_code,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
            "delivered_at": None,
        },
    )
    return message_id


VIETNAM = timezone(timedelta(hours=7))  # dossier times are Vietnam's wall-clock time (no summer time)


def stamp(moment: datetime) -> str:
    """An RFC 3339 date-time with its offset, as the contract asks."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)).isoformat()


def status_change(
    d: Dossier, sequence: int, at: datetime, payload: dict[str, Any], reference: str | None = None
) -> dict[str, Any]:
    """The contract's ``StatusChange`` of a dossier after its event number ``sequence``."""
    return {
        "dossierCode": d.code,
        **({"reference": reference} if reference else {}),
        "procedureCode": d.procedure_code,
        "sequence": sequence,
        "statusCode": d.status_code,
        "status": d.status,
        "at": stamp(at),
        "receivedOn": d.received_on.isoformat() if d.received_on else None,
        "dueOn": d.due_on.isoformat() if d.due_on else None,
        "finishedAt": stamp(d.finished_at) if d.finished_at else None,
        "returnedAt": stamp(d.returned_at) if d.returned_at else None,
        "outcome": d.outcome,
        "note": str(payload.get("reason", "")),
    }


def on_dossier_event(session: Session, d: Dossier, sequence: int, at: datetime, payload: dict[str, Any]) -> None:
    """At a provincial node, every event of a dossier is reported to the national node, in order."""
    node = this_node()
    if node is None or node.is_national:
        return
    from motcua.exchange.delivery import reference_of

    body = status_change(d, sequence, at, payload, reference_of(session, d.code))
    enqueue(session, NATIONAL, "reportStatus", "POST", f"/exchange/v1/dossiers/{d.code}/status", body, at, d.code)
