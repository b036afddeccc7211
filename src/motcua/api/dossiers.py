"""``/api/v1/dossiers`` and ``/api/v1/track``: submission, transitions, attachments, tracking.

Authenticated by ``Authorization: Bearer <token>`` (``motcua accounts token``); every read and
write is scoped by the service layer (the applicant, the receiving centre, the deciding agency).
"""

from __future__ import annotations

import hashlib
import time
from datetime import date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Header, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from motcua import clock, db
from motcua.accounts.service import Actor, accounts_revision, actor_of, user_for_token
from motcua.api.deps import open_session, public_cache_headers
from motcua.api.errors import DOCUMENTED, ApiError, domain_error
from motcua.catalog.routing import SnapshotCache
from motcua.documents.forms import FormName
from motcua.dossiers.attachments import add_attachment, read_attachment
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import (
    WITH_HISTORY,
    Applicant,
    SubmitRequest,
    act,
    can_read,
    get_dossier,
    readable,
    submit_in_transaction,
    visible,
)
from motcua.dossiers.states import TRANSITIONS
from motcua.dossiers.timeliness import classify
from motcua.i18n import N_
from motcua.replica import Reads
from motcua.settings import get_settings
from motcua.web.security import RateLimit

router = APIRouter(prefix="/api/v1", tags=["dossiers"], responses=DOCUMENTED)
TOKEN_CACHE_SECONDS = 60
COUNT_CAP = 10_000
REVISION_CHECK_SECONDS = 2.0  # a revoked token or a disabled account stops working within two seconds
SUBMIT_LIMIT = RateLimit(lambda: get_settings().submissions_per_account, window=60, name="api-submit")


