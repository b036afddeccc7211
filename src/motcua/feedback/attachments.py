"""Files sent with a feedback message: the dossiers' rules (content type sniffed from the bytes, PDF,
JPEG or PNG, the same size limit, a checksum), at most ``MAX_FILES`` a message, added by its sender
while it is open or by the agency's staff (a letter's scan); read by them only, never published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.dossiers.attachments import checked_file, verified_bytes
from motcua.dossiers.errors import DossierError, Forbidden, NotFound
from motcua.dossiers.scope import unit_matches
from motcua.dossiers.storage import Storage
from motcua.feedback.models import FeedbackAttachment, FeedbackMessage
from motcua.feedback.states import OPEN
from motcua.i18n import N_

MAX_FILES = 10


def may_add(actor: Actor, m: FeedbackMessage) -> bool:
    if actor.role == "citizen":
        return m.owner_id is not None and m.owner_id == actor.user_id
    return actor.role != "admin" and unit_matches(actor.unit_code, m.agency_code)


def add_file(
    session: Session, storage: Storage, actor: Actor, m: FeedbackMessage, name: str, data: bytes, at: datetime
) -> FeedbackAttachment:
    from motcua.feedback.messages import can_read

    if not can_read(actor, m) and actor.role == "citizen":
        raise NotFound("not_found", N_("No feedback has the code {code}."), code=m.code)
    if not may_add(actor, m):
        raise Forbidden("out_of_scope", N_("This feedback is not your unit's."))
    if m.status not in OPEN:
        raise DossierError("feedback_closed", N_("Files can be added while the feedback is being handled."))
    checked = checked_file(name, data)
    same = session.scalars(
        select(FeedbackAttachment).where(
            FeedbackAttachment.message_id == m.id, FeedbackAttachment.sha256 == checked.sha256
        )
    ).first()
    if same is not None:  # the same file sent again (a retry after a lost answer)
        return same
    count = session.scalar(select(func.count()).where(FeedbackAttachment.message_id == m.id)) or 0
    if count >= MAX_FILES:
        raise DossierError("too_many_files", N_("A feedback message takes at most {limit} files."), limit=MAX_FILES)
    key = f"feedback/{m.code}/{checked.sha256}"
    storage.put(key, data)
    row = FeedbackAttachment(
        message_id=m.id,
        **checked.columns(),
        storage_key=key,
        uploaded_by=actor.user_id or None,
        uploaded_at=at,
    )
    session.add(row)
    session.flush()
    return row


def files_of(session: Session, m: FeedbackMessage) -> list[FeedbackAttachment]:
    return list(
        session.scalars(
            select(FeedbackAttachment).where(FeedbackAttachment.message_id == m.id).order_by(FeedbackAttachment.id)
        )
    )


def read_file(
    session: Session, storage: Storage, actor: Actor, m: FeedbackMessage, file_id: int
) -> tuple[FeedbackAttachment, bytes]:
    from motcua.feedback.messages import can_read

    row = session.scalars(
        select(FeedbackAttachment).where(FeedbackAttachment.id == file_id, FeedbackAttachment.message_id == m.id)
    ).one_or_none()
    if row is None or not can_read(actor, m):
        raise NotFound("unknown_attachment", N_("No file {id} on this feedback."), id=file_id)
    return row, verified_bytes(storage, row.storage_key, row.sha256)
