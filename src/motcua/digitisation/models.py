"""Digitisation tables: a scanned component and its OCR job, each holder's stored documents, and the
documents a dossier reused instead of asking for paper again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class Digitisation(Base):
    """A paper component of a dossier, scanned at the counter: its originals (kept as they came), the
    background OCR job that makes a searchable PDF/A of them, the fields suggested from its text and
    the fields the officer confirmed. Digitised once confirmed."""

    __tablename__ = "digitisations"
    __table_args__ = (Index("ix_digitisations_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(Text)  # the document of the procedure it is
    # queued → running → read (suggestions ready) → confirmed; failed (retries spent) or refused (bad input)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    originals: Mapped[list[int]] = mapped_column(JSON, default=list)  # attachment ids, in page order
    pdfa_attachment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")  # the recognised text (personal data)
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    confirmed: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # the fields as the officer checked them
    error_code: Mapped[str] = mapped_column(String(40), default="")
    requested_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirmed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StoredDocument(Base):
    """A document in its holder's electronic data store (kho dữ liệu điện tử): a signed result, or a
    component digitised at a counter. The holder is a citizen (personal identification number) or a
    business (tax code)."""

    __tablename__ = "document_store"
    __table_args__ = (
        UniqueConstraint("origin", "source_ref"),
        Index("ix_document_store_holder", "holder_id", "doc_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_kind: Mapped[str] = mapped_column(String(12))  # citizen | business
    holder_id: Mapped[str] = mapped_column(String(20))
    doc_type: Mapped[str] = mapped_column(String(60))  # a key of data/document_types.toml, or "other"
    title: Mapped[str] = mapped_column(Text)
    issuer_code: Mapped[str] = mapped_column(String(60), default="")
    issuer_name: Mapped[str] = mapped_column(Text, default="")
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    origin: Mapped[str] = mapped_column(String(12))  # result | digitised | exchanged (brought from another province)
    # The dossier code of a result; digitisation:<id>; <province member>:<its reference> when exchanged.
    source_ref: Mapped[str] = mapped_column(String(80))
    dossier_code: Mapped[str] = mapped_column(String(60), index=True)
    attachment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: a result not issued yet
    # A document brought from another province's store: the file kept here, and its checksum.
    storage_key: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    province_code: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentReuse(Base):
    """A dossier took a component from its applicant's store instead of a new paper or upload, with
    the applicant's consent given in the dossier."""

    __tablename__ = "dossier_reuses"
    __table_args__ = (UniqueConstraint("dossier_id", "stored_document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    stored_document_id: Mapped[int] = mapped_column(ForeignKey("document_store.id"), index=True)
    component: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")  # of the stored file when reused ("" not issued yet)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
