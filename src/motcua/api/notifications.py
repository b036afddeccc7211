"""``/api/v1/notifications``: an official's inbox, what a dossier's applicant was sent, and the
providers' delivery receipts (signed with ``MOTCUA_NOTIFY_RECEIPT_SECRET``)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from motcua import clock, db
from motcua.api.deps import open_session
from motcua.api.dossiers import ActorDep
from motcua.api.errors import DOCUMENTED, ApiError
from motcua.dossiers.service import readable
from motcua.i18n import N_
from motcua.notifications.delivery import apply_receipt
from motcua.notifications.models import Notification
from motcua.notifications.providers import RECEIPTS
from motcua.notifications.providers.base import ReceiptError
from motcua.notifications.reading import inbox, mark_read, masked, of_dossier, unread
from motcua.settings import get_settings

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=DOCUMENTED)
log = logging.getLogger("motcua.notifications")
SIGNATURE = "X-Motcua-Signature"


def sent_view(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "channel": n.channel,
        "to": masked(n.address),
        "language": n.language,
        "template": n.template,
        "template_version": n.template_version,
        "subject": n.subject,
        "status": n.status,
        "attempts": n.attempts,
        "created_at": n.created_at,
        "sent_at": n.sent_at,
        "delivered_at": n.delivered_at,
        "fallback_of": n.fallback_of,
    }


@router.get("/dossiers/{code}/notifications", summary="What the dossier's applicant was sent, and whether it arrived")
def dossier_notifications(code: str, request: Request, actor: ActorDep) -> list[dict[str, Any]]:
    with open_session(request) as s:
        if readable(s, actor, code) is None:
            raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
        return [sent_view(n) for n in of_dossier(s, code)]


@router.get("/notifications/inbox", summary="The caller's inbox (alerts, assignments, digests)")
def my_inbox(request: Request, actor: ActorDep, page: Annotated[int, Query(ge=1, le=200)] = 1) -> dict[str, Any]:
    with open_session(request) as s:
        items = [
            {
                "id": n.id,
                "template": n.template,
                "dossier": n.dossier_code,
                "subject": n.subject,
                "body": n.body,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in inbox(s, actor.user_id, page)
        ]
        return {"unread": unread(s, actor.user_id), "items": items}


class ReadIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(max_length=500)


@router.post("/notifications/inbox/read", summary="Mark messages of the caller's inbox read")
def read_inbox(body: ReadIn, request: Request, actor: ActorDep) -> dict[str, int]:
    with db.transaction(request.app.state.session_factory) as s:
        return {"marked": mark_read(s, actor.user_id, body.ids, clock.now())}


@router.post(
    "/notifications/receipts/{provider}",
    tags=["providers"],
    summary="A provider's delivery receipt (HMAC-SHA-256 of the body in X-Motcua-Signature)",
)
async def receipt(
    provider: str,
    request: Request,
    x_motcua_signature: Annotated[str | None, Header(alias=SIGNATURE)] = None,
) -> dict[str, Any]:
    settings = get_settings()
    secret = settings.notify_receipt_secret
    if secret is None:
        raise ApiError(503, "receipts_not_configured", N_("Delivery receipts are not accepted here (no key is set)."))
    reader = RECEIPTS.get(provider)
    if reader is None:
        raise ApiError(404, "unknown_provider", N_("No provider named {provider} sends receipts."), provider=provider)
    raw = await request.body()
    expected = hmac.new(secret.get_secret_value().encode(), raw, hashlib.sha256).hexdigest()
    if not x_motcua_signature or not hmac.compare_digest(expected, x_motcua_signature.strip().lower()):
        log.warning("receipt from %s with a wrong or missing signature, refused", provider)
        raise ApiError(401, "bad_signature", N_("The receipt's signature (X-Motcua-Signature) does not match."))
    try:
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            raise ReceiptError("the body must be a JSON object")
        found = reader(data)
    except (orjson.JSONDecodeError, ReceiptError) as exc:
        raise ApiError(422, "bad_receipt", N_("The receipt cannot be read: {problem}."), problem=str(exc)) from None
    retry_for = timedelta(hours=settings.notify_retry_hours)

    def record() -> bool:
        with db.transaction(request.app.state.session_factory) as s:
            return apply_receipt(s.connection(), provider, found, clock.now(), retry_for)

    if not await run_in_threadpool(record):
        raise ApiError(404, "unknown_message", N_("No message of {provider} has that reference."), provider=provider)
    return {"reference": found.reference, "outcome": found.outcome}
