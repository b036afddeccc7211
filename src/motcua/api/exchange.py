"""``/exchange/v1``: the exchange contract served, and its operations (signed messages only). A thin
adapter over ``motcua.exchange``: verify, receive once, apply, answer with the contract's bodies."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from motcua import db
from motcua.exchange import feedback as feedback_exchange
from motcua.exchange.catalog_sync import apply_catalog
from motcua.exchange.contract import VERSION, contract_text
from motcua.exchange.delivery import apply_delivery, apply_documents, fetch_documents
from motcua.exchange.documents import HOLDER, SHA256, apply_announcement, relay, search, serve_stored
from motcua.exchange.inbox import Answer, apply_status, problem, receive
from motcua.exchange.lookup import dossier_status
from motcua.exchange.members import key_lookup, touch
from motcua.exchange.models import DossierMirror, FeedbackMirror, HeldDocument, Member, utc_now
from motcua.exchange.node import NATIONAL, Node
from motcua.exchange.signing import SignatureRefused, Verified, verify

router = APIRouter(prefix="/exchange/v1", include_in_schema=False)
log = logging.getLogger("motcua.exchange")


def _json(answer: Answer) -> JSONResponse:
    media = "application/problem+json" if answer.status >= 400 else "application/json"
    return JSONResponse(answer.body, status_code=answer.status, media_type=media)


@router.get("/health")
def health(request: Request) -> dict[str, str]:
    node = request.app.state.exchange_node
    return {"member": node.member if node else "standalone", "contract": VERSION, "time": utc_now().isoformat()}


@router.get("/openapi.yaml")
def served_contract() -> Response:
    return Response(contract_text(), media_type="application/yaml")


Apply = Callable[[Session, Any], Answer]


def _verified(request: Request, session: Session, body: bytes, what: str) -> Verified | Answer:
    """The signed sender of the request, or the 401 to answer (the reason logged, never the body)."""
    try:
        return verify(request.headers, request.method, request.url.path, body, key_lookup(session).get)
    except SignatureRefused as refused:
        log.warning("exchange: refused %s: %s (%s)", what, refused.reason, refused.detail)
        return problem(401, "Refused signature", refused.detail)


def _receive(
    request: Request,
    body: bytes,
    operation: str,
    applier: Callable[[Node, str, datetime], Apply],
    prepare: Callable[[Node, str], Answer | None] | None = None,
) -> Answer:
    """Verify the signature, let ``prepare`` fetch what the message needs (outside any transaction),
    then apply the message once (``applier(node, sender, now)`` gives the operation's apply function);
    refusals are logged with their reason, never with the body."""
    node: Node | None = request.app.state.exchange_node
    if node is None:
        return problem(404, "Not a node of the exchange", "this deployment serves every province itself")
    now = utc_now()
    factory = request.app.state.session_factory
    with factory() as s:
        verified = _verified(request, s, body, f"{request.method} {request.url.path}")
    if isinstance(verified, Answer):
        return verified
    refused_early = prepare(node, verified.member) if prepare else None
    with db.transaction(factory) as s:
        if refused_early is not None:
            answer = refused_early
        else:
            answer, _ = receive(
                s, verified.member, verified.message_id, operation, body, now, applier(node, verified.member, now)
            )
        touch(s, verified.member, now, "" if answer.status < 400 else str(answer.body.get("title", "")))
    if answer.status >= 400:
        log.warning(
            "exchange: %s from %s answered %s: %s",
            operation,
            verified.member,
            answer.status,
            answer.body.get("detail", answer.body.get("title", "")),
        )
    return answer


def _national_only(make: Callable[[str, datetime], Apply]) -> Callable[[Node, str, datetime], Apply]:
    def applier(node: Node, sender: str, now: datetime) -> Apply:
        if not node.is_national:
            return lambda _s, _d: problem(404, "Not the national node", "this operation is sent to the national node")
        return make(sender, now)

    return applier


def _provincial_only(make: Callable[[Node, str, datetime], Apply]) -> Callable[[Node, str, datetime], Apply]:
    def applier(node: Node, sender: str, now: datetime) -> Apply:
        if node.is_national:
            return lambda _s, _d: problem(404, "Not a provincial node", "this operation is sent to a provincial node")
        return make(node, sender, now)

    return applier


@router.post("/feedback")
async def deliver_feedback(request: Request) -> JSONResponse:
    body = await request.body()
    state = request.app.state

    fetched: dict[str, bytes] = {}

    def make(node: Node, sender: str, now: datetime) -> Apply:
        return feedback_exchange.apply_delivery(
            node, sender, now, state.snapshots.get, state.calendars.for_session, state.storage, fetched
        )

    prepare = _fetching(request, body, fetched)
    answer = await run_in_threadpool(_receive, request, body, "deliverFeedback", _provincial_only(make), prepare)
    return _json(answer)


@router.post("/feedback/{reference}/status")
async def report_feedback_status(reference: str, request: Request) -> JSONResponse:
    body = await request.body()
    applier = _national_only(lambda sender, now: feedback_exchange.apply_status(sender, reference, now))
    return _json(await run_in_threadpool(_receive, request, body, "reportFeedbackStatus", applier))


@router.post("/answers/{code}")
async def publish_feedback_answer(code: str, request: Request) -> JSONResponse:
    body = await request.body()
    applier = _national_only(lambda sender, now: feedback_exchange.apply_answer(sender, code, now))
    return _json(await run_in_threadpool(_receive, request, body, "publishFeedbackAnswer", applier))


@router.post("/feedback/{reference}/steps")
async def take_feedback_step(reference: str, request: Request) -> JSONResponse:
    body = await request.body()
    state = request.app.state

    def make(node: Node, sender: str, now: datetime) -> Apply:
        return feedback_exchange.apply_step(node, sender, reference, now, state.calendars.for_session)

    return _json(await run_in_threadpool(_receive, request, body, "takeFeedbackStep", _provincial_only(make)))


@router.post("/feedback/{reference}/documents")
async def add_feedback_documents(reference: str, request: Request) -> JSONResponse:
    body = await request.body()
    fetched: dict[str, bytes] = {}

    def make(node: Node, sender: str, _now: datetime) -> Apply:
        return feedback_exchange.apply_documents(node, sender, reference, request.app.state.storage, fetched)

    prepare = _fetching(request, body, fetched)
    answer = await run_in_threadpool(_receive, request, body, "addFeedbackDocuments", _provincial_only(make), prepare)
    return _json(answer)


@router.post("/dossiers/{code}/status")
async def report_status(code: str, request: Request) -> JSONResponse:
    body = await request.body()
    applier = _national_only(lambda sender, now: apply_status(sender, code, now))
    return _json(await run_in_threadpool(_receive, request, body, "reportStatus", applier))


def _fetching(request: Request, body: bytes, fetched: dict[str, bytes]) -> Callable[[Node, str], Answer | None]:
    """The ``prepare`` of a message listing files: fetch them from its sender, before the transaction."""
    state = request.app.state

    def prepare(node: Node, sender: str) -> Answer | None:
        with state.session_factory() as s:
            sender_url = s.scalars(select(Member.base_url).where(Member.identifier == sender)).first() or ""
        result = fetch_documents(exchange_client(request.app), node, sender_url, body)
        if isinstance(result, Answer):
            return result
        fetched.update(result)
        return None

    return prepare


@router.post("/dossiers")
async def deliver_dossier(request: Request) -> JSONResponse:
    body = await request.body()
    state = request.app.state
    fetched: dict[str, bytes] = {}

    def make(node: Node, sender: str, now: datetime) -> Apply:
        return apply_delivery(
            node, sender, now, state.snapshots.get, state.calendars.for_session, state.storage, fetched
        )

    prepare = _fetching(request, body, fetched)
    answer = await run_in_threadpool(_receive, request, body, "deliverDossier", _provincial_only(make), prepare)
    return _json(answer)


@router.post("/dossiers/{code}/documents")
async def add_documents(code: str, request: Request) -> JSONResponse:
    body = await request.body()
    fetched: dict[str, bytes] = {}

    def make(node: Node, sender: str, _now: datetime) -> Apply:
        return apply_documents(node, sender, code, request.app.state.storage, fetched)

    prepare = _fetching(request, body, fetched)
    answer = await run_in_threadpool(_receive, request, body, "addDocuments", _provincial_only(make), prepare)
    return _json(answer)


@router.get("/documents/{reference}/{sha256}")
async def fetch_document(reference: str, sha256: str, request: Request) -> Response:
    return await run_in_threadpool(_fetch_document, request, reference, sha256)


def _fetch_document(request: Request, reference: str, sha256: str) -> Response:
    """At the national node: a file of a dossier or feedback message it delivered, to the province it
    delivered it to."""
    with request.app.state.session_factory() as s:
        verified = _verified(request, s, b"", f"a document of {reference}")
        if isinstance(verified, Answer):
            return _json(verified)
        mirror = s.get(DossierMirror, reference) or s.get(FeedbackMirror, reference)
        if mirror is None or mirror.member != verified.member:
            return _json(problem(404, "No such document", f"no file {sha256} of {reference} for {verified.member}"))
        held = s.scalars(
            select(HeldDocument).where(HeldDocument.reference == reference, HeldDocument.sha256 == sha256)
        ).first()
        if held is None:
            return _json(problem(404, "No such document", f"no file {sha256} of {reference}"))
        data = request.app.state.storage.get(held.storage_key)
    return Response(data, media_type=held.content_type)


def exchange_client(app: FastAPI) -> httpx.Client:
    """The HTTP client this node uses to reach the others (made on first use, shared)."""
    client: httpx.Client | None = getattr(app.state, "exchange_client", None)
    if client is None:
        client = app.state.exchange_client = httpx.Client()
    return client


@router.put("/catalog")
async def synchronise_catalog(request: Request) -> JSONResponse:
    body = await request.body()
    applier = _provincial_only(lambda _node, sender, now: apply_catalog(sender, now))
    return _json(await run_in_threadpool(_receive, request, body, "synchroniseCatalog", applier))


@router.get("/dossiers/{code}")
async def look_up(code: str, request: Request) -> JSONResponse:
    return _json(await run_in_threadpool(_look_up, request, code))


def _look_up(request: Request, code: str) -> Answer:
    node: Node | None = request.app.state.exchange_node
    with request.app.state.session_factory() as s:
        verified = _verified(request, s, b"", f"look-up of {code}")
        if isinstance(verified, Answer):
            return verified
        national = node is not None and node.is_national
        if not national and verified.member != NATIONAL:
            log.warning("exchange: look-up of %s by %s refused", code, verified.member)
            return problem(403, "Look-ups are the national node's", f"{verified.member} may not look dossiers up here")
        # At the national node, a province sees the dossiers it holds, and only those.
        found = dossier_status(s, code, national=national, held_by=verified.member if national else None)
        if found is None:
            return problem(404, "No such dossier", f"{code} is not known here")
        return Answer(200, found)


@router.post("/holders/documents")
async def announce_documents(request: Request) -> JSONResponse:
    body = await request.body()
    applier = _national_only(lambda sender, now: apply_announcement(sender, now))
    return _json(await run_in_threadpool(_receive, request, body, "announceDocuments", applier))


@router.post("/holders/documents/search")
async def find_documents(request: Request) -> JSONResponse:
    body = await request.body()
    return _json(await run_in_threadpool(_find_documents, request, body))


def _find_documents(request: Request, body: bytes) -> Answer:
    """At the national node: a province asks, for a holder signed in there, what they hold elsewhere."""
    node: Node | None = request.app.state.exchange_node
    with request.app.state.session_factory() as s:
        verified = _verified(request, s, body, "a document search")
        if isinstance(verified, Answer):
            return verified
        if node is None or not node.is_national:
            return problem(404, "Not the national node", "document searches are sent to the national node")
        if verified.member == NATIONAL:
            return problem(403, "Provinces only", "a province searches for the holders signed in at it")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return problem(400, "Not JSON", str(exc))
        return search(s, verified.member, data)


@router.get("/holders/{holder}/documents/{member}/{reference}", response_model=None)
async def fetch_holder_document(holder: str, member: str, reference: str, request: Request) -> Response:
    return await run_in_threadpool(_fetch_holder_document, request, holder, member, reference)


def _fetch_holder_document(request: Request, holder: str, member: str, reference: str) -> Response:
    node: Node | None = request.app.state.exchange_node
    with request.app.state.session_factory() as s:
        verified = _verified(request, s, b"", f"a holder's document at {member}")
        if isinstance(verified, Answer):
            return _json(verified)
        if node is None or not node.is_national:
            return _json(problem(404, "Not the national node", "holders' documents are fetched through it"))
        if verified.member == NATIONAL:
            return _json(problem(403, "Provinces only", "a province fetches for the holders signed in at it"))
        found = relay(s, exchange_client(request.app), node, verified.member, holder, member, reference)
    if isinstance(found, Answer):
        return _json(found)
    data, digest = found
    return Response(data, media_type="application/pdf", headers={SHA256: digest})


@router.get("/store/{reference}", response_model=None)
async def fetch_stored_document(reference: str, request: Request) -> Response:
    return await run_in_threadpool(_fetch_stored_document, request, reference)


def _fetch_stored_document(request: Request, reference: str) -> Response:
    """At a province: a document of its stores, for the national node only."""
    node: Node | None = request.app.state.exchange_node
    state = request.app.state
    with db.transaction(state.session_factory) as s:  # a result is issued and signed on first reading
        verified = _verified(request, s, b"", f"the stored document {reference}")
        if isinstance(verified, Answer):
            return _json(verified)
        if node is None or node.is_national:
            return _json(problem(404, "Not a provincial node", "stores are kept by the provinces"))
        if verified.member != NATIONAL:
            log.warning("exchange: stored document %s asked by %s refused", reference, verified.member)
            return _json(problem(403, "National node only", f"{verified.member} may not read this province's stores"))
        found = serve_stored(s, state.storage, state.signing, reference)
    if isinstance(found, Answer):
        return _json(found)
    data, holder = found
    return Response(
        data,
        media_type="application/pdf",
        headers={SHA256: hashlib.sha256(data).hexdigest(), HOLDER: holder, "Cache-Control": "no-store"},
    )
