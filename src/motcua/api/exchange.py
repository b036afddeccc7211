"""``/exchange/v1``: the exchange contract served, and its operations (signed messages only). A thin
adapter over ``motcua.exchange``: verify, receive once, apply, answer with the contract's bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from motcua import db
from motcua.exchange.catalog_sync import apply_catalog
from motcua.exchange.contract import VERSION, contract_text
from motcua.exchange.delivery import apply_delivery
from motcua.exchange.inbox import Answer, apply_status, problem, receive
from motcua.exchange.lookup import dossier_status
from motcua.exchange.members import key_lookup, touch
from motcua.exchange.node import Node
from motcua.exchange.signing import SignatureRefused, verify

router = APIRouter(prefix="/exchange/v1", include_in_schema=False)
log = logging.getLogger("motcua.exchange")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(answer: Answer) -> JSONResponse:
    media = "application/problem+json" if answer.status >= 400 else "application/json"
    return JSONResponse(answer.body, status_code=answer.status, media_type=media)


@router.get("/health")
def health(request: Request) -> dict[str, str]:
    node = request.app.state.exchange_node
    return {"member": node.member if node else "standalone", "contract": VERSION, "time": _now().isoformat() + "Z"}


@router.get("/openapi.yaml")
def served_contract() -> Response:
    return Response(contract_text(), media_type="application/yaml")


Apply = Callable[[Session, Any], Answer]


def _receive(request: Request, body: bytes, operation: str, applier: Callable[[Node, str, datetime], Apply]) -> Answer:
    """Verify the signature, then apply the message once (``applier(node, sender, now)`` gives the
    operation's apply function); refusals are logged with their reason, never with the body."""
    node: Node | None = request.app.state.exchange_node
    if node is None:
        return problem(404, "Not a node of the exchange", "this deployment serves every province itself")
    now = _now()
    with db.transaction(request.app.state.session_factory) as s:
        try:
            verified = verify(request.headers, request.method, request.url.path, body, key_lookup(s).get)
        except SignatureRefused as refused:
            log.warning(
                "exchange: refused %s %s: %s (%s)", request.method, request.url.path, refused.reason, refused.detail
            )
            return problem(401, "Refused signature", refused.detail)
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


@router.post("/dossiers/{code}/status")
async def report_status(code: str, request: Request) -> JSONResponse:
    body = await request.body()
    applier = _national_only(lambda sender, now: apply_status(sender, code, now))
    return _json(await run_in_threadpool(_receive, request, body, "reportStatus", applier))


@router.post("/dossiers")
async def deliver_dossier(request: Request) -> JSONResponse:
    body = await request.body()
    state = request.app.state

    def make(node: Node, sender: str, now: datetime) -> Apply:
        return apply_delivery(node, sender, now, state.snapshots.get, state.calendars.for_session)

    return _json(await run_in_threadpool(_receive, request, body, "deliverDossier", _provincial_only(make)))


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
        try:
            verify(request.headers, request.method, request.url.path, b"", key_lookup(s).get)
        except SignatureRefused as refused:
            log.warning("exchange: refused look-up of %s: %s", code, refused.reason)
            return problem(401, "Refused signature", refused.detail)
        found = dossier_status(s, code, national=node is not None and node.is_national)
        if found is None:
            return problem(404, "No such dossier", f"{code} is not known here")
        return Answer(200, found)
