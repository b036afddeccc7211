"""``/api/v1/feedback``: file feedback (citizens online, officials for what came on paper, by phone
or by e-mail), an agency's queue and a citizen's own messages, one step of the table at a time, and
public tracking and answers without personal data."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from motcua import clock, db
from motcua.accounts.service import Actor
from motcua.api.deps import open_session
from motcua.api.dossiers import ActorDep, attachment_response, current_actor, json_response
from motcua.api.errors import DOCUMENTED, ApiError, domain_error
from motcua.catalog.models import Agency
from motcua.dossiers.attachments import MAX_BYTES
from motcua.dossiers.errors import DossierError
from motcua.exchange.models import FeedbackDelivery
from motcua.feedback import messages as fb
from motcua.feedback.attachments import add_file, files_of, read_file
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.published import published
from motcua.feedback.states import OPEN
from motcua.i18n import N_

router = APIRouter(prefix="/api/v1", tags=["feedback"], responses=DOCUMENTED)
PAGE = 200


class SenderIn(BaseModel):
    name: str = Field(max_length=200)
    address: str = Field(max_length=500)
    phone: str = Field(max_length=20)
    email: str | None = Field(None, max_length=254)
    show_name: bool = Field(False, description="Whether the name may be shown with the published answer")


class FeedbackIn(BaseModel):
    about: Literal["procedure", "dossier", "agency", "official", "regulation"]
    about_ref: str = Field("", max_length=120, description="The procedure's, dossier's or agency's code")
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    sender: SenderIn
    commune_code: str | None = Field(None, max_length=5, description="The commune or ward it concerns")
    place_address: str = Field(
        "", max_length=500, description="Or an address, old or new: converted to the commune in force"
    )
    channel: Literal["online", "api", "counter", "phone", "letter", "email"] = "api"
    language: Literal["vi", "fr", "en"] = "vi"


class StepIn(BaseModel):
    reason: str | None = Field(None, max_length=2000)
    kind: str | None = Field(None, max_length=40, description="decline: why it is not accepted")
    where: str | None = Field(None, max_length=500, description="decline: where the sender should go")
    agency: str | None = Field(None, max_length=60, description="forward: the competent agency's code")
    original: str | None = Field(None, max_length=24, description="merge: the original message's code")
    info: str | None = Field(None, max_length=10_000, description="provide_info: the sender's answer")
    answer: str | None = Field(None, max_length=10_000, description="draft_answer: the answer")
    public_question: str | None = Field(None, max_length=10_000, description="publish: the question as shown")
    value: Literal["satisfied", "neutral", "dissatisfied"] | None = Field(None, description="rate")
    title: str | None = Field(None, max_length=200, description="split: the second matter's title")
    body: str | None = Field(None, max_length=10_000, description="split: the second matter's text")


def brief(m: Any) -> dict[str, Any]:
    return {
        "code": m.code,
        "status": m.status,
        "about": m.about,
        "title": m.title,
        "agency": m.agency_code,
        "stage": m.stage,
        "due_on": m.due_on,
        "filed_at": m.filed_at,
    }


def full(m: FeedbackMessage, steps: list[str]) -> dict[str, Any]:
    """What an official of the agency (or the sender) reads: the sender's data included."""
    return {
        **brief(m),
        "about_ref": m.about_ref,
        "body": m.body,
        "channel": m.channel,
        "commune": m.commune_code,
        "province": m.province_code,
        "competent_reason": m.competent_reason,
        "handle_due_on": m.handle_due_on,
        "late_stages": m.late_stages,
        "forwarded": m.forwarded,
        "reopened": m.reopened,
        "original": m.original_code,
        "answer": m.answer,
        "published_at": m.published_at,
        "rating": m.rating,
        "sender": {
            "name": m.sender_name,
            "address": m.sender_address,
            "phone": m.sender_phone,
            "email": m.sender_email,
            "show_name": m.show_name,
        },
        "history": [
            {
                "seq": e.seq,
                "step": e.transition,
                "at": e.at,
                "role": e.actor_role,
                "to": e.to_status,
                **_note(e.payload),
            }
            for e in m.events
        ],
        "allowed_steps": steps,
    }


def _note(payload: dict[str, Any]) -> dict[str, Any]:
    keys = ("reason", "info", "agency", "original", "kind", "where", "split_into", "split_from")
    return {k: payload[k] for k in keys if k in payload}


def public(m: FeedbackMessage, original: FeedbackMessage | None, agency_name: str | None = None) -> dict[str, Any]:
    """Public tracking: no personal data; the sender's name only if they allowed it; a merged
    message shows the original's answer."""
    answered = original if original is not None else m
    published = answered.status in ("published", "reopen_requested") and answered.published_at is not None
    return {
        "code": m.code,
        "status": m.status,
        "title": fb.redacted(m.title, m),
        "agency": m.agency_code,
        "agency_name": agency_name or m.agency_code,
        "filed_on": clock.local_date(m.filed_at),
        "due_on": m.due_on,
        "merged_into": m.original_code,
        "sender": m.sender_name if m.show_name else None,
        "question": answered.public_question if published else None,
        "answer": answered.answer if published else None,
        "published_on": clock.local_date(answered.published_at) if published and answered.published_at else None,
    }


