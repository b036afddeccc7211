"""Notification tables: every message to a person, written in the transaction of the event that
causes it (the outbox) and kept as its delivery record (statuses, attempts, the provider's receipt)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime

Channel = Literal["email", "sms", "app", "inbox"]
CHANNELS: tuple[Channel, ...] = ("email", "sms", "app", "inbox")
CITIZEN_CHANNELS: tuple[Channel, ...] = ("email", "sms", "app")
Status = Literal["created", "sending", "delivered", "temporary_failure", "permanent_failure"]
# Statuses the sender still works on (a temporary failure is retried after its back-off).
OPEN_STATUSES: tuple[Status, ...] = ("created", "temporary_failure")


class Notification(Base):
    """One message on one channel to one recipient. ``source`` names what caused it (a dossier's
    event, a supervision rule on a day, a digest): with the channel and recipient it is unique, so an
    event never sends the same message twice, however often its handler or the job runs."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("source", "recipient", "channel", name="uq_notifications_source"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_inbox", "user_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(120))  # dossier:<code>:<seq> | supervision:… | digest:…
    recipient: Mapped[str] = mapped_column(String(40))  # applicant | user:<id>
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    dossier_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(8))
    # Personal data (an e-mail address or phone number): kept here to send, never logged.
    address: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="vi")
    template: Mapped[str] = mapped_column(String(40))
    template_version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="created")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    provider: Mapped[str] = mapped_column(String(40), default="")
    provider_reference: Mapped[str] = mapped_column(String(120), default="", index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    fallback_of: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the row whose failure made this one
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # in-app inbox
