"""What became of each message: the provider's answer or its receipt recorded in bulk, a temporary
failure retried with back-off until ``notify_retry_hours`` have passed, and a message that fails for
good sent again on the applicant's next channel (when no other channel reaches them)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, select, update

from motcua.dossiers.models import Dossier
from motcua.notifications.models import CITIZEN_CHANNELS, Notification
from motcua.notifications.outbox import Wanted, restored, write
from motcua.notifications.providers.base import Outcome, Receipt, Sent
from motcua.retry import backoff

N = cast(Table, Notification.__table__)
BASE_SECONDS, CAP_SECONDS = 30.0, 3600.0  # 30 s, 1 min, 2 min … then hourly
log = logging.getLogger("motcua.notifications")


@dataclass(frozen=True)
class Attempt:
    """A claimed message as the sender knows it, to decide what a failure means."""

    id: int
    attempts: int
    created_at: datetime
    provider: str


@dataclass
class Tally:
    delivered: int = 0
    sending: int = 0
    retried: int = 0
    failed: int = 0
    fallbacks: int = 0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def total(self) -> int:
        return self.delivered + self.sending + self.retried + self.failed


BY_ID = update(N).where(N.c.id == bindparam("b_id"))
DELIVERED = BY_ID.values(
    status="delivered",
    provider=bindparam("b_provider"),
    provider_reference=bindparam("b_reference"),
    sent_at=func.coalesce(N.c.sent_at, bindparam("b_at")),  # a receipt keeps the time it was sent
    delivered_at=bindparam("b_at"),
    last_error="",
)
SENDING = BY_ID.values(
    status="sending",
    provider=bindparam("b_provider"),
    provider_reference=bindparam("b_reference"),
    sent_at=bindparam("b_at"),
)
RETRY = BY_ID.values(status="temporary_failure", next_attempt_at=bindparam("b_next"), last_error=bindparam("b_error"))
FAILED = BY_ID.values(status="permanent_failure", last_error=bindparam("b_error"))


def record(
    connection: Connection, results: Iterable[tuple[Attempt, Sent]], now: datetime, retry_for: timedelta
) -> Tally:
    """Store the outcome of each attempt, in one statement per outcome."""
    rows: dict[str, list[dict[str, Any]]] = {"delivered": [], "sending": [], "retry": [], "failed": []}
    for attempt, sent in results:
        base = {"b_id": attempt.id, "b_provider": attempt.provider}
        outcome: Outcome = sent.outcome
        if outcome == "temporary_failure" and now - attempt.created_at >= retry_for:
            outcome = "permanent_failure"
            sent = Sent(outcome, error=f"gave up after {retry_for.total_seconds() / 3600:g} h: {sent.error}")
        if outcome == "delivered":
            rows["delivered"].append(base | {"b_reference": sent.reference, "b_at": now})
        elif outcome == "sending":
            rows["sending"].append(base | {"b_reference": sent.reference, "b_at": now})
        elif outcome == "temporary_failure":
            wait = backoff(attempt.attempts, BASE_SECONDS, CAP_SECONDS)
            rows["retry"].append({"b_id": attempt.id, "b_next": now + wait, "b_error": sent.error[:500]})
        else:
            rows["failed"].append({"b_id": attempt.id, "b_error": sent.error[:500]})
    for key, statement in (("delivered", DELIVERED), ("sending", SENDING), ("retry", RETRY), ("failed", FAILED)):
        if rows[key]:
            connection.execute(statement, rows[key])
    tally = Tally(len(rows["delivered"]), len(rows["sending"]), len(rows["retry"]), len(rows["failed"]))
    if rows["failed"]:
        tally.fallbacks = fall_back(connection, [r["b_id"] for r in rows["failed"]], now)
    return tally


FAILED_ROWS = select(N.c.id, N.c.source, N.c.dossier_code, N.c.template, N.c.params).where(
    N.c.id.in_(bindparam("ids", expanding=True)), N.c.recipient == "applicant"
)
SIBLINGS = select(N.c.channel, N.c.status).where(N.c.source == bindparam("source"), N.c.recipient == "applicant")
DOSSIER = select(Dossier).where(Dossier.code == bindparam("code"))


def fall_back(connection: Connection, failed: list[int], now: datetime) -> int:
    """For each applicant's message that failed for good: if none of its other channels is
    delivered or still trying, write it on the next channel (their choices first, then e-mail, SMS,
    app) that has an address and a provider. Officials need none: their inbox has every message."""
    from sqlalchemy.orm import Session

    from motcua.notifications.events import address_for, sending_channels

    wanted: list[Wanted] = []
    session = Session(bind=connection)
    for row in connection.execute(FAILED_ROWS, {"ids": failed}):
        siblings = {channel: value for channel, value in connection.execute(SIBLINGS, {"source": row.source})}
        if any(status != "permanent_failure" for status in siblings.values()):
            continue  # another channel reaches them
        d = session.scalars(DOSSIER, {"code": row.dossier_code}).first()
        if d is None:
            continue
        order = list(d.notify_channels or []) + [c for c in CITIZEN_CHANNELS if c not in (d.notify_channels or [])]
        usable = sending_channels()
        for channel in order:
            if channel in siblings or channel not in usable or not (address := address_for(d, channel)):
                continue
            values = {k: restored(v) for k, v in (row.params or {}).items()}
            wanted.append(
                Wanted(
                    row.source,
                    "applicant",
                    channel,
                    address,
                    d.language,
                    row.template,
                    values,
                    dossier_code=d.code,
                    fallback_of=row.id,
                )
            )
            break
    write(connection, wanted, now)
    return len(wanted)


BY_REFERENCE = select(N.c.id, N.c.status, N.c.attempts, N.c.created_at, N.c.provider).where(
    N.c.provider == bindparam("provider"), N.c.provider_reference == bindparam("reference")
)


def apply_receipt(connection: Connection, provider: str, receipt: Receipt, now: datetime, retry_for: timedelta) -> bool:
    """Record a provider's receipt; False when no message of that provider has the reference. A
    receipt repeated, or arriving after a later one, changes nothing."""
    found = connection.execute(BY_REFERENCE, {"provider": provider, "reference": receipt.reference}).first()
    if found is None:
        log.warning("receipt from %s for an unknown message, refused", provider)
        return False
    if found.status != "sending":
        return True
    attempt = Attempt(found.id, found.attempts, found.created_at, provider)
    record(connection, [(attempt, Sent(receipt.outcome, receipt.reference, receipt.error))], now, retry_for)
    return True
