"""Reading the notifications: what a dossier's applicant was sent (for them and for the officials of
the dossier), and an official's inbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from motcua.notifications.models import Notification

INBOX_PAGE = 50


def of_dossier(session: Session, code: str) -> Sequence[Notification]:
    """The applicant's messages about the dossier, oldest first (one per step and channel)."""
    return session.scalars(
        select(Notification)
        .where(Notification.dossier_code == code, Notification.recipient == "applicant")
        .order_by(Notification.created_at, Notification.id)
    ).all()


def masked(address: str) -> str:
    """An address shown without being read out in full: "an…@example.vn", "•••••4567"."""
    if "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:2]}…@{domain}"
    return "•" * max(len(address) - 4, 0) + address[-4:]


def inbox(session: Session, user_id: int, page: int = 1) -> Sequence[Notification]:
    return session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id, Notification.channel == "inbox")
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(INBOX_PAGE)
        .offset((page - 1) * INBOX_PAGE)
    ).all()


def unread(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.channel == "inbox", Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, user_id: int, ids: list[int], at: datetime) -> int:
    """Mark the user's own inbox messages read (another's are left alone)."""
    done = session.execute(
        update(Notification)
        .where(
            Notification.id.in_(ids),
            Notification.user_id == user_id,
            Notification.channel == "inbox",
            Notification.read_at.is_(None),
        )
        .values(read_at=at)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
