"""A paper component's way to digitised: the reception officer sends its scans (checked at once,
kept as they came), the worker reads them in the background (leased jobs, retried with back-off,
taken over when a worker dies), the officer checks the suggested fields and confirms; the dossier's
log then records the ``digitise`` step and the PDF/A joins the holder's store.

Nothing slow runs in a request: the OCR is ``process``'s, outside any transaction.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.accounts.identity import personal_id_problem
from motcua.accounts.service import Actor
from motcua.digitisation.fields import FIELDS, suggestions
from motcua.digitisation.models import Digitisation
from motcua.digitisation.ocr import OcrFailed, run_ocr
from motcua.digitisation.scans import Scan, as_one_pdf, checked_scans
from motcua.digitisation.store import keep_digitised
from motcua.dossiers.attachments import add_attachment, verified_bytes
from motcua.dossiers.errors import DossierError, Forbidden, NotFound
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import CalendarFor, act, can_read
from motcua.dossiers.states import FINAL
from motcua.dossiers.storage import Storage
from motcua.i18n import N_
from motcua.retry import backoff
from motcua.settings import Settings, get_settings

log = logging.getLogger("motcua.digitisation")
SCANNERS = ("reception_officer",)
RETRY_BASE, RETRY_CAP = 30.0, 1800.0  # seconds: 30 s, 60 s, 120 s … at most half an hour


def _check_officer(actor: Actor, d: Dossier) -> None:
    if not can_read(actor, d):
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=d.code)
    if actor.role not in SCANNERS or actor.unit_code != d.centre_identifier:
        raise Forbidden("wrong_role", N_("A {role} cannot {transition}."), role=actor.role, transition="digitise")


def request(
    session: Session,
    storage: Storage,
    actor: Actor,
    d: Dossier,
    component: str,
    files: list[tuple[str, bytes]],
    at: datetime,
) -> Digitisation:
    """Queue the OCR of a component from its scans, in page order. The scans are checked now (type,
    encryption, pages, size: a clear refusal, nothing stored) and kept as they came, checksummed."""
    _check_officer(actor, d)
    if d.status in FINAL:
        raise DossierError(
            "dossier_closed", N_("The dossier is closed ({status}); nothing can be added."), status=d.status
        )
    component = " ".join(component.split())[:500]
    if not component:
        raise DossierError("component_required", N_("Say which component of the dossier the scan is."))
    scans: list[Scan] = checked_scans(files)
    originals = [add_attachment(session, storage, actor, d, s.name, s.data, "scan", at).id for s in scans]
    job = Digitisation(
        dossier_id=d.id,
        component=component,
        status="queued",
        attempts=0,
        next_attempt_at=at,
        originals=originals,
        pages=sum(s.pages for s in scans),
        requested_by=actor.user_id,
        requested_at=at,
    )
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class Claimed:
    id: int
    dossier_id: int
    dossier_code: str
    originals: list[int]
    attempts: int


def claim(factory: sessionmaker[Session], now: datetime, lease: timedelta, limit: int = 1) -> list[Claimed]:
    """Take up to ``limit`` due jobs (queued, or running under a lease that ran out: its worker died)."""
    with db.transaction(factory) as s:
        db.lock_for_write(s)
        due = (
            select(Digitisation.id)
            .where(
                or_(
                    Digitisation.status == "queued",
                    (Digitisation.status == "running") & (Digitisation.lease_until < now),
                ),
                Digitisation.next_attempt_at <= now,
            )
            .order_by(Digitisation.next_attempt_at, Digitisation.id)
            .limit(limit)
        )
        if s.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(s.scalars(due))
        if not ids:
            return []
        s.execute(
            update(Digitisation)
            .where(Digitisation.id.in_(ids))
            .values(status="running", attempts=Digitisation.attempts + 1, lease_until=now + lease)
        )
        rows = s.execute(
            select(
                Digitisation.id, Digitisation.dossier_id, Dossier.code, Digitisation.originals, Digitisation.attempts
            )
            .join(Dossier, Dossier.id == Digitisation.dossier_id)
            .where(Digitisation.id.in_(ids))
        ).all()
    return [Claimed(r[0], r[1], r[2], list(r[3]), r[4]) for r in rows]


def _originals(session: Session, storage: Storage, job: Claimed) -> list[Scan]:
    rows = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(job.originals)))}
    return [
        Scan(rows[i].name, verified_bytes(storage, rows[i].storage_key, rows[i].sha256), rows[i].content_type, 1)
        for i in job.originals
    ]


def process(factory: sessionmaker[Session], storage: Storage, job: Claimed, settings: Settings) -> str:
    """Read one claimed job: its scans as one PDF, the OCR (no transaction open meanwhile), then the
    PDF/A, the text and the suggestions stored — unless the lease was lost to another worker. Returns
    the job's new status."""
    with factory() as s:
        scans = _originals(s, storage, job)
    try:
        result = run_ocr(as_one_pdf(scans), settings)
    except OcrFailed as exc:
        return _failed(factory, job, exc, settings)
    now = clock.now()
    with db.transaction(factory) as s:
        row = s.get(Digitisation, job.id, with_for_update=s.get_bind().dialect.name == "postgresql")
        if row is None or row.status != "running" or row.attempts != job.attempts:
            return "lost"  # another worker took it over
        d = s.get(Dossier, job.dossier_id)
        assert d is not None
        digest = hashlib.sha256(result.pdfa).hexdigest()
        key = f"{d.code}/{digest}"
        storage.put(key, result.pdfa)
        pdfa = Attachment(
            dossier_id=d.id,
            kind="digitised",
            name=f"so-hoa-{job.id}.pdf",
            content_type="application/pdf",
            size=len(result.pdfa),
            sha256=digest,
            storage_key=key,
            uploaded_by=None,
            uploaded_at=now,
        )
        s.add(pdfa)
        s.flush()
        row.pdfa_attachment_id = pdfa.id
        row.pages, row.text = result.pages, result.text
        row.suggestions = [x.to_dict() for x in suggestions(result.text, clock.local_date(now))]
        if result.readable < READABLE:
            row.error_code = "ocr_unreadable"  # kept with the result: the page says to check by eye
        row.status, row.read_at, row.lease_until = "read", now, None
    return "read"


