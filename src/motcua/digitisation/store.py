"""Each holder's electronic data store (kho dữ liệu điện tử): the signed results issued to them and
the components digitised at a counter, keyed by their personal identification number (citizens) or
tax code (businesses). A result enters the store when the leader approves it (the signed PDF is
issued on first download and checked every time it is served); a digitised component when the
officer confirms its fields.

The holder sees and downloads their store; officials see only what a dossier of their unit references.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.service import Actor
from motcua.catalog.models import Agency, ProcedureVersion, ServiceCentre
from motcua.digitisation.models import Digitisation, DocumentReuse, StoredDocument
from motcua.digitisation.types import OTHER, document_types
from motcua.documents.signing import SigningConfig
from motcua.dossiers.attachments import verified_bytes
from motcua.dossiers.errors import NotFound
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import can_read
from motcua.dossiers.storage import Storage
from motcua.dossiers.subscribers import Change
from motcua.i18n import N_


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def keep_result(session: Session, d: Dossier, at: datetime) -> StoredDocument | None:
    """The approved result of ``d`` in its applicant's store (once per dossier)."""
    if session.scalar(select(StoredDocument.id).where(StoredDocument.source_ref == d.code)) is not None:
        return None
    kind = document_types().produced_by(d.procedure_code)
    version = session.get(ProcedureVersion, d.procedure_version_id)
    results = (version.results or []) if version else []
    title = kind.names["vi"] if kind else (results[-1].get("name") if results else "") or d.procedure_code
    issued = clock.local_date(at)
    agency = session.scalar(select(Agency.name_vi).where(Agency.code == d.deciding_agency_code)) or ""
    row = StoredDocument(
        holder_kind=d.applicant_kind,
        holder_id=d.applicant_id_number,
        doc_type=kind.key if kind else OTHER,
        title=title,
        issuer_code=d.deciding_agency_code,
        issuer_name=agency,
        issued_on=issued,
        valid_until=add_months(issued, kind.valid_months) if kind and kind.valid_months else None,
        origin="result",
        source_ref=d.code,
        dossier_code=d.code,
        attachment_id=None,  # issued and signed on first download (documents.service)
        province_code=d.province_code,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def keep_digitised(
    session: Session, d: Dossier, job: Digitisation, pdfa: Attachment | None, holder_id: str, at: datetime
) -> StoredDocument:
    """A confirmed component's PDF/A in its holder's store (the officer's checked number, else the
    applicant's)."""
    kind = document_types().asked(job.component)
    centre = session.scalar(select(ServiceCentre.name_vi).where(ServiceCentre.identifier == d.centre_identifier))
    row = StoredDocument(
        holder_kind=d.applicant_kind if holder_id == d.applicant_id_number else "citizen",
        holder_id=holder_id,
        doc_type=kind.key if kind else OTHER,
        title=job.component[:300],
        issuer_code=d.centre_identifier,
        issuer_name=centre or "",
        issued_on=clock.local_date(at),
        valid_until=None,
        origin="digitised",
        source_ref=f"digitisation:{job.id}",
        dossier_code=d.code,
        attachment_id=pdfa.id if pdfa else None,
        province_code=d.province_code,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def holdings(session: Session, holder_id: str) -> list[StoredDocument]:
    """A holder's store, newest first."""
    return list(
        session.scalars(
            select(StoredDocument)
            .where(StoredDocument.holder_id == holder_id)
            .order_by(StoredDocument.issued_on.desc(), StoredDocument.id.desc())
        )
    )


def on_dossier_change(change: Change) -> None:
    """The dossiers' subscriber: an approved result enters its holder's store in the step's transaction."""
    if change.transition == "approve":
        keep_result(change.session, change.dossier, change.at)


# The store's own access to issue a result on first download (its holder, or an official of a
# dossier that reused it, may not be able to read the dossier that produced it).
STORE = Actor(0, "store", "admin", None, via="store")


def readable_by(session: Session, actor: Actor, doc: StoredDocument) -> bool:
    """The holder reads their store; an official only what a dossier of their unit references."""
    if actor.role == "citizen":
        return actor.personal_id is not None and actor.personal_id == doc.holder_id
    codes = [doc.dossier_code]
    codes += session.scalars(
        select(Dossier.code)
        .join(DocumentReuse, DocumentReuse.dossier_id == Dossier.id)
        .where(DocumentReuse.stored_document_id == doc.id)
    ).all()
    return any(can_read(actor, d) for d in session.scalars(select(Dossier).where(Dossier.code.in_(codes))))


def read_document(
    session: Session, storage: Storage, signing: SigningConfig, actor: Actor, document_id: int, at: datetime
) -> tuple[StoredDocument, bytes]:
    """A stored document's file for ``actor`` (a result issued and signed on first download, checked
    every time), or NotFound as if it did not exist."""
    doc = session.get(StoredDocument, document_id)
    if doc is None or not readable_by(session, actor, doc):
        raise NotFound("unknown_document", N_("No document {id} in the store."), id=document_id)
    if doc.storage_key and doc.sha256:  # brought from another province's store
        return doc, verified_bytes(storage, doc.storage_key, doc.sha256)
    if doc.origin == "result":
        from motcua.documents.service import document

        d = session.scalars(select(Dossier).where(Dossier.code == doc.dossier_code)).one()
        return doc, document(session, storage, signing, STORE, d, "result", at)
    row = session.get(Attachment, doc.attachment_id) if doc.attachment_id else None
    if row is None:
        raise NotFound("unknown_document", N_("No document {id} in the store."), id=document_id)
    return doc, verified_bytes(storage, row.storage_key, row.sha256)