class TokenCache:
    """Tokens resolved in the last minute, dropped whenever the accounts revision moves (a revocation,
    a disabled account), which is read at most every two seconds."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[float, Actor]] = {}
        self.revision: int | None = None
        self.checked = 0.0

    def stale(self) -> bool:
        """The accounts revision must be read again before any entry is trusted."""
        return time.monotonic() - self.checked > REVISION_CHECK_SECONDS

    def check(self, factory: Any) -> None:
        with factory() as s:
            revision = accounts_revision(s)
        self.checked = time.monotonic()
        if revision != self.revision:
            self.entries.clear()
            self.revision = revision

    def get(self, token: str) -> Actor | None:
        hit = self.entries.get(token)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return None

    def put(self, token: str, actor: Actor, expires_at: datetime | None) -> None:
        if len(self.entries) > 50_000:
            self.entries.clear()
        ttl = TOKEN_CACHE_SECONDS
        if expires_at is not None:
            ttl = min(ttl, max(0, int((expires_at - clock.now()).total_seconds())))
        self.entries[token] = (time.monotonic() + ttl, actor)


def now() -> datetime:
    return clock.now()


async def current_actor(request: Request, authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The caller, from a bearer token, remembered for a minute. A remembered token costs no thread and
    no connection; one looked up reads in a short session of its own (a request never holds two
    connections)."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "not_authenticated", N_("Sign in: this needs an Authorization: Bearer token."))
    token = authorization.split(" ", 1)[1].strip()[:200]
    cache: TokenCache = request.app.state.token_cache
    hit = None if cache.stale() else cache.get(token)
    return hit if hit is not None else await run_in_threadpool(_look_up_actor, request, token)


def _look_up_actor(request: Request, token: str) -> Actor:
    cache: TokenCache = request.app.state.token_cache
    factory = request.app.state.session_factory
    if cache.stale():
        cache.check(factory)
        hit = cache.get(token)
        if hit is not None:
            return hit
    with factory() as s:
        found = user_for_token(s, token)
        if found is None:
            raise ApiError(
                401, "not_authenticated", N_("Sign in: this needs a valid Authorization: Bearer token (not expired).")
            )
        user, expires_at = found
        actor = actor_of(user, "api")
    cache.put(token, actor, expires_at)
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


class ApplicantIn(BaseModel):
    kind: Literal["citizen", "business"]
    id_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=200, description="Checked as an address one can send to")
    channels: list[Literal["email", "sms", "app"]] = Field(
        default_factory=list, max_length=3, description="Where to tell the applicant of each step, in order"
    )


class SubmitIn(BaseModel):
    procedure_code: str = Field(max_length=40)
    centre: str = Field(max_length=40, description="Identifier of the receiving centre")
    subject_commune_code: str | None = Field(None, pattern=r"^\d{5}$")
    subject_address: str = Field("", max_length=1000, description="Old or new address; converted if no code")
    channel: Literal["online", "in_person", "postal"] = "online"
    applicant: ApplicantIn
    form: dict[str, Any] = Field(default_factory=dict)
    language: Literal["vi", "fr", "en"] = Field("vi", description="Language of the applicant's notifications")
    reuse: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list,
        max_length=20,
        description="Documents of the applicant's store (GET /api/v1/my/documents) the dossier reuses instead of "
        "new papers: the applicant's consent, for this dossier",
    )


class ActIn(BaseModel):
    reason: str | None = Field(None, max_length=4000)
    missing: list[Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=100)
    documents: list[Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=4000)
    new_due: date | None = None
    user_id: int | None = Field(None, ge=1, le=2**31 - 1)
    amount_vnd: int | None = Field(None, gt=0, le=10**12, description="request_payment: the amount to pay, in dong")
    proposal: Literal["approve", "refuse"] | None = Field(
        None, description="submit_for_signature: what the processing officer proposes to the leader"
    )
    expected_events: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The event count you saw: refuses stale actions"
    )


def view(d: Dossier) -> dict[str, Any]:
    return {
        **_brief_fields(tuple(getattr(d, column.key) for column in TRACK_COLUMNS), clock.today()),
        "channel": d.channel,
        "centre": d.centre_identifier,
        "deciding_agency": d.deciding_agency_code,
        "handling_unit": d.handling_unit_code,
        "subject_commune_code": d.subject_commune_code,
        "subject_address": d.subject_address,
        "applicant": {
            "kind": d.applicant_kind,
            "id_number": d.applicant_id_number,
            "name": d.applicant_name,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
        },
        "form": d.form_data,
        "fees": d.fees,
        "assigned_to": d.assigned_to,
        "extended": d.extended,
        "supplement_count": d.supplement_count,
        "submitted_at": d.submitted_at,
        "events": d.event_count,
        "allowed": sorted(n for n, t in TRANSITIONS.items() if d.status in t.sources),
    }


def attachment_response(row: Any, data: bytes) -> Response:
    """A stored file, for download only: never rendered in place, never cached, named by its checksum."""
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{row.sha256[:12]}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialise with orjson (dates included) and skip FastAPI's response validation on hot paths."""
    return Response(orjson.dumps(data), status_code=status_code, headers=headers, media_type="application/json")


@router.post(
    "/dossiers", status_code=201, summary="Submit online, or receive at the counter (officers)", response_model=None
)
def submit_dossier(
    body: SubmitIn,
    request: Request,
    actor: ActorDep,
    idempotency_key: Annotated[str | None, Header(max_length=120)] = None,
) -> Response:
    req = SubmitRequest(
        procedure_code=body.procedure_code,
        centre_identifier=body.centre,
        channel=body.channel,
        applicant=Applicant(**body.applicant.model_dump()),
        form=body.form,
        subject_commune_code=body.subject_commune_code,
        subject_address=body.subject_address,
        idempotency_key=idempotency_key,
        language=body.language,
        reuse=list(body.reuse),
    )
    if not SUBMIT_LIMIT.allow(str(actor.user_id)):
        raise ApiError(429, "too_many_submissions", N_("Too many submissions from this account; wait a minute."))
    cache: SnapshotCache = request.app.state.snapshots
    node = request.app.state.exchange_node
    if node is not None and node.is_national and actor.role == "citizen":
        delivered = _deliver_to_province(request, actor, req, cache)
        if delivered is not None:
            return delivered
    try:
        # The answer is made inside the transaction: if it cannot be, nothing is committed (never a 500
        # after a commit, which a client would retry into a second dossier).
        answer, created = submit_in_transaction(
            request.app.state.session_factory,
            actor,
            req,
            now(),
            cache.get,
            request.app.state.calendars.for_session,
            present=lambda d: (d.code, orjson.dumps(view(d))),
        )
    except DossierError as exc:
        raise domain_error(exc) from None
    code, content = answer
    return Response(
        content,
        status_code=201 if created else 200,
        headers={"Location": f"/api/v1/dossiers/{code}"},
        media_type="application/json",
    )