READABLE = 0.5  # below: most of the text is not Vietnamese words (another script, a poor scan)


def _failed(factory: sessionmaker[Session], job: Claimed, exc: OcrFailed, settings: Settings) -> str:
    now = clock.now()
    with db.transaction(factory) as s:
        row = s.get(Digitisation, job.id)
        if row is None or row.status != "running" or row.attempts != job.attempts:
            return "lost"
        row.error_code, row.lease_until = exc.code, None
        if not exc.retry:
            row.status = "refused"
        elif row.attempts >= settings.ocr_attempts:
            row.status = "failed"
        else:
            row.status, row.next_attempt_at = "queued", now + backoff(row.attempts, RETRY_BASE, RETRY_CAP)
        log.warning("digitisation %s: %s (attempt %s) → %s", job.id, exc.code, row.attempts, row.status)
        return row.status


def run_once(factory: sessionmaker[Session], storage: Storage, settings: Settings | None = None) -> int:
    """One due job read, if any (``motcua worker`` calls it in its loop). Returns the jobs read."""
    settings = settings or get_settings()
    claimed = claim(factory, clock.now(), timedelta(seconds=settings.ocr_lease_seconds))
    for job in claimed:
        process(factory, storage, job, settings)
    return len(claimed)


def confirm(
    session: Session,
    storage: Storage,
    actor: Actor,
    d: Dossier,
    digitisation_id: int,
    fields: dict[str, str],
    at: datetime,
    calendar_for: CalendarFor,
) -> Digitisation:
    """The officer's checked fields for a read component: recorded, the dossier's ``digitise`` step
    taken, and the PDF/A kept in the holder's store. Every field is the officer's word, whatever the
    suggestion said; each is checked as the form checks it."""
    _check_officer(actor, d)
    job = session.get(Digitisation, digitisation_id)
    if job is None or job.dossier_id != d.id:
        raise NotFound("unknown_digitisation", N_("No scan {id} in this dossier."), id=digitisation_id)
    if job.status != "read":
        raise DossierError(
            "digitisation_not_read",
            N_("The scan is {status}: its fields can be confirmed once it has been read."),
            status=job.status,
        )
    checked = {k: " ".join(str(v).split()) for k, v in fields.items() if k in FIELDS and str(v).strip()}
    problems = _field_problems(checked, clock.local_date(at))
    if problems:
        raise DossierError(
            "invalid_request",
            N_("The request is not valid: {count} problem(s)."),
            count=len(problems),
            problems=problems,
        )
    job.confirmed, job.status, job.confirmed_by, job.confirmed_at = checked, "confirmed", actor.user_id, at
    pdfa = session.get(Attachment, job.pdfa_attachment_id) if job.pdfa_attachment_id else None
    payload: dict[str, Any] = {
        "digitisation": job.id,
        "component": job.component,
        "pages": job.pages,
        "pdfa_sha256": pdfa.sha256 if pdfa else "",
        "fields": sorted(checked),  # which fields were checked, not their values (the log is not a copy)
    }
    keep_digitised(session, d, job, pdfa, checked.get("id_number") or d.applicant_id_number, at)
    act(session, actor, d.code, "digitise", at, calendar_for, payload)  # its subscribers see the kept paper
    return job


def _field_problems(fields: dict[str, str], today: date) -> list[str]:
    problems = []
    if "id_number" in fields and (problem := personal_id_problem(fields["id_number"])):
        problems.append(f"id_number: {problem}")
    if "date_of_birth" in fields:
        try:
            born = date.fromisoformat(fields["date_of_birth"])
        except ValueError:
            problems.append("date_of_birth: not a date (YYYY-MM-DD)")
        else:
            if born > today:
                problems.append("date_of_birth: in the future")
    return problems


def of_dossier(session: Session, d: Dossier) -> list[Digitisation]:
    return list(session.scalars(select(Digitisation).where(Digitisation.dossier_id == d.id).order_by(Digitisation.id)))


def start_reader(
    factory: sessionmaker[Session], storage: Storage, settings: Settings, interval: float = 2.0
) -> threading.Thread:
    """The worker's OCR reader, in a thread of its own: an OCR takes seconds to minutes and the
    worker's other jobs (notifications, the exchange) go on meanwhile. One job at a time."""
    from sqlalchemy.exc import SQLAlchemyError

    def loop() -> None:
        while True:
            try:
                read = run_once(factory, storage, settings)
            except SQLAlchemyError as exc:  # the database restarting: wait, then go on
                log.error("digitisation: database error, retrying: %s", exc.__class__.__name__)
                read = 0
            if not read:
                time.sleep(interval)

    thread = threading.Thread(target=loop, name="motcua-ocr", daemon=True)
    thread.start()
    return thread
