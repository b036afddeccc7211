"""Audit trail and daily seals. Both are append-only (database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class AuditEvent(Base):
    """Who did what, when, from which channel, to what. No personal data: ids, counts and codes only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_role: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(12))  # web | api | cli | worker
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(120), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The trail's last sequence number and hash (one row, locked by each writer)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Seal(Base):
    """One Vietnam day of events sealed: the Merkle roots of the dossier events and audit events of
    that day, chained to the previous seal and signed (Ed25519, compact JWS)."""

    __tablename__ = "seals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dossier_events: Mapped[int] = mapped_column(Integer)
    dossier_root: Mapped[str] = mapped_column(String(64))
    audit_events: Mapped[int] = mapped_column(Integer)
    audit_root: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
