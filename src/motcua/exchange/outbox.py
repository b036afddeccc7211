"""The transactional outbox: a message to another member is a row written in the transaction of the
change it reports, so that a change is never lost nor told without having happened. The relay
(``exchange.relay``, run by ``motcua worker``) sends the rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.states import exchanged_status
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


def stamp(moment: datetime) -> str:
    """An RFC 3339 date-time with its offset, as the contract asks: Vietnam's (+07:00), the zone the
    portal reads dates in."""
    return clock.local(moment).isoformat()


def wall_clock(value: str) -> datetime:
    """The inverse of ``stamp``: a contract date-time as an instant in UTC (a value without an offset
    is Vietnam's wall-clock time)."""
    return clock.aware(datetime.fromisoformat(value))


def status_change(
    d: Dossier,
    sequence: int,
    at: datetime,
    payload: dict[str, Any],
    reference: str | None = None,
    transition: str = "",
    previous_due_on: date | None = None,
    results: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The contract's ``StatusChange`` of a dossier after its event number ``sequence``: the fields the
    national portal follows (dates, processing unit, fees, supplements, results); no personal data."""
    body: dict[str, Any] = {
        "dossierCode": d.code,
        **({"reference": reference} if reference else {}),
        "procedureCode": d.procedure_code,
        "sequence": sequence,
        "statusCode": d.status_code,
        "status": exchanged_status(d.status),
        "at": stamp(at),
        "receivedOn": d.received_on.isoformat() if d.received_on else None,
        "dueOn": d.due_on.isoformat() if d.due_on else None,
        "finishedAt": stamp(d.finished_at) if d.finished_at else None,
        "returnedAt": stamp(d.returned_at) if d.returned_at else None,
        "outcome": d.outcome,
        "note": str(payload.get("reason", "")),
        "processingUnit": d.deciding_agency_code,
        "supplementCount": d.supplement_count,
        "fees": fees_of(d, at if transition == "pay" else None),
    }
    if previous_due_on is not None and previous_due_on != d.due_on:  # a supplement or an extension moved it
        body["previousDueOn"] = previous_due_on.isoformat()
    if payload.get("missing"):
        body["missingDocuments"] = [str(m) for m in payload["missing"]]
    if results:
        body["results"] = results
    return body


def fees_of(d: Dossier, paid_at: datetime | None) -> list[dict[str, Any]]:
    """The fee due for the dossier's channel (the catalog lists one per channel), if any."""
    fees = [f for f in d.fees or [] if f.get("channel") == d.channel] or list(d.fees or [])[:1]
    return [
        {"amountVnd": int(f["amount_vnd"]), "paidOnline": d.paid_online, "paidAt": stamp(paid_at) if paid_at else None}
        for f in fees
        if f.get("amount_vnd")
    ]


RESULTS = select(Attachment.name, Attachment.sha256, Attachment.size, Attachment.content_type).where(
    Attachment.dossier_id == bindparam("id"), Attachment.kind == "result"
)


def on_dossier_change(change: Any) -> None:
    """The dossiers' subscriber (``dossiers.subscribers``): a node of the exchange reports the step."""
    if this_node() is not None:
        on_dossier_event(
            change.session,
            change.dossier,
            change.seq,
            change.transition,
            change.at,
            change.payload,
            change.before.due_on,
        )


def on_dossier_event(
    session: Session,
    d: Dossier,
    sequence: int,
    transition: str,
    at: datetime,
    payload: dict[str, Any],
    previous_due_on: date | None = None,
) -> None:
    """At a provincial node, every event of a dossier is reported to the national node, in order."""
    node = this_node()
    if node is None or node.is_national:
        return
    from motcua.exchange.delivery import reference_of

    results = None
    if d.status in ("processed", "returned"):  # the signed result, described (fetched separately)
        results = [
            {"name": r.name, "sha256": r.sha256, "size": r.size, "contentType": r.content_type}
            for r in session.execute(RESULTS, {"id": d.id})
        ]
    body = status_change(d, sequence, at, payload, reference_of(session, d.code), transition, previous_due_on, results)
    enqueue(session, NATIONAL, "reportStatus", "POST", f"/exchange/v1/dossiers/{d.code}/status", body, at, d.code)
