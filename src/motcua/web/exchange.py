"""The operator's page of the exchange (role ``admin``): per member, the queue, its oldest message,
dead letters, the last contact and error; the dead letters with their reason, each replayable (a
body can be inspected and mended on the page, or with ``motcua exchange replay --body``)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import NoResultFound
from starlette.concurrency import run_in_threadpool

from motcua import db
from motcua.exchange.models import utc_now
from motcua.exchange.monitor import dead_letters, member_statuses
from motcua.exchange.relay import replay
from motcua.i18n import N_
from motcua.web.account import current_actor
from motcua.web.rendering import message, render
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
PAGE = "/admin/exchange"


@router.get(PAGE, response_class=HTMLResponse, response_model=None)
def exchange_page(request: Request, replayed: str | None = None) -> Response:
    actor = current_actor(request)
    if actor is None or actor.role != "admin":
        return RedirectResponse(f"/signin?next={PAGE}", status_code=303)
    return _page(request, replayed)


def _page(request: Request, replayed: str | None = None, error: str | None = None, status_code: int = 200) -> Response:
    node = request.app.state.exchange_node
    with request.app.state.session_factory() as s:
        members = member_statuses(s, utc_now())
        dead = dead_letters(s)
    return render(
        request,
        "admin_exchange.html",
        status_code,
        node=node.member if node else None,
        members=members,
        dead=dead,
        replayed=replayed,
        error=error,
    )


@router.post(f"{PAGE}/replay", response_model=None)
async def replay_message(
    request: Request,
    csrf: Annotated[str, Form()],
    message_id: Annotated[str, Form()],
    body: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    actor = await run_in_threadpool(current_actor, request)
    if actor is None or actor.role != "admin":
        return RedirectResponse(f"/signin?next={PAGE}", status_code=303)
    if body is not None:
        try:
            json.loads(body)
        except ValueError as exc:
            error = message(request, N_("The mended body is not JSON: {problem}"), problem=str(exc))
            return await run_in_threadpool(lambda: _page(request, error=error, status_code=422))

    def run() -> None:
        with db.transaction(request.app.state.session_factory) as s:
            replay(s, message_id, body)

    try:
        await run_in_threadpool(run)
    except (NoResultFound, ValueError):
        return RedirectResponse(PAGE, status_code=303)
    return RedirectResponse(f"{PAGE}?replayed={message_id}", status_code=303)