def tracked(session: Session, code: str) -> tuple[FeedbackMessage | None, dict[str, Any]] | None:
    """A message found by its code as people type it (any case, spaces around), with its public
    view (the page's and the API's), or None. At the national node, a message delivered to a province
    is its mirror (no message here); at a province, a delivered message is found by its national code
    too."""
    from motcua.exchange import feedback as exchange

    wanted = code.strip().upper()
    m = session.scalar(select(FeedbackMessage).where(FeedbackMessage.code == wanted))
    if m is None:
        local = session.scalar(select(FeedbackDelivery.feedback_code).where(FeedbackDelivery.reference == wanted))
        m = session.scalar(select(FeedbackMessage).where(FeedbackMessage.code == local)) if local else None
    if m is None:
        mirrored = exchange.public_view(session, wanted)
        return (None, mirrored) if mirrored is not None else None
    original = None
    if m.original_code:
        original = session.scalar(select(FeedbackMessage).where(FeedbackMessage.code == m.original_code))
    return m, public(m, original, session.scalar(select(Agency.name_vi).where(Agency.code == m.agency_code)))


@router.post("/feedback", status_code=201, summary="File feedback (phản ánh, kiến nghị)")
def file(
    body: FeedbackIn,
    request: Request,
    actor: ActorDep,
    idempotency_key: Annotated[str | None, Header(max_length=120)] = None,
) -> dict[str, Any]:
    sender = fb.Sender(
        body.sender.name, body.sender.address, body.sender.phone, body.sender.email, body.sender.show_name
    )
    req = fb.FeedbackRequest(
        about=body.about,
        title=body.title,
        body=body.body,
        sender=sender,
        about_ref=body.about_ref,
        commune_code=body.commune_code,
        place_address=body.place_address,
        channel=body.channel,
        language=body.language,
        idempotency_key=idempotency_key,
    )
    node = request.app.state.exchange_node
    try:
        with db.transaction(request.app.state.session_factory) as s:
            now = clock.now()
            if node is not None and node.is_national and actor.role == "citizen":
                from motcua.exchange import feedback as exchange

                mirror = exchange.file_at_national(s, actor, req, now)
                if mirror is not None:  # the province's node answers it
                    view = exchange.public_view(s, mirror.code)
                    assert view is not None
                    return {**view, "stage": mirror.stage, "sent_to": mirror.member}
            m = fb.file_feedback(
                s, actor, req, now, request.app.state.calendars.for_session(s), request.app.state.snapshots.get(s)
            )
            return full(m, fb.allowed_steps(actor, m))
    except DossierError as exc:
        raise domain_error(exc) from None


@router.get("/feedback", summary="A citizen's own feedback, or an agency's queue")
def queue(
    request: Request,
    actor: ActorDep,
    view: fb.QueueView = "open",
    about: fb.About | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
) -> dict[str, Any]:
    if actor.role not in ("citizen", "processing_officer", "leader", "supervisor", "inspector", "admin"):
        raise ApiError(403, "wrong_role", N_("A {role} cannot read this."), role=actor.role)
    query = fb.queue(actor, view, clock.today(), about)
    with open_session(request) as s:
        counted = query.order_by(None).with_only_columns(FeedbackMessage.id).subquery()
        total = s.scalar(select(func.count()).select_from(counted))
        found: list[Any] = list(s.scalars(query.limit(limit)))
        if actor.role == "citizen":  # at the national node: those delivered to a province too
            from motcua.exchange.feedback import mirrors_of

            delivered = [d for d in mirrors_of(s, actor, limit) if view == "all" or d.status in OPEN]
            found, total = found + delivered, (total or 0) + len(delivered)
        return {"total": total or 0, "items": [brief(m) for m in found]}


@router.get("/feedback/published", summary="Published answers, searchable without accents and with typos")
def published_answers(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    province: Annotated[str | None, Query(max_length=2)] = None,
    agency: Annotated[str | None, Query(max_length=60)] = None,
    about: Literal["procedure", "dossier", "agency", "official", "regulation"] | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
) -> dict[str, Any]:
    return answers(request, q, province, agency, about, limit)


