"""Issuing a dossier's documents: forms on demand, the result signed once and stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.catalog.models import Agency, ProcedureVersion, ServiceCentre
from motcua.documents.forms import SOURCE_EVENT, Context, FormName, render
from motcua.documents.signing import SigningConfig, sign_pdf
from motcua.dossiers.attachments import add_attachment
from motcua.dossiers.errors import DossierError, NotFound
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import can_read
from motcua.dossiers.storage import Storage
from motcua.i18n import N_


def context(session: Session, d: Dossier) -> Context:
    version = session.get(ProcedureVersion, d.procedure_version_id)
    centre = session.scalars(
        select(ServiceCentre.name_vi).where(ServiceCentre.identifier == d.centre_identifier)
    ).first()
    agency = session.scalars(select(Agency.name_vi).where(Agency.code == d.deciding_agency_code)).first()
    return Context(
        procedure_name=version.name_vi if version else d.procedure_code,
        centre_name=centre or d.centre_identifier,
        agency_name=agency or d.deciding_agency_code,
        documents=[doc.get("name", "") for doc in (version.documents if version else [])],
        events=list(d.events),
    )


def document(
    session: Session, storage: Storage, signing: SigningConfig, actor: Actor, d: Dossier, form: FormName, at: datetime
) -> bytes:
    if not can_read(actor, d):
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=d.code)
    event = next((e for e in reversed(d.events) if e.transition in SOURCE_EVENT[form]), None)
    if event is None:
        raise DossierError(
            "document_not_available",
            N_("There is no {form} for this dossier in its state ({status})."),
            form=form,
            status=d.status,
        )
    if form != "result":
        return render(form, d, context(session, d), event.payload)
    stored = session.scalars(
        select(Attachment)
        .where(Attachment.dossier_id == d.id, Attachment.kind == "result")
        .order_by(Attachment.id.desc())
    ).first()
    if stored is not None:
        return storage.get(stored.storage_key)
    signed = sign_pdf(render("result", d, context(session, d), event.payload), signing)
    add_attachment(session, storage, actor, d, f"ket-qua-{d.code}.pdf", signed, "result", at, issued=True)
    return signed
