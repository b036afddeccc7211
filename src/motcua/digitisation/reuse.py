"""Reuse: a procedure asks for a kind of document its applicant's store already holds, so the
dossier takes it by reference instead of a new paper or upload. The applicant chooses (their consent
is the choice, recorded in the dossier's first event); a document of another holder, expired, or of
a kind the procedure does not ask for is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.digitisation.models import DocumentReuse, StoredDocument
from motcua.digitisation.store import holdings
from motcua.digitisation.types import document_types
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Attachment, Dossier
from motcua.i18n import N_


@dataclass(frozen=True)
class Offer:
    component: str  # the procedure's document it stands for
    document: StoredDocument


def asked_kinds(documents: list[dict[str, Any]]) -> dict[str, str]:
    """The kinds of document a version's list asks for (to hand in or to show), with the component
    that asks each."""
    catalogue = document_types()
    asked: dict[str, str] = {}
    for doc in documents:
        if doc.get("section") == "note":
            continue
        kind = catalogue.asked(str(doc.get("name", "")))
        if kind is not None:
            asked.setdefault(kind.key, str(doc.get("name", "")))
    return asked


def offers(session: Session, holder_id: str, documents: list[dict[str, Any]], today: date) -> list[Offer]:
    """What the holder's store can give to a procedure with this list of documents, newest first."""
    if not holder_id:
        return []
    asked = asked_kinds(documents)
    return [
        Offer(asked[doc.doc_type], doc)
        for doc in holdings(session, holder_id)
        if doc.doc_type in asked and (doc.valid_until is None or doc.valid_until >= today)
    ]


def checked_reuse(
    session: Session, holder_id: str, documents: list[dict[str, Any]], wanted: list[int], today: date
) -> list[dict[str, Any]]:
    """The stored documents a submission asks to reuse, each checked: the applicant's own, in force,
    of a kind the procedure asks for. Returns what the dossier's first event records."""
    asked = asked_kinds(documents)
    found = {d.id: d for d in session.scalars(select(StoredDocument).where(StoredDocument.id.in_(wanted)))}
    chosen = []
    for document_id in dict.fromkeys(wanted):
        doc = found.get(document_id)
        if doc is None or doc.holder_id != holder_id:  # another person's document reads as no document
            raise DossierError(
                "reuse_not_yours",
                N_("Document {id} is not in the applicant's store: only their own documents can be reused."),
                id=document_id,
            )
        if doc.valid_until is not None and doc.valid_until < today:
            raise DossierError(
                "reuse_expired",
                N_("{title} was valid until {until}: it cannot be reused."),
                title=doc.title,
                until=doc.valid_until.isoformat(),
            )
        if doc.doc_type not in asked:
            raise DossierError("reuse_not_asked", N_("This procedure does not ask for {title}."), title=doc.title)
        sha256 = ""
        if doc.attachment_id is not None:
            sha256 = session.scalar(select(Attachment.sha256).where(Attachment.id == doc.attachment_id)) or ""
        chosen.append({"document": doc.id, "type": doc.doc_type, "component": asked[doc.doc_type], "sha256": sha256})
    return chosen


def record(session: Session, d: Dossier, chosen: list[dict[str, Any]], at: datetime) -> None:
    """The reuses of a new dossier, beside its first event (which names them)."""
    for c in chosen:
        session.add(
            DocumentReuse(
                dossier_id=d.id,
                stored_document_id=c["document"],
                component=c["component"],
                sha256=c["sha256"],
                created_at=at,
            )
        )
    session.flush()


def of_dossier(session: Session, d: Dossier) -> list[tuple[DocumentReuse, StoredDocument]]:
    """What a dossier reused (its officials may open these, and only these, of the holder's store)."""
    return list(
        session.execute(
            select(DocumentReuse, StoredDocument)
            .join(StoredDocument, StoredDocument.id == DocumentReuse.stored_document_id)
            .where(DocumentReuse.dossier_id == d.id)
            .order_by(DocumentReuse.id)
        ).tuples()
    )
