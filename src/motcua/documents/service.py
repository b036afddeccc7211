"""Issuing a dossier's documents: forms on demand, the result signed once and stored."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.catalog.models import Agency, ProcedureVersion, ServiceCentre
from motcua.documents.forms import SOURCE_EVENT, Context, FormName, render
from motcua.documents.signing import SigningConfig, sign_pdf, verify_for
from motcua.dossiers.attachments import add_attachment
from motcua.dossiers.errors import DossierError, NotFound
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import can_read
from motcua.dossiers.storage import Storage
from motcua.i18n import N_

log = logging.getLogger(__name__)


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
    for stored in session.scalars(
        select(Attachment)
        .where(Attachment.dossier_id == d.id, Attachment.kind == "result")
        .order_by(Attachment.id.desc())
    ):
        data = storage.get(stored.storage_key)
        if hashlib.sha256(data).hexdigest() == stored.sha256 and genuine_result(data, d.code, event.hash, signing):
            return data
        # Not the result this dossier's decision issued (changed, forged, of another dossier, or from
        # before results named their dossier): never served; a genuine one is issued from the log.
        log.warning("result attachment %s of a dossier failed its check and was not served", stored.id)
    signed = sign_pdf(render("result", d, context(session, d), event.payload, event.hash), signing)
    add_attachment(session, storage, actor, d, f"ket-qua-{d.code}.pdf", signed, "result", at, issued=True)
    return signed


def preview_result(session: Session, actor: Actor, d: Dossier, outcome: str, reason: str, at: datetime) -> bytes:
    """The result the decision would issue now, for the leader to read before signing: the same
    rendering, marked as a preview, neither signed nor stored. Only while the agency decides."""
    from motcua.dossiers.states import DECIDING

    if not can_read(actor, d):
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=d.code)
    if d.status not in DECIDING:
        raise DossierError(
            "document_not_available",
            N_("There is no {form} for this dossier in its state ({status})."),
            form="result",
            status=d.status,
        )
    payload = {"outcome": outcome, "reason": reason, "finished_at": at}
    return render("result", d, context(session, d), payload, draft=True)


_checked: TTLCache[tuple[str, str, str], bool] = TTLCache(maxsize=4096, ttl=600)


def genuine_result(data: bytes, code: str, event_hash: str, signing: SigningConfig) -> bool:
    """A result is served only if its signature verifies (trusted, not revoked, whole file) and it names
    this dossier and the decision it records. Kept ten minutes per file (validation costs ~30 ms)."""
    key = (hashlib.sha256(data).hexdigest(), code, event_hash)
    found = _checked.get(key)
    if found is None:
        check = verify_for(data, signing, code)
        found = _checked[key] = check.valid and f"event:{event_hash}" in check.binding
    return found
