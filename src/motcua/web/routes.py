"""Public pages: home and the old→new address converter."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.i18n import N_
from motcua.units import get_registry
from motcua.units.address import MAX_INPUT_CHARS, get_converter
from motcua.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    counts = get_registry().counts(date.today())
    return render(request, "home.html", counts=counts)


@router.get("/address", response_class=HTMLResponse)
def address(request: Request, q: str = "") -> HTMLResponse:
    result = None
    too_long = len(q) > MAX_INPUT_CHARS
    if q.strip() and not too_long:
        result = get_converter().convert(q)
    return render(request, "address.html", q=q, result=result, too_long=too_long, max_chars=MAX_INPUT_CHARS)


STATUS_NAMES = {
    "submitted": N_("Submitted, waiting for reception"),
    "accepted": N_("Received"),
    "rejected": N_("Not accepted"),
    "processing": N_("Being processed"),
    "supplement_requested": N_("Documents to supplement"),
    "payment_requested": N_("Fees to pay"),
    "withdrawal_requested": N_("Withdrawal requested"),
    "stopped": N_("Processing stopped"),
    "processed": N_("Processed, result ready"),
    "returned": N_("Result returned"),
}


@router.get("/track", response_class=HTMLResponse)
@router.get("/track/{code}", response_class=HTMLResponse)
def track(request: Request, code: str = "") -> HTMLResponse:
    """Public tracking: status and appointment only, never personal data."""
    from motcua.i18n import gettext_for
    from motcua.web.rendering import language_of

    code = (code or request.query_params.get("code", "")).strip()[:60]
    dossier = name = status = None
    if code:
        with request.app.state.session_factory() as s:
            dossier = s.scalars(select(Dossier).where(Dossier.code == code)).first()
            if dossier is not None:
                version = s.get(ProcedureVersion, dossier.procedure_version_id)
                name = version.name_vi if version else dossier.procedure_code
                status = gettext_for(language_of(request)).gettext(STATUS_NAMES[dossier.status])
    response = render(
        request,
        "track.html",
        code=code,
        dossier=dossier,
        procedure_name=name,
        status_name=status,
        status_code=404 if code and dossier is None else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
