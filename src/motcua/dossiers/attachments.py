"""Attachments: sniffed content type, size limit, checksum, and an authorisation check on every read."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.dossiers.errors import DossierError, Forbidden, NotFound
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import can_read
from motcua.dossiers.storage import Storage
from motcua.i18n import N_

ALLOWED_TYPES = {"application/pdf", "image/jpeg", "image/png"}
MAX_BYTES = int(os.environ.get("MOTCUA_MAX_ATTACHMENT_BYTES", 8 * 1024 * 1024))


def checked_type(name: str, data: bytes) -> str:
    """The file's content type, sniffed from its bytes; refused if empty, too large or not a PDF, JPEG
    or PNG."""
    if len(data) > MAX_BYTES:
        raise DossierError(
            "attachment_too_large",
            N_("{name} is larger than {limit_mb} MB, the limit for each file. Send a smaller scan or photo."),
            name=name,
            size=len(data),
            limit=MAX_BYTES,
            limit_mb=f"{MAX_BYTES / (1024 * 1024):g}",
        )
    if not data:
        raise DossierError("attachment_empty", N_("{name} is empty."), name=name)
    guessed = filetype.guess(data)
    content_type = guessed.mime if guessed else "application/octet-stream"
    if content_type not in ALLOWED_TYPES:
        raise DossierError(
            "attachment_type", N_("{name} is {type}; accepted: PDF, JPEG, PNG."), name=name, type=content_type
        )
    return content_type


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with the columns every attachment table keeps of it."""

    name: str
    content_type: str
    size: int
    sha256: str

    def columns(self) -> dict[str, str | int]:
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


def checked_file(name: str, data: bytes) -> CheckedFile:
    """``data`` checked (``checked_type``), named by its base name and summed."""
    return CheckedFile(
        os.path.basename(name)[:200] or "file", checked_type(name, data), len(data), hashlib.sha256(data).hexdigest()
    )


def verified_bytes(storage: Storage, key: str, sha256: str) -> bytes:
    """The stored bytes, refused if they no longer match the checksum taken when they were stored."""
    data = storage.get(key)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DossierError("attachment_corrupt", N_("The stored file does not match its checksum."))
    return data


UPLOADERS = {"applicant": ("citizen", "reception_officer"), "scan": ("reception_officer",)}


def check_kind(actor: Actor, kind: str, issued: bool) -> None:
    """Who may add which file: the applicant their documents, the reception officer the scans of a
    paper dossier; a result only ever comes from the signing step (``documents.service``)."""
    if kind == "result" or kind == "document":
        if issued:
            return
        raise DossierError(
            "result_not_uploadable",
            N_("A result is issued and signed by motcua when the leader decides; it cannot be uploaded."),
        )
    allowed = UPLOADERS.get(kind)
    if allowed is None:
        raise DossierError("attachment_kind", N_("Unknown kind of file {kind}: applicant or scan."), kind=kind)
    if actor.role not in allowed:
        raise Forbidden("wrong_role", N_("A {role} cannot {transition}."), role=actor.role, transition=f"add a {kind}")


def add_attachment(
    session: Session,
    storage: Storage,
    actor: Actor,
    dossier: Dossier,
    name: str,
    data: bytes,
    kind: str,
    at: datetime,
    *,
    issued: bool = False,
) -> Attachment:
    """Store a file of the dossier. ``issued``: a document motcua itself issues (the signed result),
    which may be stored after the dossier is closed."""
    if not can_read(actor, dossier):
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=dossier.code)
    check_kind(actor, kind, issued)
    if not issued and dossier.status in ("rejected", "stopped", "returned"):
        raise DossierError(
            "dossier_closed", N_("The dossier is closed ({status}); nothing can be added."), status=dossier.status
        )
    checked = checked_file(name, data)
    # The same file sent again (a retry after a lost answer) is the same attachment, not a second one.
    same = session.scalars(
        select(Attachment).where(
            Attachment.dossier_id == dossier.id, Attachment.kind == kind, Attachment.sha256 == checked.sha256
        )
    ).first()
    if same is not None and not issued:
        return same
    key = f"{dossier.code}/{checked.sha256}"
    storage.put(key, data)
    row = Attachment(
        dossier_id=dossier.id,
        kind=kind,
        **checked.columns(),
        storage_key=key,
        uploaded_by=actor.user_id,
        uploaded_at=at,
    )
    session.add(row)
    session.flush()
    return row


def read_attachment(
    session: Session, storage: Storage, actor: Actor, dossier: Dossier, attachment_id: int
) -> tuple[Attachment, bytes]:
    row = session.scalars(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.dossier_id == dossier.id)
    ).one_or_none()
    if row is None or not can_read(actor, dossier):
        raise NotFound("unknown_attachment", N_("No attachment {id} on this dossier."), id=attachment_id)
    return row, verified_bytes(storage, row.storage_key, row.sha256)
