"""Dossier tables: the dossier (a projection of its events), the append-only event log, the daily
code sequences of the receiving units, and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import Base, UTCDateTime


class Dossier(Base):
    __tablename__ = "dossiers"
    # An Idempotency-Key is unique per account that created the dossier (citizen or officer).
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        Index("uq_dossiers_created_by", "created_by", "idempotency_key", unique=True),
        Index("ix_dossiers_commune_queue", "deciding_commune_code", "status", "due_on"),
        Index("ix_dossiers_agency_queue", "deciding_agency_code", "status", "due_on"),
        Index("ix_dossiers_centre_queue", "centre_identifier", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    centre_identifier: Mapped[str] = mapped_column(String(40), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"))
    version_number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(12))  # online | in_person | postal
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the account that submitted or received
    idempotency_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    request_sha256: Mapped[str] = mapped_column(String(64), default="")
    # Applicant (personal data: never in logs or URLs).
    applicant_kind: Mapped[str] = mapped_column(String(12))  # citizen | business
    applicant_id_number: Mapped[str] = mapped_column(String(20), index=True)
    applicant_name: Mapped[str] = mapped_column(Text)
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    # How the applicant wants to be told of each step (motcua.notifications): channels in order of
    # preference, and the language of the messages.
    notify_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # Subject: where the person lives or the property lies, in the new units.
    subject_commune_code: Mapped[str] = mapped_column(String(5), index=True)
    subject_address: Mapped[str] = mapped_column(Text, default="")
    subject_address_as_written: Mapped[str] = mapped_column(Text, default="")
    deciding_agency_code: Mapped[str] = mapped_column(String(60), index=True)
    # The commune whose People's Committee or offices decide (None: a provincial or vertical agency):
    # a commune's work queue is one equality on an index, not a LIKE on the agency code.
    deciding_commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    handling_unit_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    time_limit: Mapped[float | None] = mapped_column(nullable=True)
    time_limit_kind: Mapped[str] = mapped_column(String(16), default="working_days")
    # Projection of the event log (rebuilt and checked by `motcua dossiers verify`).
    status: Mapped[str] = mapped_column(String(24), index=True)
    status_code: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)  # approved | refused
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    complete_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # treated as received
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")

    events: Mapped[list[DossierEvent]] = relationship(order_by="DossierEvent.seq", back_populates="dossier")


class DossierEvent(Base):
    """One step in a dossier's life. Append-only; each event's hash chains it to the previous one."""

    __tablename__ = "dossier_events"
    __table_args__ = (
        UniqueConstraint("dossier_id", "seq"),
        Index("ix_dossier_events_actor", "actor_id", "at"),  # an inspector's trail of one official
        Index("ix_dossier_events_unit", "actor_unit", "at"),  # ... or of one unit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    transition: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_role: Mapped[str] = mapped_column(String(24))
    actor_unit: Mapped[str | None] = mapped_column(String(60), nullable=True)
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The channel the step came through (web, api, cli, exchange, worker); chained when set.
    via: Mapped[str | None] = mapped_column(String(12), nullable=True)
    chain: Mapped[int | None] = mapped_column(Integer, nullable=True, default=2)  # 1: unkeyed (see chain.py)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class DossierSequence(Base):
    """The last dossier number given by a receiving unit on a day (codes are gap-free per unit and day)."""

    __tablename__ = "dossier_sequences"

    centre_identifier: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # applicant | scan | result | document
    name: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