def _deliver_to_province(request: Request, actor: Actor, req: SubmitRequest, cache: SnapshotCache) -> Response | None:
    """At the national node, a dossier for a province with a node of its own goes there through the
    exchange; the citizen gets the national reference to follow it."""
    from motcua.exchange.delivery import deliver_online

    try:
        with db.transaction(request.app.state.session_factory) as s:
            mirror = deliver_online(s, actor, req, now(), cache.get(s))
            if mirror is None:
                return None
            result = {
                "code": mirror.code,
                "status": mirror.status,
                "status_code": mirror.status_code,
                "procedure_code": mirror.procedure_code,
                "delivered_to": mirror.member,
            }
    except DossierError as exc:
        raise domain_error(exc) from None
    return json_response(result, 201, {"Location": f"/api/v1/track/{result['code']}"})


class DossierBrief(BaseModel):
    code: str
    procedure_code: str
    version: int
    status: str
    status_code: str | None
    received_on: date | None
    due_on: date | None
    outcome: str | None
    timeliness: str


class DossierPage(BaseModel):
    total: int = Field(description="How many match, counted up to a cap (see total_capped)")
    total_capped: bool = Field(description="More match than ``total`` says: narrow the filters")
    items: list[DossierBrief]


@router.get("/dossiers", summary="Dossiers the caller may see, with filters", response_model=DossierPage)
async def list_dossiers(
    request: Request,
    actor: ActorDep,
    status: str | None = None,
    overdue: bool = False,
    due_before: date | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    # Queues and a citizen's own dossiers are read by everyone all day: the few columns of a brief
    # (no ORM objects, no form data), one thread hop, written straight to JSON.
    today = clock.today()
    query = visible(actor)
    if status:
        query = query.where(Dossier.status == status)
    if overdue:
        query = query.where(Dossier.due_on < today, Dossier.finished_at.is_(None))
    if due_before:
        query = query.where(Dossier.due_on <= due_before)
    total, rows = await run_in_threadpool(_list_page, request, query, limit, offset)
    # ``total`` stops at COUNT_CAP + 1 (``total_capped``): counting a big city's every dossier on each
    # call would read them all.
    items = b",".join(_brief(row, today) for row in rows)
    head = orjson.dumps({"total": total, "total_capped": total > COUNT_CAP})[:-1]
    return Response(head + b',"items":[' + items + b"]}", media_type="application/json")


def _list_page(request: Request, query: Any, limit: int, offset: int) -> tuple[int, list[Any]]:
    bounded = query.with_only_columns(Dossier.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    page = (
        query.with_only_columns(*TRACK_COLUMNS)
        .order_by(Dossier.due_on.is_(None), Dossier.due_on, Dossier.id)
        .limit(limit)
        .offset(offset)
    )
    with open_session(request) as db_session:
        total = db_session.scalar(select(func.count()).select_from(bounded)) or 0
        return total, list(db_session.execute(page))


@router.get("/dossiers/{code}", summary="A dossier with its history (authorised)")
def get_one(code: str, request: Request, actor: ActorDep) -> dict[str, Any]:
    with open_session(request) as db_session:
        d = readable(db_session, actor, code)
        if d is None:
            raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
        return _with_history(d)


def _with_history(d: Dossier) -> dict[str, Any]:
    return {
        **view(d),
        "history": [
            {
                "seq": e.seq,
                "transition": e.transition,
                "at": e.at,
                "actor_role": e.actor_role,
                "actor_unit": e.actor_unit,
                "from": e.from_status,
                "to": e.to_status,
                "payload": e.payload,
                "hash": e.hash,
            }
            for e in d.events
        ],
    }


TRACK_SQL = (
    "SELECT code, procedure_code, version_number, status, status_code, received_on, due_on, outcome, finished_at, "
    "supplement_count FROM dossiers WHERE code = %s"
)


def _brief_fields(row: Any, today: date) -> dict[str, Any]:
    """A dossier in brief (tracking, lists, the head of the full view): status and appointment, no
    personal data; ``row`` holds ``TRACK_COLUMNS``."""
    code, procedure, version, status, status_code, received_on, due_on, outcome, finished_at, supplements = row
    return {
        "code": code,
        "procedure_code": procedure,
        "version": version,
        "status": status,
        "status_code": status_code,
        "received_on": received_on,
        "due_on": due_on,
        "outcome": outcome,
        "timeliness": classify(status, outcome, due_on, finished_at, supplements, today),
    }


def _brief(row: Any, today: date) -> bytes:
    return orjson.dumps(_brief_fields(row, today))


@router.get("/track/{code}", tags=["public"], summary="Public tracking: status and appointment, no personal data")
async def track(code: str, request: Request) -> Response:
    # The most frequent read: one indexed query on a few columns. On PostgreSQL it runs on the event
    # loop through an async connection pool (on the replica if there is one); elsewhere through the
    # ordinary session, in a thread.
    row = await _track_row(request, code)
    if row is None:
        node = request.app.state.exchange_node
        mirrored = await run_in_threadpool(_track_mirror, request, code) if node and node.is_national else None
        if mirrored is not None:
            return json_response(mirrored)
        raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
    return Response(_brief(row, clock.today()), media_type="application/json", headers=public_cache_headers())


TRACK_COLUMNS = (
    Dossier.code,
    Dossier.procedure_code,
    Dossier.version_number,
    Dossier.status,
    Dossier.status_code,
    Dossier.received_on,
    Dossier.due_on,
    Dossier.outcome,
    Dossier.finished_at,
    Dossier.supplement_count,
)


def _track_mirror(request: Request, code: str) -> dict[str, Any] | None:
    """At the national node: a dossier held by a province, as the province last reported it."""
    from motcua.exchange.lookup import dossier_status

    with request.app.state.session_factory() as s:
        found = dossier_status(s, code, national=True)
    if found is None:
        return None
    due_on = date.fromisoformat(found["dueOn"]) if found["dueOn"] else None
    finished = datetime.fromisoformat(found["finishedAt"]).replace(tzinfo=None) if found["finishedAt"] else None
    return {
        "code": found["code"],
        "reference": found["reference"],
        "procedure_code": found["procedureCode"],
        "status": found["status"],
        "status_code": found["statusCode"],
        "received_on": found["receivedOn"],
        "due_on": due_on,
        "timeliness": classify(found["status"], None, due_on, finished, 0, clock.today()),
    }


async def _track_row(request: Request, code: str) -> Any:
    import psycopg
    from psycopg_pool import PoolTimeout

    pool = request.app.state.async_pool
    reads: Reads = request.app.state.reads

    async def on_primary() -> Any:
        return await run_in_threadpool(_track_sync, request, code)

    if pool is None or pool.closed:  # SQLite, or a test client without the app's lifespan
        return await on_primary()

    async def on_pool() -> Any:
        async with pool.connection(timeout=1.0 if reads.state.configured else None) as conn:
            cursor = await conn.execute(TRACK_SQL, (code,))
            return await cursor.fetchone()

    if not reads.state.configured:  # the async pool is on the primary: its failures are answered 503
        return await on_pool()
    return await reads.run_async(on_pool, on_primary, (psycopg.OperationalError, PoolTimeout))


def _track_sync(request: Request, code: str) -> Any:
    with request.app.state.session_factory() as s:
        return s.execute(select(*TRACK_COLUMNS).where(Dossier.code == code)).first()


@router.post("/dossiers/{code}/transitions/{name}", summary="Take one step of the state machine", response_model=None)
def transition(code: str, name: str, body: ActIn, request: Request, actor: ActorDep) -> Response:
    payload = body.model_dump(exclude_none=True, mode="json")
    expected = payload.pop("expected_events", None)
    if name == "pay" and actor.role == "citizen":
        with request.app.state.session_factory() as s:
            if readable(s, actor, code) is None:  # someone else's dossier: as if it did not exist
                raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
        raise ApiError(
            409,
            "payment_unconfirmed",
            N_("Pay online through the payment page of the dossier."),
        )
    try:
        with db.transaction(request.app.state.session_factory) as s:
            d = act(s, actor, code, name, now(), request.app.state.calendars.for_session(s), payload, expected)
            answer = orjson.dumps(view(d))  # inside the transaction: no commit without its answer
    except DossierError as exc:
        raise domain_error(exc) from None
    return Response(answer, media_type="application/json")


@router.post("/dossiers/{code}/attachments", status_code=201, summary="Attach a PDF, JPEG or PNG")
async def attach(
    code: str,
    request: Request,
    actor: ActorDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Query(max_length=20, description="applicant (the applicant's documents) or scan")] = (
        "applicant"
    ),
) -> dict[str, Any]:
    from motcua.dossiers.attachments import MAX_BYTES

    data = await file.read(MAX_BYTES + 1)
    node = request.app.state.exchange_node
    try:
        if node is not None and node.is_national and actor.role == "citizen" and kind == "applicant":
            sent = await run_in_threadpool(_attach_to_delivered, request, actor, code, file.filename or "file", data)
            if sent is not None:
                return sent
        with db.transaction(request.app.state.session_factory) as s:
            d = get_dossier(s, code)
            row = add_attachment(s, request.app.state.storage, actor, d, file.filename or "file", data, kind, now())
            return {
                "id": row.id,
                "name": row.name,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
            }
    except DossierError as exc:
        raise domain_error(exc) from None


def _attach_to_delivered(request: Request, actor: Actor, code: str, name: str, data: bytes) -> dict[str, Any] | None:
    """At the national node: a file for a dossier delivered to a province goes after it (None: not such
    a dossier of the caller's)."""
    from motcua.exchange.delivery import add_documents_online

    with db.transaction(request.app.state.session_factory) as s:
        mirror = add_documents_online(s, actor, code, [(name, data)], request.app.state.storage, now())
        if mirror is None:
            return None
    digest = hashlib.sha256(data).hexdigest()
    return {"name": name, "size": len(data), "sha256": digest, "sent_to": mirror.member}


@router.get("/dossiers/{code}/attachments", summary="Attachments of a dossier (metadata)")
def attachments(code: str, request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    with open_session(request) as db_session:
        d = db_session.scalars(select(Dossier).where(Dossier.code == code)).first()
        if d is None or not can_read(actor, d):
            raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
        rows = db_session.scalars(select(Attachment).where(Attachment.dossier_id == d.id).order_by(Attachment.id))
        return [
            {
                "id": a.id,
                "kind": a.kind,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in rows
        ]


@router.get("/dossiers/{code}/attachments/{attachment_id}", summary="Download an attachment (authorised)")
def download(
    code: str, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, actor: ActorDep
) -> Response:
    try:
        with open_session(request) as db_session:
            d = get_dossier(db_session, code)
            row, data = read_attachment(db_session, request.app.state.storage, actor, d, attachment_id)
    except DossierError as exc:
        raise domain_error(exc) from None
    return attachment_response(row, data)


@router.get("/dossiers/{code}/documents/{form}", summary="A form of the dossier as PDF (the result is signed)")
def download_document(code: str, form: FormName, request: Request, actor: ActorDep) -> Response:
    from motcua.documents.service import document

    try:
        with db.transaction(request.app.state.session_factory) as s:
            d = s.scalars(WITH_HISTORY, {"code": code}).first()
            if d is None:
                raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
            data = document(s, request.app.state.storage, request.app.state.signing, actor, d, form, now())
    except DossierError as exc:
        raise domain_error(exc) from None
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{form}-{code}.pdf"', "Cache-Control": "private, no-store"},
    )


@router.get("/seals", tags=["public"], summary="The daily seals of the logs and the key that signs them")
def seals(request: Request) -> Response:
    """Every sealed day's Merkle roots, chained and signed, with the seal key's public part: to keep
    elsewhere and check later with ``motcua dossiers verify`` (no personal data)."""
    from motcua.audit.seals import export

    with request.app.state.session_factory() as s:
        return Response(orjson.dumps(export(s)), media_type="application/json")
