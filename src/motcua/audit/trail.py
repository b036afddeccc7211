"""Writing to the audit trail: one hash-chained entry per sign-in, import, catalog, account or
configuration change, in the caller's transaction (it commits or rolls back with the change)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from motcua import clock, db
from motcua.audit.models import AuditEvent, AuditHead
from motcua.cases.chain import GENESIS, chain_key

Channel = Literal["web", "api", "cli", "worker"]
EVENTS, HEAD = cast(Table, AuditEvent.__table__), cast(Table, AuditHead.__table__)


def entry_hash(
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    channel: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    body = {
        "seq": seq,
        "at": clock.aware(at).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "channel": channel,
        "action": action,
        "subject": subject,
        "details": details,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(key or chain_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    actor_role: str = "anonymous",
    channel: Channel = "cli",
    subject: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry. ``details`` must hold no personal data (ids, counts, codes)."""
    moment = clock.aware(at) if at else clock.now()
    details = dict(details or {})
    db.lock_for_write(session)
    query = select(HEAD.c.seq, HEAD.c.last_hash).where(HEAD.c.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    head = session.execute(query).first()
    if head is None:
        session.execute(insert(HEAD).values(id=1, seq=0, last_hash=GENESIS))
        seq, prev = 1, GENESIS
        if session.get_bind().dialect.name == "postgresql":  # a racing first writer waits here
            session.execute(select(HEAD.c.seq).where(HEAD.c.id == 1).with_for_update())
    else:
        seq, prev = head.seq + 1, head.last_hash
    digest = entry_hash(seq, moment, actor_id, actor_role, channel, action, subject, details, prev)
    session.execute(
        insert(EVENTS).values(
            seq=seq,
            at=moment,
            actor_id=actor_id,
            actor_role=actor_role,
            channel=channel,
            action=action,
            subject=subject[:120],
            details=details,
            prev_hash=prev,
            hash=digest,
        )
    )
    session.execute(update(HEAD).where(HEAD.c.id == 1).values(seq=seq, last_hash=digest))


def verify_trail(session: Session) -> list[str]:
    """Problems of the trail: a changed entry, a missing one, a broken chain, a head that disagrees."""
    problems: list[str] = []
    prev, expected, key = GENESIS, 1, chain_key()
    for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if e.seq != expected:
            problems.append(f"audit entry {expected} is missing (found {e.seq})")
        if e.prev_hash != prev:
            problems.append(f"audit entry {e.seq} does not follow the previous one")
        digest = entry_hash(
            e.seq, e.at, e.actor_id, e.actor_role, e.channel, e.action, e.subject, e.details, e.prev_hash, key
        )
        if digest != e.hash:
            problems.append(f"audit entry {e.seq} ({e.action}) was changed after it was written")
        prev, expected = e.hash, e.seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected - 1 or head.last_hash != prev):
        problems.append("the audit trail's head does not match its last entry (entries removed from the end)")
    return problems
