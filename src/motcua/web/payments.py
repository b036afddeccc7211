"""Paying the fees of a dossier online: to the configured provider and back, then the ``pay`` step.

The amount is the one the deciding agency asked for (the ``request_payment`` event). The reference
names the dossier and that request, so a payment cannot be replayed on another dossier or request;
the step is taken only when the provider confirms the return (signature checked) and the amount
matches.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from motcua import clock, db
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import WITH_HISTORY, act, readable
from motcua.i18n import N_
from motcua.payments.base import PaymentProvider
from motcua.payments.registry import provider
from motcua.payments.sandbox import SandboxProvider
from motcua.web.account import current_actor
from motcua.web.rendering import flash_error, message, render
from motcua.web.security import check_csrf, secret_key

router = APIRouter(include_in_schema=False)


def _provider() -> PaymentProvider:
    return provider(secret_key())


def _requested(d: Dossier) -> tuple[str, int] | None:
    """The open payment request: (reference, amount), or None if no payment is due."""
    if d.status != "payment_requested":
        return None
    event = next((e for e in reversed(d.events) if e.transition == "request_payment"), None)
    if event is None:
        return None
    return f"{d.code}:{event.seq}", int(event.payload.get("amount_vnd", 0))


@router.post("/dossiers/{code}/pay", response_model=None)
def start(request: Request, code: str, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = current_actor(request)
    if actor is None or actor.role != "citizen":
        return RedirectResponse("/signin", status_code=303)
    with request.app.state.session_factory() as s:
        d = readable(s, actor, code)
        if d is None:
            return render(request, "not_found.html", status_code=404)
        due = _requested(d)
    if due is None or due[1] <= 0:
        request.session["flash_error"] = message(request, N_("No payment is due."))
        return RedirectResponse(f"/my/dossiers/{code}", status_code=303)
    reference, amount = due
    return_url = str(request.url_for("payment_return"))
    return RedirectResponse(_provider().start(reference, amount, code, return_url), status_code=303)


@router.get("/payments/return", name="payment_return", response_model=None)
def finish(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    params = dict(request.query_params)
    code = params.get("reference", "").rsplit(":", 1)[0]
    confirmation = _provider().confirm(params)
    if confirmation is None:
        request.session["flash_error"] = message(request, N_("The payment was not made or could not be confirmed."))
        return RedirectResponse(f"/my/dossiers/{code}", status_code=303)
    state = request.app.state
    try:
        with db.transaction(state.session_factory) as s:
            d = s.scalars(WITH_HISTORY, {"code": code}).first()
            due = _requested(d) if d is not None else None
            if d is None or due != (confirmation.reference, confirmation.amount_vnd):
                raise DossierError("payment_mismatch", N_("This payment does not match what the dossier asks for."))
            payload = {
                "payment_reference": confirmation.reference,
                "amount_vnd": confirmation.amount_vnd,
                "provider": confirmation.provider,
                "transaction": confirmation.transaction,
            }
            act(s, actor, code, "pay", clock.now(), state.calendars.for_session(s), payload)
    except DossierError as exc:
        flash_error(request, exc)
    else:
        request.session["flash_done"] = "pay"
    return RedirectResponse(f"/my/dossiers/{code}", status_code=303)


@router.get("/payments/sandbox", response_class=HTMLResponse, response_model=None)
def sandbox_page(request: Request, reference: str, amount: int, description: str = "") -> Response:
    if not isinstance(_provider(), SandboxProvider):
        return render(request, "not_found.html", status_code=404)
    return_url = request.query_params.get("return", "")
    return render(
        request, "sandbox_pay.html", reference=reference, amount=amount, description=description, return_url=return_url
    )


@router.post("/payments/sandbox", response_model=None)
def sandbox_pay(
    request: Request,
    reference: Annotated[str, Form()],
    amount: Annotated[int, Form()],
    return_url: Annotated[str, Form()],
    action: Annotated[str, Form()] = "pay",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    sandbox = _provider()
    if not isinstance(sandbox, SandboxProvider) or not return_url.startswith(str(request.base_url)):
        return render(request, "not_found.html", status_code=404)
    return RedirectResponse(sandbox.finish(reference, amount, action == "pay", return_url), status_code=303)
