"""A reorganisation applied, and its journal: what it moved, when (resumable, and the record of it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class Reorganisation(Base):
    """A resolution applied: ``scheduled`` until 00:00 of its date (Vietnam time), then ``in_effect``
    once agencies, centres and officials moved; open dossiers and feedback are swept after that until
    none is left at a unit that ended."""

    __tablename__ = "reorganisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # the file as applied
    moves: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # agencies, centres, successors, rules
    decisions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # "dossier:CODE" → successor unit
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_by: Mapped[str] = mapped_column(String(120), default="")
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    swept_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    moved_dossiers: Mapped[int] = mapped_column(Integer, default=0)
    moved_feedback: Mapped[int] = mapped_column(Integer, default=0)
    moved_officials: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)  # open dossiers awaiting a decision (split by hand)


class JournalEntry(Base):
    """One thing a reorganisation did (or could not do), in order."""

    __tablename__ = "reorganisation_journal"
    __table_args__ = (Index("ix_reorganisation_journal_item", "reorganisation_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reorganisation_id: Mapped[int] = mapped_column(ForeignKey("reorganisations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(12))  # agency | centre | official | dossier | feedback | waiting
    code: Mapped[str] = mapped_column(String(60))
    before: Mapped[str] = mapped_column(String(60), default="")
    after: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
