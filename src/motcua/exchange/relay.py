"""The relay: sends the outbox to the members, signed, and records what happened.

Order: a message of a dossier waits while an earlier one of the same dossier is pending or dead.
Retries: exponential back-off with jitter (1 s, 2 s, 4 s … capped at 5 minutes) after a network
error, a 5xx, a 429 or a 409 (the receiver wants an earlier message first). Other refusals (400, 401,
403, 404) mean the message or the registry is wrong: the message is set aside as dead at once, for an
operator to inspect, mend and replay (``motcua exchange dead``, ``motcua exchange replay``).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from motcua import db
from motcua.exchange.members import touch
from motcua.exchange.models import Member, OutboxMessage
from motcua.exchange.node import Node
from motcua.exchange.signing import sign

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


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


JITTER = random.Random()


def backoff(attempts: int, rng: random.Random = JITTER) -> timedelta:
    """The wait before attempt ``attempts + 1``: doubling, capped, with "equal jitter" (half fixed,
    half random) so that a member coming back is not hit by every sender at once."""
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


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


def relay_once(
    factory: sessionmaker[Session], client: httpx.Client, node: Node, limit: int = 200, now: datetime | None = None
) -> RelayReport:
    """Send what is due now, one message per dossier at a time; returns what happened."""
    report = RelayReport()
    with db.transaction(factory) as s:
        messages = due(s, now or utc_now(), limit)
        members = {m.identifier: m for m in s.scalars(select(Member))}
        seen: set[str] = set()
        for message in messages:
            if message.dossier_code is not None:
                if message.dossier_code in seen:
                    continue  # its predecessor goes first, in this round
                seen.add(message.dossier_code)
            _send(s, client, node, members.get(message.recipient), message, report)
    return report


def _send(
    session: Session,
    client: httpx.Client,
    node: Node,
    member: Member | None,
    message: OutboxMessage,
    report: RelayReport,
) -> None:
    now = utc_now()
    message.attempts += 1
    if member is None or not member.active or not member.base_url:
        _dead(message, f"{message.recipient} is not an active member with an address", report)
        return
    body = message.body.encode()
    headers = sign(node.key, node.member, message.method, message.path, body, message_id=message.message_id)
    try:
        response = client.request(
            message.method,
            member.base_url.rstrip("/") + message.path,
            content=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        _retry(message, f"{exc.__class__.__name__}: {exc}", now, report)
        touch(session, member.identifier, member.last_contact_at or now, message.last_error)
        return
    touch(session, member.identifier, now, "" if response.status_code < 400 else f"HTTP {response.status_code}")
    if response.status_code < 300:
        message.state, message.delivered_at, message.last_error = "delivered", now, ""
        report.delivered += 1
    elif response.status_code >= 500 or response.status_code in RETRY_STATUSES:
        _retry(message, f"HTTP {response.status_code}: {response.text[:300]}", now, report)
    else:
        _dead(message, f"HTTP {response.status_code}: {response.text[:500]}", report)


def _retry(message: OutboxMessage, error: str, now: datetime, report: RelayReport) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _dead(message, f"{error} (after {message.attempts} attempts)", report)
        return
    message.last_error, message.next_attempt_at = error, now + backoff(message.attempts)
    report.retried += 1


def _dead(message: OutboxMessage, error: str, report: RelayReport) -> None:
    message.state, message.last_error = "dead", error
    report.dead += 1
    log.warning("exchange: message %s to %s set aside: %s", message.message_id, message.recipient, error)


def replay(session: Session, message_id: str, body: str | None = None, now: datetime | None = None) -> OutboxMessage:
    """Put a dead message back in the queue, its body mended if given (an operator's decision)."""
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one()
    if message.state != "dead":
        raise ValueError(f"message {message_id} is {message.state}, not dead")
    if body is not None:
        message.body = body
    message.state, message.attempts, message.next_attempt_at = "pending", 0, now or utc_now()
    return message
