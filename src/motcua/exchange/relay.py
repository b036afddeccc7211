"""The relay: sends the outbox to the members, signed, and records what happened.

Order: a message of a dossier waits while an earlier one of the same dossier is pending or dead.
Retries: exponential back-off with jitter (1 s, 2 s, 4 s … capped at 5 minutes) after a network
error, a 5xx, a 429 or a 409 (the receiver wants an earlier message first). Other refusals (400, 401,
403, 404) mean the message or the registry is wrong: the message is set aside as dead at once, for an
operator to inspect, mend and replay (``motcua exchange dead``, ``motcua exchange replay``).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from motcua import db
from motcua.exchange.adapters import AdapterError, Outgoing, Recipient, adapter_for
from motcua.exchange.delivery import acknowledged
from motcua.exchange.members import touch
from motcua.exchange.models import Member, OutboxMessage, utc_now
from motcua.exchange.node import Node
from motcua.retry import backoff

BASE_SECONDS, CAP_SECONDS, MAX_ATTEMPTS = 1.0, 300.0, 25
RETRY_STATUSES = frozenset({409, 429})
log = logging.getLogger("motcua.exchange")


@dataclass
class RelayReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def sent(self) -> int:
        return self.delivered + self.retried + self.dead


def due(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Pending messages whose time has come and that no earlier message of their dossier holds back."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        and_(
            earlier.dossier_code == OutboxMessage.dossier_code,
            earlier.id < OutboxMessage.id,
            earlier.state.in_(("pending", "dead")),
        )
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now, ~blocked)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    return list(session.scalars(query))


# A claimed message is its worker's for this long; a worker that dies gives its messages back then.
LEASE = timedelta(seconds=float(os.environ.get("MOTCUA_RELAY_LEASE_SECONDS", "60")))


@dataclass(frozen=True)
class _Claim:
    message: Outgoing
    recipient: Recipient | None
    reference: str | None


@dataclass(frozen=True)
class _Result:
    claim: _Claim
    status: int | None = None
    text: str = ""
    content: bytes = b""
    error: str = ""
    dead_error: str = ""


def _claim(factory: sessionmaker[Session], now: datetime, limit: int) -> list[_Claim]:
    """Take what is due (one message per dossier), leased so that another worker leaves it alone;
    the transaction is short: nothing is sent while it holds a lock."""
    with db.transaction(factory) as s:
        db.lock_for_write(s)
        members = {
            m.identifier: Recipient(m.identifier, m.base_url, m.adapter, dict(m.options or {}))
            for m in s.scalars(select(Member).where(Member.active))
        }
        claims: list[_Claim] = []
        seen: set[str] = set()
        for m in due(s, now, limit):
            if m.dossier_code is not None:
                if m.dossier_code in seen:
                    continue  # its predecessor goes first, in this round
                seen.add(m.dossier_code)
            m.next_attempt_at = now + LEASE
            claims.append(
                _Claim(
                    Outgoing(m.message_id, m.operation, m.method, m.path, m.body.encode()),
                    members.get(m.recipient),
                    m.dossier_code,
                )
            )
        return claims


def _deliver(client: httpx.Client, node: Node, claim: _Claim) -> _Result:
    to = claim.recipient
    if to is None or not to.base_url:
        return _Result(claim, dead_error="the recipient is not an active member with an address")
    try:
        adapter = adapter_for(to.adapter)
        if claim.message.operation not in adapter.operations:
            return _Result(claim, dead_error=f"adapter {adapter.name} cannot send {claim.message.operation}")
        response = adapter.send(client, node, to, claim.message)
    except AdapterError as exc:
        return _Result(claim, dead_error=str(exc))
    except httpx.HTTPError as exc:
        return _Result(claim, error=f"{exc.__class__.__name__}: {exc}")
    return _Result(claim, response.status_code, response.text[:500], response.content)


def relay_once(
    factory: sessionmaker[Session],
    client: httpx.Client,
    node: Node,
    limit: int = 200,
    now: datetime | None = None,
    parallel: int = 8,
) -> RelayReport:
    """Send what is due now, one message per dossier at a time, ``parallel`` at once; returns what
    happened."""
    claims = _claim(factory, now or utc_now(), limit)
    if not claims:
        return RelayReport()
    if parallel > 1 and len(claims) > 1:
        with ThreadPoolExecutor(max_workers=min(parallel, len(claims))) as pool:
            results = list(pool.map(lambda c: _deliver(client, node, c), claims))
    else:
        results = [_deliver(client, node, c) for c in claims]
    return _record(factory, results)


def _record(factory: sessionmaker[Session], results: list[_Result]) -> RelayReport:
    report = RelayReport()
    now = utc_now()
    with db.transaction(factory) as s:
        ids = [r.claim.message.message_id for r in results]
        messages = {m.message_id: m for m in s.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids)))}
        contacts: dict[str, str] = {}
        for r in results:
            message = messages[r.claim.message.message_id]
            message.attempts += 1
            recipient = r.claim.recipient
            if r.dead_error:
                _dead(message, r.dead_error, report)
            elif r.status is None:
                _retry(message, r.error, now, report)
            else:
                if recipient is not None:
                    contacts[recipient.identifier] = "" if r.status < 400 else f"HTTP {r.status}"
                if r.status < 300:
                    message.state, message.delivered_at, message.last_error = "delivered", now, ""
                    report.delivered += 1
                    if r.claim.reference:
                        acknowledged(s, message.operation, r.claim.reference, r.content, now)
                elif r.status >= 500 or r.status in RETRY_STATUSES:
                    _retry(message, f"HTTP {r.status}: {r.text[:300]}", now, report)
                else:
                    _dead(message, f"HTTP {r.status}: {r.text}", report)
            if r.status is None and recipient is not None:
                s.execute(
                    update(Member)
                    .where(Member.identifier == recipient.identifier)
                    .values(last_error=message.last_error)
                )
        for identifier, error in contacts.items():
            touch(s, identifier, now, error)
    return report


def _retry(message: OutboxMessage, error: str, now: datetime, report: RelayReport) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _dead(message, f"{error} (after {message.attempts} attempts)", report)
        return
    message.last_error, message.next_attempt_at = error, now + backoff(message.attempts, BASE_SECONDS, CAP_SECONDS)
    report.retried += 1


def _dead(message: OutboxMessage, error: str, report: RelayReport) -> None:
    message.state, message.last_error = "dead", error
    report.dead += 1
    # The answer's body stays in the database (the operator's page): it may quote personal data.
    log.warning(
        "exchange: message %s to %s set aside: %s", message.message_id, message.recipient, error.split(": ", 1)[0]
    )


def replay(session: Session, message_id: str, body: str | None = None, now: datetime | None = None) -> OutboxMessage:
    """Put a dead message back in the queue, its body mended if given (an operator's decision)."""
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one()
    if message.state != "dead":
        raise ValueError(f"message {message_id} is {message.state}, not dead")
    if body is not None:
        message.body = body
    message.state, message.attempts, message.next_attempt_at = "pending", 0, now or utc_now()
    return message