@router.get("/feedback/{code}", summary="One message: public (no personal data), or in full for its sender and agency")
async def one(code: str, request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Without a token, the public tracking view; with the sender's or the agency's, the message with
    its sender, history and the steps they may take."""
    if not authorization:
        return await run_in_threadpool(track, code, request)
    actor = await current_actor(request, authorization)
    return await run_in_threadpool(_one, code, request, actor)


def _one(code: str, request: Request, actor: Actor) -> dict[str, Any]:
    with open_session(request) as s:
        m = s.scalar(select(FeedbackMessage).where(FeedbackMessage.code == code))
        if m is None or not fb.can_read(actor, m):
            raise ApiError(404, "not_found", N_("No feedback has the code {code}."), code=code)
        return full(m, fb.allowed_steps(actor, m))


@router.get("/public/feedback", summary="Published answers, searchable (no personal data)")
def answers(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    province: Annotated[str | None, Query(max_length=2)] = None,
    agency: Annotated[str | None, Query(max_length=60)] = None,
    about: Literal["procedure", "dossier", "agency", "official", "regulation"] | None = None,
    limit: Annotated[int, Query(ge=1, le=PAGE)] = 50,
) -> dict[str, Any]:
    with open_session(request) as s:
        from motcua.exchange.feedback import published_here

        node = request.app.state.exchange_node
        listed = published_here if node is not None and node.is_national else published
        found = listed(s, q, province=province, agency=agency, about=about, limit=limit)
    return {"items": [vars(a) for a in found]}


@router.get("/public/feedback/{code}", summary="Public tracking of a message by its code (no personal data)")
def track(code: str, request: Request) -> dict[str, Any]:
    with open_session(request) as s:
        found = tracked(s, code)
    if found is None:
        raise ApiError(404, "not_found", N_("No feedback has the code {code}."), code=code)
    return found[1]


@router.post("/feedback/{code}/transitions/{step}", summary="Take one step of the feedback's life")
def step(code: str, step: str, body: StepIn, request: Request, actor: ActorDep) -> dict[str, Any]:
    payload = body.model_dump(exclude_none=True)
    node = request.app.state.exchange_node
    try:
        with db.transaction(request.app.state.session_factory) as s:
            if node is not None and node.is_national and actor.role == "citizen":
                sent = _step_at_national(s, actor, code, step, payload)
                if sent is not None:
                    return sent
            m = fb.act(s, actor, code, step, clock.now(), request.app.state.calendars.for_session(s), payload)
            return full(m, fb.allowed_steps(actor, m))
    except DossierError as exc:
        raise domain_error(exc) from None


def _step_at_national(s: Session, actor: Actor, code: str, step: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The sender's step on a message delivered to a province: sent to it (None: not such a message)."""
    from motcua.exchange import feedback as exchange

    mirror = exchange.step_at_national(s, actor, code, step, payload, clock.now())
    if mirror is None:
        return None
    view = exchange.public_view(s, mirror.code)
    assert view is not None
    return {**view, "sent_to": mirror.member, "step": step}


@router.post(
    "/feedback/{code}/attachments",
    status_code=201,
    summary="Send a file with feedback (PDF, JPEG, PNG)",
    responses={202: {"description": "At the national portal: kept and sent on to the province handling the message"}},
)
async def attach(code: str, request: Request, actor: ActorDep, file: Annotated[UploadFile, File()]) -> Response:
    data = await file.read(MAX_BYTES + 1)
    return await run_in_threadpool(_attach, code, request, actor, file.filename or "file", data)


def _attach(code: str, request: Request, actor: Actor, name: str, data: bytes) -> Response:
    """A file with a message; at the national node, with a message delivered to a province: kept and sent
    on to it (202: the province attaches it when it has fetched it)."""
    state = request.app.state
    node = state.exchange_node
    try:
        with db.transaction(state.session_factory) as s:
            if node is not None and node.is_national and actor.role == "citizen":
                from motcua.exchange.feedback import add_files_at_national

                mirror = add_files_at_national(s, actor, code, [(name, data)], state.storage, clock.now())
                if mirror is not None:
                    sent = _held(s, mirror.code)[-1]
                    return json_response({**sent, "sent_to": mirror.member}, 202)
            m = fb.get_message(s, code)
            row = add_file(s, state.storage, actor, m, name, data, clock.now())
            return json_response(_file(row), 201)
    except DossierError as exc:
        raise domain_error(exc) from None


@router.get("/feedback/{code}/attachments", summary="The files sent with a message (the sender and the agency)")
def attachments(code: str, request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    with open_session(request) as s:
        m = s.scalar(select(FeedbackMessage).where(FeedbackMessage.code == code))
        if m is None and request.app.state.exchange_node is not None:  # delivered to a province from here
            from motcua.exchange.feedback import mirror_of

            if mirror_of(s, actor, code) is not None:
                return _held(s, code.strip().upper())
        if m is None or not fb.can_read(actor, m):
            raise ApiError(404, "not_found", N_("No feedback has the code {code}."), code=code)
        return [_file(row) for row in files_of(s, m)]


@router.get("/feedback/{code}/attachments/{file_id}", summary="Download a file sent with feedback (authorised)")
def download(code: str, file_id: int, request: Request, actor: ActorDep) -> Response:
    try:
        with open_session(request) as s:
            row, data = read_file(s, request.app.state.storage, actor, fb.get_message(s, code), file_id)
    except DossierError as exc:
        raise domain_error(exc) from None
    return attachment_response(row, data)


def _held(s: Session, code: str) -> list[dict[str, Any]]:
    """The files the sender sent the national node with a message it delivered (no id: the province's
    message holds them)."""
    from motcua.exchange.feedback import held_files

    return [
        {"name": h.name, "content_type": h.content_type, "size": h.size, "sha256": h.sha256}
        for h in held_files(s, code)
    ]


def _file(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "content_type": row.content_type, "size": row.size, "sha256": row.sha256}
