"""What an operator watches: per member, the queue waiting for it (and how old its oldest message is),
the dead letters, what was delivered in the last hour, the last contact and the last error; per
sender, what this node received. Read from the outbox and inbox, on the operator page and in the
metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from motcua.exchange.models import InboxMessage, Member, OutboxMessage


@dataclass(frozen=True)
class MemberStatus:
    identifier: str
    adapter: str
    base_url: str
    active: bool
    pending: int
    dead: int
    delivered_last_hour: int
    oldest_pending_seconds: float | None
    received_last_hour: int
    last_received_at: datetime | None
    last_contact_at: datetime | None
    last_error: str

    @property
    def state(self) -> str:
        """ok | late (a message has waited more than five minutes) | failing (dead letters or an error)."""
        if self.dead or (self.last_error and self.pending):
            return "failing"
        if self.oldest_pending_seconds is not None and self.oldest_pending_seconds > 300:
            return "late"
        return "ok"


def member_statuses(session: Session, now: datetime) -> list[MemberStatus]:
    hour_ago = now - timedelta(hours=1)
    outbox = {
        row.recipient: row
        for row in session.execute(
            select(
                OutboxMessage.recipient,
                func.count().filter(OutboxMessage.state == "pending").label("pending"),
                func.count().filter(OutboxMessage.state == "dead").label("dead"),
                func.count().filter(OutboxMessage.delivered_at >= hour_ago).label("delivered"),
                func.min(case((OutboxMessage.state == "pending", OutboxMessage.created_at))).label("oldest"),
            )
            .where((OutboxMessage.state != "delivered") | (OutboxMessage.delivered_at >= hour_ago))
            .group_by(OutboxMessage.recipient)
        )
    }
    inbox = {
        row.sender: row
        for row in session.execute(
            select(
                InboxMessage.sender,
                func.count().filter(InboxMessage.received_at >= hour_ago).label("received"),
                func.max(InboxMessage.received_at).label("last"),
            ).group_by(InboxMessage.sender)
        )
    }
    members = {m.identifier: m for m in session.scalars(select(Member).order_by(Member.identifier))}
    statuses = []
    for identifier in sorted(set(members) | set(outbox)):
        m, o, i = members.get(identifier), outbox.get(identifier), inbox.get(identifier)
        statuses.append(
            MemberStatus(
                identifier=identifier,
                adapter=m.adapter if m else "",
                base_url=m.base_url if m else "",
                active=bool(m and m.active),
                pending=o.pending if o else 0,
                dead=o.dead if o else 0,
                delivered_last_hour=o.delivered if o else 0,
                oldest_pending_seconds=(now - o.oldest).total_seconds() if o and o.oldest else None,
                received_last_hour=i.received if i else 0,
                last_received_at=i.last if i else None,
                last_contact_at=m.last_contact_at if m else None,
                last_error=m.last_error if m else "not a registered member",
            )
        )
    return statuses


def dead_letters(session: Session, limit: int = 200) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.state == "dead").order_by(OutboxMessage.id).limit(limit)
        )
    )
