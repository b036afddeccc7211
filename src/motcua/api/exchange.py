"""``/exchange/v1``: the exchange contract served, and its operations (signed messages only). A thin
adapter over ``motcua.exchange``: verify, receive once, apply, answer with the contract's bodies."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from motcua import db
from motcua.exchange.contract import VERSION, contract_text
from motcua.exchange.inbox import Answer, apply_status, problem, receive
from motcua.exchange.members import key_lookup, touch
from motcua.exchange.models import DossierMirror
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


@router.post("/dossiers/{code}/status")
async def report_status(code: str, request: Request) -> JSONResponse:
    body = await request.body()
    return _json(await run_in_threadpool(_report_status, request, code, body))


def _report_status(request: Request, code: str, body: bytes) -> Answer:
    node = request.app.state.exchange_node
    if node is None or not node.is_national:
        return problem(404, "Not the national node", "status changes are reported to the national node")
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
            s, verified.member, verified.message_id, "reportStatus", body, now, apply_status(verified.member, code, now)
        )
        touch(s, verified.member, now, "" if answer.status < 400 else answer.body.get("title", ""))
        if answer.status >= 400:
            log.warning(
                "exchange: %s from %s answered %s: %s",
                code,
                verified.member,
                answer.status,
                answer.body.get("detail", ""),
            )
        return answer


@router.get("/dossiers/{code}")
async def look_up(code: str, request: Request) -> JSONResponse:
    return _json(await run_in_threadpool(_look_up, request, code))


def _look_up(request: Request, code: str) -> Answer:
    with request.app.state.session_factory() as s:
        try:
            verify(request.headers, request.method, request.url.path, b"", key_lookup(s).get)
        except SignatureRefused as refused:
            log.warning("exchange: refused look-up of %s: %s", code, refused.reason)
            return problem(401, "Refused signature", refused.detail)
        mirror = s.get(DossierMirror, code)
        if mirror is None:
            return problem(404, "No such dossier", f"{code} is not known here")
        return Answer(
            200,
            {
                "code": mirror.code,
                "procedureCode": mirror.procedure_code,
                "statusCode": mirror.status_code,
                "status": mirror.status,
                "lastSequence": mirror.last_sequence,
                "receivedOn": mirror.received_on.isoformat() if mirror.received_on else None,
                "dueOn": mirror.due_on.isoformat() if mirror.due_on else None,
                "finishedAt": mirror.finished_at.isoformat() if mirror.finished_at else None,
                "returnedAt": mirror.returned_at.isoformat() if mirror.returned_at else None,
            },
        )
