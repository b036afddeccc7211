"""Feedback tables: a citizen's rating of the service on one dossier; feedback messages (a
projection of their append-only, hash-chained events) and their daily numbering."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Computed, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import Base, UTCDateTime


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    value: Mapped[str] = mapped_column(String(12))  # satisfied | neutral | dissatisfied
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


OPEN_SQL = "status IN ('received', 'handling', 'info_requested', 'answer_drafted', 'answer_approved')"


class FeedbackMessage(Base):
    """A feedback message (phản ánh, kiến nghị): a projection of its events, like a dossier."""

    __tablename__ = "feedback_messages"
    __table_args__ = (
        Index("ix_feedback_agency_queue", "agency_code", "status", "due_on"),
        UniqueConstraint("filed_by", "idempotency_key"),
        # The published answers' search on PostgreSQL: the folded words of the text (full-text, GIN), so
        # that a query without accents finds any answer among millions without a scan; typos are
        # corrected against ``feedback_words`` first.
        Index("ix_feedback_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_feedback_published", "published_at"),
        # An agency's open messages, the earliest due first: the queue's first page without a sort.
        Index(
            "ix_feedback_open_queue",
            "agency_code",
            "due_on",
            "id",
            postgresql_where=text(OPEN_SQL),
            sqlite_where=text(OPEN_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)  # PAKN.YYYYMMDD.NNNN
    channel: Mapped[str] = mapped_column(String(12))  # online | api | counter | phone | letter | email
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the account that entered it
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # What it is about: a procedure (and version), a dossier, an agency or centre, an official, a regulation.
    about: Mapped[str] = mapped_column(String(12))
    about_ref: Mapped[str] = mapped_column(String(120), default="")
    procedure_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dossier_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True)  # the place it concerns
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The sender (Decree 20/2008 art. 7: name, address and phone required). Personal data: never in
    # public pages, open data or logs; the name is shown publicly only if they allowed it.
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_address: Mapped[str] = mapped_column(Text)
    sender_phone: Mapped[str] = mapped_column(String(20))
    sender_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(2), default="vi")
    # Projection of the events.
    status: Mapped[str] = mapped_column(String(20))
    agency_code: Mapped[str] = mapped_column(String(60))  # the agency that has it now
    competent_reason: Mapped[str] = mapped_column(Text, default="")  # why that agency (routing or an override)
    stage: Mapped[str] = mapped_column(String(16))  # the deadline running now: classify | handle | publish | …
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    handle_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paused_days: Mapped[int | None] = mapped_column(Integer, nullable=True)  # working days left while waiting
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())  # by the agency that has it (a transfer resets it)
    forwarded: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    original_code: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)  # merged into
    answer: Mapped[str] = mapped_column(Text, default="")
    public_question: Mapped[str] = mapped_column(Text, default="")  # redacted, as published
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    search_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # folded public title and question
    # Its words, kept by PostgreSQL (a generated column): the search filters on them without recomputing
    # them row by row. Unused (and empty) on SQLite.
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"),
        Computed("to_tsvector('simple', coalesce(search_text, ''))", persisted=True),
        nullable=True,
    )
    rating: Mapped[str | None] = mapped_column(String(12), nullable=True)  # satisfied | neutral | dissatisfied
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    late_stages: Mapped[list[str]] = mapped_column(JSON, default=list)  # the stages finished after their deadline
    events: Mapped[list[FeedbackEvent]] = relationship(order_by="FeedbackEvent.seq", back_populates="message")


class FeedbackEvent(Base):
    """One step in a feedback message's life. Append-only, hash-chained like a dossier's."""

    __tablename__ = "feedback_events"
    __table_args__ = (UniqueConstraint("message_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("feedback_messages.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    transition: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_role: Mapped[str] = mapped_column(String(24))
    actor_unit: Mapped[str | None] = mapped_column(String(60), nullable=True)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    via: Mapped[str | None] = mapped_column(String(12), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    message: Mapped[FeedbackMessage] = relationship(back_populates="events")


class FeedbackSequence(Base):
    """The last feedback number given on a day (codes PAKN.YYYYMMDD.NNNN are gap-free per day)."""

    __tablename__ = "feedback_sequences"

    node: Mapped[str] = mapped_column(String(8), primary_key=True)  # "" on a node: one series per day
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class FeedbackAttachment(Base):
    """A file sent with a feedback message (a photo of the place, a scanned letter): the same rules as a
    dossier's files. Never public: only the sender and the agency's staff read it."""

    __tablename__ = "feedback_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("feedback_messages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedbackWord(Base):
    """A folded word of a published answer: the vocabulary the search corrects typos against."""

    __tablename__ = "feedback_words"
    __table_args__ = (
        Index("ix_feedback_words_trgm", "word", postgresql_using="gist", postgresql_ops={"word": "gist_trgm_ops"}),
    )

    word: Mapped[str] = mapped_column(String(40), primary_key=True)
