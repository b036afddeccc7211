"""Exchange tables: the members and their keys, the outbox (messages to send, written in the
transaction of the change), the inbox (messages received, so that a duplicate has its effect once),
the last status sequence applied per dossier, and the national node's mirror of the dossiers it
routed to the provinces."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime

OutboxState = Literal["pending", "delivered", "dead"]


def utc_now() -> datetime:
    """This instant in UTC (the exchange's tables, like every table, keep instants with their zone)."""
    return datetime.now(UTC).replace(microsecond=0)


class Member(Base):
    """A node of the exchange: ``national`` or ``province-<code>``, with its public key and address."""

    __tablename__ = "exchange_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(12))  # national | province
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True, index=True)
    base_url: Mapped[str] = mapped_column(Text, default="")
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    adapter: Mapped[str] = mapped_column(String(40), default="motcua")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """A message to relay. Messages of one dossier go out in ``id`` order: one is not sent while an
    earlier one of the same dossier is pending."""

    __tablename__ = "exchange_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    recipient: Mapped[str] = mapped_column(String(40), index=True)
    operation: Mapped[str] = mapped_column(String(40))  # deliverDossier | reportStatus | synchroniseCatalog
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # JSON as sent (signed bytes)
    dossier_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class InboxMessage(Base):
    """A message processed, with the answer given, so that a duplicate gets the same answer and has
    no second effect."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("sender", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(36))
    operation: Mapped[str] = mapped_column(String(40))
    dossier_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)  # of a status change
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DossierMirror(Base):
    """At the national node: a dossier held by a province, as the province last reported it. ``code``
    is the national reference of a dossier submitted at the national portal (``dossier_code``, the
    province's own code, is known once the province has acknowledged it), or the province's code of a
    dossier received at a provincial counter (both codes are then the same)."""

    __tablename__ = "exchange_dossier_mirrors"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    dossier_code: Mapped[str | None] = mapped_column(String(60), nullable=True, unique=True, index=True)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # the citizen who submitted
    member: Mapped[str] = mapped_column(String(40), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24))
    status_code: Mapped[int] = mapped_column(Integer)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Delivery(Base):
    """At a provincial node: a dossier delivered by the national node, under its national reference."""

    __tablename__ = "exchange_deliveries"

    reference: Mapped[str] = mapped_column(String(60), primary_key=True)
    sender: Mapped[str] = mapped_column(String(40))
    dossier_code: Mapped[str] = mapped_column(String(60), unique=True, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedbackMirror(Base):
    """At the national node: a feedback message filed at the national portal and delivered to the
    province competent for it, as the province last reported it (no personal data but what the
    citizen's own page shows them). ``code`` is the national code the citizen tracks."""

    __tablename__ = "exchange_feedback_mirrors"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    feedback_code: Mapped[str | None] = mapped_column(String(24), nullable=True, unique=True)  # the province's
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    member: Mapped[str] = mapped_column(String(40), index=True)
    about: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))  # redacted, as the public page shows it
    status: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str] = mapped_column(String(60), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FeedbackDelivery(Base):
    """At a provincial node: a feedback message delivered by the national node, under its national code."""

    __tablename__ = "exchange_feedback_deliveries"

    reference: Mapped[str] = mapped_column(String(24), primary_key=True)
    sender: Mapped[str] = mapped_column(String(40))
    feedback_code: Mapped[str] = mapped_column(String(24), unique=True, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NationalAnswer(Base):
    """At the national node: an answer a province published for a message filed at its own portal
    (``publishFeedbackAnswer``), as the national public answers list it — public text only. A later
    event of the same message replaces it; ``public`` false once the province withdrew it (reopened)."""

    __tablename__ = "exchange_national_answers"
    __table_args__ = (Index("ix_exchange_national_answers_listed", "public", "published_at"),)

    member: Mapped[str] = mapped_column(String(40), primary_key=True)
    feedback_code: Mapped[str] = mapped_column(String(24), primary_key=True)  # the province's code
    sequence: Mapped[int] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    agency_code: Mapped[str] = mapped_column(String(60), default="")
    agency_name: Mapped[str] = mapped_column(String(300), default="")
    about: Mapped[str] = mapped_column(String(12), default="")
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sender_name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # only if they allowed it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CatalogSync(Base):
    """At a provincial node: a revision of the national catalog applied (a lower one is not applied)."""

    __tablename__ = "exchange_catalog_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer)
    procedures: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HeldDocument(Base):
    """At the national node: a file of a dossier submitted here, kept until its province fetches it."""

    __tablename__ = "exchange_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentIndexEntry(Base):
    """At the national node: a document of a holder's store at a province (announced by it), so that
    another province can find it for the holder and have it fetched; never the file itself."""

    __tablename__ = "exchange_document_index"
    __table_args__ = (
        UniqueConstraint("member", "reference"),
        Index("ix_exchange_document_index_holder", "holder_id", "doc_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(12))
    holder_id: Mapped[str] = mapped_column(String(20))
    holder_kind: Mapped[str] = mapped_column(String(12))
    doc_type: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text)
    issuer_code: Mapped[str] = mapped_column(String(60), default="")
    issuer_name: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    origin: Mapped[str] = mapped_column(String(12))
    dossier_code: Mapped[str] = mapped_column(String(60))
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime())
